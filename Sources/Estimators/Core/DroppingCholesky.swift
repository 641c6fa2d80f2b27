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
public struct DroppingCholesky: Sendable {
    /// Dimension of the matrix.
    public let dimension: Int
    /// Lower-triangular factor, row-major `dimension × dimension`.
    public private(set) var factor: [Double]
    /// Whether each column was kept.
    public private(set) var kept: [Bool]

    /// Number of kept columns (the numerical rank).
    public var rank: Int { kept.lazy.filter { $0 }.count }

    /// Factors `matrix` (row-major, symmetric; only the lower triangle is read).
    /// - Parameter tolerance: relative pivot threshold; fixest's default is 1e-10.
    public init(matrix: [Double], dimension: Int, tolerance: Double = 1e-10) {
        precondition(matrix.count == dimension * dimension)
        self.dimension = dimension
        var l = [Double](repeating: 0, count: dimension * dimension)
        var kept = [Bool](repeating: false, count: dimension)
        for j in 0..<dimension {
            var pivot = matrix[j * dimension + j]
            let original = pivot
            for k in 0..<j where kept[k] { pivot -= l[j * dimension + k] * l[j * dimension + k] }
            guard original > 0, pivot > tolerance * original else { continue }
            let root = pivot.squareRoot()
            l[j * dimension + j] = root
            kept[j] = true
            for i in (j + 1)..<dimension {
                var sum = matrix[i * dimension + j]
                for k in 0..<j where kept[k] { sum -= l[i * dimension + k] * l[j * dimension + k] }
                l[i * dimension + j] = sum / root
            }
        }
        self.factor = l
        self.kept = kept
    }

    /// Solves `A x = b` on the kept columns; dropped entries of `x` are zero.
    public func solve(_ rhs: [Double]) -> [Double] {
        var x = rhs
        x.withUnsafeMutableBufferPointer { solveInPlace($0) }
        return x
    }

    /// In-place version of ``solve(_:)`` for hot loops (allocates nothing).
    public func solveInPlace(_ x: UnsafeMutableBufferPointer<Double>) {
        let n = dimension
        factor.withUnsafeBufferPointer { l in
            for i in 0..<n {
                guard kept[i] else { x[i] = 0; continue }
                var sum = x[i]
                for k in 0..<i where kept[k] { sum -= l[i * n + k] * x[k] }
                x[i] = sum / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) where kept[i] {
                var sum = x[i]
                for k in (i + 1)..<n where kept[k] { sum -= l[k * n + i] * x[k] }
                x[i] = sum / l[i * n + i]
            }
        }
    }
}
