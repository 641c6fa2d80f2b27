/// Cholesky factorisation of a symmetric positive semi-definite matrix that drops, in order,
/// every pivot whose remaining variance falls below `tolerance` times its original diagonal.
///
/// This is the collinearity rule of R fixest (`collin.tol = 1e-10`): columns are examined
/// left to right and a column that is (numerically) a linear combination of the columns kept
/// before it is dropped, so earlier regressors win. GSL's pivoted Cholesky reorders columns by
/// size and so cannot reproduce which term fixest drops; this small routine does exactly that
/// and nothing more. Dropped rows and columns of the factor are zero, and ``solve(_:)`` sets
/// the corresponding solution entries to zero, which gives *a* solution of a consistent
/// singular system (the one the exact two-way demeaning needs).
///
/// The factorisation and the substitutions are one pair of in-place routines,
/// ``factorInPlace(_:dimension:kept:tolerance:)`` and ``solveInPlace(factor:dimension:kept:rhs:rhsCount:)``,
/// which the allocation-free solver ``SmallSystem`` and the Callaway–Sant'Anna inverse share.
struct DroppingCholesky: Sendable {
    /// Dimension of the matrix.
    let dimension: Int
    /// Lower-triangular factor, row-major `dimension × dimension` (upper triangle zero).
    private(set) var factor: [Double]
    /// Whether each column was kept.
    private(set) var kept: [Bool]

    /// Number of kept columns (the numerical rank).
    var rank: Int { kept.lazy.filter { $0 }.count }

    /// Factors `matrix` (row-major, symmetric; only the lower triangle is read).
    /// - Parameter tolerance: relative pivot threshold; fixest's default is 1e-10.
    init(matrix: [Double], dimension: Int, tolerance: Double = 1e-10) {
        precondition(matrix.count == dimension * dimension)
        self.dimension = dimension
        var l = matrix
        var kept = [Bool](repeating: false, count: dimension)
        l.withUnsafeMutableBufferPointer { factor in
            kept.withUnsafeMutableBufferPointer { flags in
                guard let base = factor.baseAddress, let keptBase = flags.baseAddress else { return }
                Self.factorInPlace(base, dimension: dimension, kept: keptBase, tolerance: tolerance)
            }
        }
        // The in-place factor leaves the strict upper triangle as it was.
        for i in 0..<dimension { for j in (i + 1)..<dimension { l[i * dimension + j] = 0 } }
        self.factor = l
        self.kept = kept
    }

    /// Solves `A x = b` on the kept columns; dropped entries of `x` are zero.
    func solve(_ rhs: [Double]) -> [Double] {
        var x = rhs
        x.withUnsafeMutableBufferPointer { solveInPlace($0) }
        return x
    }

    /// In-place version of ``solve(_:)`` for hot loops (allocates nothing).
    func solveInPlace(_ x: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count >= dimension)
        factor.withUnsafeBufferPointer { l in
            kept.withUnsafeBufferPointer { flags in
                guard let base = l.baseAddress, let keptBase = flags.baseAddress, let rhs = x.baseAddress else { return }
                Self.solveInPlace(factor: base, dimension: dimension, kept: keptBase, rhs: rhs, rhsCount: 1)
            }
        }
    }

    /// Factors row-major `matrix` (`n × n`, symmetric; the lower triangle is read) in place: the
    /// lower triangle becomes `L` (`A = L L'` on the kept columns), column by column, left to
    /// right; a pivot whose remaining variance `a_jj − Σ_{k<j kept} l_jk²` is not above
    /// `tolerance · a_jj` (or whose `a_jj` is not positive) is dropped: `kept[j] = false` and
    /// column `j` of `L` is zero. The strict upper triangle is left as it was.
    /// - Returns: the rank (number of kept pivots).
    @discardableResult
    static func factorInPlace(_ matrix: UnsafeMutablePointer<Double>, dimension n: Int,
                              kept: UnsafeMutablePointer<Bool>, tolerance: Double) -> Int {
        var rank = 0
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
        return rank
    }

    /// Forward and back substitution with a factor from ``factorInPlace(_:dimension:kept:tolerance:)``
    /// for each column of `rhs` (row-major `n × rhsCount`, overwritten by the solution); entries
    /// of dropped pivots are zero.
    static func solveInPlace(factor: UnsafePointer<Double>, dimension n: Int, kept: UnsafePointer<Bool>,
                             rhs: UnsafeMutablePointer<Double>, rhsCount: Int) {
        for c in 0..<rhsCount {
            for i in 0..<n {
                guard kept[i] else { rhs[i * rhsCount + c] = 0; continue }
                var sum = rhs[i * rhsCount + c]
                for k in 0..<i where kept[k] { sum -= factor[i * n + k] * rhs[k * rhsCount + c] }
                rhs[i * rhsCount + c] = sum / factor[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) where kept[i] {
                var sum = rhs[i * rhsCount + c]
                for k in (i + 1)..<n where kept[k] { sum -= factor[k * n + i] * rhs[k * rhsCount + c] }
                rhs[i * rhsCount + c] = sum / factor[i * n + i]
            }
        }
    }
}

/// In-place solution of small symmetric positive semi-definite systems `A x = b`, for hot loops
/// that must not allocate (bootstrap draws, first-stage solves): ``DroppingCholesky``'s
/// factorisation and substitutions on caller-owned memory: `matrix` (row-major `n × n`,
/// overwritten by the factor), `rhs` (row-major `n × rhsCount`, overwritten by the solution) and
/// `kept` (`n` flags).
enum SmallSystem {
    /// Factors and solves in place.
    /// - Returns: the rank (number of kept pivots).
    @discardableResult
    static func solve(_ matrix: UnsafeMutablePointer<Double>, dimension n: Int, rhs: UnsafeMutablePointer<Double>,
                      rhsCount: Int, kept: UnsafeMutablePointer<Bool>, tolerance: Double = 1e-10) -> Int {
        let rank = DroppingCholesky.factorInPlace(matrix, dimension: n, kept: kept, tolerance: tolerance)
        DroppingCholesky.solveInPlace(factor: matrix, dimension: n, kept: kept, rhs: rhs, rhsCount: rhsCount)
        return rank
    }
}
