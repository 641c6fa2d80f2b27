/// The Goodman-Bacon (2021, Theorem 1) decomposition of the static TWFE coefficient into
/// 2×2 difference-in-differences comparisons, for a balanced panel without covariates.
///
/// Notation (the paper's §2): `n_k` is timing group `k`'s share of units, `D̄_k = (T − g_k)/T`
/// its share of periods treated, `n_{kl} = n_k/(n_k + n_l)`, and `U` the units whose treatment
/// never varies in the sample (never treated, adopting after the last period, or treated in
/// every period — the unit effects absorb a constant `D`, so they are controls; diff-diff's
/// "U bucket", the paper's footnote 11). The comparisons and their weights (numerators of
/// eqs. 10e–g; divided by `V̂^D = Σ_it D̃_it² / NT`, the variance of the two-way demeaned
/// treatment) are
/// - treated vs never (`k` vs `U`, whole panel, pre `t < g_k`):
///   `s_kU ∝ (n_k + n_U)² n_kU(1 − n_kU) D̄_k(1 − D̄_k)`;
/// - earlier vs later (`k` treated, `l` not yet, window `t < g_l`, pre `t < g_k`):
///   `s^k_kl ∝ ((n_k + n_l)(1 − D̄_l))² n_kl(1 − n_kl) (D̄_k − D̄_l)/(1 − D̄_l) · (1 − D̄_k)/(1 − D̄_l)`;
/// - later vs earlier (`l` treated, `k` already treated as control, window `t ≥ g_k`, pre `t < g_l`):
///   `s^l_kl ∝ ((n_k + n_l) D̄_k)² n_kl(1 − n_kl) (D̄_l/D̄_k) (D̄_k − D̄_l)/D̄_k`.
/// Each 2×2 estimate is `(ȳ_treated,post − ȳ_treated,pre) − (ȳ_control,post − ȳ_control,pre)`
/// over group-period means. Then `Σ s = 1` and `Σ s β̂ = β̂_TWFE` exactly (tested to 1e-12).
/// Conventions follow R `bacondecomp` / diff-diff's `bacon_decompose(weights = "exact")`.
public struct BaconDecomposition: Sendable {
    /// Creates the decomposition.
    public init() {}

    /// Decomposes the TWFE coefficient of `panel`.
    /// - Throws: ``HeterogeneityRobustError/unbalancedPanel(method:observations:units:periods:)``,
    ///   ``HeterogeneityRobustError/covariatesNotSupported(method:covariates:)``, or
    ///   ``HeterogeneityRobustError/noTreatmentVariation(method:)`` when no 2×2 comparison exists.
    public func decompose(_ panel: Panel) throws -> BaconResult {
        let method = "bacon"
        guard panel.isBalanced else {
            throw HeterogeneityRobustError.unbalancedPanel(method: method, observations: panel.observationCount,
                                                        units: panel.unitCount, periods: panel.periodCount)
        }
        guard panel.covariates.isEmpty else {
            throw HeterogeneityRobustError.covariatesNotSupported(method: method, covariates: panel.covariateNames)
        }
        let units = panel.unitCount, periods = panel.periodCount
        // Timing groups: adoption strictly inside the sample; everything else is U (key −1).
        let timing = Array(Set(panel.adoptionPeriod.filter { $0 > 0 && Int($0) < periods })).sorted()
        let groupOf = panel.adoptionPeriod.map { g -> Int in timing.firstIndex(of: g) ?? -1 }
        let groups = timing.count
        var size = [Double](repeating: 0, count: groups + 1)        // last slot: U
        var means = [Double](repeating: 0, count: (groups + 1) * periods)
        for unit in 0..<units {
            let slot = groupOf[unit] >= 0 ? groupOf[unit] : groups
            size[slot] += 1
            let start = panel.unitStart[unit]
            for t in 0..<periods { means[slot * periods + t] += panel.outcome[start + t] }
        }
        for slot in 0...groups where size[slot] > 0 {
            for t in 0..<periods { means[slot * periods + t] /= size[slot] }
        }
        func average(_ slot: Int, _ range: Range<Int>) -> Double {
            var sum = 0.0
            for t in range { sum += means[slot * periods + t] }
            return sum / Double(range.count)
        }
        let share = size.map { $0 / Double(units) }
        let treatedShare = timing.map { Double(periods - Int($0)) / Double(periods) }
        var comparisons: [BaconResult.Comparison] = []
        let uSlot = groups
        for k in 0..<groups {
            let g = Int(timing[k])
            if size[uSlot] > 0 {
                let nkU = share[k] / (share[k] + share[uSlot])
                let weight = (share[k] + share[uSlot]) * (share[k] + share[uSlot]) * nkU * (1 - nkU)
                    * treatedShare[k] * (1 - treatedShare[k])
                let estimate = (average(k, g..<periods) - average(k, 0..<g)) - (average(uSlot, g..<periods) - average(uSlot, 0..<g))
                comparisons.append(.init(type: .treatedVsNever, treatedCohort: timing[k], controlCohort: nil,
                                         treatedLabel: panel.adoptionLabel(timing[k]), controlLabel: "never",
                                         firstPeriod: 0, lastPeriod: periods - 1, estimate: estimate, weight: weight))
            }
            for l in (k + 1)..<groups {
                let h = Int(timing[l])
                let nkl = share[k] / (share[k] + share[l])
                let dk = treatedShare[k], dl = treatedShare[l]
                let pair = (share[k] + share[l])
                let early = (pair * (1 - dl)) * (pair * (1 - dl)) * nkl * (1 - nkl) * (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl)
                let earlyEstimate = (average(k, g..<h) - average(k, 0..<g)) - (average(l, g..<h) - average(l, 0..<g))
                comparisons.append(.init(type: .earlierVsLater, treatedCohort: timing[k], controlCohort: timing[l],
                                         treatedLabel: panel.adoptionLabel(timing[k]), controlLabel: panel.adoptionLabel(timing[l]),
                                         firstPeriod: 0, lastPeriod: h - 1, estimate: earlyEstimate, weight: early))
                let late = (pair * dk) * (pair * dk) * nkl * (1 - nkl) * (dl / dk) * (dk - dl) / dk
                let lateEstimate = (average(l, h..<periods) - average(l, g..<h)) - (average(k, h..<periods) - average(k, g..<h))
                comparisons.append(.init(type: .laterVsEarlier, treatedCohort: timing[l], controlCohort: timing[k],
                                         treatedLabel: panel.adoptionLabel(timing[l]), controlLabel: panel.adoptionLabel(timing[k]),
                                         firstPeriod: g, lastPeriod: periods - 1, estimate: lateEstimate, weight: late))
            }
        }
        guard !comparisons.isEmpty else { throw HeterogeneityRobustError.noTreatmentVariation(method: method) }
        // V̂^D: variance of the two-way demeaned treatment (closed form on a balanced panel).
        let demeaned = TwoWayWithin(panel: panel).transform(panel.treatmentColumn)
        let varianceD = dot(demeaned, demeaned) / Double(panel.observationCount)
        guard varianceD > 0 else { throw HeterogeneityRobustError.noTreatmentVariation(method: method) }
        for index in comparisons.indices { comparisons[index].weight /= varianceD }
        let twfe = try TwoWayFixedEffects().estimate(panel)
        var notes = panel.notes
        let never = panel.adoptionPeriod.lazy.filter { $0 == Panel.neverTreated || Int($0) >= periods }.count
        let always = panel.adoptionPeriod.lazy.filter { $0 != Panel.neverTreated && $0 <= 0 }.count
        if always > 0 {
            notes.append("\(always) units treated in every period act as never-treated controls (their D is constant)")
        }
        notes.append("Goodman-Bacon (2021) Theorem 1: weights = eqs. 10e–g / V̂^D; TWFE without covariates")
        return BaconResult(comparisons: comparisons, twfeCoefficient: twfe.coefficients.first ?? .nan,
                           treatmentVariance: varianceD, timingGroups: timing.map { panel.adoptionLabel($0) },
                           neverTreatedUnits: never, alwaysTreatedUnits: always, observationCount: panel.observationCount,
                           unitCount: units, periodCount: periods, outcome: panel.outcomeName, notes: notes)
    }
}

/// What ``BaconDecomposition/decompose(_:)`` returns.
public struct BaconResult: Sendable {
    /// The three kinds of 2×2 comparison.
    public enum ComparisonType: String, Sendable, CaseIterable {
        /// A timing group against the never-treated (and always-treated) units.
        case treatedVsNever = "treated_vs_never"
        /// An earlier group against a later group before the later one adopts.
        case earlierVsLater = "earlier_vs_later"
        /// A later group against an earlier, already treated group (the "forbidden" comparison).
        case laterVsEarlier = "later_vs_earlier"
    }

    /// One 2×2 comparison.
    public struct Comparison: Sendable, Equatable {
        /// Kind of comparison.
        public let type: ComparisonType
        /// Adoption index of the treated group, and of the control group (nil = never treated).
        public let treatedCohort: Int32, controlCohort: Int32?
        /// Labels (adoption periods as in the data; "never" for U).
        public let treatedLabel: String, controlLabel: String
        /// Period-index window of the comparison, inclusive.
        public let firstPeriod: Int, lastPeriod: Int
        /// The 2×2 DiD estimate.
        public let estimate: Double
        /// Its weight in the TWFE coefficient.
        public internal(set) var weight: Double
    }

    /// Comparisons: for each timing group, treated vs never, then its pairs with later groups.
    public let comparisons: [Comparison]
    /// `β̂_TWFE` of `y ~ treat | unit + time` from the regression core.
    public let twfeCoefficient: Double
    /// `V̂^D`, the variance of the two-way demeaned treatment.
    public let treatmentVariance: Double
    /// Labels of the timing groups.
    public let timingGroups: [String]
    /// Units never treated in the sample, and units treated in every period (both are `U`).
    public let neverTreatedUnits: Int, alwaysTreatedUnits: Int
    /// Panel size.
    public let observationCount: Int, unitCount: Int, periodCount: Int
    /// Outcome name.
    public let outcome: String
    /// Notes.
    public let notes: [String]

    /// `Σ s` (1 up to rounding).
    public var weightSum: Double { comparisons.reduce(0) { $0 + $1.weight } }
    /// `Σ s β̂` (equals ``twfeCoefficient`` up to rounding).
    public var weightedSum: Double { comparisons.reduce(0) { $0 + $1.weight * $1.estimate } }
    /// Total weight of each comparison type.
    public func weight(of type: ComparisonType) -> Double {
        comparisons.filter { $0.type == type }.reduce(0) { $0 + $1.weight }
    }
    /// Weighted average estimate of each comparison type (nil when the type has no weight).
    public func average(of type: ComparisonType) -> Double? {
        let total = weight(of: type)
        guard total != 0 else { return nil }
        return comparisons.filter { $0.type == type }.reduce(0) { $0 + $1.weight * $1.estimate } / total
    }
}
