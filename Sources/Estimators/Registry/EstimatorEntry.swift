/// One estimator as data: its id and title, what it accepts, and how to build it.
///
/// The command line (`--method`), experiment specs (`estimator:`), the placebo engine, the lab's
/// method records and the reports all read entries from ``EstimatorRegistry``; nothing switches
/// on an estimator's name.
public struct EstimatorEntry: Sendable {
    /// The id users type (`twfe`, `cs`, `rings-2s`), also the `method` of its JSON output.
    public let id: String
    /// Report header, e.g. "TWFE (static multi-period DiD)".
    public let title: String
    /// What it estimates and under which conventions, in a few lines (help text; names roles, not flags).
    public let summary: String
    /// Control groups it accepts; the first is the default. Empty: no choice.
    public let controls: [ComparisonGroup]
    /// Inference families it accepts.
    public let inference: [InferenceSpec.Family]
    /// The least number of leads it accepts; nil when it takes no event window.
    public let minimumLeads: Int?
    /// Whether it accepts covariates.
    public let acceptsCovariates: Bool
    /// Whether it needs unit coordinates and ring edges (``EstimatorSettings/coordinates``).
    public let needsCoordinates: Bool
    /// Whether it takes regression weights (``Panel/regressionWeights``); the others refuse a
    /// weighted panel.
    public let acceptsRegressionWeights: Bool
    /// The effect a scalar use reads by default (`treat` for TWFE, `att` for the others).
    public let defaultEffect: String
    let build: @Sendable (EstimatorSettings) throws -> any PanelEstimator
    let placeboBuilder: (@Sendable (EstimatorSettings, _ effect: String) -> any PlaceboStatistic)?
    let methodLabel: @Sendable (_ effect: String, EstimatorSettings) -> String
    let bootstrapBuilder: (@Sendable (EstimatorSettings) -> BootstrapModel)?

    /// Declares an estimator. `build` makes it from checked settings; `placebo` gives its placebo
    /// statistic (nil: the generic re-estimating one, ``EstimatorPlaceboStatistic``); `label`
    /// names a scalar use of it in experiment records (default `ID:EFFECT`); `bootstrap` gives the
    /// regression the wild cluster bootstrap resamples (needed for the `wcb` family).
    public init(id: String, title: String, summary: String, controls: [ComparisonGroup] = [],
                inference: [InferenceSpec.Family], minimumLeads: Int? = nil, acceptsCovariates: Bool = true,
                needsCoordinates: Bool = false, acceptsRegressionWeights: Bool = false, defaultEffect: String = "att",
                build: @escaping @Sendable (EstimatorSettings) throws -> any PanelEstimator,
                placebo: (@Sendable (EstimatorSettings, _ effect: String) -> any PlaceboStatistic)? = nil,
                label: (@Sendable (_ effect: String, EstimatorSettings) -> String)? = nil,
                bootstrap: (@Sendable (EstimatorSettings) -> BootstrapModel)? = nil) {
        self.id = id
        self.title = title
        self.summary = summary
        self.controls = controls
        self.inference = inference
        self.minimumLeads = minimumLeads
        self.acceptsCovariates = acceptsCovariates
        self.needsCoordinates = needsCoordinates
        self.acceptsRegressionWeights = acceptsRegressionWeights
        self.defaultEffect = defaultEffect
        self.build = build
        self.placeboBuilder = placebo
        self.methodLabel = label ?? { effect, _ in "\(id):\(effect)" }
        self.bootstrapBuilder = bootstrap
    }

    /// Whether it takes an event window (leads and lags).
    public var takesEventWindow: Bool { minimumLeads != nil }

    /// Whether its placebo statistic re-estimates the model as built from the settings (no
    /// specialised statistic), so every setting, the event window and the tested effect included,
    /// reaches the placebo draws.
    public var placeboReadsAllSettings: Bool { placeboBuilder == nil }

    /// `settings` reading `effect` (nil: the settings' effect, else ``defaultEffect``), and that effect.
    public func resolve(_ settings: EstimatorSettings, effect: String?) -> (settings: EstimatorSettings, effect: String) {
        var resolved = settings
        resolved.effect = effect ?? settings.effect
        return (resolved, resolved.effect ?? defaultEffect)
    }

    /// The control group `settings` ask for, or the default.
    public func control(_ settings: EstimatorSettings) -> ComparisonGroup? { settings.control ?? controls.first }

    /// The longest event window side accepted (far beyond any panel's periods; it keeps window
    /// arithmetic such as `lags + 1` from overflowing).
    public static let maximumWindow = 10_000

    /// Checks `settings` and `inference` against what this estimator declares.
    /// - Throws: ``InvalidParameter`` naming the first choice it does not accept.
    public func check(_ settings: EstimatorSettings, inference spec: InferenceSpec? = nil) throws {
        if let control = settings.control, !controls.contains(control) {
            throw InvalidParameter(.control, control.rawValue, controls.isEmpty
                ? "\(id) takes no control group" : "\(id) takes " + controls.map(\.rawValue).joined(separator: " or "))
        }
        if let minimumLeads {
            if let leads = settings.leads, leads < minimumLeads || leads > Self.maximumWindow {
                throw InvalidParameter(.leads, String(leads), "expected \(minimumLeads) to \(Self.maximumWindow)")
            }
            if let lags = settings.lags, lags < 0 || lags > Self.maximumWindow {
                throw InvalidParameter(.lags, String(lags), "expected 0 to \(Self.maximumWindow)")
            }
        } else if settings.leads != nil || settings.lags != nil {
            throw InvalidParameter(settings.leads != nil ? .leads : .lags, nil, "\(id) takes no event window")
        }
        if let spec, !inference.contains(spec.family) {
            throw InvalidParameter(.inference, spec.spelling, inference.isEmpty ? "\(id) reports no inference"
                                   : "\(id) takes " + inference.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The estimator for `settings` (checked first).
    /// - Throws: ``InvalidParameter`` from ``check(_:inference:)``, or the estimator's own errors.
    public func make(_ settings: EstimatorSettings) throws -> any PanelEstimator {
        try check(settings)
        let estimator = try build(settings)
        return acceptsRegressionWeights ? estimator : unweighted(estimator)
    }

    /// `estimator`, refusing a panel with regression weights.
    private func unweighted<E: PanelEstimator>(_ estimator: E) -> any PanelEstimator {
        UnweightedEstimator(base: estimator, id: id)
    }

    /// The placebo statistic of effect `effect` (nil: ``defaultEffect``).
    public func placeboStatistic(_ settings: EstimatorSettings, effect: String? = nil) throws -> any PlaceboStatistic {
        try check(settings)
        let effect = effect ?? settings.effect ?? defaultEffect
        if let placeboBuilder { return placeboBuilder(settings, effect) }
        return EstimatorPlaceboStatistic(estimator: try build(settings), effect: effect, title: title,
                                         clusterName: settings.clusterName)
    }

    /// The regression the wild cluster bootstrap resamples, for estimators that offer it.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/inference``) for the others.
    public func bootstrapModel(_ settings: EstimatorSettings) throws -> BootstrapModel {
        try check(settings)
        guard let bootstrapBuilder else {
            throw InvalidParameter(.inference, "wcb", "the wild cluster bootstrap is not available for \(id)")
        }
        return bootstrapBuilder(settings)
    }

    /// How experiment records name a scalar use of the estimator: `twfe`, `event:e+0`, `cs:never:att`.
    public func label(effect: String, settings: EstimatorSettings) -> String { methodLabel(effect, settings) }
}

/// Any registered estimator as a placebo statistic, by re-estimation: the named effect and its
/// standard error (the generic path of ``PlaceboTest``).
public struct EstimatorPlaceboStatistic: PlaceboStatistic {
    /// The estimator.
    public let estimator: any PanelEstimator
    /// The effect read from its output.
    public let effect: String
    /// The estimator's title, for the label.
    public let title: String
    /// Clustering of the standard error.
    public let clusterName: String?

    /// "att (Gardner two-stage DiD)".
    public var label: String { "\(effect) (\(title))" }

    /// The effect on `panel`.
    /// - Throws: the estimator's errors, or ``InvalidParameter`` when it has no such effect.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let output = try estimator.fit(panel)
        guard let found = output.effectEstimate(named: effect) else {
            throw InvalidParameter(.term, effect, "not estimated; the estimates are "
                                   + output.effectNames.joined(separator: ", "))
        }
        return PlaceboValue(estimate: found.estimate, standardError: found.standardError,
                            degreesOfFreedom: found.degreesOfFreedom)
    }
}
