import Estimators

/// A regression estimator (TWFE or event study) with analytic inference (iid, hetero, CR1).
public struct RegressionMethod: MethodEvaluator {
    /// Which regression and which coefficient.
    public enum Estimator: Sendable, Equatable {
        /// Static TWFE; the coefficient of "treat".
        case twfe
        /// Event study; the coefficient of `term` (e.g. "e+0").
        case event(term: String, leads: Int?, lags: Int?)
    }

    /// The estimator.
    public let estimator: Estimator
    /// The variance.
    public let variance: VarianceType
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(estimator: Estimator, variance: VarianceType, target: String) {
        self.estimator = estimator
        self.variance = variance
        self.target = target
    }

    public var estimatorName: String {
        switch estimator {
        case .twfe: return "twfe"
        case .event(let term, _, _): return "event:\(term)"
        }
    }

    public var inferenceName: String { variance.inferenceName }

    /// Fits the model and reads the target coefficient.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` when the term
    ///   is not estimated on this panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let options = RegressionOptions(variance: variance)
        let estimate: Estimate
        let term: String
        switch estimator {
        case .twfe:
            estimate = try TwoWayFixedEffects(options: options).estimate(data.panel)
            term = "treat"
        case let .event(name, leads, lags):
            estimate = try EventStudy(leads: leads, lags: lags, options: options).estimate(data.panel)
            term = name
        }
        guard let index = estimate.index(of: term) else {
            throw EstimationError.invalidOption("term '\(term)' was not estimated (dropped or outside the window)")
        }
        let interval = estimate.confidenceInterval(index, level: 1 - alpha)
        return MethodResult(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                            confLow: interval.low, confHigh: interval.high, pValue: estimate.pValue(index))
    }
}
