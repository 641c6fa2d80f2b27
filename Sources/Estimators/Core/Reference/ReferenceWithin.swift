/// The reference two-way within transformation: `x̃ = M_{[D_U, D_T]} x`, the residual of `x` on
/// unit and period dummies, in plain loops (the ``KernelBackend/reference`` backend).
///
/// - Complete panels (every unit–period cell holds exactly one row, in any row order): the
///   closed form `x̃_it = x_it − x̄_i· − x̄_·t + x̄` from plain means.
/// - Otherwise, Frisch–Waugh–Lovell with units partialled out: `x̃ = M_U (x − D_T λ)` where `λ`
///   solves the normal equations `C λ = (M_U D_T)' x` of `M_U x` on the unit-demeaned period
///   dummies, `C_st = d_s' M_U d_t` (column `t` of `M_U D_T` built explicitly, then its sums over
///   the rows of each period `s`). `C` is factored once per panel with ``DroppingCholesky``
///   (relative pivot tolerance 1e-9): the period dummies sum to the unit dummies, so one pivot is
///   always dropped on a connected panel, more on a disconnected one. A direct solve is exact up
///   to rounding, which a differential test against the fast kernels needs (alternating
///   projections stopped at a tolerance would differ from them by that tolerance, and converge
///   slowly on weakly connected panels); it costs `O(nT)` to build `C` and `O(T³)` to factor it.
///
/// Unlike the fast path this never depends on the row order, never uses SIMD and always
/// partials out units (the fast path partials out the larger dimension).
final class ReferenceWithin: Sendable {
    let unitIndex: [Int32]
    let periodIndex: [Int32]
    let unitCount: Int
    let periodCount: Int
    /// True when every unit–period cell holds exactly one row.
    let isComplete: Bool
    /// Rows per unit and per period.
    let unitRows: [Double]
    let periodRows: [Double]
    /// The factor of `C = D_T' M_U D_T` (nil on a complete panel).
    let periodSystem: DroppingCholesky?
    /// Rank of `[D_U, D_T]`.
    let fixedEffectRank: Int

    init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int) {
        let n = unitIndex.count
        self.unitIndex = unitIndex
        self.periodIndex = periodIndex
        self.unitCount = unitCount
        self.periodCount = periodCount
        var unitRows = [Double](repeating: 0, count: unitCount)
        var periodRows = [Double](repeating: 0, count: periodCount)
        for row in 0..<n {
            unitRows[Int(unitIndex[row])] += 1
            periodRows[Int(periodIndex[row])] += 1
        }
        self.unitRows = unitRows
        self.periodRows = periodRows
        // Complete: N·T rows and no cell twice.
        var complete = n > 0 && n == unitCount * periodCount
        if complete {
            var seen = [Bool](repeating: false, count: n)
            for row in 0..<n {
                let cell = Int(unitIndex[row]) * periodCount + Int(periodIndex[row])
                if seen[cell] { complete = false; break }
                seen[cell] = true
            }
        }
        isComplete = complete
        if isComplete {
            periodSystem = nil
            fixedEffectRank = unitCount + periodCount - 1
            return
        }
        let t = periodCount
        var matrix = [Double](repeating: 0, count: t * t)
        var column = [Double](repeating: 0, count: n)
        for dummyPeriod in 0..<t {
            // column = M_U d_t: the period-t dummy minus its unit means.
            for row in 0..<n { column[row] = periodIndex[row] == Int32(dummyPeriod) ? 1 : 0 }
            let means = Self.groupMeans(column, groups: unitIndex, counts: unitRows)
            for row in 0..<n { column[row] -= means[Int(unitIndex[row])] }
            // C[s, t] = d_s' M_U d_t.
            for row in 0..<n { matrix[Int(periodIndex[row]) * t + dummyPeriod] += column[row] }
        }
        let system = DroppingCholesky(matrix: matrix, dimension: t, tolerance: 1e-9)
        periodSystem = system
        fixedEffectRank = unitRows.filter { $0 > 0 }.count + system.rank
    }

    /// The two-way demeaned column.
    func transform(_ x: UnsafeBufferPointer<Double>) -> [Double] {
        let n = unitIndex.count
        precondition(x.count == n)
        guard n > 0 else { return [] }
        if isComplete {
            let unitMeans = Self.groupMeans(x, groups: unitIndex, counts: unitRows)
            let periodMeans = Self.groupMeans(x, groups: periodIndex, counts: periodRows)
            var total = 0.0
            for row in 0..<n { total += x[row] }
            let grand = total / Double(n)
            return (0..<n).map { row in
                x[row] - unitMeans[Int(unitIndex[row])] - periodMeans[Int(periodIndex[row])] + grand
            }
        }
        guard let periodSystem else { return Array(x) }
        // r = M_U x; right-hand side (M_U D_T)' x = D_T' M_U x: period sums of r.
        let unitMeans = Self.groupMeans(x, groups: unitIndex, counts: unitRows)
        var rhs = [Double](repeating: 0, count: periodCount)
        for row in 0..<n { rhs[Int(periodIndex[row])] += x[row] - unitMeans[Int(unitIndex[row])] }
        let lambda = periodSystem.solve(rhs)
        // x̃ = M_U (x − D_T λ).
        var partial = [Double](repeating: 0, count: n)
        for row in 0..<n { partial[row] = x[row] - lambda[Int(periodIndex[row])] }
        let means = partial.withUnsafeBufferPointer { Self.groupMeans($0, groups: unitIndex, counts: unitRows) }
        for row in 0..<n { partial[row] -= means[Int(unitIndex[row])] }
        return partial
    }

    /// Mean of `x` within each level of `groups` (0 for an empty level).
    static func groupMeans(_ x: UnsafeBufferPointer<Double>, groups: [Int32], counts: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: counts.count)
        for row in 0..<x.count { sums[Int(groups[row])] += x[row] }
        for level in 0..<sums.count where counts[level] > 0 { sums[level] /= counts[level] }
        return sums
    }

    static func groupMeans(_ x: [Double], groups: [Int32], counts: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { groupMeans($0, groups: groups, counts: counts) }
    }
}
