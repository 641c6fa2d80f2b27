/// The weighted two-way within transformation on the fast backend (regression weights, R
/// fixest's `weights = ~w`).
///
/// With positive weights `w`, weighted least squares of `y` on `X` and unit and period dummies
/// is ordinary least squares on the rescaled data `√w·y`, `√w·X`, `√w·D`. Its within
/// transformation is therefore
/// `x̃* = √w ⊙ (x − D β_w)`, `β_w = argmin_β Σ w (x − D β)²`,
/// the residual of the `W`-weighted projection of `x` on the dummies, multiplied by `√w`. Every
/// later step (normal equations, residuals, the iid/hetero/CR1 sandwiches) then runs unchanged
/// on the starred columns: `Σ x̃*ê* = Σ w x̃ ê` and `Σ ê*² = Σ w ê²`, which are fixest's weighted
/// formulas (it counts `n` as the number of observations, not the sum of weights).
///
/// There is no closed form once the weights vary within a unit or a period (a balanced panel
/// included), so this is the **exact** solve of the unbalanced path with weighted counts: the
/// larger dimension `A` is partialled out analytically with weighted means
/// `m_a(x) = Σ_{a} w x / W_a`, and the smaller `B` is solved from
/// `C λ = D_B' W (x − m_A(x))` with `C_bc = W_b δ_bc − Σ_a W_ab W_ac / W_a` (`W_ab` the weight
/// of the cell), factored once per panel by ``DroppingCholesky``; then
/// `x̃ = (x − m_A(x)) − (D_B λ − m_A(D_B λ))`. No iterations and no tolerance besides the
/// factor's relative pivot threshold (1e-9, which detects disconnected panels); exact up to
/// rounding where fixest's alternating projections stop at `fixef.tol`.
struct WeightedTwoWaySystem: Sendable {
    /// Weight of each row (positive).
    let weights: [Double]
    /// `√w` of each row.
    let rootWeights: [Double]
    /// `1 / W_a` per level of the analytic dimension (0 for an empty level).
    let inverseWeightA: [Double]
    /// The factored `C`.
    let system: DroppingCholesky
    /// Rank of the weighted dummy matrix (that of `[D_U, D_T]` when every weight is positive).
    let fixedEffectRank: Int

    init(weights: [Double], groupA: [Int32], groupB: [Int32], sizeA: Int, sizeB: Int) {
        precondition(weights.count == groupA.count && groupA.count == groupB.count)
        self.weights = weights
        self.rootWeights = weights.map { $0.squareRoot() }
        var weightA = [Double](repeating: 0, count: sizeA)
        var rowsA = [Int](repeating: 0, count: sizeA)
        for row in 0..<weights.count {
            weightA[Int(groupA[row])] += weights[row]
            rowsA[Int(groupA[row])] += 1
        }
        inverseWeightA = weightA.map { $0 > 0 ? 1 / $0 : 0 }
        system = TwoWayWithin.periodSystem(groupA: groupA, groupB: groupB, sizeA: sizeA, sizeB: sizeB,
                                           inverseCountA: inverseWeightA, weights: weights)
        fixedEffectRank = rowsA.lazy.filter { $0 > 0 }.count + system.rank
    }

    /// Weighted centred sum of squares `Σ w (x − x̄_w)²`, `x̄_w = Σ w x / Σ w` (the scale against
    /// which a demeaned regressor counts as absorbed by the fixed effects).
    func weightedSumOfSquaredDeviations(_ x: [Double]) -> Double {
        var total = 0.0, weighted = 0.0
        for row in 0..<x.count { total += weights[row]; weighted += weights[row] * x[row] }
        let mean = total > 0 ? weighted / total : 0
        var sum = 0.0
        for row in 0..<x.count { let d = x[row] - mean; sum += weights[row] * d * d }
        return sum
    }
}

extension TwoWayWithin {
    /// The weighted exact solve (see ``WeightedTwoWaySystem``), writing `√w ⊙ x̃` into `out`.
    func transformWeighted(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                           weighted: WeightedTwoWaySystem, workspace: inout Workspace) {
        let n = observationCount
        groupA.withUnsafeBufferPointer { a in
            groupB.withUnsafeBufferPointer { b in
                weighted.weights.withUnsafeBufferPointer { w in
                    weighted.inverseWeightA.withUnsafeBufferPointer { inverseWeight in
                        workspace.sumsA.withUnsafeMutableBufferPointer { meanA in
                            workspace.sumsB.withUnsafeMutableBufferPointer { lambda in
                                // r = x − m_A(x)
                                for k in 0..<sizeA { meanA[k] = 0 }
                                for row in 0..<n { meanA[Int(a[row])] += w[row] * x[row] }
                                for k in 0..<sizeA { meanA[k] *= inverseWeight[k] }
                                for k in 0..<sizeB { lambda[k] = 0 }
                                for row in 0..<n {
                                    let r = x[row] - meanA[Int(a[row])]
                                    out[row] = r
                                    lambda[Int(b[row])] += w[row] * r
                                }
                                // C λ = D_B' W r
                                weighted.system.solveInPlace(UnsafeMutableBufferPointer(rebasing: lambda[0..<sizeB]))
                                // x̃ = r − (D_B λ − m_A(D_B λ)), then √w x̃
                                for k in 0..<sizeA { meanA[k] = 0 }
                                for row in 0..<n { meanA[Int(a[row])] += w[row] * lambda[Int(b[row])] }
                                for k in 0..<sizeA { meanA[k] *= inverseWeight[k] }
                                weighted.rootWeights.withUnsafeBufferPointer { root in
                                    for row in 0..<n {
                                        out[row] = (out[row] - (lambda[Int(b[row])] - meanA[Int(a[row])])) * root[row]
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
