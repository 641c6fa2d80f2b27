import CGSL

/// Callaway & Sant'Anna's pre-test of parallel trends, as R `did` 2.5's `att_gt` reports it ("P-value
/// for pre-test of parallel trends assumption", its `W` and `Wpval`): a Wald test that every
/// pre-treatment ATT(g,t) is 0.
///
/// **Cells.** Every ATT(g,t) with `t < g` (R: `which(group > tt)`), so with anticipation `δ > 0` the
/// anticipation-window cells `g − δ ≤ t < g` are tested too (R `did` and moderndid 0.4.1; csdid 0.4.3
/// tests only `t < g − δ`). Left out, as R leaves out its `zero_na_sd_entry`: cells whose standard
/// error is not finite or at most `√ε·10 ≈ 1.5e−7` (the reference cell of a universal base period,
/// cells that could not be estimated).
///
/// **Statistic.** With `θ` the tested cells and `Σ = S'S/n²` their influence-function covariance
/// (`S` the cluster sums of the influence functions; units by default; the covariance behind every
/// ATT(g,t) standard error), `W = θ'Σ⁻¹θ` (R: `n·θ'V⁻¹θ` with `V = S'S/n`), compared with χ² on
/// `q` = number of tested cells degrees of freedom. R clusters `V` beyond the unit only without the
/// bootstrap (`bstrap = FALSE`, which is what DiDLab's analytic standard errors are).
///
/// **Not reported** (nil, with a note saying why): no pre-treatment cell to test, or a covariance
/// that is singular (R: `rcond(V) ≤ ε`, 1-norm reciprocal condition number; here the exact one, from
/// the Cholesky inverse).
///
/// The p-value is not rounded (R and both Python ports round it to 5 decimals).
public struct CallawaySantAnnaPreTest: Sendable, Equatable {
    /// The Wald statistic `W`.
    public let statistic: Double
    /// Degrees of freedom of the χ² reference: the number of tested cells.
    public let degreesOfFreedom: Int
    /// `P(χ²_q > W)`.
    public let pValue: Double
    /// Indices into ``CallawaySantAnnaResult/groupTime`` of the tested cells.
    public let cells: [Int]
    /// Pre-treatment cells (`t < g`) left out for a missing or zero standard error.
    public let excludedCellCount: Int

    /// The smallest standard error a tested cell may have (R `did`: `sqrt(.Machine$double.eps) * 10`).
    public static let smallestStandardError = Double.ulpOfOne.squareRoot() * 10

    /// Why the test was not computed, in words (for the result's notes), or the test.
    enum Outcome {
        case tested(CallawaySantAnnaPreTest)
        case notReported(String)
    }

    /// Tests the pre-treatment cells of `cells` with influence functions `influence`
    /// (`cells.count × unitCount`, row-major) clustered by `cluster` (`0..<clusterCount` per unit).
    static func compute(cells: [CallawaySantAnnaResult.GroupTimeEffect], influence: [Double], unitCount n: Int,
                        cluster: [Int32], clusterCount: Int, clusteredByUnit: Bool) -> Outcome {
        let pre = cells.indices.filter { cells[$0].time < cells[$0].group }
        let tested = pre.filter {
            let se = cells[$0].standardError
            return cells[$0].isEstimable && cells[$0].estimate.isFinite && se.isFinite && se > smallestStandardError
        }
        guard !tested.isEmpty else {
            return .notReported(pre.isEmpty
                ? "No pre-treatment ATT(g,t) (t < g) to test: the parallel-trends pre-test is not reported"
                : "Every pre-treatment ATT(g,t) has a missing or zero standard error: the parallel-trends pre-test is not reported")
        }
        let q = tested.count
        // Cluster sums of each tested cell's influence function (units: the influence itself).
        let groups = clusteredByUnit ? n : clusterCount
        var sums = [Double](repeating: 0, count: q * groups)
        for (a, k) in tested.enumerated() {
            for i in 0..<n { sums[a * groups + (clusteredByUnit ? i : Int(cluster[i]))] += influence[k * n + i] }
        }
        let scale = 1 / (Double(n) * Double(n))
        var covariance = [Double](repeating: 0, count: q * q)
        for a in 0..<q {
            for b in 0...a {
                var total = 0.0
                for c in 0..<groups { total += sums[a * groups + c] * sums[b * groups + c] }
                covariance[a * q + b] = total * scale
                covariance[b * q + a] = total * scale
            }
        }
        let singular = "The covariance of the \(q) pre-treatment ATT(g,t) is singular (reciprocal condition number at "
            + "most machine epsilon, R did's rule): the parallel-trends pre-test is not reported"
        var inverse = covariance
        guard SmallLinearAlgebra.invertPositiveDefinite(&inverse, dimension: q, tolerance: 0) else {
            return .notReported(singular)
        }
        let reciprocalCondition = 1 / (Self.oneNorm(covariance, dimension: q) * Self.oneNorm(inverse, dimension: q))
        guard reciprocalCondition.isFinite, reciprocalCondition > Double.ulpOfOne else { return .notReported(singular) }
        let theta = tested.map { cells[$0].estimate }
        var statistic = 0.0
        for a in 0..<q { for b in 0..<q { statistic += theta[a] * inverse[a * q + b] * theta[b] } }
        return .tested(CallawaySantAnnaPreTest(statistic: statistic, degreesOfFreedom: q,
                                               pValue: gsl_cdf_chisq_Q(statistic, Double(q)), cells: tested,
                                               excludedCellCount: pre.count - q))
    }

    /// The largest absolute column sum.
    static func oneNorm(_ a: [Double], dimension p: Int) -> Double {
        (0..<p).map { c in (0..<p).reduce(0) { $0 + abs(a[$1 * p + c]) } }.max() ?? 0
    }
}
