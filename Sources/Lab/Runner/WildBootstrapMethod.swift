import Estimators

/// A regression estimator with wild cluster bootstrap inference, run inside the replication
/// (one thread: replications are the parallel loop).
///
/// The estimate and its CR1 standard error (at the bootstrap cluster) come from the observed data;
/// the p-value and the confidence interval (test inversion at level `1 − alpha`) from the bootstrap.
/// The weight stream is derived from the replication's data stream key, so the replication replays
/// from one key. Spec syntax: ``InferenceSpec`` (`wcb:COL`, `wcb-webb:COL`, `wcu:COL`, …); `reps: B`.
public struct WildBootstrapMethod: MethodEvaluator {
    /// The estimator whose coefficient is tested (one with a ``EstimatorEntry/bootstrapModel(_:)``).
    public let entry: EstimatorEntry
    /// Its settings.
    public let settings: EstimatorSettings
    /// The coefficient tested.
    public let effect: String
    /// Bootstrap (and CR1) cluster column.
    public let cluster: String
    /// Draws B.
    public let replications: Int
    /// Weight distribution.
    public let weights: BootstrapWeights
    /// Restricted (WCR) or unrestricted (WCU).
    public let imposeNull: Bool
    /// Estimand key.
    public let target: String

    /// Creates the method; the cluster defaults to `unitName`, `effect` to the entry's default.
    public init(entry: EstimatorEntry, settings: EstimatorSettings, effect: String? = nil,
                choice: InferenceSpec.WildBootstrapChoice, replications: Int = 999, unitName: String, target: String) {
        self.entry = entry
        (self.settings, self.effect) = entry.resolve(settings, effect: effect)
        self.cluster = choice.cluster ?? unitName
        self.replications = replications
        self.weights = choice.weights
        self.imposeNull = choice.restricted
        self.target = target
    }

    public var estimatorName: String { entry.label(effect: effect, settings: settings) }

    /// `wcb:province`, `wcb-webb:province`, `wcu:province`, …
    public var inferenceName: String {
        InferenceSpec.wildBootstrap(.init(cluster: cluster, weights: weights, restricted: imposeNull)).label(unit: nil)
    }

    /// B draws, or every Rademacher sign vector of the G clusters when 2^G ≤ B (enumerated then).
    public func designSize(alpha: Double, on panel: Panel) -> DesignSize? {
        let groups = panel.clusterings[cluster]?.count ?? panel.unitCount
        if weights == .rademacher && groups < 63 && (UInt64(1) << UInt64(groups)) <= UInt64(replications) {
            return .enumeratedBootstrap(clusters: groups, alpha: alpha)
        }
        return .bootstrap(draws: replications, alpha: alpha)
    }

    /// Runs the bootstrap on the replication's panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let bootstrap = WildClusterBootstrap(
            cluster: cluster, replications: replications, weights: weights, imposeNull: imposeNull, level: 1 - alpha,
            seed: RandomStream.key(seed: streamKey, replication: 0, purpose: RandomStream.Purpose.bootstrap.rawValue),
            threads: 1)
        let run = try bootstrap.run(on: data.panel, model: try entry.bootstrapModel(settings), terms: [effect])
        guard let result = run.results.first else {
            throw InvalidParameter(.term, effect, "not estimated on this panel (dropped or outside the window)")
        }
        return MethodResult(estimate: result.estimate, standardError: result.standardError, confLow: result.confLow,
                            confHigh: result.confHigh, pValue: result.pValue)
    }
}
