import Foundation

/// Dense algebra on the tiny systems of the 2×2 covariate estimators (p = covariates + 1).
enum SmallLinearAlgebra {
    /// Inverts a symmetric positive-definite `p × p` matrix (row-major) in place by Cholesky,
    /// `A⁻¹ = L⁻ᵀ L⁻¹`. Returns false, leaving `a` undefined, when a pivot is not positive or
    /// falls below `tolerance ×` its diagonal entry (default 1e-12: numerically singular, the
    /// analogue of R's `rcond < eps` guard; 0 refuses only non-positive pivots, for callers that
    /// apply R's condition-number rule themselves).
    static func invertPositiveDefinite(_ a: inout [Double], dimension p: Int, tolerance: Double = 1e-12) -> Bool {
        // The factor is the core's (``DroppingCholesky/factorInPlace(_:dimension:kept:tolerance:)``):
        // a dropped pivot, or an infinite one, means singular here.
        var lower = a
        var kept = [Bool](repeating: false, count: p)
        let rank = lower.withUnsafeMutableBufferPointer { factor in
            kept.withUnsafeMutableBufferPointer { flags -> Int in
                guard let base = factor.baseAddress, let keptBase = flags.baseAddress else { return 0 }
                return DroppingCholesky.factorInPlace(base, dimension: p, kept: keptBase, tolerance: tolerance)
            }
        }
        guard rank == p, (0..<p).allSatisfy({ lower[$0 * p + $0].isFinite }) else { return false }
        // L⁻¹ (lower triangular), by forward substitution column by column.
        var inverseLower = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            inverseLower[j * p + j] = 1 / lower[j * p + j]
            for i in (j + 1)..<p {
                var value = 0.0
                for k in j..<i { value -= lower[i * p + k] * inverseLower[k * p + j] }
                inverseLower[i * p + j] = value / lower[i * p + i]
            }
        }
        for r in 0..<p {
            for c in 0...r {
                var value = 0.0
                for k in r..<p { value += inverseLower[k * p + r] * inverseLower[k * p + c] }
                a[r * p + c] = value
                a[c * p + r] = value
            }
        }
        return true
    }

    /// The column-major copy of a row-major `n × p` matrix (column `k` is `[k·n ..< (k+1)·n]`).
    static func columnMajor(_ rows: [Double], count n: Int, dimension p: Int) -> [Double] {
        precondition(rows.count >= n * p)
        var columns = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for k in 0..<p { columns[k * n + i] = rows[i * p + k] } }
        return columns
    }

    /// `Σ_i w_i x_i x_i'` (symmetric `p × p`, row-major) from column-major `columns`, each entry a
    /// vectorised dot product of a weighted column with a column (fixed order).
    static func weightedCrossProducts(columns: [Double], weights: [Double], count n: Int, dimension p: Int) -> [Double] {
        precondition(columns.count >= n * p && weights.count >= n)
        var result = [Double](repeating: 0, count: p * p)
        var weighted = [Double](repeating: 0, count: n)
        columns.withUnsafeBufferPointer { design in
            weights.withUnsafeBufferPointer { w in
                weighted.withUnsafeMutableBufferPointer { weighted in
                    guard let base = design.baseAddress else { return }
                    for r in 0..<p {
                        let values = UnsafeBufferPointer(start: base + r * n, count: n)
                        for i in 0..<n { weighted[i] = w[i] * values[i] }
                        for c in 0...r {
                            let value = dot(UnsafeBufferPointer(weighted), UnsafeBufferPointer(start: base + c * n, count: n))
                            result[r * p + c] = value
                            result[c * p + r] = value
                        }
                    }
                }
            }
        }
        return result
    }

    /// `Σ_i w_i x_ik` for every column `k` of column-major `columns`.
    static func weightedColumnSums(columns: [Double], weights: [Double], count n: Int, dimension p: Int) -> [Double] {
        precondition(columns.count >= n * p && weights.count >= n)
        return columns.withUnsafeBufferPointer { design in
            weights.withUnsafeBufferPointer { w in
                (0..<p).map { k in
                    guard let base = design.baseAddress else { return 0 }
                    return dot(UnsafeBufferPointer(start: base + k * n, count: n), UnsafeBufferPointer(rebasing: w[0..<n]))
                }
            }
        }
    }

    /// `y = A x` for a row-major `p × p` matrix.
    static func multiply(_ a: [Double], _ x: [Double], dimension p: Int) -> [Double] {
        var y = [Double](repeating: 0, count: p)
        for r in 0..<p {
            var value = 0.0
            for c in 0..<p { value += a[r * p + c] * x[c] }
            y[r] = value
        }
        return y
    }

    /// Maximum-likelihood logit of a 0/1 response on the rows of `x` (row-major `n × p`, first
    /// column the intercept) by Newton–Raphson (IRLS) with step halving (a step is halved until
    /// the log-likelihood does not fall, which keeps a far-out covariate value from throwing the
    /// iterates off), started at the intercept-only solution and iterated until the full Newton
    /// step is below `1e-11 × max(1, |β|∞)` — past the point where R's `glm` (deviance tolerance 1e-8) stops, so the fitted probabilities are the
    /// exact maximum-likelihood ones to rounding.
    /// With prior `weights` (positive; R's `glm(weights =)`), the log-likelihood, score and
    /// information are weighted sums and the start is the weighted share; nil weights are the
    /// unweighted fit, computed exactly as before weights existed.
    /// - Returns: the coefficients and whether they converged (the last iterate after 100 steps
    ///   when they do not: separation), or nil when the response does not vary or the
    ///   information matrix is singular.
    ///
    /// Each iteration works on columns (the design is transposed once): the linear predictor is
    /// built column by column, the score and the information are vectorised dot products
    /// (``dot(_:_:)-(UnsafeBufferPointer<Double>,_)``) of the columns with the residuals and the
    /// weighted columns; only `exp` is evaluated row by row.
    static func logit(x: [Double], response: [Double], count n: Int, dimension p: Int,
                      weights priors: [Double]? = nil) -> (coefficients: [Double], converged: Bool)? {
        precondition(x.count >= n * p && response.count >= n && (priors?.count ?? n) >= n)
        var beta = [Double](repeating: 0, count: p)
        var share = 0.0
        if let priors {
            var total = 0.0
            for i in 0..<n { share += priors[i] * response[i]; total += priors[i] }
            share /= total
        } else {
            for i in 0..<n { share += response[i] }
            share /= Double(n)
        }
        guard share > 0, share < 1 else { return nil }
        beta[0] = log(share / (1 - share))
        let columns = columnMajor(x, count: n, dimension: p)
        var eta = [Double](repeating: 0, count: n)
        var weight = [Double](repeating: 0, count: n)
        var residual = [Double](repeating: 0, count: n)
        // The last accepted iterate, its log-likelihood and the step taken from it: a step that
        // lowers the log-likelihood is halved (up to 50 times) before the next Newton step.
        var accepted: (beta: [Double], logLikelihood: Double, step: [Double])?
        var halvings = 0
        var newtonSteps = 0
        while newtonSteps < 100 {
            var logLikelihood = 0.0
            columns.withUnsafeBufferPointer { design in
                guard let base = design.baseAddress else { return }
                eta.withUnsafeMutableBufferPointer { eta in
                    weight.withUnsafeMutableBufferPointer { weight in
                        residual.withUnsafeMutableBufferPointer { residual in
                            // η = x₀β₀ + x₁β₁ + … (the order of the row-wise sum).
                            for i in 0..<n { eta[i] = 0 }
                            for k in 0..<p {
                                let coefficient = beta[k], values = base + k * n
                                for i in 0..<n { eta[i] += values[i] * coefficient }
                            }
                            // Σ y·η − log(1 + e^η), stably: log(1 + e^η) = max(η, 0) + log(1 + e^{−|η|}),
                            // the last taken as the log of a product of 32 factors in [1, 2] (one log
                            // per 32 rows; each factor's rounding adds ~1e-16, far below the test's
                            // tolerance).
                            var linear = 0.0, logs = 0.0, product = 1.0
                            if let priors {
                                // Weighted: Σ s·(y·η − max(η, 0) − log(1 + e^{−|η|})), one log per row.
                                for i in 0..<n {
                                    let e = exp(-eta[i])
                                    let probability = 1 / (1 + e)
                                    weight[i] = priors[i] * (probability * (1 - probability))
                                    residual[i] = priors[i] * (response[i] - probability)
                                    linear += priors[i] * (response[i] * eta[i] - max(eta[i], 0))
                                    logs += priors[i] * log(1 + (eta[i] >= 0 ? e : 1 / e))
                                }
                                logLikelihood = linear - logs
                                return
                            }
                            for i in 0..<n {
                                let e = exp(-eta[i])
                                let probability = 1 / (1 + e)
                                weight[i] = probability * (1 - probability)
                                residual[i] = response[i] - probability
                                linear += response[i] * eta[i] - max(eta[i], 0)
                                product *= 1 + (eta[i] >= 0 ? e : 1 / e)
                                if i & 31 == 31 { logs += log(product); product = 1 }
                            }
                            logLikelihood = linear - (logs + log(product))
                        }
                    }
                }
            }
            // Step halving: the full Newton step can overshoot from the intercept-only start (a
            // covariate value far from the rest); halve it until the log-likelihood does not fall.
            if let last = accepted, halvings < 50,
               !(logLikelihood >= last.logLikelihood - 1e-12 * max(1, abs(last.logLikelihood))) {
                halvings += 1
                let halved = last.step.map { $0 / 2 }
                accepted = (last.beta, last.logLikelihood, halved)
                beta = zip(last.beta, halved).map { $0 + $1 }
                continue
            }
            halvings = 0
            newtonSteps += 1
            let score = weightedColumnSums(columns: columns, weights: residual, count: n, dimension: p)
            var information = weightedCrossProducts(columns: columns, weights: weight, count: n, dimension: p)
            // A singular information matrix after the first step is the separation limit (weights → 0).
            guard invertPositiveDefinite(&information, dimension: p) else { return newtonSteps == 1 ? nil : (beta, false) }
            let step = multiply(information, score, dimension: p)
            guard step.allSatisfy(\.isFinite) else { return (beta, false) }
            var largestStep = 0.0, largestBeta = 1.0
            for k in 0..<p {
                largestStep = max(largestStep, abs(step[k]))
                largestBeta = max(largestBeta, abs(beta[k] + step[k]))
            }
            accepted = (beta, logLikelihood, step)
            beta = zip(beta, step).map { $0 + $1 }
            guard beta.allSatisfy(\.isFinite) else { return nil }
            if largestStep <= 1e-11 * largestBeta { return (beta, true) }
        }
        return (beta, false)
    }
}
