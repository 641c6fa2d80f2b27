import Estimators

/// Callaway–Sant'Anna in the Monte Carlo runner: one named effect of the result (`att` for the
/// simple aggregation, `e+K` for the dynamic one, `g=G`, `t=T`), with its analytic
/// influence-function SE clustered at the unit (or `cluster`) and normal intervals, as R did.
public struct CallawaySantAnnaMethod: MethodEvaluator {
    /// Estimator options (control group, base period, estimation method).
    public let options: CallawaySantAnnaOptions
    /// The effect read from the result.
    public let term: String
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(options: CallawaySantAnnaOptions, term: String, target: String) {
        self.options = options
        self.term = term
        self.target = target
    }

    public var estimatorName: String { "cs:\(options.controlGroup.rawValue):\(term)" }
    public var inferenceName: String { "if:\(options.cluster ?? "unit")" }

    /// Estimates and reads the effect.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` for an unknown term.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let result = try CallawaySantAnna(options: options).estimate(data.panel)
        guard let effect = result.effect(named: term) else {
            throw EstimationError.invalidOption("Callaway-Sant'Anna has no effect named '\(term)' on this panel")
        }
        let interval = effect.confidenceInterval(level: 1 - alpha)
        return MethodResult(estimate: effect.estimate, standardError: effect.standardError,
                            confLow: interval.low, confHigh: interval.high, pValue: effect.pValue)
    }
}
