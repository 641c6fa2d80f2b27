import Estimators

/// A subgroup-heterogeneity method of an experiment (``SubgroupHeterogeneity`` on the replication's
/// panel, grouped by a unit-level column such as `region`).
///
/// What it reports (``Statistic``):
/// - `.effect(label)`: the interaction coefficient of one group, its CR1 standard error, t interval
///   and t-test of zero (truth key e.g. `att:region=east`);
/// - `.difference(a, b)`: `β_a − β_b` with `√(V_aa + V_bb − 2V_ab)`, t interval and t-test;
/// - `.equalEffects`: the Wald F test of equal effects (p only; the estimate is the difference of
///   the two effects, or their range with more groups);
/// - `.permutation(studentized:)`: the permutation test of the between-group difference (p only;
///   coefficient statistic, or the Wald F when studentized), `permutations` draws per replication
///   from a stream derived from the replication's key.
public struct SubgroupMethod: MethodEvaluator {
    /// Which number of the analysis the method reports.
    public enum Statistic: Sendable, Equatable {
        case effect(String)
        case difference(String, String)
        case equalEffects
        case permutation(studentized: Bool)
    }

    /// Grouping column.
    public let column: String
    /// The reported statistic.
    public let statistic: Statistic
    /// Variance of the interaction model.
    public let variance: VarianceType
    /// Permutation draws (permutation statistic only).
    public let permutations: Int
    /// Which labels are permuted.
    public let scope: SubgroupPermutationScope
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(column: String, statistic: Statistic, variance: VarianceType, permutations: Int = 199,
                scope: SubgroupPermutationScope = .treatedUnits, target: String) {
        self.column = column
        self.statistic = statistic
        self.variance = variance
        self.permutations = permutations
        self.scope = scope
        self.target = target
    }

    /// `subgroup:COL` (with `=LABEL` or `=A-B` for effects and differences).
    public var estimatorName: String {
        switch statistic {
        case .effect(let label): return "subgroup:\(column)=\(label)"
        case let .difference(a, b): return "subgroup:\(column)=\(a)-\(b)"
        case .equalEffects, .permutation: return "subgroup:\(column)"
        }
    }

    /// `cr1:city`, `wald-cr1:city`, `permutation:treated`, `permutation-t:treated`.
    public var inferenceName: String {
        switch statistic {
        case .effect, .difference: return variance.inferenceName
        case .equalEffects: return "wald-" + variance.inferenceName
        case .permutation(let studentized): return "permutation\(studentized ? "-t" : ""):\(scope.rawValue)"
        }
    }

    /// The test of equal effects (Wald or permutation): its number is the effects' spread, not an
    /// estimate of the target, so reports leave bias, RMSE and coverage blank.
    public var reportsTestOnly: Bool {
        switch statistic {
        case .effect, .difference: return false
        case .equalEffects, .permutation: return true
        }
    }

    /// Runs the analysis on the replication's panel.
    /// - Throws: the analysis' errors, or ``SubgroupError/invalidOption(_:)`` for a group that is
    ///   not estimated in this replication.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        var isPermutation = false
        if case .permutation = statistic { isPermutation = true }
        let analysis = SubgroupHeterogeneity(
            column: column, options: RegressionOptions(variance: variance), permutations: isPermutation ? permutations : 0,
            scope: scope,
            seed: RandomStream.key(seed: streamKey, replication: 0, purpose: RandomStream.Purpose.permutation.rawValue),
            threads: 1, splitSamples: false)
        let result = try analysis.estimate(data.panel)
        let degreesOfFreedom = result.interaction.variance.degreesOfFreedom
        func tResult(_ value: (estimate: Double, standardError: Double)) -> MethodResult {
            let q = Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: degreesOfFreedom)
            let p = Distributions.twoSidedPValue(statistic: value.estimate / value.standardError,
                                                 degreesOfFreedom: degreesOfFreedom)
            return MethodResult(estimate: value.estimate, standardError: value.standardError,
                                confLow: value.estimate - q * value.standardError,
                                confHigh: value.estimate + q * value.standardError, pValue: p)
        }
        let effects = result.testedGroups.compactMap { result.effect(of: $0.label)?.estimate }
        let spread = effects.count == 2 ? effects[0] - effects[1] : (effects.max() ?? .nan) - (effects.min() ?? .nan)
        switch statistic {
        case .effect(let label):
            guard let value = result.effect(of: label) else {
                throw SubgroupError.invalidOption("subgroup \(column)=\(label) is not estimated in this replication")
            }
            return tResult(value)
        case let .difference(a, b):
            guard let value = result.difference(a, b) else {
                throw SubgroupError.invalidOption("subgroups \(column)=\(a) and \(b) are not both estimated in this replication")
            }
            return tResult(value)
        case .equalEffects:
            return MethodResult(estimate: spread, standardError: .nan, confLow: .nan, confHigh: .nan,
                                pValue: result.wald.pValue)
        case .permutation(let studentized):
            guard let permutation = result.permutation else {
                throw SubgroupError.invalidOption("permutations must be at least 1")
            }
            return MethodResult(estimate: spread, standardError: .nan, confLow: .nan, confHigh: .nan,
                                pValue: studentized ? permutation.pValueWald : permutation.pValue)
        }
    }
}
