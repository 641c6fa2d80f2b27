import Foundation
import Testing
@testable import Estimators

/// The no-covariate fast path of the imputation estimator (``ImputationPrefixFit``: period system
/// from the panel's layout, the hub-unit connectivity shortcut, counting-sort blocks) against its
/// slow twin, the general path on the plain reference kernels (``ImputationCore`` on a
/// ``TwoWayWithin`` with ``KernelBackend/reference``), on panels that exercise every branch:
/// balanced with never-treated units, every unit treated (autosample drops), unbalanced with
/// gaps and no unit untreated throughout (union–find, non-prefix units), and two disconnected
/// blocks. Tolerance 1e-11 relative: both are exact solves of the same normal equations and
/// differ only in summation order (measured: at most 6e-14; effects and weights relative to
/// their largest magnitude, covariances to `√(V_aa V_bb)`).
@Suite("BJS imputation: fast path = reference path")
struct ImputationPrefixParityTests {
    /// A deterministic pseudo-random number in [−0.5, 0.5) from (unit, period).
    static func noise(_ unit: Int, _ t: Int) -> Double {
        let x = sin(Double(unit) * 12.9898 + Double(t) * 78.233) * 43758.5453
        return x - x.rounded(.down) - 0.5
    }

    /// Units × periods with adoption `adoption[i]`, keeping rows where `keep(unit, t)`; a
    /// "group" clustering of three units each.
    static func panel(adoption: [Int32], periods: Int, keep: (Int, Int) -> Bool = { _, _ in true }) throws -> Panel {
        var units: [Int32] = [], times: [Int32] = [], y: [Double] = []
        for (unit, g) in adoption.enumerated() {
            for t in 0..<periods where keep(unit, t) {
                let effect = g != .max && t >= Int(g) ? 0.5 + 0.1 * Double(t - Int(g)) + 0.03 * Double(unit % 4) : 0
                units.append(Int32(unit)); times.append(Int32(t))
                y.append(0.2 * Double(unit % 7) + 0.05 * Double(t * t) + effect + noise(unit, t))
            }
        }
        let group = Clustering(name: "group", index: units.map { $0 / 3 }, count: (adoption.count + 2) / 3)
        return try Panel(unitIndex: units, periodIndex: times, unitCount: adoption.count, periodCount: periods,
                         outcomeName: "y", outcome: y, adoptionPeriod: adoption, clusterings: ["group": group])
    }

    static func cases() throws -> [(String, Panel)] {
        let adoption: [Int32] = [2, 2, 3, 3, 3, 5, 5, 6, .max, .max, .max, 4, 4, 2, 6, .max]
        let allTreated: [Int32] = [2, 2, 3, 3, 3, 5, 5, 7, 7, 7, 4, 4, 2, 6, 7, 7]
        return [
            ("balanced", try panel(adoption: adoption, periods: 8)),
            ("every unit treated", try panel(adoption: allTreated, periods: 8)),
            // Unit 0 misses period 0 (untreated periods not a prefix), unit 5 a middle period,
            // every never-treated unit one period (no unit untreated throughout).
            ("unbalanced", try panel(adoption: adoption, periods: 8) { unit, t in
                !(unit == 0 && t == 0) && !(unit == 5 && t == 2) && !(adoption[unit] == .max && t == unit % 8)
            }),
            // Units 0–7 in periods 0–3, units 8–15 in periods 4–7: two components.
            ("disconnected", try panel(adoption: [1, 2, 3, .max, 2, .max, 3, 1, 5, 6, 7, .max, 6, .max, 5, 7],
                                       periods: 8) { unit, t in (unit < 8) == (t < 4) }),
        ]
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    @Test("estimates, variances, rows, weights and notes agree")
    func fastEqualsReference() throws {
        var worst = 0.0
        for (name, panel) in try Self.cases() {
            for variance in [nil, VarianceType.hetero, .cluster("group")] {
                for averaging in ImputationEstimator.EffectAveraging.allCases {
                    let estimator = ImputationEstimator(horizons: .all, variance: variance, averaging: averaging)
                    let label = "\(name) \(variance?.label ?? "unit") \(averaging)"
                    #expect(ImputationPrefixFit.applies(to: panel, backend: .fast), "\(label): fast path taken")
                    let fast = try estimator.fit(panel, backend: .fast)
                    let slow = try estimator.fit(panel, backend: .reference)
                    // `estimate(_:)`'s path (no row lists, no stored weights) gives the same numbers.
                    let lean = try estimator.fit(panel, backend: .fast, details: false).estimate
                    #expect(lean.coefficients == fast.estimate.coefficients && lean.variance.matrix == fast.estimate.variance.matrix
                            && lean.notes == fast.estimate.notes && lean.variance.clusterCount == fast.estimate.variance.clusterCount,
                            "\(label): estimate(_:) path")
                    #expect(fast.treatedRows == slow.treatedRows, "\(label): treated rows")
                    #expect(fast.untreatedRows == slow.untreatedRows, "\(label): untreated rows")
                    #expect(fast.estimate.terms.map(\.name) == slow.estimate.terms.map(\.name), "\(label): terms")
                    #expect(fast.estimate.notes == slow.estimate.notes, "\(label): notes")
                    #expect(fast.estimate.variance.clusterCount == slow.estimate.variance.clusterCount, "\(label): clusters")
                    #expect(fast.estimate.observationCount == slow.estimate.observationCount, "\(label): n")
                    var differences = [Self.relative(fast.estimate.residualSumOfSquares, slow.estimate.residualSumOfSquares)]
                    differences += zip(fast.estimate.coefficients, slow.estimate.coefficients).map(Self.relative)
                    // Covariances relative to √(V_aa V_bb) (a covariance near 0 has no relative digits of its own).
                    let q = slow.estimate.coefficients.count, matrix = slow.estimate.variance.matrix
                    for a in 0..<q { for b in 0..<q {
                        differences.append(abs(fast.estimate.variance.matrix[a * q + b] - matrix[a * q + b])
                                           / (matrix[a * q + a] * matrix[b * q + b]).squareRoot())
                    } }
                    let scale = slow.treatmentEffects.map(abs).max() ?? 1
                    differences += zip(fast.treatmentEffects, slow.treatmentEffects).map { abs($0 - $1) / scale }
                    for (v, u) in zip(fast.imputationWeights, slow.imputationWeights) {
                        let vScale = u.map(abs).max() ?? 1
                        differences += zip(v, u).map { abs($0 - $1) / vScale }
                    }
                    let largest = differences.max() ?? 0
                    worst = max(worst, largest)
                    #expect(largest < 1e-11, "\(label): largest relative difference \(largest)")
                }
            }
        }
        #expect(worst < 1e-11, "worst \(worst)")
    }

    @Test("identification errors are the same on both paths")
    func errorsAgree() throws {
        let alwaysTreated = try Self.panel(adoption: [0, 0, 0], periods: 3)
        let never = try Self.panel(adoption: [.max, .max, .max], periods: 3)
        let unidentified = try Self.panel(adoption: [0, 0, .max, .max], periods: 4)
        for backend in KernelBackend.allCases {
            #expect(throws: HeterogeneityRobustError.noUntreatedObservations(method: "bjs")) {
                try ImputationEstimator().fit(alwaysTreated, backend: backend)
            }
            #expect(throws: HeterogeneityRobustError.noTreatedObservations(method: "bjs")) {
                try ImputationEstimator().fit(never, backend: backend)
            }
            #expect(throws: HeterogeneityRobustError.nothingImputable(method: "bjs", treated: 8)) {
                try ImputationEstimator().fit(unidentified, backend: backend)
            }
        }
    }
}
