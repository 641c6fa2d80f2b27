/// Exact solutions of the two-way dummy normal equations `(D'D) δ = c` on the rows of a
/// ``TwoWayWithin``, where `D = [D_A, D_B]` holds unit and period dummies.
///
/// The within transformation removes `D`; the imputation estimator (Borusyak, Jaravel &
/// Spiess 2024) also needs the fixed effects themselves (to extrapolate `α̂_i + λ̂_t` to
/// treated cells) and the imputation weights `v = −D₀(D₀'D₀)⁻D₁'w`, whose right-hand side is
/// not a data column. Both are `(D'D) δ = c` for some `c = (c_A, c_B)`:
/// eliminating the analytic dimension `A`, `δ_a = (c_a − Σ_{rows r ∈ a} δ_{b(r)}) / n_a` and
/// `C δ_B = c_B − Σ_{rows r} 1{b(r) = b} c_{a(r)} / n_{a(r)}` with the same
/// `C = D_B' M_A D_B` that ``TwoWayWithin`` factors (``DroppingCholesky``, so the reference
/// level and any disconnection are dropped pivots). When `c` lies in the range of `D'D` (as it
/// does for `c = D'x` and for weights on identified cells) every fitted `δ_a + δ_b` is unique;
/// the split between `δ_A` and `δ_B` is one of many. Exact, no iterations (did_imputation
/// iterates to a tolerance of 1e-6 here).
struct TwoWayNormalEquations: Sendable {
    let within: TwoWayWithin
    let system: DroppingCholesky
    let countA: [Double]
    /// True when units are the analytic dimension `A` (the ``TwoWayWithin`` rule).
    let unitsAnalytic: Bool

    init(within: TwoWayWithin) {
        self.within = within
        unitsAnalytic = within.unitCount >= within.periodCount
        let groupA = unitsAnalytic ? within.unitIndex : within.periodIndex
        let groupB = unitsAnalytic ? within.periodIndex : within.unitIndex
        let sizeA = unitsAnalytic ? within.unitCount : within.periodCount
        let sizeB = unitsAnalytic ? within.periodCount : within.unitCount
        var count = [Double](repeating: 0, count: sizeA)
        for a in groupA { count[Int(a)] += 1 }
        countA = count
        if let existing = within.periodSystem {
            system = existing
        } else {
            system = TwoWayWithin.periodSystem(groupA: groupA, groupB: groupB, sizeA: sizeA, sizeB: sizeB,
                                               inverseCountA: count.map { $0 > 0 ? 1 / $0 : 0 })
        }
    }

    var groupA: [Int32] { unitsAnalytic ? within.unitIndex : within.periodIndex }
    var groupB: [Int32] { unitsAnalytic ? within.periodIndex : within.unitIndex }

    /// Solves `(D'D) δ = c` for `c = (unitSums, periodSums)`; returns unit and period effects.
    func solve(unitSums: [Double], periodSums: [Double]) -> (unit: [Double], period: [Double]) {
        let cA = unitsAnalytic ? unitSums : periodSums
        var cB = unitsAnalytic ? periodSums : unitSums
        let a = groupA, b = groupB
        for row in 0..<a.count {
            let level = Int(a[row])
            cB[Int(b[row])] -= cA[level] / countA[level]
        }
        cB.withUnsafeMutableBufferPointer { system.solveInPlace($0) }
        var effectA = cA
        for row in 0..<a.count { effectA[Int(a[row])] -= cB[Int(b[row])] }
        for level in 0..<effectA.count { effectA[level] = countA[level] > 0 ? effectA[level] / countA[level] : 0 }
        return unitsAnalytic ? (effectA, cB) : (cB, effectA)
    }

    /// The least-squares unit and period effects of column `x` on the rows: `(D'D)δ = D'x`.
    func effects(of x: [Double]) -> (unit: [Double], period: [Double]) {
        var unitSums = [Double](repeating: 0, count: within.unitCount)
        var periodSums = [Double](repeating: 0, count: within.periodCount)
        for row in 0..<x.count {
            unitSums[Int(within.unitIndex[row])] += x[row]
            periodSums[Int(within.periodIndex[row])] += x[row]
        }
        return solve(unitSums: unitSums, periodSums: periodSums)
    }
}
