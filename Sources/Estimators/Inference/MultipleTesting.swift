/// Multiple-testing adjustments of a family of p-values: Holm's step-down and Romano & Wolf's
/// resampling step-down.
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

    /// Romano & Wolf (2005, Econometrica 73:1237, Algorithm 4.1) step-down adjusted p-values from
    /// resampled statistics drawn **jointly** across the hypotheses (draw `b` of every hypothesis
    /// comes from the same resample), large values evidence against the null.
    ///
    /// With the observed statistics ordered `T₍₁₎ ≥ … ≥ T₍D₎` (ties keep the input order) and
    /// `S_j` the hypotheses of ranks `j…D`, step `j` compares `T₍j₎` with the draw-wise maximum
    /// `M_j^b = max_{d ∈ S_j} T_d^b`: `p_j = (1 + #{b : M_j^b ≥ T₍j₎ − τ})/(1 + B)`, the add-one
    /// rule and the relative tie tolerance `τ = 1e-7·|T₍j₎|` of ``RandomizationPValue``; the
    /// adjusted p-value is `p̃₍j₎ = max(p̃₍j−1₎, p_j)` (monotone). `B` counts the draws in which every
    /// hypothesis' statistic is finite (a draw is a joint object: one failing hypothesis drops it
    /// for all). With one hypothesis this is its own permutation p-value.
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
        let order = observed.indices.sorted { (-observed[$0], $0) < (-observed[$1], $1) }
        var adjusted = nan
        var running = 0.0
        for (step, index) in order.enumerated() {
            let members = order[step...]
            let threshold = observed[index] - RandomizationPValue.relativeTolerance * abs(observed[index])
            var extreme = 0
            for k in valid {
                var maximum = -Double.infinity
                for member in members { maximum = max(maximum, draws[member][k]) }
                if maximum >= threshold { extreme += 1 }
            }
            running = max(running, Double(1 + extreme) / Double(1 + valid.count))
            adjusted[index] = running
        }
        return (adjusted, valid.count)
    }
}
