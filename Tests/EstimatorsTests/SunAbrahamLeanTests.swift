import Foundation
import Testing
@testable import Estimators

/// The lean Sun–Abraham regression (``SunAbrahamLeanRegression``) against the dense one
/// (``FixedEffectsRegression`` on explicit 0/1 interaction columns), which the parity suites
/// check against R fixest / pyfixest. Oracle: the dense path, a second implementation of the
/// same regression (same terms, drops, notes and counts; numbers equal up to rounding).
/// Tolerance 1e-10 relative: the two paths sum in different orders (cell sums of one demeaned
/// dummy against dot products of two; bread-weighted columns against bread-transformed
/// scores), which moves results by a few ulps times the condition number of these small designs.
@Suite("Sun–Abraham lean regression")
struct SunAbrahamLeanTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        var balanced = true
        var covariates = 0
        var neverTreated = true
        var weights = false
        var collinearCohort = false
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "balanced"),
        Case(name: "balanced, covariates", covariates: 2),
        Case(name: "unbalanced, covariate", balanced: false, covariates: 1),
        Case(name: "last treated", neverTreated: false),
        Case(name: "unbalanced, last treated, covariates", balanced: false, covariates: 2, neverTreated: false),
        Case(name: "weights", covariates: 1, weights: true),
        Case(name: "unbalanced, weights", balanced: false, weights: true),
        Case(name: "collinear cells", balanced: false, covariates: 1, collinearCohort: true),
    ]

    /// 40 units (4 cohorts and never-treated ones) × 9 periods, two-way effects, cohort ×
    /// period effects, noise; 12 regions (a clustering coarser than the unit). Unbalanced: about
    /// one row in six dropped. Collinear cohort: one unit seen only at e = −2 (its cell is absorbed
    /// by the unit's effect) and two seen only at e = 0, 1 (the e = 1 cell is their unit effects
    /// minus the e = 0 cell), as ``DroppingCholesky`` must find.
    static func panel(_ spec: Case, seed: UInt64) throws -> Panel {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) - 0.5 }
        let periods = 9, baseUnits = 40
        let cohortChoices: [Int32] = spec.neverTreated ? [3, 4, 6, 7, Panel.neverTreated] : [3, 4, 6, 7]
        var adoption = (0..<baseUnits).map { cohortChoices[$0 % cohortChoices.count] }
        var units: [Int32] = [], times: [Int32] = [], outcome: [Double] = [], weights: [Double] = []
        var x = [[Double]](repeating: [], count: spec.covariates)
        var regionIndex: [Int32] = []
        func add(unit: Int, period: Int) {
            units.append(Int32(unit)); times.append(Int32(period))
            let g = adoption[unit]
            let effect = g != Panel.neverTreated && period >= Int(g) ? 0.3 + 0.1 * Double(period - Int(g)) + 0.05 * Double(g) : 0
            var value = Double(unit % 7) * 0.4 + Double(period) * 0.2 + effect + uniform()
            for j in 0..<spec.covariates {
                let covariate = uniform() * 2 + Double(period) * 0.1 * Double(j + 1)
                x[j].append(covariate)
                value += 0.5 * covariate
            }
            outcome.append(value)
            weights.append(0.5 + uniform() + 0.5)
            regionIndex.append(Int32(unit % 12))
        }
        for unit in 0..<baseUnits {
            for period in 0..<periods {
                if !spec.balanced && random.below(6) == 0 && period != Int(adoption[unit]) - 1 { continue }
                add(unit: unit, period: period)
            }
        }
        var unitCount = baseUnits
        if spec.collinearCohort {
            adoption += [5, 5, 5]
            add(unit: baseUnits, period: 3)       // e = −2 only
            for unit in (baseUnits + 1)...(baseUnits + 2) { add(unit: unit, period: 5); add(unit: unit, period: 6) }
            unitCount += 3
        }
        let region = Clustering(name: "region", index: regionIndex, count: 12)
        return try Panel(unitIndex: units, periodIndex: times, unitCount: unitCount, periodCount: periods,
                         outcomeName: "y", outcome: outcome,
                         covariateNames: (0..<spec.covariates).map { "x\($0 + 1)" }, covariates: x,
                         adoptionPeriod: adoption, clusterings: ["region": region],
                         regressionWeights: spec.weights ? weights : nil)
    }

    static func maxRelative(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = b.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) / max(scale, 1e-300) }.max() ?? 0
    }

    @Test("lean equals dense", arguments: cases)
    func leanEqualsDense(spec: Case) throws {
        let panel = try Self.panel(spec, seed: 18 &+ UInt64(spec.name.count))
        let variances: [VarianceType] = [.iid, .cluster("unit"), .cluster("region")]
        for variance in variances {
            let estimator = SunAbraham(control: spec.neverTreated ? .neverTreated : .lastTreated, includeOverallATT: true,
                                       options: RegressionOptions(variance: variance))
            let label = "\(spec.name), \(variance.label)"
            guard KernelBackend.processDefault == .fast else {
                // The lean path needs the fast kernels; with the reference ones `.automatic` is dense.
                #expect(throws: EstimationError.self) { try estimator.fit(panel, path: .lean) }
                continue
            }
            let lean = try estimator.fit(panel, path: .lean)
            let dense = try estimator.fit(panel, path: .dense)
            for (a, b) in [(lean.interactions, dense.interactions), (lean.estimate, dense.estimate)] {
                #expect(a.terms.map(\.name) == b.terms.map(\.name), "\(label): terms")
                #expect(a.droppedTerms == b.droppedTerms, "\(label): dropped")
                #expect(a.notes == b.notes, "\(label): notes")
                #expect(a.variance.parameterCount == b.variance.parameterCount, "\(label): K")
                #expect(a.variance.degreesOfFreedom == b.variance.degreesOfFreedom, "\(label): df")
                #expect(a.variance.clusterCount == b.variance.clusterCount, "\(label): G")
                #expect(a.observationCount == b.observationCount && a.unitCount == b.unitCount, "\(label): counts")
                #expect(Self.maxRelative(a.coefficients, b.coefficients) < 1e-10, "\(label): coefficients")
                #expect(Self.maxRelative(a.variance.matrix, b.variance.matrix) < 1e-10, "\(label): variance")
                #expect(relativeDifference(a.residualSumOfSquares, b.residualSumOfSquares) < 1e-10, "\(label): RSS")
                #expect(relativeDifference(a.withinRSquared, b.withinRSquared) < 1e-10, "\(label): within R²")
            }
            #expect(lean.cells == dense.cells, "\(label): cells")
            #expect(lean.aggregation == dense.aggregation, "\(label): aggregation")
            if spec.collinearCohort {
                #expect(lean.interactions.droppedTerms == ["e-2:g6", "e+1:g6"], "\(label): the collinear cells")
            }
        }
    }

    /// The variances the lean path does not serve go dense under `.automatic`: same result as `.dense`.
    @Test("hetero goes dense")
    func heteroFallsBack() throws {
        let panel = try Self.panel(Case(name: "balanced"), seed: 7)
        let estimator = SunAbraham(options: RegressionOptions(variance: .hetero))
        #expect(throws: EstimationError.self) { try estimator.fit(panel, path: .lean) }
        let automatic = try estimator.fit(panel), dense = try estimator.fit(panel, path: .dense)
        #expect(automatic.estimate.coefficients == dense.estimate.coefficients)
        #expect(automatic.estimate.variance.matrix == dense.estimate.variance.matrix)
    }
}
