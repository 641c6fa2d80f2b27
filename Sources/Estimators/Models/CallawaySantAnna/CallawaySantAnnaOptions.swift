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

    /// What to do with an unbalanced panel (some units not observed in every period).
    public enum UnbalancedPanelPolicy: String, Sendable, CaseIterable {
        /// Throw ``CallawaySantAnnaError/unbalancedPanel(unitsMissingPeriods:periodCount:)`` (the default
        /// of the library, so that no caller drops units without asking).
        case reject
        /// Keep only the units observed in every period, counted in the notes: what R `did` does
        /// by default (`allow_unbalanced_panel = FALSE` → `BMisc::makeBalancedPanel`).
        case dropIncompleteUnits = "balance"
        /// Keep every unit (R `did`'s `allow_unbalanced_panel = TRUE`): each ATT(g,t) uses the
        /// observations of its two periods as repeated cross sections, and the influence function
        /// of each observation is summed within its unit, so standard errors stay clustered by
        /// unit. Without covariates the 2×2 comparison is the difference of four period means
        /// (what DRDID's `drdid_rc`, `reg_did_rc` and `std_ipw_did_rc` all reduce to); with
        /// covariates it throws ``CallawaySantAnnaError/unbalancedWithCovariates``. A balanced panel
        /// is estimated as a panel, as R `did` does.
        case allowUnbalanced = "allow"
    }

    /// What the aggregations do when some ATT(g,t) cannot be estimated (a propensity-score logit
    /// that separates, a singular outcome regression, no comparison units): R `did` reports those
    /// cells as NA and its `aggte` stops unless `na.rm = TRUE`.
    public enum FailedCellPolicy: String, Sendable, CaseIterable {
        /// Throw ``CallawaySantAnnaError/cellsNotEstimable(_:)`` naming every failed cell and its
        /// reason (the default, R `did`'s `aggte(na.rm = FALSE)`): leaving cells out changes what
        /// the aggregations average over, so it must be asked for.
        case reject
        /// Report the failed cells as not estimable (with their reasons) and leave them out of
        /// every aggregation, with a note (R `did`'s `aggte(na.rm = TRUE)`): weights are
        /// renormalised over the remaining cells, and a cohort without any estimable
        /// post-treatment cell leaves the group aggregation.
        case dropFromAggregations = "drop"
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
    /// ATT(g,t) that cannot be estimated; default reject (R `did`'s `aggte(na.rm = FALSE)`).
    public var failedCells: FailedCellPolicy
    /// Smallest event time of the dynamic aggregation (R `did`'s `min_e`); nil = all.
    public var minEventTime: Int?
    /// Largest event time of the dynamic aggregation, also capping the cells of the simple and
    /// group aggregations (R `did`'s `max_e`); nil = all.
    public var maxEventTime: Int?
    /// Comparison units with a propensity score at or above this are trimmed (DRDID's
    /// `trim.level`, 0.995).
    public var propensityTrimLevel: Double
    /// Periods before adoption in which units may already react to the treatment (R `did`'s
    /// `anticipation`, δ; default 0), counted in periods of the sample (R `did` counts in the time
    /// column's units: other steps are refused). With δ > 0, as R did's `compute.att_gt`: every
    /// cell with `t ≥ g` is compared with the base period `g − 1 − δ`, and under the varying base
    /// every cell before `g` — inside the anticipation window too — is a short difference (csdid
    /// 0.4.3 uses the long base `g − 1 − δ` inside the window; the two agree for δ = 1); the
    /// universal base period is `g − 1 − δ` throughout; not-yet-treated comparison
    /// units must be untreated and not yet anticipating in both periods (cohort `> max(t, base) + δ`);
    /// units of cohorts adopting within the first `δ + 1` periods have no clean base period and are
    /// dropped (counted in the notes). Cells with `g − δ ≤ t < g` are anticipation effects: they stay
    /// pre-treatment in the aggregations (R `did`'s `aggte` keeps `t ≥ g`).
    public var anticipation: Int

    /// Creates options; every default is R `did`'s except ``unbalancedPanel`` (R `did` balances
    /// silently apart from a warning; here the caller chooses).
    public init(controlGroup: ControlGroup = .neverTreated, basePeriod: BasePeriod = .varying,
                estimationMethod: EstimationMethod = .doublyRobust, cluster: String? = nil,
                unbalancedPanel: UnbalancedPanelPolicy = .reject, failedCells: FailedCellPolicy = .reject,
                minEventTime: Int? = nil, maxEventTime: Int? = nil, propensityTrimLevel: Double = 0.995,
                anticipation: Int = 0) {
        self.controlGroup = controlGroup
        self.basePeriod = basePeriod
        self.estimationMethod = estimationMethod
        self.cluster = cluster
        self.unbalancedPanel = unbalancedPanel
        self.failedCells = failedCells
        self.minEventTime = minEventTime
        self.maxEventTime = maxEventTime
        self.propensityTrimLevel = propensityTrimLevel
        self.anticipation = anticipation
    }
}

/// Why a Callaway & Sant'Anna estimate could not be computed; each message says what was
/// expected and what to do, naming roles (the comparison group, the cluster column), never
/// command-line flags.
public enum CallawaySantAnnaError: Error, Equatable, CustomStringConvertible {
    /// One ATT(g,t) that could not be estimated: its cohort and period (labels) and why.
    public struct FailedCell: Sendable, Equatable {
        /// Cohort label (first treated period).
        public let group: String
        /// Period label.
        public let time: String
        /// Why, in words.
        public let reason: String

        /// Creates a failed cell.
        public init(group: String, time: String, reason: String) {
            self.group = group
            self.time = time
            self.reason = reason
        }

        /// `ATT(g,t)` with the labels.
        public var name: String { "ATT(\(group),\(time))" }
    }

    /// Some units are not observed in every period.
    case unbalancedPanel(unitsMissingPeriods: Int, periodCount: Int)
    /// Estimation on an unbalanced panel with covariates (R `did`'s repeated-cross-section DRDID
    /// estimators) is not implemented.
    case unbalancedWithCovariates(unitsMissingPeriods: Int)
    /// Sampling weights on an unbalanced panel (R `did`'s repeated-cross-section DRDID
    /// estimators with per-observation weights) are not implemented.
    case unbalancedWithWeights(unitsMissingPeriods: Int)
    /// Rows with a zero sampling weight were dropped and some units are no longer observed in
    /// every period (R `did` keeps such units, weighing them zero in those periods).
    case zeroWeightsUnbalancePanel(unitsMissingPeriods: Int)
    /// The never-treated comparison group is empty.
    case noNeverTreatedUnits
    /// No cohort is first treated after the first period and within the sample.
    case noTreatedCohort
    /// Too few periods are left (at least two are needed).
    case tooFewPeriods(Int)
    /// The cluster column changes within a unit.
    case clusterVariesWithinUnit(cluster: String, unit: String)
    /// Some ATT(g,t) cannot be estimated (no comparison units, singular design, separation) and
    /// the failed-cell policy is ``CallawaySantAnnaOptions/FailedCellPolicy/reject``, or every
    /// cell failed.
    case cellsNotEstimable([FailedCell], total: Int)
    /// No cell enters an aggregation (for example `maxEventTime` below 0).
    case emptyAggregation(String)
    /// The number of anticipation periods is negative, or so large that no cohort keeps a base
    /// period before its anticipation starts (`firstCohort` is the earliest cohort's label).
    case invalidAnticipation(Int, periodCount: Int, firstCohort: String?)
    /// Anticipation on a time column whose consecutive periods are not one unit apart: the count
    /// of periods and R did's count of time units would differ.
    case anticipationNeedsUnitSteps(from: Double, to: Double)

    /// A time value as written: whole numbers without a decimal point.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// One line for the user.
    public var description: String {
        switch self {
        case let .unbalancedPanel(missing, periods):
            return "Callaway-Sant'Anna needs a balanced panel: \(missing) unit\(missing == 1 ? " is" : "s are") "
                + "not observed in all \(periods) periods; balance the panel by dropping them (R did's default) "
                + "or estimate on the unbalanced panel (R did's allow_unbalanced_panel)"
        case .unbalancedWithCovariates(let missing):
            return "Callaway-Sant'Anna on an unbalanced panel (\(missing) unit\(missing == 1 ? "" : "s") not observed "
                + "in every period) with covariates needs R did's repeated-cross-section DRDID estimators, which are "
                + "not implemented; balance the panel by dropping those units, or estimate without covariates"
        case .unbalancedWithWeights(let missing):
            return "Callaway-Sant'Anna on an unbalanced panel (\(missing) unit\(missing == 1 ? "" : "s") not observed "
                + "in every period) with sampling weights (the regression-weight column) needs R did's "
                + "repeated-cross-section estimators with per-observation weights, which are not implemented; balance "
                + "the panel by dropping those units, or estimate without weights"
        case .zeroWeightsUnbalancePanel(let missing):
            return "Callaway-Sant'Anna with sampling weights (the regression-weight column): rows with a zero weight "
                + "were dropped and \(missing) unit\(missing == 1 ? " is" : "s are") not observed in every period; R did "
                + "keeps a unit whose weight is zero in some periods only, which is not implemented; expected each "
                + "unit's weight positive in every period or zero in all of them"
        case .noNeverTreatedUnits:
            return "Callaway-Sant'Anna with never-treated comparison units: no unit is never treated; "
                + "use not-yet-treated units as the comparison group"
        case .noTreatedCohort:
            return "Callaway-Sant'Anna: no cohort is first treated after the first period; "
                + "expected some units treated later in the sample"
        case .tooFewPeriods(let count):
            return "Callaway-Sant'Anna: \(count) period\(count == 1 ? "" : "s") left; expected at least 2"
        case let .clusterVariesWithinUnit(cluster, unit):
            return "the cluster column \(cluster): the cluster of unit '\(unit)' changes over time; "
                + "expected a cluster that contains whole units"
        case let .cellsNotEstimable(cells, total):
            // One clause per distinct reason, naming its cells (at most 10 each).
            var reasons: [String] = [], names: [String: [String]] = [:]
            for cell in cells {
                if names[cell.reason] == nil { reasons.append(cell.reason) }
                names[cell.reason, default: []].append(cell.name)
            }
            let clauses = reasons.map { reason -> String in
                let list = names[reason] ?? []
                let shown = list.prefix(10).joined(separator: ", ") + (list.count > 10 ? " and \(list.count - 10) more" : "")
                return "\(shown) (\(reason))"
            }.joined(separator: "; ")
            if cells.count == total {
                return "Callaway-Sant'Anna: no ATT(g,t) can be estimated: \(clauses)"
            }
            return "Callaway-Sant'Anna: \(cells.count) of \(total) ATT(g,t) cannot be estimated: \(clauses); the "
                + "aggregations would average over fewer cells than asked, so leave them out explicitly (R did's aggte "
                + "na.rm = TRUE) to report the rest"
        case .emptyAggregation(let what):
            return "Callaway-Sant'Anna: no ATT(g,t) enters the \(what) aggregation; check the event-time window"
        case let .anticipationNeedsUnitSteps(from, to):
            return "Callaway-Sant'Anna with anticipation: the time column steps from \(Self.number(from)) to "
                + "\(Self.number(to)); anticipation counts periods, R did counts time units, so expected consecutive "
                + "periods one unit apart (recode the time column to 1, 2, 3, … to count periods)"
        case let .invalidAnticipation(periods, periodCount, firstCohort):
            if periods < 0 {
                return "Callaway-Sant'Anna: the number of anticipation periods is \(periods); expected a whole number >= 0"
            }
            return "Callaway-Sant'Anna: with \(periods) anticipation period\(periods == 1 ? "" : "s") no cohort keeps a base "
                + "period g-1-\(periods) inside the \(periodCount) periods"
                + (firstCohort.map { " (the earliest cohort, \($0), needs \(periods + 1) periods before it)" } ?? "")
                + "; expected fewer anticipation periods"
        }
    }
}
