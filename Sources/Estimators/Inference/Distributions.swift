import CGSL

/// Student-t and normal tail probabilities and quantiles from GSL.
public enum Distributions {
    /// Two-sided p-value `2·P(T_df > |t|)`; the normal when `df` is infinite. NaN for NaN input
    /// and for `df ≤ 0` (no residual degrees of freedom: GSL would abort on a domain error).
    public static func twoSidedPValue(statistic: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0 else { return .nan }
        guard statistic.isFinite else { return statistic.isNaN ? .nan : 0 }
        if df.isInfinite { return 2 * gsl_cdf_ugaussian_Q(abs(statistic)) }
        return 2 * gsl_cdf_tdist_Q(abs(statistic), df)
    }

    /// The quantile `q` of t(df) (normal for infinite df), e.g. 0.975 for 95% intervals; NaN for
    /// `df ≤ 0`.
    public static func tQuantile(_ probability: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0 else { return .nan }
        return df.isInfinite ? gsl_cdf_ugaussian_Pinv(probability) : gsl_cdf_tdist_Pinv(probability, df)
    }
}
