/// Steps 1–2 of the imputation estimator and the `Ω₀` part of its variance without covariates,
/// on the fast kernels (``KernelBackend/fast``): the same least-squares solution as
/// ``ImputationCore`` and ``ImputationVariance``, computed from the panel's layout instead of
/// from a general two-way transformation of the untreated rows.
///
/// A ``Panel``'s rows are sorted by (unit, period) and treatment is absorbing, so the untreated
/// rows `Ω₀` of unit `i` are a prefix `unitStart[i] ..< firstTreated[i]` of its rows (`m_i` of
/// them) and its treated rows the rest. With units as the analytic dimension (`N ≥ T`), the
/// two-way normal equations `(D₀'D₀) δ = c` reduce to the period system
/// `C λ = c_T − Σ_{rows} c_{i(r)} / m_{i(r)}`, `C = Σ_i (diag(s_i) − s_i s_i' / m_i)`, `s_i` the
/// untreated periods of unit `i`, and `α_i = (c_i − Σ_{t ∈ s_i} λ_t) / m_i` (as
/// ``TwoWayNormalEquations``). Units whose untreated periods are `0 ..< m` (every unit of a
/// balanced panel) enter `C` only through `W_m = Σ_{m_i = m} 1/m_i` and `K_m = #{m_i = m}`:
/// `C_bc = 1{b = c} Σ_{m > b} K_m − Σ_{m > max(b, c)} W_m`, built in `O(T²)`; any other unit
/// adds its own outer product. `C` is factored once (``DroppingCholesky``, tolerance 1e-9 as
/// ``TwoWayWithin``) and serves the fixed effects of `Y` and every estimand's imputation
/// weights. The step-1 residuals are `ε = Y − α̂_i − λ̂_t`, which equal the two-way demeaned
/// outcome when there are no covariates.
///
/// Identification (did_imputation's autosample): when some unit is untreated in every period,
/// every period and every unit with an untreated row lie in one connected component, so a
/// treated row is imputable exactly when its unit has an untreated row (`O(N)`); otherwise the
/// components come from a union–find over `Ω₀`, as ``ImputationCore/components(panel:rows:)``.
///
/// Results equal the general path's up to rounding (the sums are taken in another order).
struct ImputationPrefixFit {
    /// Imputable treated rows, ascending.
    let treatedRows: [Int]
    /// Untreated rows, ascending.
    let untreatedRows: [Int]
    /// `τ̂` on ``treatedRows``.
    let effects: [Double]
    /// Step-1 residuals on ``untreatedRows``.
    let residuals: [Double]
    /// `Σ ε²` (also the demeaned outcome's sum of squares: there are no covariates).
    let residualSumOfSquares: Double
    let notes: [String]
    /// First treated row of each unit (its end when never treated in the sample).
    let firstTreated: [Int]
    /// `1 / m_i` (0 for units without untreated rows).
    let inverseUntreatedCount: [Double]
    /// The factored period system `C`.
    let system: DroppingCholesky

    /// Whether the prefix solve applies: the fast kernels, no covariates, no regression
    /// weights (the general path ignores them too, but keeps that decision in one place), and
    /// at least as many units as periods (the period system is `T × T`).
    static func applies(to panel: Panel, backend: KernelBackend) -> Bool {
        backend == .fast && panel.covariates.isEmpty && panel.regressionWeights == nil
            && panel.unitCount >= panel.periodCount && panel.periodCount > 0
    }

    init(panel: Panel, method: String) throws {
        let unitCount = panel.unitCount, periodCount = panel.periodCount
        var firstTreated = [Int](repeating: 0, count: unitCount)
        var untreatedTotal = 0, treatedTotal = 0, fullUnit = false
        var unit = 0
        panel.forEachUnitTreatmentSuffix { start, first, end in
            firstTreated[unit] = first
            untreatedTotal += first - start
            treatedTotal += end - first
            if first - start == periodCount { fullUnit = true }
            unit += 1
        }
        guard untreatedTotal > 0 else { throw HeterogeneityRobustError.noUntreatedObservations(method: method) }
        guard treatedTotal > 0 else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        let unitStart = panel.unitStart
        // Row lists and the imputable treated rows.
        var untreatedRows = [Int](repeating: 0, count: untreatedTotal)
        var treatedRows: [Int] = []
        treatedRows.reserveCapacity(treatedTotal)
        var position = 0
        for i in 0..<unitCount {
            for row in unitStart[i]..<firstTreated[i] { untreatedRows[position] = row; position += 1 }
        }
        if fullUnit {
            // One unit untreated in every period connects every period; every unit with an
            // untreated row joins that component.
            for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                for row in firstTreated[i]..<unitStart[i + 1] { treatedRows.append(row) }
            }
        } else {
            let components = ImputationCore.components(panel: panel, rows: untreatedRows)
            for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                for row in firstTreated[i]..<unitStart[i + 1] {
                    let period = unitCount + Int(panel.periodIndex[row])
                    if components.hasRows[period] && components.root[i] == components.root[period] { treatedRows.append(row) }
                }
            }
        }
        guard !treatedRows.isEmpty else { throw HeterogeneityRobustError.nothingImputable(method: method, treated: treatedTotal) }
        var notes: [String] = []
        if treatedRows.count < treatedTotal {
            notes.append("\(treatedTotal - treatedRows.count) treated observations dropped: their unit or period has no "
                         + "untreated observations to impute Y(0) from (did_imputation autosample)")
        }
        var inverseCount = [Double](repeating: 0, count: unitCount)
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
            inverseCount[i] = 1 / Double(firstTreated[i] - unitStart[i])
        }
        let system = Self.periodSystem(panel: panel, firstTreated: firstTreated, inverseCount: inverseCount)

        // Fixed effects of Y: c_i = Σ_{Ω₀(i)} y, c_t − Σ_{rows} c_i/m_i accumulated as Σ (y − ȳ_i).
        let outcome = panel.outcome, periodIndex = panel.periodIndex
        var unitMean = [Double](repeating: 0, count: unitCount)
        var lambda = [Double](repeating: 0, count: periodCount)
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
            var sum = 0.0
            for row in unitStart[i]..<firstTreated[i] { sum += outcome[row] }
            let mean = sum / Double(firstTreated[i] - unitStart[i])
            unitMean[i] = mean
            for row in unitStart[i]..<firstTreated[i] { lambda[Int(periodIndex[row])] += outcome[row] - mean }
        }
        lambda.withUnsafeMutableBufferPointer { system.solveInPlace($0) }
        // ε = (y − ȳ_i) − (λ_t − λ̄_i), α_i = ȳ_i − λ̄_i.
        var residuals = [Double](repeating: 0, count: untreatedTotal)
        var alpha = [Double](repeating: 0, count: unitCount)
        position = 0
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
            var sum = 0.0
            for row in unitStart[i]..<firstTreated[i] { sum += lambda[Int(periodIndex[row])] }
            let lambdaMean = sum * inverseCount[i]
            alpha[i] = unitMean[i] - lambdaMean
            for row in unitStart[i]..<firstTreated[i] {
                residuals[position] = (outcome[row] - unitMean[i]) - (lambda[Int(periodIndex[row])] - lambdaMean)
                position += 1
            }
        }
        var effects = [Double](repeating: 0, count: treatedRows.count)
        let unitIndex = panel.unitIndex
        for (k, row) in treatedRows.enumerated() {
            effects[k] = outcome[row] - (alpha[Int(unitIndex[row])] + lambda[Int(periodIndex[row])])
        }
        self.treatedRows = treatedRows
        self.untreatedRows = untreatedRows
        self.effects = effects
        self.residuals = residuals
        self.residualSumOfSquares = dot(residuals, residuals)
        self.notes = notes
        self.firstTreated = firstTreated
        self.inverseUntreatedCount = inverseCount
        self.system = system
    }

    /// `C = Σ_i (diag(s_i) − s_i s_i' / m_i)` (lower triangle), factored.
    static func periodSystem(panel: Panel, firstTreated: [Int], inverseCount: [Double]) -> DroppingCholesky {
        let periodCount = panel.periodCount, unitStart = panel.unitStart, periodIndex = panel.periodIndex
        var matrix = [Double](repeating: 0, count: periodCount * periodCount)
        // Prefix units by their untreated count m: K_m and W_m.
        var prefixCount = [Double](repeating: 0, count: periodCount + 1)
        var prefixWeight = [Double](repeating: 0, count: periodCount + 1)
        for i in 0..<panel.unitCount where firstTreated[i] > unitStart[i] {
            let start = unitStart[i], end = firstTreated[i], m = end - start
            if periodIndex[start] == 0 && Int(periodIndex[end - 1]) == m - 1 {
                prefixCount[m] += 1
                prefixWeight[m] += inverseCount[i]
                continue
            }
            let weight = inverseCount[i]
            for p in start..<end {
                let b = Int(periodIndex[p])
                matrix[b * periodCount + b] += 1
                for q in start...p { matrix[b * periodCount + Int(periodIndex[q])] -= weight }
            }
        }
        // C_bc += 1{b = c} Σ_{m > b} K_m − Σ_{m > b} W_m for c ≤ b.
        var countAbove = 0.0, weightAbove = 0.0
        for b in stride(from: periodCount - 1, through: 0, by: -1) {
            countAbove += prefixCount[b + 1]
            weightAbove += prefixWeight[b + 1]
            guard countAbove > 0 else { continue }
            for c in 0...b { matrix[b * periodCount + c] -= weightAbove }
            matrix[b * periodCount + b] += countAbove
        }
        return DroppingCholesky(matrix: matrix, dimension: periodCount, tolerance: 1e-9)
    }

    /// The imputation weights `v₀ = −D₀ a`, `(D₀'D₀) a = D₁'w`, of an estimand with weights `w` on
    /// ``treatedRows``, aligned with ``untreatedRows``; adds `Σ_{it ∈ c} v_it ε_it` to
    /// `scores[cluster · stride + estimand]`.
    func imputationWeights(_ w: [Double], panel: Panel, clusterIndex: [Int32], scores: inout [Double],
                           stride: Int, estimand: Int) -> [Double] {
        let unitCount = panel.unitCount, unitStart = panel.unitStart
        let unitIndex = panel.unitIndex, periodIndex = panel.periodIndex
        var unitSums = [Double](repeating: 0, count: unitCount)
        var periodSums = [Double](repeating: 0, count: panel.periodCount)
        for (k, row) in treatedRows.enumerated() where w[k] != 0 {
            unitSums[Int(unitIndex[row])] += w[k]
            periodSums[Int(periodIndex[row])] += w[k]
        }
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] && unitSums[i] != 0 {
            let share = unitSums[i] * inverseUntreatedCount[i]
            for row in unitStart[i]..<firstTreated[i] { periodSums[Int(periodIndex[row])] -= share }
        }
        periodSums.withUnsafeMutableBufferPointer { system.solveInPlace($0) }
        var v = [Double](repeating: 0, count: untreatedRows.count)
        var position = 0
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
            var sum = 0.0
            for row in unitStart[i]..<firstTreated[i] { sum += periodSums[Int(periodIndex[row])] }
            let a = (unitSums[i] - sum) * inverseUntreatedCount[i]
            for row in unitStart[i]..<firstTreated[i] {
                let weight = -(a + periodSums[Int(periodIndex[row])])
                v[position] = weight
                scores[Int(clusterIndex[row]) * stride + estimand] += weight * residuals[position]
                position += 1
            }
        }
        return v
    }
}
