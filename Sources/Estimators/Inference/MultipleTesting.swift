/// Multiple-testing adjustments of a family of p-values: Holm's step-down and Romano & Wolf's
/// resampling step-down (min-P form).
public enum MultipleTesting {
    /// Holm (1979) step-down adjusted p-values, in the input order.
    ///
    /// With the `D` p-values sorted ascending, `p₍₁₎ ≤ … ≤ p₍D₎`:
    /// `p̃₍j₎ = min(1, max_{i ≤ j} (D − i + 1)·p₍i₎)` (R `p.adjust(method = "holm")`). Ties keep the
    /// input order. A NaN p-value stays NaN and still counts in `D` (the family is not shrunk).
    public static func holm(_ pValues: [Double]) -> [Double] {
        let d = pValues.count
        let order = pValues.indices.filter { pValues[$0].isFinite }.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: .nan, count: d)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, Double(d - rank) * pValues[index])
            adjusted[index] = min(1, running)
        }
        return adjusted
    }

    /// Romano & Wolf (2005, Econometrica 73:1237, Algorithm 4.1; 2016, Stat. Probab. Lett. 113:38)
    /// step-down adjusted p-values in the **min-P** form (Westfall & Young 1993, Algorithm 2.8),
    /// from resampled statistics drawn **jointly** across the hypotheses (draw `b` of every
    /// hypothesis comes from the same resample), large values evidence against the null.
    ///
    /// **Why min-P.** The max-T form takes the draw-wise maximum of the raw statistics, which is
    /// balanced only when the statistics share one null distribution; Wald F with different
    /// numerator degrees of freedom (subgroup dimensions with different numbers of groups) do
    /// not, and the dimension with the heaviest tail dominates the maximum (its adjusted p-value
    /// can exceed Holm's). Min-P first maps every statistic to its own permutation p-value, so each
    /// hypothesis enters on the same uniform scale (Romano & Wolf 2016, §3, "basic" vs
    /// "studentized" and p-value forms).
    ///
    /// **Per-draw p-values.** With `B` the draws valid for every hypothesis and `T_d⁰ = T_d` the
    /// observed statistic, the reference set of hypothesis `d` is `{T_d⁰, T_d¹, …, T_d^B}`. Each
    /// member `b ∈ {0…B}` gets `c_d^b = #{b′ ∈ {0…B} : T_d^{b′} ≥ T_d^b − τ_b}`, `τ_b = 1e-7·|T_d^b|`
    /// (the relative tie tolerance of ``RandomizationPValue``), and `p_d^b = c_d^b/(1 + B)`. For the
    /// observed member this is the add-one rule `(1 + #{b ≥ 1 : T_d^b ≥ T_d − τ})/(1 + B)`; each
    /// draw is ranked by the same rule, as if it were the observed one (under the null every member
    /// is exchangeable with the observed statistic).
    ///
    /// **Step-down.** With the observed p-values ordered `p₍₁₎ ≤ … ≤ p₍D₎` (ties keep the input
    /// order) and `S_j` the hypotheses of ranks `j…D`, step `j` counts the draws whose smallest
    /// p-value over `S_j` is at least as small as `p₍j₎`:
    /// `q_j = (1 + #{b ≥ 1 : min_{d ∈ S_j} p_d^b ≤ p₍j₎})/(1 + B)` (counts of integers, so no
    /// rounding enters the comparison); the adjusted p-value is `p̃₍j₎ = max(p̃₍j−1₎, q_j)`, the
    /// running maximum that keeps the step-down monotone. With one hypothesis this is its own
    /// permutation p-value over the `B` draws, and identical hypotheses get their marginal
    /// p-value. At most `c₍j₎ − 1` draws of hypothesis `(j)` and `c₍j₎` of any other have a count
    /// `≤ c₍j₎`, so `q_j ≤ |S_j|·p₍j₎`: never above Holm's adjustment of the same p-values (the
    /// Bonferroni bound of each step), up to the tie tolerance. `B` counts the draws in which
    /// every hypothesis' statistic is finite (a draw is a joint object: one failing hypothesis
    /// drops it for all).
    ///
    /// - Parameters:
    ///   - observed: `T_d`, one per hypothesis.
    ///   - draws: `draws[d][b]`, the same number of draws for every hypothesis.
    /// - Returns: adjusted p-values in the input order; all NaN when an observed statistic is not
    ///   finite, no draw is valid, or the draw counts differ.
    public static func romanoWolf(observed: [Double], draws: [[Double]]) -> (adjusted: [Double], validDraws: Int) {
        let d = observed.count
        let nan = [Double](repeating: .nan, count: d)
        guard d > 0, draws.count == d, observed.allSatisfy(\.isFinite),
              let b = draws.first?.count, draws.allSatisfy({ $0.count == b }) else { return (nan, 0) }
        let valid = (0..<b).filter { k in draws.allSatisfy { $0[k].isFinite } }
        guard !valid.isEmpty else { return (nan, 0) }
        // counts[h][0] is the observed statistic's count c_h⁰, counts[h][1…B] the valid draws'.
        let counts = (0..<d).map { h in
            permutationCounts(of: [observed[h]] + valid.map { draws[h][$0] })
        }
        let order = (0..<d).sorted { (counts[$0][0], $0) < (counts[$1][0], $1) }
        let memberCount = valid.count + 1
        // Draw-wise minimum over S_j, built from the last rank up (S_D ⊂ … ⊂ S_1).
        var minimum = [Int](repeating: Int.max, count: memberCount)
        var stepCounts = [Int](repeating: 0, count: d)
        for step in stride(from: d - 1, through: 0, by: -1) {
            let index = order[step]
            for k in 1..<memberCount { minimum[k] = min(minimum[k], counts[index][k]) }
            let threshold = counts[index][0]
            stepCounts[step] = 1 + (1..<memberCount).reduce(0) { $0 + (minimum[$1] <= threshold ? 1 : 0) }
        }
        var adjusted = nan
        var running = 0.0
        for (step, index) in order.enumerated() {
            running = max(running, Double(stepCounts[step]) / Double(memberCount))
            adjusted[index] = running
        }
        return (adjusted, valid.count)
    }

    /// `c^b = #{b′ : T^{b′} ≥ T^b − 1e-7·|T^b|}` for every member `b` of a finite reference set
    /// (itself included), by sorting once and a binary search per member: `O(B log B)`.
    static func permutationCounts(of values: [Double]) -> [Int] {
        let sorted = values.sorted()
        return values.map { value in
            let threshold = value - RandomizationPValue.relativeTolerance * abs(value)
            // First position whose value is ≥ threshold.
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] >= threshold { high = middle } else { low = middle + 1 }
            }
            return sorted.count - low
        }
    }
}
