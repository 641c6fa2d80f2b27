/// The reference two-way within transformation: `x̃ = M_{[D_U, D_T]} x`, the residual of `x` on
/// unit and period dummies, in plain loops (the ``KernelBackend/reference`` backend).
///
/// - Complete panels (every unit–period cell holds exactly one row, in any row order): the
///   closed form `x̃_it = x_it − x̄_i· − x̄_·t + x̄` from plain means, evaluated as two one-way
///   sweeps, `r = x − x̄_i·` and then `x̃ = r − r̄_·t` (`r̄_·t = x̄_·t − x̄` when every cell is
///   present), so that a constant column gives exactly zero.
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
            var sums = [CompensatedSum](repeating: CompensatedSum(), count: t)
            for row in 0..<n { sums[Int(periodIndex[row])].add(column[row]) }
            for s in 0..<t { matrix[s * t + dummyPeriod] = sums[s].value }
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
            var r = (0..<n).map { row in x[row] - unitMeans[Int(unitIndex[row])] }
            let periodMeans = Self.groupMeans(r, groups: periodIndex, counts: periodRows)
            for row in 0..<n { r[row] -= periodMeans[Int(periodIndex[row])] }
            return r
        }
        guard let periodSystem else { return Array(x) }
        // r = M_U x; right-hand side (M_U D_T)' x = D_T' M_U x: period sums of r.
        let unitMeans = Self.groupMeans(x, groups: unitIndex, counts: unitRows)
        var rhs = [CompensatedSum](repeating: CompensatedSum(), count: periodCount)
        for row in 0..<n { rhs[Int(periodIndex[row])].add(x[row] - unitMeans[Int(unitIndex[row])]) }
        let lambda = periodSystem.solve(rhs.map(\.value))
        // x̃ = M_U (x − D_T λ).
        var partial = [Double](repeating: 0, count: n)
        for row in 0..<n { partial[row] = x[row] - lambda[Int(periodIndex[row])] }
        let means = partial.withUnsafeBufferPointer { Self.groupMeans($0, groups: unitIndex, counts: unitRows) }
        for row in 0..<n { partial[row] -= means[Int(unitIndex[row])] }
        return partial
    }

    /// Mean of `x` within each level of `groups` (0 for an empty level), compensated sums.
    static func groupMeans(_ x: UnsafeBufferPointer<Double>, groups: [Int32], counts: [Double]) -> [Double] {
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: counts.count)
        for row in 0..<x.count { sums[Int(groups[row])].add(x[row]) }
        return (0..<sums.count).map { counts[$0] > 0 ? sums[$0].value / counts[$0] : 0 }
    }

    static func groupMeans(_ x: [Double], groups: [Int32], counts: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { groupMeans($0, groups: groups, counts: counts) }
    }
}
