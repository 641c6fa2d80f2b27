import Foundation
import Testing
@testable import Estimators

/// Closed forms, conventions and failure paths of ``CallawaySantAnna`` (parity with R `did` is in
/// `CallawaySantAnnaParityTests`).
@Suite("Callaway-Sant'Anna: closed forms, conventions and errors")
struct CallawaySantAnnaTests {
    /// A panel from per-unit outcome rows (`outcomes[i][t]`), adoption indices and optional extras.
    static func panel(_ outcomes: [[Double]], adoption: [Int32], covariate: [[Double]]? = nil,
                      cluster: [Int32]? = nil, dropping: Set<[Int]> = []) throws -> Panel {
        var units: [Int32] = [], periods: [Int32] = [], y: [Double] = [], x: [Double] = [], c: [Int32] = []
        for (i, row) in outcomes.enumerated() {
            for (t, value) in row.enumerated() where !dropping.contains([i, t]) {
                units.append(Int32(i)); periods.append(Int32(t)); y.append(value)
                if let covariate { x.append(covariate[i][t]) }
                if let cluster { c.append(cluster[i * row.count + t]) }
            }
        }
        let periodCount = outcomes[0].count
        var clusterings: [String: Clustering] = [:]
        if cluster != nil { clusterings["region"] = Clustering(name: "region", index: c, count: Int((c.max() ?? 0) + 1)) }
        return try Panel(unitIndex: units, periodIndex: periods, unitCount: outcomes.count, periodCount: periodCount,
                         outcomeName: "y", outcome: y, covariateNames: covariate == nil ? [] : ["x"],
                         covariates: covariate == nil ? [] : [x], adoptionPeriod: adoption,
                         periodLabels: (0..<periodCount).map { String(2000 + $0) },
                         periodValues: (0..<periodCount).map { Double(2000 + $0) }, clusterings: clusterings)
    }

    static let never = Panel.neverTreated

    /// A deterministic pseudo-random outcome table (no RNG state shared between tests).
    static func outcomes(units: Int, periods: Int, salt: Double = 0) -> [[Double]] {
        (0..<units).map { (i: Int) -> [Double] in
            (0..<periods).map { (t: Int) -> Double in
                let phase: Double = Double(i * 7 + t * 3) + salt
                return sin(phase) + 0.3 * Double(t) + cos(Double(i))
            }
        }
    }

    @Test("2 groups × 2 periods: ATT is the 2×2 DiD, every aggregation equals it, SE is the closed form")
    func twoByTwoClosedForm() throws {
        // Oracle: the DiD of means and its influence-function SE, √(Σ_G(ΔY−μ_G)²/n_G² + Σ_C(ΔY−μ_C)²/n_C²).
        let y = Self.outcomes(units: 7, periods: 2)
        let adoption: [Int32] = [1, 1, 1, Self.never, Self.never, Self.never, Self.never]
        let result = try CallawaySantAnna().estimate(try Self.panel(y, adoption: adoption))
        let change = y.map { $0[1] - $0[0] }
        let treated = Array(change[0..<3]), control = Array(change[3...])
        let meanT = treated.reduce(0, +) / 3, meanC = control.reduce(0, +) / 4
        let se = (treated.map { ($0 - meanT) * ($0 - meanT) }.reduce(0, +) / 9
                  + control.map { ($0 - meanC) * ($0 - meanC) }.reduce(0, +) / 16).squareRoot()
        #expect(result.groupTime.count == 1)
        #expect(abs(result.groupTime[0].estimate - (meanT - meanC)) < 1e-14)
        #expect(abs(result.groupTime[0].standardError - se) < 1e-14)
        for kind in CallawaySantAnnaResult.AggregationKind.allCases {
            #expect(abs(result.aggregation(kind).overall.estimate - (meanT - meanC)) < 1e-14, "\(kind)")
            #expect(abs(result.aggregation(kind).overall.standardError - se) < 1e-14, "\(kind)")
        }
        // Second oracle: two-way fixed effects on two periods is the same 2×2 DiD.
        let twfe = try TwoWayFixedEffects().estimate(try Self.panel(y, adoption: adoption))
        #expect(abs(twfe.coefficients[0] - result.simple.overall.estimate) < 1e-12)
        // Every method gives the same unconditional estimate with a constant covariate-free design.
        for method in CallawaySantAnnaOptions.EstimationMethod.allCases {
            let plain = try CallawaySantAnna(options: .init(estimationMethod: method)).estimate(try Self.panel(y, adoption: adoption))
            #expect(plain.simple.overall == result.simple.overall, "\(method)")
        }
    }

    @Test("covariate methods reduce to the 2×2 DiD with an irrelevant balanced covariate")
    func covariateMethodsAgreeWithoutConfounding() throws {
        // Oracle: with a covariate whose mean is identical in both arms and uncorrelated with ΔY
        // in the comparison group, reg, ipw and dr all equal the unconditional DiD.
        let y: [[Double]] = [[1, 2], [2, 4], [0, 1], [3, 3], [1, 1.5], [2, 2.5], [0, 0.5]]
        let adoption: [Int32] = [1, 1, Self.never, Self.never, Self.never, Self.never, Self.never]
        let x: [[Double]] = [[1, 9], [-1, 9], [1, 9], [-1, 9], [1, 9], [-1, 9], [0, 9]]
        let plain = try CallawaySantAnna().estimate(try Self.panel(y, adoption: adoption)).simple.overall.estimate
        for method in CallawaySantAnnaOptions.EstimationMethod.allCases {
            let result = try CallawaySantAnna(options: .init(estimationMethod: method))
                .estimate(try Self.panel(y, adoption: adoption, covariate: x))
            #expect(abs(result.simple.overall.estimate - plain) < 1e-12, "\(method)")
        }
    }

    @Test("units treated in the first period are dropped and counted, the rest is unchanged")
    func firstPeriodTreatedDropped() throws {
        // Oracle: the same estimate on the panel without those units (R did's behaviour).
        let y = Self.outcomes(units: 12, periods: 4)
        var adoption: [Int32] = [2, 2, 2, 3, 3, Self.never, Self.never, Self.never, Self.never, Self.never, 0, 0]
        let loaded = try Self.panel(y, adoption: adoption).validatedForEstimation(source: "test")
        #expect(loaded.notes.contains { $0.contains("always treated: kept") })
        let with = try CallawaySantAnna().estimate(loaded)
        #expect(!with.notes.contains { $0.contains("always treated: kept") })
        adoption.removeLast(2)
        let without = try CallawaySantAnna().estimate(try Self.panel(Array(y.prefix(10)), adoption: adoption))
        #expect(with.notes.contains("Dropped 2 units that were already treated in the first period (as R did)"))
        #expect(with.unitCount == 10)
        #expect(with.groupTime == without.groupTime)
        #expect(with.units == Array(0..<10))
    }

    @Test("unbalanced panels are rejected, or balanced by dropping incomplete units as R did")
    func unbalancedPanel() throws {
        let y = Self.outcomes(units: 10, periods: 4)
        let adoption: [Int32] = [2, 2, 2, 3, 3, Self.never, Self.never, Self.never, Self.never, Self.never]
        let gappy = try Self.panel(y, adoption: adoption, dropping: [[6, 1], [7, 3]])
        #expect(throws: CallawaySantAnnaError.unbalancedPanel(unitsMissingPeriods: 2, periodCount: 4)) {
            try CallawaySantAnna().estimate(gappy)
        }
        let balanced = try CallawaySantAnna(options: .init(unbalancedPanel: .dropIncompleteUnits)).estimate(gappy)
        var kept = adoption
        kept.remove(at: 7); kept.remove(at: 6)
        var rows = y
        rows.remove(at: 7); rows.remove(at: 6)
        let oracle = try CallawaySantAnna().estimate(try Self.panel(rows, adoption: kept))
        #expect(balanced.groupTime == oracle.groupTime)
        #expect(balanced.notes.contains { $0.hasPrefix("Dropped 2 units not observed in every period") })
    }

    @Test("never-treated control without never-treated units is an error naming the not-yet-treated comparison group")
    func noNeverTreated() throws {
        let y = Self.outcomes(units: 6, periods: 4)
        let panel = try Self.panel(y, adoption: [1, 1, 2, 2, 3, 3])
        #expect(throws: CallawaySantAnnaError.noNeverTreatedUnits) { try CallawaySantAnna().estimate(panel) }
        #expect(CallawaySantAnnaError.noNeverTreatedUnits.description.contains("use not-yet-treated units as the comparison group"))
        // Not yet treated: periods from the last cohort on are dropped, that cohort only compares.
        let result = try CallawaySantAnna(options: .init(controlGroup: .notYetTreated)).estimate(panel)
        #expect(result.periodCount == 3)
        #expect(Set(result.groupTime.map(\.group)) == [1, 2])
        #expect(result.notes.contains { $0.hasPrefix("No never-treated units: periods from 2003 on dropped") })
        // Cohorts after the last period are never treated in the sample (R did recodes them to 0).
        let late = try CallawaySantAnna().estimate(try Self.panel(y, adoption: [1, 1, 2, 2, 7, 9]))
        let never = try CallawaySantAnna().estimate(try Self.panel(y, adoption: [1, 1, 2, 2, Self.never, Self.never]))
        #expect(late.groupTime == never.groupTime)
    }

    @Test("other bad inputs throw typed errors")
    func badInputs() throws {
        let y = Self.outcomes(units: 6, periods: 3)
        let adoption: [Int32] = [1, 1, 2, Self.never, Self.never, Self.never]
        // No cohort adopts inside the sample.
        #expect(throws: CallawaySantAnnaError.noTreatedCohort) {
            try CallawaySantAnna().estimate(try Self.panel(y, adoption: [Int32](repeating: Self.never, count: 6)))
        }
        // Unknown clustering.
        #expect(throws: EstimationError.self) {
            try CallawaySantAnna(options: .init(cluster: "province")).estimate(try Self.panel(y, adoption: adoption))
        }
        // A cluster that changes within a unit.
        var regions = [Int32](repeating: 0, count: 18)
        for i in 0..<18 { regions[i] = Int32(i % 2) }
        #expect(throws: CallawaySantAnnaError.clusterVariesWithinUnit(cluster: "region", unit: "1")) {
            try CallawaySantAnna(options: .init(cluster: "region")).estimate(try Self.panel(y, adoption: adoption, cluster: regions))
        }
        // A covariate collinear with the intercept among the comparison units.
        let constant = [[Double]](repeating: [2, 2, 2], count: 6)
        #expect(throws: CallawaySantAnnaError.self) {
            try CallawaySantAnna(options: .init(estimationMethod: .outcomeRegression))
                .estimate(try Self.panel(y, adoption: adoption, covariate: constant))
        }
        // An event-time window without post-treatment cells.
        #expect(throws: CallawaySantAnnaError.emptyAggregation("simple")) {
            try CallawaySantAnna(options: .init(maxEventTime: -1)).estimate(try Self.panel(y, adoption: adoption))
        }
    }

    @Test("clustering by a coarser column sums influence functions within clusters")
    func clusteredStandardError() throws {
        // Oracle: √(Σ_c (Σ_{i∈c} ψ_i)²)/n from the unit-level influence function of the result.
        let y = Self.outcomes(units: 12, periods: 4, salt: 1)
        let adoption: [Int32] = [2, 2, 2, 3, 3, 3, Self.never, Self.never, Self.never, Self.never, Self.never, Self.never]
        let regionOfUnit = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]
        let regions = (0..<48).map { Int32(regionOfUnit[$0 / 4]) }
        let panel = try Self.panel(y, adoption: adoption, cluster: regions)
        let result = try CallawaySantAnna(options: .init(cluster: "region")).estimate(panel)
        #expect(result.clusterCount == 4)
        let psi = result.simple.overallInfluence
        var sums = [Double](repeating: 0, count: 4)
        for i in 0..<12 { sums[regionOfUnit[i]] += psi[i] }
        let oracle = sums.map { $0 * $0 }.reduce(0, +).squareRoot() / 12
        #expect(abs(result.simple.overall.standardError - oracle) < 1e-15)
        let byUnit = try CallawaySantAnna().estimate(panel)
        #expect(byUnit.simple.overall.estimate == result.simple.overall.estimate)
    }

    @Test("the simple ATT as an Estimate: term att, influence-function variance, normal p-value")
    func asEstimate() throws {
        let panel = try Fixtures.mpdta()
        let result = try CallawaySantAnna(options: .init(basePeriod: .universal)).estimate(panel)
        let simple = result.estimate()
        #expect(simple.terms == [Estimate.Term(name: "att")])
        #expect(simple.coefficients == [result.simple.overall.estimate])
        #expect(abs(simple.standardError(0) - result.simple.overall.standardError) < 1e-15)
        #expect(abs(simple.pValue(0) - result.simple.overall.pValue) < 1e-15)
        let dynamic = result.estimate(.dynamic)
        // The universal base period's reference event time e = −1 is omitted, like an event study's.
        #expect(!dynamic.terms.contains { $0.name == "e-1" })
        #expect(dynamic.terms.first { $0.eventTime == 0 }?.name == "e+0")
        for (k, term) in dynamic.terms.enumerated() {
            let effect = try #require(result.effect(named: term.name))
            #expect(abs(dynamic.standardError(k) - effect.standardError) < 1e-15)
        }
        #expect(result.effect(named: "g=2004") == result.group.effects[0])
        #expect(result.effect(named: "t=2007") == result.calendar.effects.last)
        #expect(result.effect(named: "e+9") == nil)
    }

    @Test("the placebo statistic is the simple ATT and runs in the placebo engine")
    func placeboStatistic() throws {
        let panel = try Fixtures.mpdta()
        let statistic = CallawaySantAnnaPlaceboStatistic()
        let value = try statistic.value(on: panel)
        let result = try CallawaySantAnna().estimate(panel)
        #expect(value.estimate == result.simple.overall.estimate)
        #expect(value.standardError == result.simple.overall.standardError)
        let test = PlaceboTest(permutations: 19, seed: 3, threads: 2)
        let placebo = try test.run(on: panel, statistic: statistic)
        #expect(placebo.observed.estimate == value.estimate)
        #expect(placebo.pValue > 0 && placebo.pValue <= 1)
        let again = try PlaceboTest(permutations: 19, seed: 3, threads: 1).run(on: panel, statistic: statistic)
        #expect(again.pValue == placebo.pValue)
    }
}
