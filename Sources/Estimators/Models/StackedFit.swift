/// The weighted least-squares fit of a ``StackedSample`` and its clustered variance.
///
/// Both regressions of ``StackedDifferenceInDifferences/Specification`` have the event-time
/// interactions `D_sa·1{e = h}` as slopes; their coefficient vector `δ` and the overall effect
/// `att = mean(δ_0 … δ_κpost)` come with the CR1 sandwich
/// `V = c · B (Σ_g s_g s_g') B`, `s_g = Σ_{r∈g} w_r x̃_r ê_r`, `c = G/(G − 1)·(n − 1)/(n − K)`
/// (`B s_g` is the cluster's influence, stored as ``scores``).
struct StackedFit {
    /// The terms with a coefficient (event times, then `att` when every post-period term is kept).
    var terms: [Estimate.Term]
    /// Their coefficients.
    var coefficients: [Double]
    /// Each cluster's influence on the coefficients, `B s_g` (row-major clusters × terms).
    var scores: [Double]
    /// Clusters with a stacked row.
    var clusterCount: Int
    /// Stacked rows (positive weight).
    var observationCount: Int
    /// `K` of the small-sample factor.
    var parameterCount: Int
    /// Event-time terms not identified, by name.
    var droppedTerms: [String]
    /// Weighted residual sum of squares `Σ w ê²`.
    var residualSumOfSquares: Double
    /// Weighted sum of squares of the outcome net of the fixed effects (within R²'s denominator).
    var withinTotalSumOfSquares: Double
    /// Absorbed effects and their level counts.
    var fixedEffects: [(name: String, levels: Int)]

    /// The dense cluster index (among the clusters with stacked rows) of each stacked row.
    static func clusterIndex(_ stack: StackedSample, clustering: Clustering) -> (index: [Int32], count: Int) {
        var dense = [Int32](repeating: -1, count: clustering.count)
        var index = [Int32](repeating: 0, count: stack.count)
        let count = dense.withUnsafeMutableBufferPointer { dense in
            index.withUnsafeMutableBufferPointer { index in
                stack.source.withUnsafeBufferPointer { source in
                    clustering.index.withUnsafeBufferPointer { clusterOf in
                        var count: Int32 = 0
                        for row in 0..<source.count {
                            let cluster = Int(clusterOf[Int(source[row])])
                            if dense[cluster] < 0 { dense[cluster] = count; count += 1 }
                            index[row] = dense[cluster]
                        }
                        return Int(count)
                    }
                }
            }
        }
        return (index, count)
    }

    /// The event-time terms (offsets `0..<windowLength` except the reference) and whether each is
    /// post-treatment.
    static func eventTerms(_ stack: StackedSample) -> [(offset: Int, term: Estimate.Term)] {
        (0..<stack.windowLength).filter { $0 != stack.referenceOffset }.map { offset in
            let e = offset - stack.pre
            return (offset, Estimate.Term(name: EventStudy.termName(e), eventTime: e))
        }
    }

    /// Equation 3 of Wing, Freedman & Hollingsworth (2024) in closed form.
    ///
    /// The design `[1, D, 1{e = h}, D·1{e = h}]` (`h ≠ −1`) spans exactly the indicators of the
    /// (D, event time) cells that have rows, so the weighted fit of a row is its cell's weighted
    /// mean `m_{d,e}` and `δ_h = (m_{1,h} − m_{1,−1}) − (m_{0,h} − m_{0,−1})`; `K` is the number of
    /// non-empty cells (the design's rank). The cluster score of `δ_h` is the same combination of
    /// `Σ_{r∈g, cell} w_r ê_r / W_cell`, which is `B s_g` of the dummy regression, so no matrix is
    /// formed. `δ_h` is dropped when its treated or control cell is empty (its dummy is then
    /// collinear or zero). The within sum of squares is that of the additive fit `α_d + λ_e`:
    /// `Σ w ê² + Σ_h π_h (Δ − d_h)²`, `d_h = m_{1,h} − m_{0,h}`, `π_h = W_{0h}W_{1h}/(W_{0h} + W_{1h})`,
    /// `Δ = Σ π_h d_h / Σ π_h`.
    /// - Throws: ``StackedError/emptyReferenceCell(method:group:)``.
    static func cellMeans(_ stack: StackedSample, panel: Panel, clustering: Clustering) throws -> StackedFit {
        let length = stack.windowLength, reference = stack.referenceOffset
        // Each stacked row's cell and outcome, gathered once.
        var cells = [Int32](repeating: 0, count: stack.count), outcomes = [Double](repeating: 0, count: stack.count)
        var weightSum = [Double](repeating: 0, count: 2 * length), outcomeSum = weightSum
        cells.withUnsafeMutableBufferPointer { cells in
        outcomes.withUnsafeMutableBufferPointer { outcomes in
        weightSum.withUnsafeMutableBufferPointer { weightSum in
        outcomeSum.withUnsafeMutableBufferPointer { outcomeSum in
        stack.treated.withUnsafeBufferPointer { treated in
        stack.offset.withUnsafeBufferPointer { offset in
        stack.source.withUnsafeBufferPointer { source in
        stack.weight.withUnsafeBufferPointer { weight in
        panel.outcome.withUnsafeBufferPointer { outcome in
            for row in 0..<cells.count {
                let c = (treated[row] ? length : 0) + Int(offset[row]), w = weight[row], y = outcome[Int(source[row])]
                cells[row] = Int32(c)
                outcomes[row] = y
                weightSum[c] += w
                outcomeSum[c] += w * y
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        guard weightSum[length + reference] > 0 else {
            throw StackedError.emptyReferenceCell(method: StackedDifferenceInDifferences.method, group: "treated")
        }
        guard weightSum[reference] > 0 else {
            throw StackedError.emptyReferenceCell(method: StackedDifferenceInDifferences.method, group: "control")
        }
        let mean = (0..<2 * length).map { weightSum[$0] > 0 ? outcomeSum[$0] / weightSum[$0] : 0 }
        let candidates = eventTerms(stack)
        let kept = candidates.filter { weightSum[$0.offset] > 0 && weightSum[length + $0.offset] > 0 }
        let dropped = candidates.filter { c in !kept.contains { $0.offset == c.offset } }.map(\.term.name)
        // Per cluster and cell: Σ w ê.
        let (clusterOf, clusterCount) = clusterIndex(stack, clustering: clustering)
        var cellScores = [Double](repeating: 0, count: clusterCount * 2 * length)
        let residualSumOfSquares = cellScores.withUnsafeMutableBufferPointer { cellScores in
        cells.withUnsafeBufferPointer { cells in
        outcomes.withUnsafeBufferPointer { outcomes in
        mean.withUnsafeBufferPointer { mean in
        clusterOf.withUnsafeBufferPointer { clusterOf in
        stack.weight.withUnsafeBufferPointer { weight in
            var sum = 0.0
            for row in 0..<cells.count {
                let c = Int(cells[row])
                let residual = outcomes[row] - mean[c]
                sum += weight[row] * residual * residual
                cellScores[Int(clusterOf[row]) * 2 * length + c] += weight[row] * residual
            }
            return sum
        }
        }
        }
        }
        }
        }
        var terms = kept.map(\.term)
        var coefficients = kept.map { (mean[length + $0.offset] - mean[length + reference]) - (mean[$0.offset] - mean[reference]) }
        let width = kept.count + 1
        var scores = [Double](repeating: 0, count: clusterCount * width)
        let keptOffsets = kept.map(\.offset)
        scores.withUnsafeMutableBufferPointer { scores in
        cellScores.withUnsafeBufferPointer { cellScores in
        weightSum.withUnsafeBufferPointer { weightSum in
            for g in 0..<clusterCount {
                let t = g * 2 * length   // this cluster's cell sums start here
                let referenceScore = cellScores[t + length + reference] / weightSum[length + reference]
                    - cellScores[t + reference] / weightSum[reference]
                for (j, h) in keptOffsets.enumerated() {
                    let treatedCell = cellScores[t + length + h], controlCell = cellScores[t + h]
                    // A cluster without rows in either cell (the usual case for most cells) needs no division.
                    let treatedScore = treatedCell == 0 ? 0 : treatedCell / weightSum[length + h]
                    let controlScore = controlCell == 0 ? 0 : controlCell / weightSum[h]
                    scores[g * width + j] = treatedScore - controlScore - referenceScore
                }
            }
        }
        }
        }
        appendOverall(stack: stack, kept: kept.map(\.offset), terms: &terms, coefficients: &coefficients,
                      scores: &scores, clusterCount: clusterCount)
        // Within sum of squares of the additive (treated group + event time) fit.
        var pi = [Double](repeating: 0, count: length), gap = pi
        for h in 0..<length where weightSum[h] > 0 && weightSum[length + h] > 0 {
            pi[h] = weightSum[h] * weightSum[length + h] / (weightSum[h] + weightSum[length + h])
            gap[h] = mean[length + h] - mean[h]
        }
        let totalPi = pi.reduce(0, +)
        let delta = totalPi > 0 ? zip(pi, gap).map(*).reduce(0, +) / totalPi : 0
        let between = zip(pi, gap).map { $0 * ($1 - delta) * ($1 - delta) }.reduce(0, +)
        return StackedFit(terms: terms, coefficients: coefficients, scores: scores, clusterCount: clusterCount,
                          observationCount: stack.count, parameterCount: weightSum.filter { $0 > 0 }.count,
                          droppedTerms: dropped, residualSumOfSquares: residualSumOfSquares,
                          withinTotalSumOfSquares: residualSumOfSquares + between,
                          fixedEffects: [("treated group", 2), ("event time", stack.windowLength)])
    }

    /// Appends `att`, the mean of the post-period terms (offsets ≥ `pre`), when all are kept;
    /// `scores` (clusters × (kept + 1), last column free) gets its influence.
    static func appendOverall(stack: StackedSample, kept: [Int], terms: inout [Estimate.Term],
                              coefficients: inout [Double], scores: inout [Double], clusterCount: Int) {
        let width = kept.count + 1
        let post = kept.indices.filter { kept[$0] >= stack.pre }
        guard post.count == stack.post + 1 else {   // a post-period term was dropped: no att
            var trimmed = [Double](repeating: 0, count: clusterCount * kept.count)
            for g in 0..<clusterCount {
                for j in 0..<kept.count { trimmed[g * kept.count + j] = scores[g * width + j] }
            }
            scores = trimmed
            return
        }
        let share = 1 / Double(post.count)
        terms.append(Estimate.Term(name: "att"))
        var overall = 0.0
        for j in post { overall += coefficients[j] }
        coefficients.append(overall * share)
        scores.withUnsafeMutableBufferPointer { scores in
            for g in 0..<clusterCount {
                var sum = 0.0
                for j in post { sum += scores[g * width + j] }
                scores[g * width + kept.count] = sum * share
            }
        }
    }

    /// The clustered variance of ``coefficients``: `c Σ_g (B s_g)(B s_g)'`.
    func varianceMatrix(factor: Double) -> [Double] {
        let m = terms.count
        var matrix = [Double](repeating: 0, count: m * m)
        matrix.withUnsafeMutableBufferPointer { matrix in
            scores.withUnsafeBufferPointer { scores in
                for g in 0..<clusterCount {
                    for i in 0..<m {
                        let si = scores[g * m + i]
                        guard si != 0 else { continue }
                        for j in 0..<m { matrix[i * m + j] += si * scores[g * m + j] }
                    }
                }
                for k in 0..<matrix.count { matrix[k] *= factor }
            }
        }
        return matrix
    }

    /// Packages the fit as an ``Estimate``.
    func estimate(stack: StackedSample, panel: Panel, variance: VarianceType,
                  specification: StackedDifferenceInDifferences.Specification,
                  controls: StackedDifferenceInDifferences.CleanControls,
                  weighting: StackedDifferenceInDifferences.Weighting) -> Estimate {
        let n = Double(observationCount), g = Double(clusterCount)
        let factor = g / (g - 1) * (n - 1) / (n - Double(parameterCount))
        let estimateVariance = VarianceEstimate(type: variance, matrix: varianceMatrix(factor: factor),
                                                parameterCount: parameterCount, correctionFactor: factor,
                                                degreesOfFreedom: g - 1, clusterCount: clusterCount)
        var unitSeen = [Bool](repeating: false, count: panel.unitCount)
        var periodSeen = [Bool](repeating: false, count: panel.periodCount)
        for row in stack.source { unitSeen[Int(panel.unitIndex[Int(row)])] = true; periodSeen[Int(panel.periodIndex[Int(row)])] = true }
        let units = unitSeen.filter { $0 }, periods = periodSeen.filter { $0 }
        let label = { (cohort: Int32) in panel.periodLabels.indices.contains(Int(cohort)) ? panel.periodLabels[Int(cohort)]
                                                                                          : "period index \(cohort)" }
        var notes = panel.notes
        notes.append("stacked (Wing, Freedman & Hollingsworth 2024): \(stack.cohorts.count) sub-experiment"
                     + (stack.cohorts.count == 1 ? "" : "s") + " (cohorts " + stack.cohorts.map(label).joined(separator: ", ")
                     + ") in the event window e-\(stack.pre)..e+\(stack.post), \(controls.title) controls, "
                     + "\(weighting.rawValue) weights; \(observationCount) stacked rows of \(units.count) units")
        if !stack.trimmed.isEmpty {
            notes.append("cohorts trimmed (window outside the sample or no clean control): "
                         + stack.trimmed.map(label).joined(separator: ", "))
        }
        if stack.zeroWeightRows > 0 {
            notes.append("\(stack.zeroWeightRows) control rows of weight 0 (no treated row at their sub-experiment and "
                         + "event time) left out")
        }
        notes.append("reference period e-1 omitted; " + (specification == .treatmentByEventTime
            ? "regression: treated group + event time + their interactions (WFH equation 3)"
            : "regression: sub-experiment x unit and sub-experiment x period fixed effects (Cengiz et al. 2019)"))
        if !droppedTerms.isEmpty {
            notes.append("no treated or no control row at " + droppedTerms.joined(separator: ", ") + ": dropped"
                         + (terms.last?.name == "att" ? "" : "; att (the mean of the post-period terms) not reported"))
        }
        if terms.last?.name == "att" {
            notes.append("att: mean of e+0..e+\(stack.post) (delta method)")
        }
        notes.append("variance: CR1 clustered by \(variance.clusterName ?? "") (\(clusterCount) clusters), "
                     + "G/(G-1)(n-1)/(n-K) with K = \(parameterCount), t(\(clusterCount - 1))")
        return Estimate(method: StackedDifferenceInDifferences.method, outcome: panel.outcomeName, terms: terms,
                        coefficients: coefficients, variance: estimateVariance, droppedTerms: droppedTerms,
                        observationCount: observationCount, unitCount: units.count, periodCount: periods.count,
                        fixedEffects: fixedEffects, residualSumOfSquares: residualSumOfSquares,
                        withinRSquared: withinTotalSumOfSquares > 0 ? 1 - residualSumOfSquares / withinTotalSumOfSquares : 0,
                        notes: notes)
    }
}

extension StackedDifferenceInDifferences.CleanControls {
    /// In words: "not-yet-treated".
    var title: String {
        switch self {
        case .notYetTreated: return "not-yet-treated"
        case .neverTreated: return "never-treated"
        case .strict: return "strictly not-yet-treated"
        }
    }
}

extension VarianceType {
    /// The cluster column's name, or nil.
    fileprivate var clusterName: String? {
        if case .cluster(let name) = self { return name }
        return nil
    }
}
