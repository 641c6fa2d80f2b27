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
/// Hot loops run on raw buffers; a unit's prefix rows use prefix sums over periods instead of
/// per-row gathers and scatters where the formula allows (`Σ_{t < m} λ_t`, and the right-hand
/// side of the weights' system), and the `Ω₀` cluster scores are summed per run of rows in one
/// cluster before they are added to the cluster's total. Results equal the general path's up to
/// rounding (the sums are taken in another order).
struct ImputationPrefixFit {
    /// Imputable treated rows, ascending.
    let treatedRows: [Int]
    /// Untreated rows, ascending (empty unless requested: ``estimate`` does not need them).
    let untreatedRows: [Int]
    /// Number of untreated rows.
    let untreatedCount: Int
    /// `τ̂` on ``treatedRows``.
    let effects: [Double]
    /// Step-1 residuals on the untreated rows, in row order.
    let residuals: [Double]
    /// `Σ_{Ω₀(i)} ε` per unit (zero up to rounding; kept so the per-unit scores are exact sums).
    let residualSums: [Double]
    /// `Σ ε²` (also the demeaned outcome's sum of squares: there are no covariates).
    let residualSumOfSquares: Double
    let notes: [String]
    /// First treated row of each unit (its end when never treated in the sample).
    let firstTreated: [Int]
    /// `m_i` when unit `i`'s untreated periods are `0 ..< m_i`, −1 otherwise (and 0 without
    /// untreated rows).
    let prefixLength: [Int]
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

    /// Steps 1–2; `listUntreatedRows` fills ``untreatedRows``.
    init(panel: Panel, method: String, listUntreatedRows: Bool) throws {
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
        let unitStart = panel.unitStart, periodIndex = panel.periodIndex
        var untreatedRows: [Int] = []
        if listUntreatedRows || !fullUnit {
            untreatedRows.reserveCapacity(untreatedTotal)
            for i in 0..<unitCount { untreatedRows.append(contentsOf: unitStart[i]..<firstTreated[i]) }
        }
        // The imputable treated rows.
        var treatedRows: [Int] = []
        treatedRows.reserveCapacity(treatedTotal)
        if fullUnit {
            // One unit untreated in every period connects every period; every unit with an
            // untreated row joins that component.
            for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                treatedRows.append(contentsOf: firstTreated[i]..<unitStart[i + 1])
            }
        } else {
            let components = ImputationCore.components(panel: panel, rows: untreatedRows)
            for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                for row in firstTreated[i]..<unitStart[i + 1] {
                    let period = unitCount + Int(periodIndex[row])
                    if components.hasRows[period] && components.root[i] == components.root[period] { treatedRows.append(row) }
                }
            }
            if !listUntreatedRows { untreatedRows = [] }
        }
        guard !treatedRows.isEmpty else { throw HeterogeneityRobustError.nothingImputable(method: method, treated: treatedTotal) }
        var notes: [String] = []
        if treatedRows.count < treatedTotal {
            notes.append("\(treatedTotal - treatedRows.count) treated observations dropped: their unit or period has no "
                         + "untreated observations to impute Y(0) from (did_imputation autosample)")
        }
        var inverseCount = [Double](repeating: 0, count: unitCount)
        var prefixLength = [Int](repeating: 0, count: unitCount)
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
            let start = unitStart[i], end = firstTreated[i], m = end - start
            inverseCount[i] = 1 / Double(m)
            prefixLength[i] = periodIndex[start] == 0 && Int(periodIndex[end - 1]) == m - 1 ? m : -1
        }
        let system = Self.periodSystem(panel: panel, firstTreated: firstTreated, prefixLength: prefixLength,
                                       inverseCount: inverseCount)

        // Fixed effects of Y: c_i = Σ_{Ω₀(i)} y, c_t − Σ_{rows} c_i/m_i accumulated as Σ (y − ȳ_i);
        // then ε = (y − ȳ_i) − (λ_t − λ̄_i), α_i = ȳ_i − λ̄_i and τ̂ = y − (α_i + λ_t). A prefix
        // unit's rows meet periods 0 ..< m in order: contiguous kernels, no gathers.
        var lambda = [Double](repeating: 0, count: periodCount)
        var alpha = [Double](repeating: 0, count: unitCount)
        var unitMean = [Double](repeating: 0, count: unitCount)
        var residuals = [Double](repeating: 0, count: untreatedTotal)
        var residualSums = [Double](repeating: 0, count: unitCount)
        var effects = [Double](repeating: 0, count: treatedRows.count)
        panel.outcome.withUnsafeBufferPointer { outcomeBuffer in
            periodIndex.withUnsafeBufferPointer { period in
                lambda.withUnsafeMutableBufferPointer { lambda in
                    unitMean.withUnsafeMutableBufferPointer { unitMean in
                        guard let outcome = outcomeBuffer.baseAddress, let lambdaBase = lambda.baseAddress else { return }
                        for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                            let start = unitStart[i], end = firstTreated[i], m = prefixLength[i]
                            if m > 0 {
                                let mean = ContiguousKernels.sum(outcome + start, m) * inverseCount[i]
                                unitMean[i] = mean
                                ContiguousKernels.addCentred(outcome + start, mean, into: lambdaBase, m)
                                continue
                            }
                            var sum = 0.0
                            for row in start..<end { sum += outcome[row] }
                            let mean = sum * inverseCount[i]
                            unitMean[i] = mean
                            for row in start..<end { lambda[Int(period[row])] += outcome[row] - mean }
                        }
                        system.solveInPlace(lambda)
                        let lambdaPrefix = Self.prefixSums(UnsafeBufferPointer(lambda))
                        residuals.withUnsafeMutableBufferPointer { residualBuffer in
                            guard let residual = residualBuffer.baseAddress else { return }
                            var position = 0
                            for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                                let start = unitStart[i], end = firstTreated[i], m = prefixLength[i]
                                let mean = unitMean[i]
                                if m > 0 {
                                    let lambdaMean = lambdaPrefix[m] * inverseCount[i]
                                    alpha[i] = mean - lambdaMean
                                    ContiguousKernels.centredDifference(outcome + start, mean, lambdaBase, lambdaMean,
                                                                        into: residual + position, m)
                                    residualSums[i] = ContiguousKernels.sum(residual + position, m)
                                    position += m
                                    continue
                                }
                                var sum = 0.0
                                for row in start..<end { sum += lambda[Int(period[row])] }
                                let lambdaMean = sum * inverseCount[i]
                                alpha[i] = mean - lambdaMean
                                var residualSum = 0.0
                                for row in start..<end {
                                    let value = (outcome[row] - mean) - (lambda[Int(period[row])] - lambdaMean)
                                    residual[position] = value
                                    residualSum += value
                                    position += 1
                                }
                                residualSums[i] = residualSum
                            }
                        }
                        panel.unitIndex.withUnsafeBufferPointer { unitIndex in
                            for (k, row) in treatedRows.enumerated() {
                                effects[k] = outcome[row] - (alpha[Int(unitIndex[row])] + lambda[Int(period[row])])
                            }
                        }
                    }
                }
            }
        }
        self.treatedRows = treatedRows
        self.untreatedRows = untreatedRows
        self.untreatedCount = untreatedTotal
        self.effects = effects
        self.residuals = residuals
        self.residualSums = residualSums
        self.residualSumOfSquares = dot(residuals, residuals)
        self.notes = notes
        self.firstTreated = firstTreated
        self.prefixLength = prefixLength
        self.inverseUntreatedCount = inverseCount
        self.system = system
    }

    /// `[0, x_0, x_0 + x_1, …]` (`count + 1` entries).
    static func prefixSums(_ x: UnsafeBufferPointer<Double>) -> [Double] {
        var sums = [Double](repeating: 0, count: x.count + 1)
        for t in 0..<x.count { sums[t + 1] = sums[t] + x[t] }
        return sums
    }

    /// `C = Σ_i (diag(s_i) − s_i s_i' / m_i)` (lower triangle), factored.
    static func periodSystem(panel: Panel, firstTreated: [Int], prefixLength: [Int],
                             inverseCount: [Double]) -> DroppingCholesky {
        let periodCount = panel.periodCount, unitStart = panel.unitStart, periodIndex = panel.periodIndex
        var matrix = [Double](repeating: 0, count: periodCount * periodCount)
        // Prefix units by their untreated count m: K_m and W_m.
        var prefixCount = [Double](repeating: 0, count: periodCount + 1)
        var prefixWeight = [Double](repeating: 0, count: periodCount + 1)
        for i in 0..<panel.unitCount where firstTreated[i] > unitStart[i] {
            if prefixLength[i] > 0 {
                prefixCount[prefixLength[i]] += 1
                prefixWeight[prefixLength[i]] += inverseCount[i]
                continue
            }
            let weight = inverseCount[i], start = unitStart[i], end = firstTreated[i]
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
    /// ``treatedRows``: adds `Σ_{it ∈ c} v_it ε_it` to `scores[cluster · stride + estimand]`, marks
    /// the clusters of untreated rows in `used`, and returns `v` in row order when `keep` (else
    /// an empty array). With `unitCluster` (every unit's rows in one cluster) a unit's score is
    /// `−a_i Σ_t ε_it − Σ_t b_t ε_it`, a contiguous dot product for a prefix unit.
    func imputationWeights(_ w: [Double], panel: Panel, clusterIndex: [Int32], unitCluster: [Int32]?,
                           scores: inout [Double], used: inout [Bool], stride: Int, estimand: Int,
                           keep: Bool) -> [Double] {
        let unitCount = panel.unitCount, periodCount = panel.periodCount, unitStart = panel.unitStart
        let unitIndex = panel.unitIndex, periodIndex = panel.periodIndex
        var unitSums = [Double](repeating: 0, count: unitCount)
        var periodSums = [Double](repeating: 0, count: periodCount)
        for (k, row) in treatedRows.enumerated() where w[k] != 0 {
            unitSums[Int(unitIndex[row])] += w[k]
            periodSums[Int(periodIndex[row])] += w[k]
        }
        // c_t − Σ_{rows in t} c_i / m_i: prefix units through Σ_{m > t} of their shares.
        var shareByLength = [Double](repeating: 0, count: periodCount + 1)
        for i in 0..<unitCount where firstTreated[i] > unitStart[i] && unitSums[i] != 0 {
            let share = unitSums[i] * inverseUntreatedCount[i]
            if prefixLength[i] > 0 { shareByLength[prefixLength[i]] += share; continue }
            for row in unitStart[i]..<firstTreated[i] { periodSums[Int(periodIndex[row])] -= share }
        }
        var above = 0.0
        for t in Swift.stride(from: periodCount - 1, through: 0, by: -1) {
            above += shareByLength[t + 1]
            periodSums[t] -= above
        }
        periodSums.withUnsafeMutableBufferPointer { system.solveInPlace($0) }
        var v = [Double](repeating: 0, count: keep ? untreatedCount : 0)
        periodSums.withUnsafeBufferPointer { bBuffer in
            let bPrefix = Self.prefixSums(bBuffer)
            periodIndex.withUnsafeBufferPointer { period in
                clusterIndex.withUnsafeBufferPointer { cluster in
                    residuals.withUnsafeBufferPointer { residualBuffer in
                        v.withUnsafeMutableBufferPointer { vBuffer in
                            scores.withUnsafeMutableBufferPointer { scores in
                                guard let b = bBuffer.baseAddress, let residual = residualBuffer.baseAddress else { return }
                                var position = 0
                                for i in 0..<unitCount where firstTreated[i] > unitStart[i] {
                                    let start = unitStart[i], end = firstTreated[i], m = prefixLength[i]
                                    let count = end - start
                                    let sum: Double
                                    if m > 0 {
                                        sum = bPrefix[m]
                                    } else {
                                        var total = 0.0
                                        for row in start..<end { total += b[Int(period[row])] }
                                        sum = total
                                    }
                                    let a = (unitSums[i] - sum) * inverseUntreatedCount[i]
                                    if keep, let out = vBuffer.baseAddress {
                                        for row in start..<end { out[position + row - start] = -(a + b[Int(period[row])]) }
                                    }
                                    if let unitCluster {
                                        let weighted: Double
                                        if m > 0 {
                                            weighted = ContiguousKernels.dot(b, residual + position, m)
                                        } else {
                                            var total = 0.0
                                            for row in start..<end { total += b[Int(period[row])] * residual[position + row - start] }
                                            weighted = total
                                        }
                                        let c = Int(unitCluster[i])
                                        scores[c * stride + estimand] -= a * residualSums[i] + weighted
                                        used[c] = true
                                        position += count
                                        continue
                                    }
                                    // Σ v ε per run of rows in one cluster.
                                    var run = Int(cluster[start]), runSum = 0.0
                                    for row in start..<end {
                                        let weight = -(a + b[Int(period[row])])
                                        let c = Int(cluster[row])
                                        if c != run {
                                            scores[run * stride + estimand] += runSum
                                            used[run] = true
                                            run = c
                                            runSum = 0
                                        }
                                        runSum += weight * residual[position]
                                        position += 1
                                    }
                                    scores[run * stride + estimand] += runSum
                                    used[run] = true
                                }
                            }
                        }
                    }
                }
            }
        }
        return v
    }
}
