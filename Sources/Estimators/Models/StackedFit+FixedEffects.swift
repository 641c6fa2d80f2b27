extension StackedFit {
    /// Cengiz et al. (2019): the Q-weighted regression of `y` on the event-time interactions with
    /// sub-experiment × unit and sub-experiment × period fixed effects.
    ///
    /// **Weighted two-way within transformation, per sub-experiment** (the effects of different
    /// sub-experiments share no rows, so each is removed on its own, exactly). For a column `x`
    /// and weights `w` within one sub-experiment with units `i` and window periods `t`:
    /// partial out the units (`x̄_i = Σ_t w_it x_it / W_i`), then the periods solve
    /// `A λ = b`, `A_ts = 1{t = s} Σ_i w_it − Σ_i w_it w_is / W_i`, `b_t = Σ_i w_it (x_it − x̄_i)`
    /// (``DroppingCholesky``: the one redundant period and periods without rows are dropped, which
    /// gives *a* solution of the consistent system); then `α_i = Σ_t w_it (x_it − λ_t) / W_i` and
    /// `x̃ = x − α_i − λ_t` is the weighted residual of the projection on both sets of dummies,
    /// balanced or not. The core's within transformation is unweighted, hence this one.
    ///
    /// The slopes solve `(X̃'WX̃) δ = X̃'Wỹ` (``DroppingCholesky``, fixest's collinearity rule:
    /// a term without treated rows, or collinear with earlier ones, is dropped). `K` counts the
    /// kept slopes and every sub-experiment × period level unless those levels nest in the
    /// clustering (fixest's `fixef.K = "nested"`; the sub-experiment × unit effects nest in a
    /// clustering of whole units, which the caller checks).
    static func fixedEffects(_ stack: StackedSample, panel: Panel, clustering: Clustering) throws -> StackedFit {
        let candidates = eventTerms(stack)
        let slopeCount = candidates.count, columns = slopeCount + 1   // column 0: the outcome
        let length = stack.windowLength
        let slopeOfOffset: [Int] = (0..<length).map { offset in candidates.firstIndex { $0.offset == offset } ?? -1 }
        // Demeaned columns, row-major stacked rows × columns.
        var demeaned = [Double](repeating: 0, count: stack.count * columns)
        for row in 0..<stack.count {
            demeaned[row * columns] = panel.outcome[Int(stack.source[row])]
            let slope = slopeOfOffset[Int(stack.offset[row])]
            if stack.treated[row] && slope >= 0 { demeaned[row * columns + 1 + slope] = 1 }
        }
        var unitLevels = 0, periodLevels = 0
        for sub in 0..<stack.cohorts.count {
            let start = stack.subExperimentStart[sub], end = stack.subExperimentStart[sub + 1]
            guard start < end else { continue }
            // Unit runs.
            var runs: [Range<Int>] = []
            var runStart = start
            for row in (start + 1)...end where row == end
                || panel.unitIndex[Int(stack.source[row])] != panel.unitIndex[Int(stack.source[row - 1])] {
                runs.append(runStart..<row)
                runStart = row
            }
            unitLevels += runs.count
            var periodWeight = [Double](repeating: 0, count: length)
            for row in start..<end { periodWeight[Int(stack.offset[row])] += stack.weight[row] }
            periodLevels += periodWeight.filter { $0 > 0 }.count
            // A and b after partialling out the units.
            var a = [Double](repeating: 0, count: length * length)
            var b = [Double](repeating: 0, count: length * columns)
            for t in 0..<length { a[t * length + t] = periodWeight[t] }
            for run in runs {
                let unitWeight = run.map { stack.weight[$0] }.reduce(0, +)
                var unitMean = [Double](repeating: 0, count: columns)
                for row in run { for c in 0..<columns { unitMean[c] += stack.weight[row] * demeaned[row * columns + c] } }
                for c in 0..<columns { unitMean[c] /= unitWeight }
                for row in run {
                    let t = Int(stack.offset[row]), w = stack.weight[row]
                    for other in run { a[t * length + Int(stack.offset[other])] -= w * stack.weight[other] / unitWeight }
                    for c in 0..<columns { b[t * columns + c] += w * (demeaned[row * columns + c] - unitMean[c]) }
                }
            }
            let system = DroppingCholesky(matrix: a, dimension: length)
            var periodEffect = [Double](repeating: 0, count: length * columns)
            for c in 0..<columns {
                let solution = system.solve((0..<length).map { b[$0 * columns + c] })
                for t in 0..<length { periodEffect[t * columns + c] = solution[t] }
            }
            for run in runs {
                let unitWeight = run.map { stack.weight[$0] }.reduce(0, +)
                var unitEffect = [Double](repeating: 0, count: columns)
                for row in run {
                    let t = Int(stack.offset[row])
                    for c in 0..<columns {
                        unitEffect[c] += stack.weight[row] * (demeaned[row * columns + c] - periodEffect[t * columns + c])
                    }
                }
                for row in run {
                    let t = Int(stack.offset[row])
                    for c in 0..<columns {
                        demeaned[row * columns + c] -= unitEffect[c] / unitWeight + periodEffect[t * columns + c]
                    }
                }
            }
        }
        // Weighted normal equations of the slopes.
        var gram = [Double](repeating: 0, count: slopeCount * slopeCount), rhs = [Double](repeating: 0, count: slopeCount)
        var withinTotal = 0.0
        for row in 0..<stack.count {
            let w = stack.weight[row], base = row * columns
            withinTotal += w * demeaned[base] * demeaned[base]
            for j in 0..<slopeCount {
                let xj = demeaned[base + 1 + j]
                guard xj != 0 else { continue }
                rhs[j] += w * xj * demeaned[base]
                for k in 0..<slopeCount { gram[j * slopeCount + k] += w * xj * demeaned[base + 1 + k] }
            }
        }
        let solver = DroppingCholesky(matrix: gram, dimension: slopeCount)
        let kept = (0..<slopeCount).filter { solver.kept[$0] }
        let beta = solver.solve(rhs)
        // Residuals, scores per cluster, and B s_g.
        let (clusterOf, clusterCount) = clusterIndex(stack, clustering: clustering)
        var meat = [Double](repeating: 0, count: clusterCount * slopeCount)
        var residualSumOfSquares = 0.0
        for row in 0..<stack.count {
            let base = row * columns
            var residual = demeaned[base]
            for j in kept { residual -= beta[j] * demeaned[base + 1 + j] }
            let w = stack.weight[row]
            residualSumOfSquares += w * residual * residual
            let g = Int(clusterOf[row])
            for j in kept { meat[g * slopeCount + j] += w * demeaned[base + 1 + j] * residual }
        }
        let width = kept.count + 1
        var scores = [Double](repeating: 0, count: clusterCount * width)
        for g in 0..<clusterCount {
            let influence = solver.solve(Array(meat[(g * slopeCount)..<((g + 1) * slopeCount)]))
            for (position, j) in kept.enumerated() { scores[g * width + position] = influence[j] }
        }
        var terms = kept.map { candidates[$0].term }
        var coefficients = kept.map { beta[$0] }
        appendOverall(stack: stack, kept: kept.map { candidates[$0].offset }, terms: &terms, coefficients: &coefficients,
                      scores: &scores, clusterCount: clusterCount)
        let periodsNested = sameCluster(stack, clustering: clustering) { Int($0.subExperiment) * length + Int($0.offset) }
        return StackedFit(terms: terms, coefficients: coefficients, scores: scores, clusterCount: clusterCount,
                          observationCount: stack.count, parameterCount: kept.count + (periodsNested ? 0 : periodLevels),
                          droppedTerms: (0..<slopeCount).filter { !solver.kept[$0] }.map { candidates[$0].term.name },
                          residualSumOfSquares: residualSumOfSquares, withinTotalSumOfSquares: withinTotal,
                          fixedEffects: [("sub-experiment x unit", unitLevels), ("sub-experiment x period", periodLevels)])
    }

    /// Whether every level of `level(row)` lies in one cluster.
    private static func sameCluster(_ stack: StackedSample, clustering: Clustering,
                                    level: ((subExperiment: Int32, offset: Int32)) -> Int) -> Bool {
        var clusterOfLevel: [Int: Int32] = [:]
        for row in 0..<stack.count {
            let key = level((stack.subExperiment[row], stack.offset[row]))
            let cluster = clustering.index[Int(stack.source[row])]
            if let seen = clusterOfLevel[key], seen != cluster { return false }
            clusterOfLevel[key] = cluster
        }
        return true
    }
}
