import Estimators

/// A registered estimator with analytic inference as a method of an experiment: one named effect
/// of its output (``EstimatorEntry/defaultEffect`` unless the spec names a term), with its
/// standard error, t (or normal) interval and p-value.
public struct EstimatorMethod: MethodEvaluator {
    /// The estimator.
    public let entry: EstimatorEntry
    /// Its settings (variance included).
    public let settings: EstimatorSettings
    /// The effect read from the output.
    public let effect: String
    /// Estimand key.
    public let target: String

    /// Creates the method; `effect` nil reads the entry's default effect.
    public init(entry: EstimatorEntry, settings: EstimatorSettings, effect: String? = nil, target: String) {
        self.entry = entry
        (self.settings, self.effect) = entry.resolve(settings, effect: effect)
        self.target = target
    }

    /// `twfe`, `event:e+0`, `cs:never:att`, `sa:att:last`, `bjs:e+2` (``EstimatorEntry/label(effect:settings:)``).
    public var estimatorName: String { entry.label(effect: effect, settings: settings) }

    /// `iid`, `hetero`, `cr1:city`; Callaway–Sant'Anna's influence-function variance `if:COLUMN` (`if:unit` by default).
    public var inferenceName: String {
        entry.id == "cs" ? "if:\(settings.cluster ?? "unit")" : settings.variance.inferenceName
    }

    /// Estimates and reads the effect.
    /// - Throws: the estimator's errors, or ``InvalidParameter`` (role ``Parameter/term``) when
    ///   the effect is not estimated on this panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let output = try entry.make(settings).fit(data.panel)
        guard let found = output.effectEstimate(named: effect) else {
            throw InvalidParameter(.term, effect, "not estimated on this panel (dropped or outside the window); the "
                                   + "estimates are " + output.effectNames.joined(separator: ", "))
        }
        let interval = found.confidenceInterval(level: 1 - alpha)
        return MethodResult(estimate: found.estimate, standardError: found.standardError,
                            confLow: interval.low, confHigh: interval.high, pValue: found.pValue)
    }
}
