import CGSL

/// A Wald test of linear restrictions `Rβ = 0` on an estimate's coefficients, as an F test.
///
/// `W = (Rβ̂)'(R V R')⁻¹(Rβ̂)`, `F = W / q` with `q` the rank of the restrictions, and
/// `p = P(F(q, df₂) > F)` where `df₂` is the variance's t degrees of freedom: `G − 1` for
/// clustered variances, `n − K` otherwise. This is R fixest's `wald()` and pyfixest 0.60.0's
/// `Feols.wald_test(distribution="F")` (`dfd = min(G) − 1` when clustered, `N − k − k_fe`
/// otherwise); pyfixest switches to χ² for non-identity `R`, DiDLab keeps the F form throughout.
public struct WaldTest: Sendable, Equatable {
    /// `F = W / q`.
    public let statistic: Double
    /// `q`, the number of independent restrictions.
    public let numeratorDegreesOfFreedom: Int
    /// `df₂`.
    public let denominatorDegreesOfFreedom: Double
    /// `P(F(q, df₂) > F)`.
    public let pValue: Double

    /// The test of `rows · β = 0`, each row a map from term name to weight, on `estimate`.
    ///
    /// Collinear restrictions are dropped (fixest's rule, ``DroppingCholesky``), so `q` is their
    /// rank. Returns nil when a term is not in the estimate or no restriction is left.
    public static func linear(_ rows: [[String: Double]], on estimate: Estimate) -> WaldTest? {
        let m = estimate.terms.count
        var matrix: [[Double]] = []
        for row in rows {
            var coefficients = [Double](repeating: 0, count: m)
            for (name, weight) in row {
                guard let index = estimate.index(of: name) else { return nil }
                coefficients[index] = weight
            }
            matrix.append(coefficients)
        }
        return test(restrictions: matrix, coefficients: estimate.coefficients, variance: estimate.variance.matrix,
                    degreesOfFreedom: estimate.variance.degreesOfFreedom)
    }

    /// The test of `Rβ = 0` with `R` given row by row over all `m` coefficients and `V` row-major
    /// `m × m`; nil when no restriction is left.
    public static func test(restrictions: [[Double]], coefficients: [Double], variance: [Double],
                            degreesOfFreedom: Double) -> WaldTest? {
        let m = coefficients.count
        let q = restrictions.count
        guard q > 0 else { return nil }
        var rb = [Double](repeating: 0, count: q)
        var rvr = [Double](repeating: 0, count: q * q)
        for a in 0..<q {
            for i in 0..<m { rb[a] += restrictions[a][i] * coefficients[i] }
            for b in 0..<q {
                var sum = 0.0
                for i in 0..<m where restrictions[a][i] != 0 {
                    for j in 0..<m where restrictions[b][j] != 0 { sum += restrictions[a][i] * variance[i * m + j] * restrictions[b][j] }
                }
                rvr[a * q + b] = sum
            }
        }
        let factor = DroppingCholesky(matrix: rvr, dimension: q, tolerance: 1e-10)
        let rank = factor.rank
        guard rank > 0 else { return nil }
        let solved = factor.solve(rb)
        var w = 0.0
        for a in 0..<q { w += rb[a] * solved[a] }
        let f = w / Double(rank)
        let p = f.isFinite && degreesOfFreedom > 0 ? gsl_cdf_fdist_Q(f, Double(rank), degreesOfFreedom) : .nan
        return WaldTest(statistic: f, numeratorDegreesOfFreedom: rank, denominatorDegreesOfFreedom: degreesOfFreedom,
                        pValue: p)
    }
}
