/// The BJS (2024, Theorem 3) variance of the imputation estimator, as Stata `did_imputation`
/// computes it, with the imputation weights solved exactly instead of iterated.
///
/// For an estimand with weights `w` on the treated rows `Ω₁`, the estimator equals
/// `Σ_{Ω₁} w Y + Σ_{Ω₀} v Y` with `v₀ = −Z₀(Z₀'Z₀)⁻Z₁'w`, `Z = [unit and period dummies, X]`.
/// By partitioned least squares (Frisch–Waugh–Lovell), with `c_D = D₁'w`, `c_X = X₁'w`:
/// - `u = D₀ a`, `(D₀'D₀) a = c_D` (``TwoWayNormalEquations``);
/// - `g = (X̃₀'X̃₀)⁻¹ (c_X − X₀'u)` with `X̃₀` the two-way demeaned covariates on `Ω₀`;
/// - `v₀ = −u − X̃₀ g`.
///
/// Auxiliary effects (did_imputation `avgeffectsby`, default cohort × period cells `G`):
/// `τ̃_G = Σ_{it∈G} s_it τ̂_it / Σ_{it∈G} s_it`, `s_it = v_it · Σ_{js∈G, cluster(js)=cluster(it)} v_js`.
/// Residuals `ε̃ = τ̂ − τ̃` on `Ω₁` and the step-1 residuals on `Ω₀`; cluster scores
/// `S_c = Σ_{it∈c} v_it ε̃_it`; `V̂ = Σ_c S_c S_c'` across the estimands.
struct ImputationVariance {
    /// Row-major `q × q` variance of the estimands.
    let matrix: [Double]
    /// Imputation weights `v` on the untreated rows, per estimand.
    let imputationWeights: [[Double]]
    /// Clusters with at least one used observation.
    let clusterCount: Int

    init(core: ImputationCore, panel: Panel, weights: [[Double]], clusterOf: (index: [Int32], count: Int),
         averaging: ImputationEstimator.EffectAveraging) {
        let q = weights.count
        let n0 = core.untreatedRows.count, n1 = core.treatedRows.count
        let kept = core.fit.keptTerms.count
        // Treated rows ordered by (averaging group, cluster): runs are the (G, c) blocks.
        let stride = panel.periodCount + 1
        let group: [Int] = core.treatedRows.map { row -> Int in
            if averaging == .treated { return 0 }
            let cohort = Int(panel.adoptionPeriod[Int(panel.unitIndex[row])])
            return cohort * stride + Int(panel.periodIndex[row])
        }
        let cluster0 = core.untreatedRows.map { Int(clusterOf.index[$0]) }
        let cluster1 = core.treatedRows.map { Int(clusterOf.index[$0]) }
        let order = (0..<n1).sorted { (a: Int, b: Int) -> Bool in
            if group[a] != group[b] { return group[a] < group[b] }
            if cluster1[a] != cluster1[b] { return cluster1[a] < cluster1[b] }
            return a < b
        }
        var used = [Bool](repeating: false, count: clusterOf.count)
        for c in cluster0 { used[c] = true }
        for c in cluster1 { used[c] = true }
        clusterCount = used.lazy.filter { $0 }.count

        var scores = [Double](repeating: 0, count: clusterOf.count * q)
        var allWeights: [[Double]] = []
        allWeights.reserveCapacity(q)
        let residual0 = core.fit.residuals
        for (estimand, w) in weights.enumerated() {
            // v on the untreated rows.
            var unitSums = [Double](repeating: 0, count: panel.unitCount)
            var periodSums = [Double](repeating: 0, count: panel.periodCount)
            for (k, row) in core.treatedRows.enumerated() where w[k] != 0 {
                unitSums[Int(panel.unitIndex[row])] += w[k]
                periodSums[Int(panel.periodIndex[row])] += w[k]
            }
            let solution = core.equations.solve(unitSums: unitSums, periodSums: periodSums)
            var v = [Double](repeating: 0, count: n0)
            for (k, row) in core.untreatedRows.enumerated() {
                v[k] = -(solution.unit[Int(panel.unitIndex[row])] + solution.period[Int(panel.periodIndex[row])])
            }
            if kept > 0 {
                // h = c_X − X₀'u = X₁'w + X₀'v (v = −u so far); g = B h; v −= X̃₀ g.
                var h = [Double](repeating: 0, count: kept)
                for j in 0..<kept {
                    h[j] = dot(core.treatedCovariates[j], w) + dot(core.untreatedCovariates[j], v)
                }
                for j in 0..<kept {
                    var g = 0.0
                    for l in 0..<kept { g += core.fit.bread[j * kept + l] * h[l] }
                    core.design.withColumn(core.fit.keptTerms[j]) { column in
                        for k in 0..<n0 { v[k] -= g * column[k] }
                    }
                }
            }
            // τ̃ by (group) with cluster-block weights, then scores.
            var start = 0
            while start < n1 {
                var end = start
                let g = group[order[start]]
                while end < n1 && group[order[end]] == g { end += 1 }
                var numerator = 0.0, denominator = 0.0
                var blockStart = start
                while blockStart < end {
                    var blockEnd = blockStart
                    let c = cluster1[order[blockStart]]
                    var blockSum = 0.0
                    while blockEnd < end && cluster1[order[blockEnd]] == c { blockSum += w[order[blockEnd]]; blockEnd += 1 }
                    for p in blockStart..<blockEnd {
                        let share = w[order[p]] * blockSum
                        numerator += share * core.effects[order[p]]
                        denominator += share
                    }
                    blockStart = blockEnd
                }
                let tilde = denominator != 0 ? numerator / denominator : 0
                for p in start..<end {
                    let k = order[p]
                    scores[cluster1[k] * q + estimand] += w[k] * (core.effects[k] - tilde)
                }
                start = end
            }
            for k in 0..<n0 { scores[cluster0[k] * q + estimand] += v[k] * residual0[k] }
            allWeights.append(v)
        }
        var matrix = [Double](repeating: 0, count: q * q)
        for c in 0..<clusterOf.count {
            let base = c * q
            for a in 0..<q { for b in 0...a { matrix[a * q + b] += scores[base + a] * scores[base + b] } }
        }
        for a in 0..<q { for b in 0..<a { matrix[b * q + a] = matrix[a * q + b] } }
        self.matrix = matrix
        self.imputationWeights = allWeights
    }
}
