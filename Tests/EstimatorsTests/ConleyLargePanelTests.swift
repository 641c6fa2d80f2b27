import Foundation
import Testing
@testable import Estimators

/// Conley on more units than ``ConleyVariance/maximumListedUnits``: the fast backend then computes
/// the spatial weights pair by pair instead of storing neighbour lists (whose memory a large cutoff
/// would make quadratic in the units). Oracle: the reference backend's plain loop over every pair
/// of rows in each period (the same sum in another order), at 1e-10 relative; and a panel fitted
/// on a subset of its coordinates' units finds each unit's location by label.
@Suite("Conley on large panels")
struct ConleyLargePanelTests {
    static func panel(units: Int, periods: Int) throws -> (Panel, UnitCoordinates) {
        var random = KernelDifferentialTests.Generator(state: 41)
        var unit: [Int32] = [], period: [Int32] = [], outcome: [Double] = [], covariate: [Double] = []
        let adoption = (0..<units).map { _ -> Int32 in
            random.next() < 0.5 ? Panel.neverTreated : Int32(1 + Int(random.next() * 100) % (periods - 1))
        }
        for i in 0..<units {
            for t in 0..<periods {
                unit.append(Int32(i)); period.append(Int32(t))
                let x = random.next()
                covariate.append(x)
                outcome.append((adoption[i] <= t ? 1 : 0) + 0.5 * x + 0.1 * Double(i % 5) + random.next())
            }
        }
        let panel = try Panel(unitIndex: unit, periodIndex: period, unitCount: units, periodCount: periods,
                              outcomeName: "y", outcome: outcome, covariateNames: ["x"], covariates: [covariate],
                              adoptionPeriod: adoption)
        let coordinates = try UnitCoordinates(perUnit: (0..<units).map { _ in random.next() * 1000 },
                                              second: (0..<units).map { _ in random.next() * 1000 },
                                              names: ["cx", "cy"], metric: .planar, unitLabels: panel.unitLabels)
        return (panel, coordinates)
    }

    static func standardErrors(_ panel: Panel, _ coordinates: UnitCoordinates, backend: KernelBackend) throws -> [Double] {
        let kernel = try ConleyKernel(cutoff: 150, lags: 1)
        let options = RegressionOptions(variance: .conley(kernel), coordinates: coordinates)
        let estimate = try FixedEffectsRegression.fit(panel: panel, method: "twfe", terms: [Estimate.Term(name: "treat")],
                                                      columns: [panel.treatmentColumn], options: options, extraNotes: [],
                                                      within: TwoWayWithin(panel: panel, backend: backend))
        return estimate.terms.indices.map { estimate.standardError($0) }
    }

    @Test func pairByPairEqualsTheReferenceLoop() throws {
        let units = ConleyVariance.maximumListedUnits + 50
        let (panel, coordinates) = try Self.panel(units: units, periods: 3)
        let fast = try Self.standardErrors(panel, coordinates, backend: .fast)
        let reference = try Self.standardErrors(panel, coordinates, backend: .reference)
        for (a, b) in zip(fast, reference) { #expect(abs(a - b) <= 1e-10 * b, "\(a) vs \(b)") }
        #expect(fast.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test func aSubsetOfUnitsFindsItsLocationsByLabel() throws {
        let (panel, coordinates) = try Self.panel(units: 40, periods: 4)
        let keep = Set(panel.unitLabels.indices.filter { $0 % 3 != 0 })
        let subset = try panel.restricted(toRows: (0..<panel.observationCount).filter { keep.contains(Int(panel.unitIndex[$0])) })
        let located = try coordinates.matching(subset)
        #expect(located.unitCount == subset.unitCount)
        for (position, label) in subset.unitLabels.enumerated() {
            let original = try #require(panel.unitLabels.firstIndex(of: label))
            #expect(located.first[position] == coordinates.first[original] && located.second[position] == coordinates.second[original])
        }
        // The same SEs as coordinates built for the subset directly.
        let direct = try UnitCoordinates(perUnit: located.first, second: located.second, names: ["cx", "cy"],
                                         metric: .planar, unitLabels: subset.unitLabels)
        #expect(try Self.standardErrors(subset, coordinates, backend: .fast) == Self.standardErrors(subset, direct, backend: .fast))
    }
}
