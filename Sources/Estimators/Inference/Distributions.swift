import CGSL

/// Student-t and normal tail probabilities and quantiles from GSL.
public enum Distributions {
    /// Two-sided p-value `2·P(T_df > |t|)`; the normal when `df` is infinite. NaN for NaN input.
    public static func twoSidedPValue(statistic: Double, degreesOfFreedom df: Double) -> Double {
        guard statistic.isFinite else { return statistic.isNaN ? .nan : 0 }
        if df.isInfinite { return 2 * gsl_cdf_ugaussian_Q(abs(statistic)) }
        return 2 * gsl_cdf_tdist_Q(abs(statistic), df)
    }

    /// The quantile `q` of t(df) (normal for infinite df), e.g. 0.975 for 95% intervals.
    public static func tQuantile(_ probability: Double, degreesOfFreedom df: Double) -> Double {
        df.isInfinite ? gsl_cdf_ugaussian_Pinv(probability) : gsl_cdf_tdist_Pinv(probability, df)
    }
}
