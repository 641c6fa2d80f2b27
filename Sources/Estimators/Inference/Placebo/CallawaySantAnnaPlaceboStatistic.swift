/// The Callaway & Sant'Anna (2021) overall ATT as a placebo statistic: by default the simple
/// aggregation (`aggte(type = "simple")`) and its influence-function standard error, or the
/// overall effect of another aggregation, or one of its parts (``CallawaySantAnnaResult/effect(named:)``:
/// `"e+0"`, `"g=2013"`, …).
///
/// Uses the generic re-estimation path: each placebo assignment re-runs the estimator on the
/// panel with the placebo adoption periods (units a placebo assignment treats in the first
/// period are dropped, as R `did` drops them). The t reference is the normal, as in R `did`.
public struct CallawaySantAnnaPlaceboStatistic: PlaceboStatistic {
    /// Options of the estimator (control group, base period, method, cluster).
    public var options: CallawaySantAnnaOptions
    /// The effect tested: `"att"` (default) or any name ``CallawaySantAnnaResult/effect(named:)`` accepts.
    public var target: String

    /// Creates the statistic.
    public init(options: CallawaySantAnnaOptions = CallawaySantAnnaOptions(), target: String = "att") {
        self.options = options
        self.target = target
    }

    /// "att (Callaway-Sant'Anna, never treated)".
    public var label: String {
        "\(target) (Callaway-Sant'Anna, \(options.controlGroup == .neverTreated ? "never treated" : "not yet treated"))"
    }

    /// The clustering of the standard error (nil = the unit).
    public var clusterName: String? { options.cluster }

    /// The targeted effect and its standard error on `panel`.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` for an
    ///   unknown target.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let result = try CallawaySantAnna(options: options).estimate(panel)
        guard let effect = result.effect(named: target) else {
            throw EstimationError.invalidOption("Callaway-Sant'Anna: effect '\(target)' is not estimated; "
                                                + "expected att, dynamic, group, calendar, e+K, g=PERIOD or t=PERIOD")
        }
        return PlaceboValue(estimate: effect.estimate, standardError: effect.standardError, degreesOfFreedom: .infinity)
    }
}
