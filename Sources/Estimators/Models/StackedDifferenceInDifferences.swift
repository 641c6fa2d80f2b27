/// Stacked difference-in-differences (Cengiz, Dube, Lindner & Zipperer 2019) with the corrective
/// weights of Wing, Freedman & Hollingsworth (2024, "Stacked Difference-in-Differences", NBER WP
/// 32054), method "stacked"; the conventions of diff-diff 3.13 `StackedDiD` and of the authors' R
/// code (`hollina/stacked-did-weights`).
///
/// 1. **Sub-experiments.** For each adoption cohort `a` (periods on the panel's grid) the event
///    window is `[a − κ_pre, a + κ_post]`. A cohort is *trimmed* unless the window lies inside
///    the sampled periods (`a − κ_pre ≥` the first period, `a + κ_post ≤` the last) and at least
///    one clean control unit exists (inclusion criteria IC1 and IC2 of the paper). Sub-experiment
///    `a` holds the rows inside its window of the cohort's units (`D_sa = 1`) and of its clean
///    controls (`D_sa = 0`), chosen by ``CleanControls``.
/// 2. **Stack** the sub-experiments; a control unit appears once per sub-experiment it serves.
/// 3. **Corrective weights** `Q` (``Weighting``): treated rows 1; control rows of sub-experiment
///    `a` the ratio of `a`'s share of the treated to its share of the controls, so the stacked
///    regression averages the sub-experiments' DiDs with the target weights (for ``Weighting/aggregate``,
///    each cohort by its number of treated units: the "trimmed aggregate ATT").
/// 4. **Regression** by Q-weighted least squares (``Specification``), event-time terms `δ_h` for
///    `h = −κ_pre … κ_post`, `h ≠ −1` (the reference), named `e-K … e-2, e+0 … e+L` like
///    ``EventStudy``'s; the overall effect `att` is the mean of `δ_0 … δ_κpost` (diff-diff's
///    `overall_att`), its variance the delta method's `a'Va`.
///
/// **Variance**: CR1 clustered by ``variance`` (default the panel's unit: every copy of a unit
/// is in one cluster, as diff-diff's and the R code's `cluster = unit`), scores `Σ_{r∈g} w_r x̃_r ê_r`,
/// factor `G/(G − 1) · (n − 1)/(n − K)` with `n` the stacked rows of positive weight; `K` is the
/// rank of the design for ``Specification/treatmentByEventTime`` (diff-diff's `k`) and the kept
/// slopes plus the sub-experiment × period levels for ``Specification/subExperimentFixedEffects``
/// (fixest's nested rule: sub-experiment × unit effects nest in the cluster). p-values and
/// intervals from t(G − 1), DiDLab's clustered convention (diff-diff's `df_convention="cluster"`;
/// its default is the residual df).
///
/// Not covered: diff-diff's `population` weighting (it needs a per-unit population column),
/// `cluster="unit_subexp"`, `anticipation` and entropy balancing of the controls on covariates
/// (`balance="entropy"`): the estimator takes no covariates.
public struct StackedDifferenceInDifferences: PanelEstimator {
    /// Which units serve as clean controls in sub-experiment `a` (diff-diff's `control_group`).
    public enum CleanControls: String, Sendable, Equatable, CaseIterable {
        /// Units first treated after the window, `A > a + κ_post`, never-treated units included
        /// (diff-diff's default `not_yet_treated`).
        case notYetTreated
        /// Never-treated units only (`never_treated`).
        case neverTreated
        /// Units first treated after `a + κ_post + κ_pre` (diff-diff's `strict`, Appendix A).
        case strict
    }

    /// The target weights of the sub-experiments, Table 1 of the paper (diff-diff's `weighting`).
    public enum Weighting: String, Sendable, Equatable, CaseIterable {
        /// Each sub-experiment by its share of the treated: control rows of sub-experiment `a` at
        /// event time `e` weigh `(N^D_ae / N^D_e) / (N^C_ae / N^C_e)`, with row counts per (event
        /// time, sub-experiment) as the R code's `compute_weights()` (on balanced windows, unit
        /// counts per sub-experiment). A control row whose cell has no treated row weighs 0.
        case aggregate
        /// Each sub-experiment by its share of the stacked units: control rows of `a` weigh
        /// `((N^D_a + N^C_a) / (N^D + N^C)) / (N^C_a / N^C)`, unit counts per sub-experiment.
        case sampleShare
    }

    /// The stacked regression.
    public enum Specification: String, Sendable, Equatable, CaseIterable {
        /// The paper's equation 3 (diff-diff, the R code's `feols(y ~ i(event_time, treat, ref = -1)
        /// | treat + event_time)`): `y = α₀ + α₁ D_sa + Σ_h λ_h 1{e = h} + Σ_h δ_h D_sa 1{e = h}`.
        /// The design is saturated in the (D, event time) cells, so the fit is the cells' weighted
        /// means and `δ_h` is the weighted DiD of cell means against the reference `e = −1`.
        case treatmentByEventTime
        /// Cengiz et al. (2019): sub-experiment × unit and sub-experiment × period fixed effects,
        /// `y = μ_{s,a} + λ_{t,a} + Σ_h δ_h D_sa 1{e = h}`, weighted the same way. On balanced windows its
        /// `δ_h` equal equation 3's; its standard errors differ (pyfixest `feols(… | unit^sub_exp +
        /// time^sub_exp, weights = Q)`). Needs a clustering in which every unit lies in one cluster.
        case subExperimentFixedEffects
    }

    /// The method id, "stacked".
    public static let method = "stacked"
    /// Default pre-periods in the window, diff-diff's `kappa_pre = 1` (no lead terms).
    public static let defaultPrePeriods = 1
    /// Default post-periods, diff-diff's `kappa_post = 1` (terms e+0 and e+1).
    public static let defaultPostPeriods = 1

    /// κ_pre: the window starts `κ_pre` periods before adoption (at least 1, so that it holds the
    /// reference `e = −1`); terms `e-κ_pre … e-2`. nil: ``defaultPrePeriods``.
    public var prePeriods: Int?
    /// κ_post: the window ends `κ_post` periods after adoption (at least 0); terms `e+0 … e+κ_post`.
    /// nil: ``defaultPostPeriods``.
    public var postPeriods: Int?
    /// Clean controls (default ``CleanControls/notYetTreated``).
    public var controls: CleanControls
    /// Corrective weights (default ``Weighting/aggregate``).
    public var weighting: Weighting
    /// Regression (default ``Specification/treatmentByEventTime``, the reference's).
    public var specification: Specification
    /// Variance: `.cluster(name)`; nil = the panel's unit. `.iid` and `.hetero` are not offered
    /// (the references cluster: a control unit is stacked several times).
    public var variance: VarianceType?

    /// Creates the estimator; see the properties for the defaults.
    public init(prePeriods: Int? = nil, postPeriods: Int? = nil, controls: CleanControls = .notYetTreated,
                weighting: Weighting = .aggregate, specification: Specification = .treatmentByEventTime,
                variance: VarianceType? = nil) {
        self.prePeriods = prePeriods
        self.postPeriods = postPeriods
        self.controls = controls
        self.weighting = weighting
        self.specification = specification
        self.variance = variance
    }

    /// The estimate (method "stacked"): terms `e-κ_pre … e-2, e+0 … e+κ_post` and `att`.
    /// - Throws: ``EstimationError/invalidOption(_:)`` for a window out of range or a variance that
    ///   is not clustered; ``EstimationError/unknownClustering(name:available:)``;
    ///   ``EstimationError/tooFewClusters(name:count:)``; ``StackedError`` when no cohort fits the
    ///   window with clean controls, the reference cell is empty, or the panel has covariates.
    public func estimate(_ panel: Panel) throws -> Estimate {
        let method = Self.method
        let pre = prePeriods ?? Self.defaultPrePeriods, post = postPeriods ?? Self.defaultPostPeriods
        guard pre >= 1 else {
            throw EstimationError.invalidOption("\(method): the number of pre-periods (leads) must be at least 1, so that "
                                                + "the window holds the reference period e-1; got \(pre)")
        }
        guard post >= 0 else {
            throw EstimationError.invalidOption("\(method): the number of post-periods (lags) must be at least 0; got \(post)")
        }
        guard panel.covariates.isEmpty else {
            throw HeterogeneityRobustError.covariatesNotSupported(method: method, covariates: panel.covariateNames)
        }
        let variance = self.variance ?? .cluster(panel.unitName)
        guard case .cluster(let clusterName) = variance else {
            throw EstimationError.invalidOption("\(method): the variance must be clustered (a control unit is stacked "
                                                + "once per sub-experiment); got " + variance.label.lowercased())
        }
        let clustering = try panel.clustering(named: clusterName)  // a column or an interaction A^B
        let stack = try StackedSample(panel: panel, pre: pre, post: post, controls: controls, weighting: weighting)
        let fit: StackedFit
        switch specification {
        case .treatmentByEventTime:
            fit = try StackedFit.cellMeans(stack, panel: panel, clustering: clustering)
        case .subExperimentFixedEffects:
            guard clustering.unitCluster != nil else {
                throw EstimationError.invalidOption(
                    "\(method): the sub-experiment fixed-effects regression needs a clustering in which every unit "
                    + "lies in one cluster (the unit, or a coarser column); '\(clusterName)' varies within a unit")
            }
            fit = try StackedFit.fixedEffects(stack, panel: panel, clustering: clustering)
        }
        guard fit.clusterCount >= 2 else { throw EstimationError.tooFewClusters(name: clusterName, count: fit.clusterCount) }
        return fit.estimate(stack: stack, panel: panel, variance: variance, specification: specification,
                            controls: controls, weighting: weighting)
    }
}

/// Why the stacked estimator cannot run on a panel; each message names what was found and what
/// was expected.
public enum StackedError: Error, Equatable, CustomStringConvertible {
    /// No adoption cohort has its event window inside the sample with clean controls.
    case noSubExperiment(method: String, pre: Int, post: Int, cohorts: [String], periods: Int, reason: String)
    /// The reference event time `e = −1` has no treated or no control row of positive weight.
    case emptyReferenceCell(method: String, group: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case let .noSubExperiment(method, pre, post, cohorts, periods, reason):
            return "\(method): no adoption cohort fits the event window e-\(pre)..e+\(post) with clean controls ("
                + reason + (cohorts.isEmpty ? "" : "; cohorts " + cohorts.joined(separator: ", ")) + "; \(periods) periods); "
                + "expected a window with the number of leads K and lags L such that some cohort g has g-K and g+L inside "
                + "the sampled periods and units first treated after g+L (or never)"
        case let .emptyReferenceCell(method, group):
            return "\(method): the reference event time e-1 has no \(group) observation of positive weight, so the "
                + "event-time effects are not identified; expected every sub-experiment's period before adoption in the sample"
        }
    }
}
