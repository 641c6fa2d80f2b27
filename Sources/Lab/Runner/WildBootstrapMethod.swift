import Estimators

/// A regression estimator with wild cluster bootstrap inference, run inside the replication
/// (one thread: replications are the parallel loop).
///
/// The estimate and its CR1 standard error (at the bootstrap cluster) come from the observed data;
/// the p-value and the confidence interval (test inversion at level `1 − alpha`) from the bootstrap.
/// The weight stream is derived from the replication's data stream key, so the replication replays
/// from one key. Spec syntax: `inference: "wcb:COL"` (WCR, Rademacher), `"wcb-webb:COL"`,
/// `"wcb-mammen:COL"`, `"wcu:COL"`, `"wcu-webb:COL"`; `reps: B` (default 999).
public struct WildBootstrapMethod: MethodEvaluator {
    /// The statistic's estimator: TWFE, or an event-study term.
    public let estimator: RegressionMethod.Estimator
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

    /// Creates the method.
    public init(estimator: RegressionMethod.Estimator, cluster: String, replications: Int = 999,
                weights: BootstrapWeights = .rademacher, imposeNull: Bool = true, target: String) {
        self.estimator = estimator
        self.cluster = cluster
        self.replications = replications
        self.weights = weights
        self.imposeNull = imposeNull
        self.target = target
    }

    /// Parses `wcb[-WEIGHTS]:COL` / `wcu[-WEIGHTS]:COL` (the column defaults to `unitName`).
    /// - Returns: nil when `inference` is not a bootstrap spelling.
    public init?(inference: String, estimator: RegressionMethod.Estimator, replications: Int, unitName: String,
                 target: String) {
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts[0].split(separator: "-", maxSplits: 1).map(String.init)
        guard let head = kind.first, head == "wcb" || head == "wcu" else { return nil }
        let weights: BootstrapWeights
        if kind.count > 1 {
            guard let parsed = BootstrapWeights(rawValue: kind[1]) else { return nil }
            weights = parsed
        } else {
            weights = .rademacher
        }
        self.init(estimator: estimator, cluster: parts.count > 1 ? parts[1] : unitName, replications: replications,
                  weights: weights, imposeNull: head == "wcb", target: target)
    }

    public var estimatorName: String {
        switch estimator {
        case .twfe: return "twfe"
        case .event(let term, _, _): return "event:\(term)"
        }
    }

    /// `wcb:province`, `wcb-webb:province`, `wcu:province`, …
    public var inferenceName: String {
        (imposeNull ? "wcb" : "wcu") + (weights == .rademacher ? "" : "-\(weights.rawValue)") + ":\(cluster)"
    }

    /// Runs the bootstrap on the replication's panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let model: BootstrapModel
        let term: String
        switch estimator {
        case .twfe:
            model = .twfe
            term = "treat"
        case let .event(name, leads, lags):
            model = .eventStudy(leads: leads, lags: lags)
            term = name
        }
        let bootstrap = WildClusterBootstrap(
            cluster: cluster, replications: replications, weights: weights, imposeNull: imposeNull, level: 1 - alpha,
            seed: RandomStream.key(seed: streamKey, replication: 0, purpose: RandomStream.Purpose.bootstrap.rawValue),
            threads: 1)
        let run = try bootstrap.run(on: data.panel, model: model, terms: [term])
        guard let result = run.results.first else {
            throw EstimationError.invalidOption("term '\(term)' was not estimated (dropped or outside the window)")
        }
        return MethodResult(estimate: result.estimate, standardError: result.standardError, confLow: result.confLow,
                            confHigh: result.confHigh, pValue: result.pValue)
    }
}
