/// Options of the Callaway & Sant'Anna (2021) estimator, with R `did`'s defaults
/// (`att_gt(control_group = "nevertreated", base_period = "varying", est_method = "dr",
/// anticipation = 0)`).
public struct CallawaySantAnnaOptions: Sendable, Equatable {
    /// Which units serve as the comparison group of ATT(g,t) (R `did`'s `control_group`).
    public enum ControlGroup: String, Sendable, CaseIterable {
        /// Units never treated in the sample (`"nevertreated"`, the default).
        case neverTreated = "never"
        /// Never-treated units and units first treated after both periods of the comparison
        /// (`"notyettreated"`): cohort `> max(t, base)`, cohort ≠ g.
        case notYetTreated = "notyet"

        /// R `did`'s spelling: "nevertreated" or "notyettreated".
        public var rName: String { self == .neverTreated ? "nevertreated" : "notyettreated" }
    }

    /// The period each ATT(g,t) is compared with (R `did`'s `base_period`).
    public enum BasePeriod: String, Sendable, CaseIterable {
        /// Post-treatment cells (t ≥ g) use g − 1; pre-treatment cells use t − 1, so pre-period
        /// estimates are short differences (the default).
        case varying
        /// Every cell uses g − 1; the cell t = g − 1 itself is the reference (estimate 0, no
        /// standard error), so pre-period estimates are long differences, like an event study.
        case universal
    }

    /// How each 2×2 ATT(g,t) conditions on covariates (R `did`'s `est_method`).
    ///
    /// Without covariates all three reduce to the unconditional 2×2 difference in mean changes
    /// (with identical influence functions), which DiDLab computes in closed form.
    public enum EstimationMethod: String, Sendable, CaseIterable {
        /// Outcome regression (Heckman, Ichimura & Todd 1997; DRDID `reg_did_panel`): OLS of
        /// ΔY on X among the comparison units, ATT = mean over the treated of ΔY − X'β̂.
        case outcomeRegression = "reg"
        /// Standardized (Hájek) inverse probability weighting (Abadie 2005; DRDID
        /// `std_ipw_did_panel`): logit propensity score, comparison units weighted by
        /// p/(1 − p), weights normalised to mean one in each arm.
        case inverseProbabilityWeighting = "ipw"
        /// Sant'Anna & Zhao (2020) locally efficient doubly robust estimator for panel data
        /// (DRDID `drdid_panel`, R `did`'s default): IPW weights applied to ΔY − X'β̂.
        case doublyRobust = "dr"

        /// Human name, as R `did`'s summary prints it.
        public var title: String {
            switch self {
            case .outcomeRegression: return "Outcome Regression"
            case .inverseProbabilityWeighting: return "Inverse Probability Weighting"
            case .doublyRobust: return "Doubly Robust"
            }
        }
    }

    /// What to do with an unbalanced panel (CS needs every unit in every period).
    public enum UnbalancedPanelPolicy: String, Sendable, CaseIterable {
        /// Throw ``CallawaySantAnnaError/unbalancedPanel(unitsMissingPeriods:periodCount:)`` (the default).
        case reject
        /// Keep only the units observed in every period, counted in the notes: what R `did` does
        /// by default (`allow_unbalanced_panel = FALSE` → `BMisc::makeBalancedPanel`).
        case dropIncompleteUnits
    }

    /// Comparison group; default never treated.
    public var controlGroup: ControlGroup
    /// Base period; default varying.
    public var basePeriod: BasePeriod
    /// Estimation method for covariates; default doubly robust.
    public var estimationMethod: EstimationMethod
    /// Clustering of the standard errors (a clustering of the panel that is constant within
    /// units); nil or the unit column = clustered by unit (R `did`'s default).
    public var cluster: String?
    /// Unbalanced panels; default reject.
    public var unbalancedPanel: UnbalancedPanelPolicy
    /// Smallest event time of the dynamic aggregation (R `did`'s `min_e`); nil = all.
    public var minEventTime: Int?
    /// Largest event time of the dynamic aggregation, also capping the cells of the simple and
    /// group aggregations (R `did`'s `max_e`); nil = all.
    public var maxEventTime: Int?
    /// Comparison units with a propensity score at or above this are trimmed (DRDID's
    /// `trim.level`, 0.995).
    public var propensityTrimLevel: Double

    /// Creates options; every default is R `did`'s.
    public init(controlGroup: ControlGroup = .neverTreated, basePeriod: BasePeriod = .varying,
                estimationMethod: EstimationMethod = .doublyRobust, cluster: String? = nil,
                unbalancedPanel: UnbalancedPanelPolicy = .reject,
                minEventTime: Int? = nil, maxEventTime: Int? = nil, propensityTrimLevel: Double = 0.995) {
        self.controlGroup = controlGroup
        self.basePeriod = basePeriod
        self.estimationMethod = estimationMethod
        self.cluster = cluster
        self.unbalancedPanel = unbalancedPanel
        self.minEventTime = minEventTime
        self.maxEventTime = maxEventTime
        self.propensityTrimLevel = propensityTrimLevel
    }
}

/// Why a Callaway & Sant'Anna estimate could not be computed; each message says what was
/// expected and what to do.
public enum CallawaySantAnnaError: Error, Equatable, CustomStringConvertible {
    /// Some units are not observed in every period.
    case unbalancedPanel(unitsMissingPeriods: Int, periodCount: Int)
    /// The never-treated comparison group is empty.
    case noNeverTreatedUnits
    /// No cohort is first treated after the first period and within the sample.
    case noTreatedCohort
    /// Too few periods are left (at least two are needed).
    case tooFewPeriods(Int)
    /// The cluster column changes within a unit.
    case clusterVariesWithinUnit(cluster: String, unit: String)
    /// A 2×2 comparison has no comparison units.
    case emptyComparisonGroup(group: String, time: String)
    /// A 2×2 comparison cannot be estimated (singular design, no overlap, no convergence).
    case cellNotEstimable(group: String, time: String, reason: String)
    /// No cell enters an aggregation (for example `maxEventTime` below 0).
    case emptyAggregation(String)

    /// One line for the user.
    public var description: String {
        switch self {
        case let .unbalancedPanel(missing, periods):
            return "Callaway-Sant'Anna needs a balanced panel: \(missing) unit\(missing == 1 ? " is" : "s are") "
                + "not observed in all \(periods) periods; drop them first (R did drops them by default)"
        case .noNeverTreatedUnits:
            return "--control never: no unit is never treated; use --control notyet "
                + "(not-yet-treated units as the comparison group)"
        case .noTreatedCohort:
            return "Callaway-Sant'Anna: no cohort is first treated after the first period; "
                + "expected some units treated later in the sample"
        case .tooFewPeriods(let count):
            return "Callaway-Sant'Anna: \(count) period\(count == 1 ? "" : "s") left; expected at least 2"
        case let .clusterVariesWithinUnit(cluster, unit):
            return "--cluster \(cluster): the cluster of unit '\(unit)' changes over time; "
                + "expected a cluster that contains whole units"
        case let .emptyComparisonGroup(group, time):
            return "ATT(g=\(group), t=\(time)): no comparison units; expected never-treated or not-yet-treated units"
        case let .cellNotEstimable(group, time, reason):
            return "ATT(g=\(group), t=\(time)) cannot be estimated: \(reason)"
        case .emptyAggregation(let what):
            return "Callaway-Sant'Anna: no ATT(g,t) enters the \(what) aggregation; check --min-e/--max-e"
        }
    }
}
