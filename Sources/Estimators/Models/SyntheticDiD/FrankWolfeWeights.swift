/// The synthetic-control weight problem of synthetic DiD and its Frank–Wolfe solver, as the
/// reference R package `synthdid` solves it (`sc.weight.fw` and `fw.step` in R/solver.R).
///
/// Given an `n × (k + 1)` matrix `Y` whose first `k` columns are the regressors `A` and whose
/// last column is the target `b`, the weights `x` on the simplex minimise
///
///     ζ² ‖x‖² + ‖A x − b‖² / n,
///
/// with the columns centred first when an intercept is fitted (``intercept``). Each Frank–Wolfe
/// step moves towards the vertex `e_i` with the smallest coordinate of the half gradient
/// `(A x − b)ᵀ A + η x`, `η = n ζ²` (the first such `i` on ties, as R's `which.min`), by the exact
/// line-search step clamped to [0, 1]. The solver stops after `maxIterations` steps or once a step
/// lowers the objective by no more than `minDecrease²`. Because it stops on a tolerance, the
/// weights are the iterate at the stop: another implementation reproduces them to rounding only
/// when it takes the same path (the same vertex at every step).
struct FrankWolfeWeights {
    /// Rows of the problem.
    let rows: Int
    /// Number of weights `k`.
    let count: Int
    /// The centred (or raw) matrix, row-major, `rows × (count + 1)`.
    private var matrix: [Double]

    /// The problem on `matrix` (row-major `rows × (count + 1)`, target last), centred by column
    /// when `intercept` is true.
    init(rows: Int, count: Int, matrix: [Double], intercept: Bool) {
        precondition(matrix.count == rows * (count + 1))
        self.rows = rows
        self.count = count
        self.matrix = matrix
        if intercept && rows > 0 {
            let width = count + 1
            for column in 0..<width {
                var sum = 0.0
                for row in 0..<rows { sum += self.matrix[row * width + column] }
                let mean = sum / Double(rows)
                for row in 0..<rows { self.matrix[row * width + column] -= mean }
            }
        }
    }

    /// Runs Frank–Wolfe from `start` (uniform when nil) for regularisation `zeta`.
    /// - Returns: the weights and the objective after each step.
    func solve(zeta: Double, start: [Double]?, minDecrease: Double, maxIterations: Int) -> (weights: [Double], values: [Double]) {
        var x = start ?? [Double](repeating: 1 / Double(count), count: count)
        precondition(x.count == count)
        let width = count + 1
        let eta = Double(rows) * zeta * zeta
        let threshold = minDecrease * minDecrease
        var values: [Double] = []
        var ax = [Double](repeating: 0, count: rows)
        var halfGradient = [Double](repeating: 0, count: count)
        var direction = [Double](repeating: 0, count: count)
        matrix.withUnsafeBufferPointer { m in
            while values.count < maxIterations
                    && (values.count < 2 || values[values.count - 2] - values[values.count - 1] > threshold) {
                // Ax and the half gradient (Ax − b)ᵀA + ηx.
                for row in 0..<rows {
                    var s = 0.0
                    let base = row * width
                    for j in 0..<count { s += m[base + j] * x[j] }
                    ax[row] = s
                }
                for j in 0..<count { halfGradient[j] = 0 }
                for row in 0..<rows {
                    let residual = ax[row] - m[row * width + count]
                    let base = row * width
                    for j in 0..<count { halfGradient[j] += residual * m[base + j] }
                }
                var best = 0
                for j in 0..<count {
                    halfGradient[j] += eta * x[j]
                    if halfGradient[j] < halfGradient[best] { best = j }
                }
                var moves = false
                for j in 0..<count {
                    direction[j] = j == best ? 1 - x[j] : -x[j]
                    if direction[j] != 0 { moves = true }
                }
                if moves {
                    var errorSquares = 0.0
                    for row in 0..<rows {
                        let d = m[row * width + best] - ax[row]
                        errorSquares += d * d
                    }
                    var directionSquares = 0.0, slope = 0.0
                    for j in 0..<count {
                        directionSquares += direction[j] * direction[j]
                        slope += halfGradient[j] * direction[j]
                    }
                    let denominator = errorSquares + eta * directionSquares
                    if denominator > 0 {
                        let step = min(1, max(0, -slope / denominator))
                        for j in 0..<count { x[j] += step * direction[j] }
                    }
                }
                // Objective ζ²‖x‖² + ‖Y (x, −1)‖² / n.
                var squares = 0.0
                for j in 0..<count { squares += x[j] * x[j] }
                var errors = 0.0
                for row in 0..<rows {
                    let base = row * width
                    var e = 0.0
                    for j in 0..<count { e += m[base + j] * x[j] }
                    e -= m[base + count]
                    errors += e * e
                }
                values.append(zeta * zeta * squares + errors / Double(rows))
            }
        }
        return (x, values)
    }

    /// R synthdid's `sparsify_function`: weights at most a quarter of the largest set to zero,
    /// the rest renormalised to sum one.
    static func sparsify(_ weights: [Double]) -> [Double] {
        guard let largest = weights.max() else { return weights }
        let kept = weights.map { $0 <= largest / 4 ? 0 : $0 }
        return sumNormalized(kept)
    }

    /// R synthdid's `sum_normalize`: `x / sum(x)`, or uniform weights when the sum is zero.
    static func sumNormalized(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        if total != 0 { return weights.map { $0 / total } }
        return weights.isEmpty ? weights : [Double](repeating: 1 / Double(weights.count), count: weights.count)
    }
}
