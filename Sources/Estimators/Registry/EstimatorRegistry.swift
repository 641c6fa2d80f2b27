/// Every estimator DiDLab offers, as data (the model is fixest's registry of vcov types).
///
/// To add an estimator: write one type conforming to ``PanelEstimator`` and add one
/// ``EstimatorEntry`` to ``entries``. The command line's `--method`, the `estimator:` of
/// experiment specs, `placebo`, the lab's records and the reports then offer it.
public enum EstimatorRegistry {
    /// The entries, in the order help text lists them.
    public static let entries: [EstimatorEntry] = [
        EstimatorEntry(
            id: "twfe", title: "TWFE (static multi-period DiD)",
            summary: "y ~ treat + X | unit + time, treat = 1{t >= first treated period}.",
            inference: [.iid, .hetero, .cr1, .cr2, .cr3, .twoway, .conley, .wcb, .placebo], acceptsRegressionWeights: true,
            defaultEffect: "treat",
            build: { TwoWayFixedEffects(options: $0.regressionOptions) },
            placebo: { settings, _ in
                TWFEPlaceboStatistic(cluster: settings.clusterName ?? "", correction: settings.correction)
            },
            label: { _, _ in "twfe" }, bootstrap: { _ in .twfe }),
        EstimatorEntry(
            id: "event", title: "Event study (TWFE with leads and lags)",
            summary: "Leads and lags relative to adoption, reference period e-1 omitted; K leads give e-K..e-2 with "
                + "e-K binning all earlier event times, L lags give e+0..e+L with e+L binning all later ones "
                + "(default: every observed event time, no binning); never-treated units carry no event-time dummies.",
            inference: [.iid, .hetero, .cr1, .cr2, .cr3, .twoway, .conley, .wcb, .placebo], minimumLeads: 1,
            acceptsRegressionWeights: true, defaultEffect: "e+0",
            build: { EventStudy(leads: $0.leads, lags: $0.lags, options: $0.regressionOptions) },
            placebo: { settings, effect in
                EventStudyPlaceboStatistic(cluster: settings.clusterName ?? "", leads: settings.leads, lags: settings.lags,
                                           term: settings.effect == nil ? nil : effect, correction: settings.correction)
            },
            label: { effect, _ in "event:\(effect)" },
            bootstrap: { .eventStudy(leads: $0.leads, lags: $0.lags) }),
        EstimatorEntry(
            id: "cs", title: "Callaway-Sant'Anna group-time ATT",
            summary: "Callaway-Sant'Anna ATT(g,t) with simple, dynamic, group and calendar aggregations (R did), "
                + "never-treated or not-yet-treated controls, varying or universal base period, doubly robust, "
                + "outcome-regression or IPW with covariates; influence-function standard errors clustered by the "
                + "unit (or a coarser column); normal reference; regression weights enter as R did's sampling weights.",
            controls: [.never, .notyet], inference: [.cr1, .placebo], acceptsRegressionWeights: true,
            build: { CallawaySantAnna(options: callawaySantAnnaOptions($0)) },
            placebo: { settings, effect in
                CallawaySantAnnaPlaceboStatistic(options: callawaySantAnnaOptions(settings), target: effect)
            },
            label: { effect, settings in "cs:\((settings.control ?? .never).rawValue):\(effect)" }),
        EstimatorEntry(
            id: "sa", title: "Sun-Abraham interaction-weighted event study",
            summary: "Sun-Abraham interaction-weighted event study (fixest sunab), never-treated or last-treated "
                + "controls, every relative period; the overall ATT as term att when asked for.",
            controls: [.never, .last], inference: [.iid, .hetero, .cr1, .cr2, .cr3, .twoway, .conley, .placebo],
            acceptsRegressionWeights: true,
            build: { settings in
                SunAbraham(control: settings.control == .last ? .lastTreated : .neverTreated,
                           includeOverallATT: settings.effect == "att", options: settings.regressionOptions)
            },
            placebo: { settings, effect in
                SunAbrahamPlaceboStatistic(cluster: settings.clusterName ?? "", term: effect,
                                           control: settings.control == .last ? .lastTreated : .neverTreated)
            },
            label: { effect, settings in "sa:\(effect)" + (settings.control == .last ? ":last" : "") }),
        EstimatorEntry(
            id: "bjs", title: "Borusyak-Jaravel-Spiess imputation",
            summary: "Borusyak-Jaravel-Spiess imputation: overall ATT (att), event times e+0..e+L with L lags, "
                + "pre-trend F test on K leads; conservative clustered (or heteroskedasticity-robust) standard "
                + "errors, normal p-values.",
            inference: [.hetero, .cr1, .placebo], minimumLeads: 0,
            build: { settings in
                var horizons: ImputationEstimator.Horizons = settings.lags.map { .list(Array(0...max($0, 0))) } ?? .none
                if let effect = settings.effect, effect != "att" {
                    guard effect.hasPrefix("e+"), let h = Int(effect.dropFirst(2)) else {
                        throw InvalidParameter(.term, effect, "expected att or e+H for the imputation estimator")
                    }
                    horizons = .list([h])
                }
                return ImputationEstimator(horizons: horizons, preTrendLeads: settings.leads ?? 0,
                                           variance: settings.variance)
            },
            placebo: { settings, effect in ImputationPlaceboStatistic(cluster: settings.clusterName ?? "", term: effect) }),
        EstimatorEntry(
            id: "did2s", title: "Gardner two-stage DiD",
            summary: "Gardner (2021) two-stage DiD: unit and period effects (and covariates) fitted on untreated "
                + "observations, the residualized outcome regressed on treat, or on event-time dummies when a window "
                + "or an event-time effect is asked for; GMM-corrected cluster-robust variance without small-sample "
                + "factor (R and pyfixest did2s), t(G-1).",
            inference: [.cr1, .placebo], minimumLeads: 1, defaultEffect: "treat",
            build: { settings in
                let eventStudy = settings.leads != nil || settings.lags != nil || settings.effect?.hasPrefix("e") == true
                return GardnerTwoStage(effects: eventStudy ? .eventStudy(leads: settings.leads, lags: settings.lags) : .overall,
                                       variance: settings.variance)
            }),
        EstimatorEntry(
            id: "dcdh", title: "de Chaisemartin-D'Haultfoeuille event study (did_multiplegt_dyn)",
            summary: "de Chaisemartin-D'Haultfoeuille (2024) effects of switching on, binary staggered treatment: "
                + "e+K (R's Effect_K+1) compares the outcome change since the last period before adoption with "
                + "that of not-yet-treated units; L lags give e+0..e+L, K leads the placebos e-2..e-K (default: "
                + "all that some switcher reaches, placebos at most as many as effects); att is the average total "
                + "effect; influence-function standard errors clustered by the unit (R DIDmultiplegtDYN 2.x, "
                + "moderndid), normal reference; no covariates.",
            inference: [.cr1, .placebo], minimumLeads: 1, acceptsCovariates: false,
            build: { settings in
                ChaisemartinDHaultfoeuille(effects: settings.lags.map { $0 + 1 }, placebos: settings.leads.map { $0 - 1 },
                                           variance: settings.variance)
            }),
        EstimatorEntry(
            id: "stacked", title: "Stacked DiD (Wing, Freedman & Hollingsworth 2024 weights)",
            summary: "Stacked DiD: one sub-experiment per adoption cohort g in the event window g-K..g+L (K leads, "
                + "default 1; L lags, default 1; cohorts whose window leaves the sample are trimmed) with clean controls "
                + "(not-yet-treated: first treated after g+L, the default, or never-treated), stacked, with the corrective "
                + "weights for the trimmed aggregate ATT; Q-weighted regression on treated group, event time and their "
                + "interactions (WFH equation 3, diff-diff StackedDiD): terms e-K..e-2, e+0..e+L and att (their post-"
                + "period mean); CR1 clustered by the unit (or a coarser column), t(G-1).",
            controls: [.notyet, .never], inference: [.cr1, .placebo], minimumLeads: 1, acceptsCovariates: false,
            build: { settings in
                StackedDifferenceInDifferences(prePeriods: settings.leads, postPeriods: settings.lags,
                                               controls: settings.control == .never ? .neverTreated : .notYetTreated,
                                               variance: settings.variance)
            }),
        EstimatorEntry(
            id: "sdid", title: "Synthetic DiD (Arkhangelsky et al. 2021)",
            summary: "Synthetic difference-in-differences (R synthdid): Frank-Wolfe unit and time weights with "
                + "intercepts, zeta_omega = (N_tr T_post)^(1/4) sd(first differences of control pre-period outcomes); "
                + "each adoption cohort against the never treated, the ATT weighted by treated unit-periods (Stata "
                + "sdid); g=PERIOD per cohort. Standard errors: jackknife (fixed weights), placebo or bootstrap "
                + "(R's Algorithms 3, 4, 2), normal reference; inference cr3 (by the unit) names the jackknife in "
                + "experiment specs and diagnose. Balanced panels, at least two pre-periods per cohort.",
            inference: [.cr3, .placebo], acceptsCovariates: false,
            build: { settings in
                if case .cr3(let cluster) = settings.variance {
                    return SyntheticDiDUnitJackknife(base: settings.syntheticDiD, cluster: cluster)
                }
                return settings.syntheticDiD
            }),
        EstimatorEntry(
            id: "bacon", title: "Goodman-Bacon decomposition",
            summary: "Goodman-Bacon decomposition of the TWFE coefficient and the de Chaisemartin-D'Haultfoeuille "
                + "weights (balanced panels, no covariates).",
            inference: [], acceptsCovariates: false, build: { _ in BaconAnalysis() }),
        EstimatorEntry(
            id: "rings", title: "Spillover rings (Butts 2021; TWFE with ring indicators)",
            summary: "Butts (2021) spillover rings: y ~ treat + sum_j ring_j + X | unit + time, ring_j = 1 for "
                + "untreated observations whose nearest adopted unit lies in distance band j; treat is the direct "
                + "effect, identified from the far controls.",
            inference: [.iid, .hetero, .cr1], needsCoordinates: true, defaultEffect: "treat",
            build: { try ringEstimator($0, stages: .oneStage) }),
        EstimatorEntry(
            id: "rings-2s", title: "Spillover rings, two-stage (Gardner 2021 / Butts 2021)",
            summary: "The spillover rings by Gardner's two-stage estimator (stage 1 on untreated observations outside "
                + "the rings) with its GMM cluster-robust variance, for staggered adoption.",
            inference: [.cr1], needsCoordinates: true, defaultEffect: "treat",
            build: { try ringEstimator($0, stages: .twoStage) }),
    ]

    /// The default estimator: TWFE.
    public static var standard: EstimatorEntry { entries[0] }

    /// The entry with this id, or nil.
    public static func entry(id: String) -> EstimatorEntry? { entries.first { $0.id == id } }

    /// The entry with this id.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/estimator``) listing the ids.
    public static func require(_ id: String) throws -> EstimatorEntry {
        guard let entry = entry(id: id) else {
            throw InvalidParameter(.estimator, id.quotedForMessage,
                                   "expected one of " + entries.map(\.id).joined(separator: ", "))
        }
        return entry
    }

    static func callawaySantAnnaOptions(_ settings: EstimatorSettings) -> CallawaySantAnnaOptions {
        CallawaySantAnnaOptions(controlGroup: settings.control == .notyet ? .notYetTreated : .neverTreated,
                                basePeriod: settings.basePeriod, estimationMethod: settings.estimationMethod,
                                cluster: settings.cluster, unbalancedPanel: settings.unbalancedPanel,
                                failedCells: settings.failedCells, anticipation: settings.anticipation)
    }

    static func ringEstimator(_ settings: EstimatorSettings, stages: SpilloverRings.Stages) throws -> RingEstimator {
        guard let coordinates = settings.coordinates else {
            throw InvalidParameter(.coordinates, nil, "the spillover-ring estimators need each unit's location")
        }
        return RingEstimator(rings: SpilloverRings(edges: settings.ringEdges, stages: stages,
                                                   emptyRings: settings.emptyRings, options: settings.regressionOptions),
                             coordinates: coordinates)
    }
}

/// The Goodman-Bacon decomposition and the TWFE weights of one panel, as one estimator output.
public struct BaconAnalysis: PanelEstimator {
    /// Creates the analysis.
    public init() {}

    /// Decomposes the TWFE coefficient of `panel` and computes its weights.
    public func estimate(_ panel: Panel) throws -> BaconAnalysisResult {
        BaconAnalysisResult(decomposition: try BaconDecomposition().decompose(panel), weights: try TWFEWeights(panel: panel),
                    periodLabels: panel.periodLabels)
    }
}

/// What ``BaconAnalysis`` returns.
public struct BaconAnalysisResult: EstimatorOutput {
    /// The 2×2 comparisons and their weights.
    public let decomposition: BaconResult
    /// The de Chaisemartin–D'Haultfœuille weights of the TWFE coefficient.
    public let weights: TWFEWeights
    /// The panel's period labels, for reports.
    public let periodLabels: [String]

    /// A decomposition has no standard errors: nil.
    public func effectEstimate(named name: String) -> EffectEstimate? { nil }
    /// None.
    public var effectNames: [String] { [] }
}

/// The spillover-ring estimator with its units' locations, as a ``PanelEstimator``.
public struct RingEstimator: PanelEstimator {
    /// The estimator.
    public let rings: SpilloverRings
    /// Each unit's location.
    public let coordinates: UnitCoordinates

    /// Estimates on `panel` (whose units ``coordinates`` locate).
    public func estimate(_ panel: Panel) throws -> Estimate { try rings.estimate(panel, coordinates: coordinates) }
}
