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
    /// Tests and intervals against the normal instead of the estimator's own t reference
    /// (spec `reference: normal`; Cameron & Miller 2015 show how a normal reference with few
    /// clusters over-rejects).
    public let normalReference: Bool
    /// For a Conley variance: the replication's planar coordinate columns (km), read per panel.
    public let coordinateColumns: [String]?
    /// Baseline effects by replication, for replications carrying an ``EffectShift``.
    private let baselines = BaselineCache<EffectEstimate?>()

    /// Creates the method; `effect` nil reads the entry's default effect.
    public init(entry: EstimatorEntry, settings: EstimatorSettings, effect: String? = nil, target: String,
                normalReference: Bool = false, coordinateColumns: [String]? = nil) {
        self.entry = entry
        (self.settings, self.effect) = entry.resolve(settings, effect: effect)
        self.target = target
        self.normalReference = normalReference
        self.coordinateColumns = coordinateColumns
    }

    /// `twfe`, `event:e+0`, `cs:never:att`, `sa:att:last`, `bjs:e+2` (``EstimatorEntry/label(effect:settings:)``).
    public var estimatorName: String { entry.label(effect: effect, settings: settings) }

    /// `iid`, `hetero`, `cr1:city`; Callaway–Sant'Anna's influence-function variance `if:COLUMN`
    /// (`if:unit` by default); `+normal` when tested against the normal.
    public var inferenceName: String {
        (entry.id == "cs" ? "if:\(settings.cluster ?? "unit")" : settings.variance.inferenceName)
            + (normalReference ? "+normal" : "")
    }

    /// Estimates and reads the effect. An estimator that takes no covariates (its entry's
    /// ``EstimatorEntry/acceptsCovariates`` is false: Goodman-Bacon, de Chaisemartin–D'Haultfœuille)
    /// is run on the panel without them, so a scenario's controls do not make every replication fail.
    /// - Throws: the estimator's errors, or ``InvalidParameter`` (role ``Parameter/term``) when
    ///   the effect is not estimated on this panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        var found: EffectEstimate
        if let shift = data.effectShift, let rule = EffectShift.rule(estimator: entry.id, effect: effect),
           let baseline = baselines.value(for: streamKey, make: { () -> EffectEstimate? in
               // A baseline that fails, or drops a dummy the rule needs, is not shifted: refit below.
               guard let fit = try? self.effect(on: ReplicationData(panel: shift.baseline, truth: [:], columns: data.columns)),
                     !(rule.requiresNoDroppedTerms && fit.droppedAny) else { return nil }
               return fit.found
           }) {
            // The baseline fit, shifted (EffectShift): the same as refitting, up to one rounding.
            found = baseline
            if rule.moves { found.estimate += shift.effect }
        } else {
            found = try effect(on: data).found
        }
        if normalReference { found.degreesOfFreedom = .infinity }
        let interval = found.confidenceInterval(level: 1 - alpha)
        return MethodResult(estimate: found.estimate, standardError: found.standardError,
                            confLow: interval.low, confHigh: interval.high, pValue: found.pValue)
    }

    /// Fits the estimator on `data` and reads the effect; `droppedAny`: the fit is a regression that
    /// dropped a term as collinear.
    private func effect(on data: ReplicationData) throws -> (found: EffectEstimate, droppedAny: Bool) {
        var settings = self.settings
        if case .conley = settings.variance {
            let names = coordinateColumns ?? ["coord_x", "coord_y"]
            guard names.count == 2, let first = data.columns[names[0]], let second = data.columns[names[1]] else {
                throw EstimationError.invalidOption("conley: coordinate columns \(names.joined(separator: ", ")) are not "
                                                    + "columns of the replication; available: "
                                                    + data.columns.keys.sorted().joined(separator: ", "))
            }
            settings.coordinates = try UnitCoordinates(panel: data.panel, first: first, second: second, names: names,
                                                       metric: .planar)
        }
        let panel = entry.acceptsCovariates || data.panel.covariates.isEmpty
            ? data.panel : try data.panel.separatingCovariates(data.panel.covariateNames).panel
        let output = try entry.make(settings).fit(panel)
        guard let found = output.effectEstimate(named: effect) else {
            throw InvalidParameter(.term, effect, "not estimated on this panel (dropped or outside the window); the "
                                   + "estimates are " + output.effectNames.joined(separator: ", "))
        }
        return (found, (output as? Estimate).map { !$0.droppedTerms.isEmpty } ?? false)
    }
}
