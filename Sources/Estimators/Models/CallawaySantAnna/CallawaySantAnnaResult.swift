import CGSL

/// The estimates of ``CallawaySantAnna``: every ATT(g,t), the four aggregations of R `did`'s
/// `aggte`, and the influence functions behind their standard errors (for the multiplier
/// bootstrap, clustering and the placebo engine).
///
/// Periods and cohorts are period indices of the panel (`periodLabels[index]` names them).
/// Influence functions are keyed by unit, never by row: column `j` of every influence matrix
/// belongs to panel unit ``units``[j]; R `did`'s normalisation is kept, so a standard error
/// is `√(Σ_clusters (Σ_{j∈c} ψ_j)²) / n` with `n` = ``unitCount``.
public struct CallawaySantAnnaResult: Sendable {
    /// One group-time average treatment effect ATT(g,t).
    public struct GroupTimeEffect: Sendable, Equatable {
        /// Cohort: period index of first treatment.
        public let group: Int
        /// Period index of the comparison.
        public let time: Int
        /// Base period index the change is measured from.
        public let basePeriod: Int
        /// Event time `t − g` (in the time column's units when periods are whole numbers).
        public let eventTime: Int
        /// Post-treatment cell (`t ≥ g`).
        public let isPost: Bool
        /// Reference cell of a universal base period (estimate 0, standard error NaN).
        public let isReference: Bool
        /// ATT(g,t).
        public let estimate: Double
        /// Analytic standard error (NaN for reference cells and cells that are not estimable).
        public let standardError: Double
        /// Why the cell could not be estimated (R `did` reports NA), nil when it was; such a cell
        /// has NaN estimate and standard error, a zero influence function, and is left out of
        /// every aggregation.
        public let failure: String?

        /// Whether the cell was estimated.
        public var isEstimable: Bool { failure == nil }
    }

    /// An estimate with a normal-approximation standard error (R `did` uses the normal): an
    /// ``EffectEstimate`` with infinite degrees of freedom.
    public typealias Effect = EffectEstimate

    /// The aggregations of R `did`'s `aggte(type = …)`.
    public enum AggregationKind: String, Sendable, CaseIterable {
        /// Post-treatment cells weighted by cohort size.
        case simple
        /// Event study: one effect per event time `e = t − g`.
        case dynamic
        /// One effect per cohort.
        case group
        /// One effect per calendar period.
        case calendar
    }

    /// One aggregation: its overall effect, its parts, and their influence functions.
    public struct Aggregation: Sendable {
        /// Which aggregation.
        public let kind: AggregationKind
        /// The overall effect (for simple, the only one).
        public let overall: Effect
        /// Keys of the parts: event times (dynamic), cohort period indices (group), period
        /// indices (calendar); empty for simple.
        public let keys: [Int]
        /// One effect per key.
        public let effects: [Effect]
        /// Influence functions of the parts, `keys.count × unitCount`, row-major.
        public let influence: [Double]
        /// Influence function of the overall effect (`unitCount`).
        public let overallInfluence: [Double]
    }

    /// The options used.
    public let options: CallawaySantAnnaOptions
    /// Outcome column.
    public let outcomeName: String
    /// Observations used (`unitCount × periodCount` on a balanced sample; the observed unit-periods
    /// of an unbalanced panel estimated as repeated cross sections).
    public let observationCount: Int
    /// Units used (`n`).
    public let unitCount: Int
    /// Periods used.
    public let periodCount: Int
    /// Clusters of the standard errors (= ``unitCount`` when clustered by unit).
    public let clusterCount: Int
    /// Name of the clustering (the unit column by default).
    public let clusterName: String
    /// Covariates conditioned on.
    public let covariateNames: [String]
    /// Period labels (indexed by period index).
    public let periodLabels: [String]
    /// Numeric period values, when the time column is numeric.
    public let periodValues: [Double]?
    /// Panel unit index of each influence-function column.
    public let units: [Int]
    /// Cluster index (`0..<clusterCount`) of each influence-function column.
    public let clusterOfUnit: [Int32]
    /// Every ATT(g,t), cohort-major then time (R `did`'s order).
    public let groupTime: [GroupTimeEffect]
    /// Influence functions of ``groupTime``, `groupTime.count × unitCount`, row-major.
    public let groupTimeInfluence: [Double]
    /// `aggte(type = "simple")`: the overall ATT.
    public let simple: Aggregation
    /// `aggte(type = "dynamic")`.
    public let dynamic: Aggregation
    /// `aggte(type = "group")`.
    public let group: Aggregation
    /// `aggte(type = "calendar")`.
    public let calendar: Aggregation
    /// R `did`'s pre-test of parallel trends (every ATT(g,t) with `t < g` is 0), nil when it is not
    /// reported (no pre-treatment cell, or a singular covariance; the notes say which).
    public let preTest: CallawaySantAnnaPreTest?
    /// What was dropped or assumed, in words.
    public var notes: [String]

    /// The aggregation of `kind`.
    public func aggregation(_ kind: AggregationKind) -> Aggregation {
        switch kind {
        case .simple: return simple
        case .dynamic: return dynamic
        case .group: return group
        case .calendar: return calendar
        }
    }

    /// The label of period index `index` (indices outside the panel are printed as numbers).
    public func periodLabel(_ index: Int) -> String {
        index >= 0 && index < periodLabels.count ? periodLabels[index] : String(index)
    }

    /// The numeric value of period index `index`, when the time column is numeric.
    public func periodValue(_ index: Int) -> Double? {
        guard let values = periodValues, index >= 0, index < values.count else { return nil }
        return values[index]
    }

    /// The effect named by a Monte Carlo target: `"att"` (simple), `"e+2"`/`"e-1"` (dynamic),
    /// `"dynamic"`/`"group"`/`"calendar"` (their overall effects), `"g=2013"` (a cohort, by
    /// period label), `"t=2015"` (a calendar period); nil when the target is not estimated.
    public func effect(named target: String) -> Effect? {
        switch target {
        case "att", "simple": return simple.overall
        case "dynamic": return dynamic.overall
        case "group": return group.overall
        case "calendar": return calendar.overall
        default: break
        }
        if target.hasPrefix("e"), let e = Int(target.dropFirst()),
           let k = dynamic.keys.firstIndex(of: e) {
            return dynamic.effects[k]
        }
        if target.hasPrefix("g="), let k = group.keys.firstIndex(where: { periodLabel($0) == String(target.dropFirst(2)) }) {
            return group.effects[k]
        }
        if target.hasPrefix("t="), let k = calendar.keys.firstIndex(where: { periodLabel($0) == String(target.dropFirst(2)) }) {
            return calendar.effects[k]
        }
        return nil
    }
}
