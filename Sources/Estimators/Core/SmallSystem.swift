/// In-place solution of small symmetric positive semi-definite systems `A x = b`, for hot loops
/// that must not allocate (bootstrap draws, first-stage solves).
///
/// Cholesky, columns left to right, with the collinearity rule of ``DroppingCholesky``: a pivot
/// whose remaining variance is at most `tolerance` times its diagonal entry is dropped, and the
/// corresponding solution entries are set to zero (a solution of a consistent singular system).
/// Everything works on caller-owned memory: `matrix` (row-major `n × n`, overwritten by the factor),
/// `rhs` (row-major `n × rhsCount`, overwritten by the solution) and `kept` (`n` flags).
enum SmallSystem {
    /// Factors and solves in place.
    /// - Returns: the rank (number of kept pivots).
    @discardableResult
    static func solve(_ matrix: UnsafeMutablePointer<Double>, dimension n: Int, rhs: UnsafeMutablePointer<Double>,
                      rhsCount: Int, kept: UnsafeMutablePointer<Bool>, tolerance: Double = 1e-10) -> Int {
        var rank = 0
        // Factor: L stored in the lower triangle (row-major), column by column.
        for j in 0..<n {
            let original = matrix[j * n + j]
            var pivot = original
            for k in 0..<j where kept[k] { pivot -= matrix[j * n + k] * matrix[j * n + k] }
            guard original > 0, pivot > tolerance * original else {
                kept[j] = false
                for i in j..<n { matrix[i * n + j] = 0 }
                continue
            }
            kept[j] = true
            rank += 1
            let root = pivot.squareRoot()
            matrix[j * n + j] = root
            for i in (j + 1)..<n {
                var sum = matrix[i * n + j]
                for k in 0..<j where kept[k] { sum -= matrix[i * n + k] * matrix[j * n + k] }
                matrix[i * n + j] = sum / root
            }
        }
        // Forward and back substitution for each right-hand side.
        for c in 0..<rhsCount {
            for i in 0..<n {
                guard kept[i] else { rhs[i * rhsCount + c] = 0; continue }
                var sum = rhs[i * rhsCount + c]
                for k in 0..<i where kept[k] { sum -= matrix[i * n + k] * rhs[k * rhsCount + c] }
                rhs[i * rhsCount + c] = sum / matrix[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) where kept[i] {
                var sum = rhs[i * rhsCount + c]
                for k in (i + 1)..<n where kept[k] { sum -= matrix[k * n + i] * rhs[k * rhsCount + c] }
                rhs[i * rhsCount + c] = sum / matrix[i * n + i]
            }
        }
        return rank
    }
}
