import CGSL

/// The normal-family quantiles HonestDiD needs, computed exactly from GSL's normal CDF.
enum HonestDiDDistributions {
    /// `c_α(t)`: the `p` quantile of `|N(t, 1)|`, i.e. the `c` with `P(|Z + t| ≤ c) = p`
    /// (Armstrong & Kolesár 2018's critical value for a fixed-length interval with bias `t`·sd).
    ///
    /// Found by bisection on `P(|Z + t| > c) = Q(c − t) + Φ(−c − t)` (tail forms, accurate for large
    /// `t`), bracketed by `[|t| + z_p, |t| + z_{(1+p)/2}]`, to the last bit. The `honestdid` package
    /// simulates this quantile from 10⁶ normal draws instead (error ≈ 2·10⁻³ relative).
    static func foldedNormalQuantile(_ p: Double, mean t: Double) -> Double {
        let t = abs(t)
        let tail = 1 - p
        var low = t + gsl_cdf_ugaussian_Pinv(p), high = t + gsl_cdf_ugaussian_Pinv((1 + p) / 2)
        for _ in 0..<200 {
            let mid = (low + high) / 2
            guard mid > low && mid < high else { break }
            let exceed = gsl_cdf_ugaussian_Q(mid - t) + gsl_cdf_ugaussian_P(-mid - t)
            if exceed > tail { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// The `p` quantile of `N(0, 1)` truncated to `[lower, upper]` (scipy's `truncnorm.ppf`, as
    /// R HonestDiD's `.norminvp_generalized`). `lower` when the interval is empty or a point.
    /// Works in the upper tail's survival function when `lower ≥ 0` so that far tails keep their
    /// digits; where even that underflows the mass sits at `lower`, which is returned.
    static func truncatedNormalQuantile(_ p: Double, lower: Double, upper: Double) -> Double {
        guard lower < upper else { return lower }
        if lower == -.infinity && upper == .infinity { return gsl_cdf_ugaussian_Pinv(p) }
        if lower >= 0 {
            let qLow = gsl_cdf_ugaussian_Q(lower), qHigh = gsl_cdf_ugaussian_Q(upper)
            guard qLow > 0 else { return lower }
            let target = qLow - p * (qLow - qHigh)
            guard target > 0 else { return upper }
            return min(max(gsl_cdf_ugaussian_Qinv(target), lower), upper)
        }
        let pLow = gsl_cdf_ugaussian_P(lower), pHigh = gsl_cdf_ugaussian_P(upper)
        let target = pLow + p * (pHigh - pLow)
        guard target > 0 else { return lower }
        guard target < 1 else { return upper }
        return min(max(gsl_cdf_ugaussian_Pinv(target), lower), upper)
    }

    /// The `p` quantile of `N(0, 1)`.
    static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}
