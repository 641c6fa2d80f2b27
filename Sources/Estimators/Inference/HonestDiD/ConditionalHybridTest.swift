/// The conditional–least-favourable hybrid test of the moment inequalities `E[Y − a₁θ − Xτ] ≤ 0`
/// with a nuisance `τ` (Andrews, Roth & Pakes 2023, Sections 3 and 5; R HonestDiD's
/// `.lp_conditional_test_fn` with `hybrid_flag = "LF"`).
///
/// For a tested `θ` and `y = Y − a₁θ` (covariance `Σ`, `σ_i = √Σ_ii`):
/// 1. `η̂ = min_{η,τ} η` subject to `y − Xτ ≤ ησ`, solved through its dual
///    `max λ'y, λ ≥ 0, σ'λ = 1, X'λ = 0` (``DenseLinearProgram``; the vertex `λ` is needed next).
/// 2. First stage: reject when `η̂` exceeds the least-favourable critical value `c_LF`, the
///    `1 − κ` quantile of `η̂` under `y ~ N(0, Σ)` (simulated).
/// 3. Second stage at size `(α − κ)/(1 − κ)`: condition on the optimal vertex. With `B` the rows
///    where `λ > 10⁻⁶` (R's tolerance), when `|B| = dim τ + 1` and `X_B` has full rank, `η̂ = v_B'y`
///    and the truncation bounds come from the other rows in closed form ("primal"); otherwise
///    from the dual program ("dual", ARP Appendix D), where DiDLab finds each end exactly by
///    Newton's method on the convex piecewise-linear gap `max_λ λ'(s + cb) − c` (R bisects to 10⁻⁶).
///    The upper truncation is lowered to `c_LF` (the first stage passed) when the test has a
///    nuisance (`dim τ ≥ 1`); R's no-nuisance version (one post period) does not, and neither does
///    this one. Reject when `η̂/σ_B` exceeds the truncated normal's `1 − α̃` quantile (at least 0).
struct ConditionalHybridTest {
    /// `Y = Aβ̂ − d` on the rows used.
    let Y: [Double]
    /// `a₁`: the coefficient of `θ`.
    let a1: [Double]
    /// `X`: the nuisance's columns (rows × dim τ).
    let X: SmallMatrix
    /// `Σ_Y = AΣA'`.
    let sigma: SmallMatrix
    let sd: [Double]
    let alpha: Double
    let kappa: Double
    /// Whether `c_LF` truncates the second stage from above (see the type's documentation).
    let truncateAtLeastFavourable: Bool
    var leastFavourable: Double = .infinity

    init(Y: [Double], a1: [Double], X: SmallMatrix, sigma: SmallMatrix, alpha: Double, kappa: Double,
         truncateAtLeastFavourable: Bool) {
        self.Y = Y
        self.a1 = a1
        self.X = X
        self.sigma = sigma
        self.sd = (0..<sigma.rows).map { sigma[$0, $0].squareRoot() }
        self.alpha = alpha
        self.kappa = kappa
        self.truncateAtLeastFavourable = truncateAtLeastFavourable
    }

    var rowCount: Int { Y.count }
    var nuisanceCount: Int { X.columns }

    /// `max f'λ` over `λ ≥ 0, σ'λ = 1, X'λ = 0`, solved in `μ_i = σ_iλ_i`. Returns `λ` and the optimum.
    func dualProgram(_ f: [Double]) -> (lambda: [Double], value: Double)? {
        let m = rowCount
        let objective = (0..<m).map { -f[$0] / sd[$0] }
        var equalities = [[Double](repeating: 1, count: m)]
        var bounds = [1.0]
        for j in 0..<nuisanceCount {
            equalities.append((0..<m).map { X[$0, j] / sd[$0] })
            bounds.append(0)
        }
        let solution = DenseLinearProgram(objective: objective, equalityRows: equalities, equalityBounds: bounds).solve()
        guard solution.status == .optimal else { return nil }
        return ((0..<m).map { solution.x[$0] / sd[$0] }, -solution.value)
    }

    /// `η̂` and the optimal `λ` at `y`.
    func eta(_ y: [Double]) -> (eta: Double, lambda: [Double])? {
        guard let (lambda, value) = dualProgram(y) else { return nil }
        return (value, lambda)
    }

    /// The `1 − κ` quantile of `η̂` under `y ~ N(0, Σ)` from `draws` draws (numpy's default
    /// linear interpolation between order statistics).
    func leastFavourableCriticalValue(draws: Int, stream: inout RandomStream) -> Double {
        let factor = sigma.semidefiniteCholesky()
        var etas: [Double] = []
        etas.reserveCapacity(draws)
        var z = [Double](repeating: 0, count: rowCount)
        for _ in 0..<draws {
            for i in 0..<rowCount { z[i] = stream.normal() }
            if let value = eta(factor.times(z))?.eta { etas.append(value) }
        }
        guard !etas.isEmpty else { return .infinity }
        etas.sort()
        let position = Double(etas.count - 1) * (1 - kappa)
        let low = Int(position.rounded(.down)), high = min(low + 1, etas.count - 1)
        return etas[low] + (position - Double(low)) * (etas[high] - etas[low])
    }

    /// Whether the test rejects `θ`.
    func rejects(_ theta: Double) -> Bool {
        let m = rowCount
        let y = (0..<m).map { Y[$0] - a1[$0] * theta }
        guard let (etaHat, lambda) = eta(y) else { return false }   // R: "LP for eta did not converge. Not rejecting."
        if etaHat > leastFavourable { return true }
        let modifiedSize = (alpha - kappa) / (1 - kappa)
        let k = nuisanceCount
        let active = (0..<m).filter { lambda[$0] > 1e-6 }
        let activeX = X.selectingRows(active)
        let primal = k == 0 ? active.count == 1
            : active.count == k + 1 && activeX.rank == min(activeX.rows, activeX.columns)
        let zLow: Double, zHigh: Double, maxStatistic: Double
        if primal, let bounds = primalTruncation(y, active: active) {
            let upper = truncateAtLeastFavourable ? min(bounds.high, leastFavourable) : bounds.high
            zLow = bounds.low / bounds.sd
            zHigh = upper / bounds.sd
            maxStatistic = etaHat / bounds.sd
        } else {
            let gamma = lambda
            let sigmaGamma = sigma.times(gamma)
            let variance = innerProduct(gamma, sigmaGamma)
            if abs(variance) < Double.ulpOfOne { return etaHat > 0 }
            let sdB = variance.squareRoot()
            let bounds = dualTruncation(y, eta: etaHat, gamma: gamma, sigmaGamma: sigmaGamma, variance: variance)
            let upper = truncateAtLeastFavourable ? min(bounds.high, leastFavourable) : bounds.high
            zLow = bounds.low / sdB
            zHigh = upper / sdB
            maxStatistic = etaHat / sdB
        }
        guard zLow <= maxStatistic && maxStatistic <= zHigh else { return false }
        let critical = max(0, HonestDiDDistributions.truncatedNormalQuantile(1 - modifiedSize, lower: zLow, upper: zHigh))
        return maxStatistic > critical
    }

    /// Closed-form truncation of `v_B'y` given the other rows (the non-degenerate case).
    func primalTruncation(_ y: [Double], active: [Int]) -> (low: Double, high: Double, sd: Double)? {
        let m = rowCount, k = nuisanceCount
        let inactive = (0..<m).filter { !active.contains($0) }
        var basis = SmallMatrix(rows: k + 1, columns: k + 1)
        for (r, i) in active.enumerated() {
            basis[r, 0] = sd[i]
            for j in 0..<k { basis[r, j + 1] = X[i, j] }
        }
        guard let inverse = basis.inverse() else { return nil }
        // v_B: first row of basis⁻¹ placed on the active rows.
        var v = [Double](repeating: 0, count: m)
        for (r, i) in active.enumerated() { v[i] = inverse[0, r] }
        let sigmaV = sigma.times(v)
        let varianceB = innerProduct(v, sigmaV)
        guard varianceB > 0 else { return nil }
        let vy = innerProduct(v, y)
        var low = -Double.infinity, high = Double.infinity
        for j in inactive {
            // Γ_B row j: (row j of [σ, X]) · basis⁻¹ on the active rows, minus e_j.
            var coefficients = [Double](repeating: 0, count: k + 1)
            for c in 0...k {
                var sum = 0.0
                for r in 0...k { sum += (r == 0 ? sd[j] : X[j, r - 1]) * inverse[r, c] }
                coefficients[c] = sum
            }
            var gammaY = -y[j], gammaSigmaV = -sigmaV[j]
            for (c, i) in active.enumerated() {
                gammaY += coefficients[c] * y[i]
                gammaSigmaV += coefficients[c] * sigmaV[i]
            }
            let rho = gammaSigmaV / varianceB
            let bound = -gammaY / rho + vy
            if rho > 0 { low = max(low, bound) } else if rho < 0 { high = min(high, bound) }
        }
        return (low, high, varianceB.squareRoot())
    }

    /// Truncation of `γ'y` from the dual program (degenerate case): the interval of `c` over which
    /// `γ` stays optimal for `s + c·b`, `b = Σγ/γ'Σγ`, `s = y − b·γ'y`, each end found by Newton's
    /// method on the gap `g(c) = max_λ λ'(s + cb) − c` (convex, piecewise linear, zero on the interval).
    func dualTruncation(_ y: [Double], eta: Double, gamma: [Double], sigmaGamma: [Double], variance: Double)
        -> (low: Double, high: Double) {
        let m = rowCount
        let b = sigmaGamma.map { $0 / variance }
        let gy = innerProduct(gamma, y)
        let s = (0..<m).map { y[$0] - b[$0] * gy }
        let scale = max(abs(eta), 1e-300)
        func gap(_ c: Double) -> (gap: Double, lambda: [Double])? {
            guard let (lambda, value) = dualProgram((0..<m).map { s[$0] + c * b[$0] }) else { return nil }
            return (value - c, lambda)
        }
        let tolerance = 1e-10 * max(scale, 1e-12)
        guard let atEta = gap(eta), atEta.gap <= 1e-6 else { return (eta, .infinity) }
        let sdB = variance.squareRoot()
        func end(from start: Double) -> Double {
            var c = start
            for _ in 0..<100 {
                guard let (g, lambda) = gap(c) else { return c }
                if g <= tolerance { return c }
                let slope = innerProduct(lambda, b) - 1
                guard slope != 0 else { return c }
                let next = innerProduct(lambda, s) / (-slope)
                guard next.isFinite, next != c else { return c }
                c = next
            }
            return c
        }
        let highStart = max(100, eta + 20 * sdB), lowStart = min(-100, eta - 20 * sdB)
        let high = (gap(highStart)?.gap ?? 1) <= tolerance ? .infinity : end(from: highStart)
        let low = (gap(lowStart)?.gap ?? 1) <= tolerance ? -.infinity : end(from: lowStart)
        return (low, high)
    }
}
