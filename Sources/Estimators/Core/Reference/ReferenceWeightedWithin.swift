/// The reference weighted two-way within transformation (``KernelBackend/reference`` with
/// regression weights): `√w ⊙ x̃`, where `x̃ = x − D β_w` is the residual of the `W`-weighted
/// least-squares projection of `x` on unit and period dummies, in plain loops.
///
/// Frisch–Waugh–Lovell with units partialled out by weighted means, as ``ReferenceWithin`` does
/// off complete panels: `x̃ = M_U^W (x − D_T λ)`, where `λ` solves `C λ = (M_U^W D_T)' W x` and
/// `C_st = d_s' W M_U^W d_t`, built column by column from the explicitly unit-demeaned period
/// dummies with compensated sums, and factored once per panel with ``DroppingCholesky``
/// (relative pivot tolerance 1e-9). Exact up to rounding (no iterations), so it must agree with
/// the fast weighted solve, which partials out the larger dimension instead, to rounding.
final class ReferenceWeightedWithin: Sendable {
    let unitIndex: [Int32]
    let periodIndex: [Int32]
    let periodCount: Int
    let weights: [Double]
    /// Sum of weights per unit.
    let unitWeights: [Double]
    /// The factor of `C`.
    let periodSystem: DroppingCholesky
    /// Rank of `[D_U, D_T]` (every weight is positive).
    let fixedEffectRank: Int

    init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int, weights: [Double]) {
        let n = unitIndex.count
        self.unitIndex = unitIndex
        self.periodIndex = periodIndex
        self.periodCount = periodCount
        self.weights = weights
        var unitWeights = [Double](repeating: 0, count: unitCount)
        var unitRows = [Int](repeating: 0, count: unitCount)
        for row in 0..<n {
            unitWeights[Int(unitIndex[row])] += weights[row]
            unitRows[Int(unitIndex[row])] += 1
        }
        self.unitWeights = unitWeights
        let t = periodCount
        var matrix = [Double](repeating: 0, count: t * t)
        var column = [Double](repeating: 0, count: n)
        for dummyPeriod in 0..<t {
            // column = M_U^W d_t: the period-t dummy minus its weighted unit means.
            for row in 0..<n { column[row] = periodIndex[row] == Int32(dummyPeriod) ? 1 : 0 }
            let means = Self.weightedGroupMeans(column, weights: weights, groups: unitIndex, totals: unitWeights)
            for row in 0..<n { column[row] -= means[Int(unitIndex[row])] }
            // C[s, t] = d_s' W M_U^W d_t.
            var sums = [CompensatedSum](repeating: CompensatedSum(), count: t)
            for row in 0..<n { sums[Int(periodIndex[row])].add(weights[row] * column[row]) }
            for s in 0..<t { matrix[s * t + dummyPeriod] = sums[s].value }
        }
        periodSystem = DroppingCholesky(matrix: matrix, dimension: t, tolerance: 1e-9)
        fixedEffectRank = unitRows.filter { $0 > 0 }.count + periodSystem.rank
    }

    /// `√w ⊙ x̃` for the column `x`.
    func transform(_ x: UnsafeBufferPointer<Double>) -> [Double] {
        let n = unitIndex.count
        precondition(x.count == n)
        guard n > 0 else { return [] }
        let input = Array(x)
        // Right-hand side (M_U^W D_T)' W x = D_T' W M_U^W x: weighted period sums of x − m_U(x).
        let unitMeans = Self.weightedGroupMeans(input, weights: weights, groups: unitIndex, totals: unitWeights)
        var rhs = [CompensatedSum](repeating: CompensatedSum(), count: periodCount)
        for row in 0..<n { rhs[Int(periodIndex[row])].add(weights[row] * (input[row] - unitMeans[Int(unitIndex[row])])) }
        let lambda = periodSystem.solve(rhs.map(\.value))
        // x̃ = M_U^W (x − D_T λ).
        var partial = [Double](repeating: 0, count: n)
        for row in 0..<n { partial[row] = input[row] - lambda[Int(periodIndex[row])] }
        let means = Self.weightedGroupMeans(partial, weights: weights, groups: unitIndex, totals: unitWeights)
        for row in 0..<n { partial[row] = (partial[row] - means[Int(unitIndex[row])]) * weights[row].squareRoot() }
        return partial
    }

    /// `Σ w (x − x̄_w)²` with `x̄_w = Σ w x / Σ w`, compensated sums, two passes.
    static func weightedSumOfSquaredDeviations(_ x: [Double], weights: [Double]) -> Double {
        var total = CompensatedSum(), weighted = CompensatedSum()
        for row in 0..<x.count { total.add(weights[row]); weighted.add(weights[row] * x[row]) }
        let mean = total.value > 0 ? weighted.value / total.value : 0
        var sum = CompensatedSum()
        for row in 0..<x.count { let d = x[row] - mean; sum.add(weights[row] * d * d) }
        return sum.value
    }

    /// Weighted mean `Σ w x / Σ w` within each level of `groups` (0 for a level without weight),
    /// compensated sums.
    static func weightedGroupMeans(_ x: [Double], weights: [Double], groups: [Int32], totals: [Double]) -> [Double] {
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: totals.count)
        for row in 0..<x.count { sums[Int(groups[row])].add(weights[row] * x[row]) }
        return (0..<sums.count).map { totals[$0] > 0 ? sums[$0].value / totals[$0] : 0 }
    }
}
