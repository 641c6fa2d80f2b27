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

    /// The general path: `v` through ``TwoWayNormalEquations`` and the demeaned covariates.
    init(core: ImputationCore, panel: Panel, weights: [[Double]], clusterOf: (index: [Int32], count: Int),
         averaging: ImputationEstimator.EffectAveraging) {
        let q = weights.count
        let n0 = core.untreatedRows.count
        let kept = core.fit.keptTerms.count
        let treated = ImputationTreatedScores(panel: panel, treatedRows: core.treatedRows, effects: core.effects,
                                              clusterOf: clusterOf, averaging: averaging)
        let cluster0 = core.untreatedRows.map { Int(clusterOf.index[$0]) }
        clusterCount = treated.usedClusterCount(untreatedRows: core.untreatedRows, clusterOf: clusterOf)

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
            treated.addScores(weights: w, into: &scores, stride: q, estimand: estimand)
            for k in 0..<n0 { scores[cluster0[k] * q + estimand] += v[k] * residual0[k] }
            allWeights.append(v)
        }
        self.matrix = Self.outerProducts(scores, clusterCount: clusterOf.count, estimands: q)
        self.imputationWeights = allWeights
    }

    /// The no-covariate fast path: `v` from ``ImputationPrefixFit``, the same scores;
    /// ``imputationWeights`` is empty unless `keepWeights`. `unitCluster`, when every unit's rows
    /// lie in one cluster, lets the `Ω₀` scores be summed per unit.
    init(prefix: ImputationPrefixFit, panel: Panel, weights: [[Double]], clusterOf: (index: [Int32], count: Int),
         unitCluster: [Int32]?, averaging: ImputationEstimator.EffectAveraging, keepWeights: Bool) {
        let q = weights.count
        let treated = ImputationTreatedScores(panel: panel, treatedRows: prefix.treatedRows, effects: prefix.effects,
                                              clusterOf: clusterOf, averaging: averaging)
        var scores = [Double](repeating: 0, count: clusterOf.count * q)
        var used = [Bool](repeating: false, count: clusterOf.count)
        for c in treated.cluster { used[c] = true }
        var allWeights: [[Double]] = []
        allWeights.reserveCapacity(keepWeights ? q : 0)
        for (estimand, w) in weights.enumerated() {
            treated.addScores(weights: w, into: &scores, stride: q, estimand: estimand)
            let v = prefix.imputationWeights(w, panel: panel, clusterIndex: clusterOf.index, unitCluster: unitCluster,
                                             scores: &scores, used: &used, stride: q, estimand: estimand,
                                             keep: keepWeights)
            if keepWeights { allWeights.append(v) }
        }
        clusterCount = used.lazy.filter { $0 }.count
        self.matrix = Self.outerProducts(scores, clusterCount: clusterOf.count, estimands: q)
        self.imputationWeights = allWeights
    }

    /// `V̂ = Σ_c S_c S_c'` from row-major scores (`clusterCount × q`), lower triangle summed in
    /// cluster order, then mirrored.
    static func outerProducts(_ scores: [Double], clusterCount: Int, estimands q: Int) -> [Double] {
        var matrix = [Double](repeating: 0, count: q * q)
        for c in 0..<clusterCount {
            let base = c * q
            for a in 0..<q { for b in 0...a { matrix[a * q + b] += scores[base + a] * scores[base + b] } }
        }
        for a in 0..<q { for b in 0..<a { matrix[b * q + a] = matrix[a * q + b] } }
        return matrix
    }
}

/// The `Ω₁` part of the cluster scores: `w_it (τ̂_it − τ̃_G)` with `τ̃_G` the cluster-block
/// weighted mean of `τ̂` in the averaging group `G` of `it` (see ``ImputationVariance``).
///
/// The treated rows are visited in (group, cluster, row) order, so that each group's `(G, c)`
/// blocks are runs; the order comes from stable counting sorts by cluster, then by group
/// (`O(n₁ + clusters + groups)`), or a comparison sort when the group keys are too sparse.
struct ImputationTreatedScores {
    /// Positions into the treated rows, sorted by (group, cluster, position).
    let order: [Int]
    /// Averaging group of each position: `cohort · (T + 1) + period`, or 0 for `.treated`.
    let group: [Int]
    /// Cluster of each position.
    let cluster: [Int]
    /// `τ̂` of each position.
    let effects: [Double]

    init(panel: Panel, treatedRows: [Int], effects: [Double], clusterOf: (index: [Int32], count: Int),
         averaging: ImputationEstimator.EffectAveraging) {
        let n1 = treatedRows.count
        let stride = panel.periodCount + 1
        let group: [Int] = averaging == .treated ? [Int](repeating: 0, count: n1) : treatedRows.map { row -> Int in
            let cohort = Int(panel.adoptionPeriod[Int(panel.unitIndex[row])])
            return cohort * stride + Int(panel.periodIndex[row])
        }
        let cluster = treatedRows.map { Int(clusterOf.index[$0]) }
        self.group = group
        self.cluster = cluster
        self.effects = effects
        self.order = Self.blockOrder(group: group, cluster: cluster, clusterCount: clusterOf.count)
    }

    /// Positions `0 ..< n` sorted by (group, cluster, position).
    static func blockOrder(group: [Int], cluster: [Int], clusterCount: Int) -> [Int] {
        let n = group.count
        guard n > 0 else { return [] }
        let low = group.min() ?? 0, high = group.max() ?? 0
        guard high - low < max(1 << 16, 4 * n) else {
            return (0..<n).sorted { (a: Int, b: Int) -> Bool in
                if group[a] != group[b] { return group[a] < group[b] }
                if cluster[a] != cluster[b] { return cluster[a] < cluster[b] }
                return a < b
            }
        }
        var order = Array(0..<n)
        var clustersSorted = true
        for p in 1..<n where cluster[p] < cluster[p - 1] { clustersSorted = false; break }
        if !clustersSorted { order = stableCountingSort(order, key: { cluster[$0] }, keyCount: clusterCount) }
        if high > low { order = stableCountingSort(order, key: { group[$0] - low }, keyCount: high - low + 1) }
        return order
    }

    /// `positions` stably sorted by `key` (values in `0 ..< keyCount`).
    static func stableCountingSort(_ positions: [Int], key: (Int) -> Int, keyCount: Int) -> [Int] {
        var next = [Int](repeating: 0, count: keyCount + 1)
        for p in positions { next[key(p) + 1] += 1 }
        for k in 0..<keyCount { next[k + 1] += next[k] }
        var sorted = [Int](repeating: 0, count: positions.count)
        for p in positions {
            let k = key(p)
            sorted[next[k]] = p
            next[k] += 1
        }
        return sorted
    }

    /// Clusters with at least one untreated or imputed treated row.
    func usedClusterCount(untreatedRows: [Int], clusterOf: (index: [Int32], count: Int)) -> Int {
        var used = [Bool](repeating: false, count: clusterOf.count)
        for row in untreatedRows { used[Int(clusterOf.index[row])] = true }
        for c in cluster { used[c] = true }
        return used.lazy.filter { $0 }.count
    }

    /// Adds `w_it (τ̂_it − τ̃_G)` to `scores[cluster · stride + estimand]`.
    func addScores(weights w: [Double], into scores: inout [Double], stride q: Int, estimand: Int) {
        let n1 = order.count
        var start = 0
        while start < n1 {
            var end = start
            let g = group[order[start]]
            while end < n1 && group[order[end]] == g { end += 1 }
            var numerator = 0.0, denominator = 0.0
            var blockStart = start
            while blockStart < end {
                var blockEnd = blockStart
                let c = cluster[order[blockStart]]
                var blockSum = 0.0
                while blockEnd < end && cluster[order[blockEnd]] == c { blockSum += w[order[blockEnd]]; blockEnd += 1 }
                for p in blockStart..<blockEnd {
                    let share = w[order[p]] * blockSum
                    numerator += share * effects[order[p]]
                    denominator += share
                }
                blockStart = blockEnd
            }
            let tilde = denominator != 0 ? numerator / denominator : 0
            for p in start..<end {
                let k = order[p]
                scores[cluster[k] * q + estimand] += w[k] * (effects[k] - tilde)
            }
            start = end
        }
    }
}
