/// Size-adjusted power: the rejection rate under an alternative condition of the test whose
/// critical value is set so that it rejects at most a share α of the replications of a null
/// condition (Davidson & MacKinnon 1998; Lloyd 2005, "size-corrected power").
///
/// The critical value is taken on the p-value scale, which works for every method (analytic,
/// randomization, bootstrap); for a test whose p-value decreases in its statistic this is the
/// empirical (1 − α) quantile of the statistic under the null. With the null p-values sorted,
/// `p₍₁₎ ≤ … ≤ p₍K₀₎`, and `m = ⌊α·K₀⌋`:
///
/// - the critical p-value `c` is the largest null p-value `t` with `#{p₀ ≤ t} ≤ m`, that is
///   `p₍m₎` unless it ties with `p₍m+1₎`, in which case the largest null p-value below the tie;
/// - the size-adjusted test rejects when `p ≤ c`; its rejection rate under the null
///   (``nullRejectionRate``) is at most α, below α when p-values tie (randomization tests with a
///   discrete p-value, p-values that underflow to 0). Ties are never broken at random: the test is
///   conservative, and the achieved null rate is reported beside the power;
/// - power is `#{p₁ ≤ c}/K₁` over the alternative's replications.
///
/// When no null p-value qualifies (`K₀ < 1/α`, or the `m + 1` smallest null p-values tie) no
/// threshold keeps the null rate at or below α: ``criticalPValue`` and the power are NaN.
///
/// **MCSE.** Binomial on the alternative, `√(q(1 − q)/K₁)`, with a Wilson 95% interval on `K₁`.
/// Both treat the critical value as fixed: its own Monte Carlo noise (about
/// `√(α(1 − α)/K₀)` on the p-value scale, times the slope of the alternative's p-value CDF at `c`)
/// is ignored, so they understate the uncertainty when `K₀` is small.
public struct SizeAdjustedPower: Sendable, Equatable {
    /// Null replications with a finite p-value, `K₀`.
    public var nullReplications: Int
    /// The critical p-value `c` (NaN when no threshold keeps the null rate at or below α).
    public var criticalPValue: Double
    /// `#{p₀ ≤ c}/K₀`: the size-adjusted test's rejection rate under the null (≤ α).
    public var nullRejectionRate: Double
    /// Alternative replications with a finite p-value, `K₁`.
    public var replications: Int
    /// `#{p₁ ≤ c}/K₁`.
    public var power: Double
    /// `√(q(1 − q)/K₁)`, the critical value's noise ignored.
    public var powerMCSE: Double
    /// Wilson 95% interval of the power on `K₁`.
    public var powerWilson: WilsonInterval

    /// Computes the measure from the p-values of the null and the alternative condition; non-finite
    /// p-values (failed replications) are left out of both. Nil when either side has no finite p-value.
    public init?(nullPValues: [Double], alternativePValues: [Double], alpha: Double) {
        let null = nullPValues.filter(\.isFinite).sorted()
        let alternative = alternativePValues.filter(\.isFinite)
        guard !null.isEmpty, !alternative.isEmpty, alpha > 0, alpha < 1 else { return nil }
        nullReplications = null.count
        replications = alternative.count
        // m = ⌊αK₀⌋, guarded against α·K₀ landing a rounding error below an integer.
        let m = Int((alpha * Double(null.count) + 1e-9).rounded(.down))
        var critical = Double.nan
        if m >= 1 {
            // The largest p₍j₎ (j ≤ m) strictly below p₍m+1₎, so that #{p₀ ≤ c} ≤ m.
            let bound = m < null.count ? null[m] : Double.infinity
            if let last = null[..<m].last(where: { $0 < bound }) { critical = last }
        }
        criticalPValue = critical
        guard critical.isFinite else {
            nullRejectionRate = .nan
            power = .nan
            powerMCSE = .nan
            powerWilson = WilsonInterval(low: .nan, high: .nan)
            return
        }
        nullRejectionRate = Double(null.filter { $0 <= critical }.count) / Double(null.count)
        let q = Double(alternative.filter { $0 <= critical }.count) / Double(alternative.count)
        power = q
        powerMCSE = (q * (1 - q) / Double(alternative.count)).squareRoot()
        powerWilson = PerformanceMeasures.wilson(q, count: alternative.count)
    }
}

/// A null condition and an alternative condition whose size-adjusted power a run reports, by
/// condition index.
public struct SizeAdjustedPair: Sendable, Equatable {
    /// The condition whose p-values set the critical value.
    public var null: Int
    /// The condition whose rejection rate is reported.
    public var alternative: Int

    /// Creates a pair.
    public init(null: Int, alternative: Int) {
        self.null = null
        self.alternative = alternative
    }

    /// Whether a condition parameter is an effect: `effect` (a real panel's effects) or a scenario
    /// field under `effects.` (e.g. `effects.att`).
    static func isEffect(_ key: String) -> Bool { key == "effect" || key.hasPrefix("effects.") }

    /// The default pairs: each condition with a non-zero effect parameter, paired with the
    /// condition that differs from it only in its effect parameters, all of them zero there. Two
    /// conditions "differ only in the effect" when their names, with the `key=value` parts of the
    /// effect parameters removed, are equal (the name holds the scenario and every grid value).
    /// Conditions without an effect parameter on the grid get no pair (name them in the spec's
    /// `size_adjusted`).
    public static func defaults(names: [String], parameters: [[(String, Double)]]) -> [SizeAdjustedPair] {
        func base(_ c: Int) -> String {
            let keys = parameters[c].map(\.0).filter(isEffect)
            return names[c].components(separatedBy: ", ")
                .filter { part in !keys.contains { part.hasPrefix($0 + "=") } }
                .joined(separator: ", ")
        }
        let effects = names.indices.map { c in parameters[c].filter { isEffect($0.0) }.map(\.1) }
        let bases = names.indices.map(base)
        var pairs: [SizeAdjustedPair] = []
        for a in names.indices where effects[a].contains(where: { $0 != 0 }) {
            if let n = names.indices.first(where: { n in
                n != a && !effects[n].isEmpty && effects[n].allSatisfy { $0 == 0 } && bases[n] == bases[a]
                    && parameters[n].map(\.0) == parameters[a].map(\.0)
            }) {
                pairs.append(SizeAdjustedPair(null: n, alternative: a))
            }
        }
        return pairs
    }
}
