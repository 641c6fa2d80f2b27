/// The wild cluster bootstrap of one coefficient: the CR1 numbers, the bootstrap p-values and the
/// interval by test inversion, with everything needed to say how they were made.
public struct WildBootstrapResult: Sendable {
    /// Term name ("treat", "e+0", …).
    public let term: String
    /// `β̂_j`, its CR1 standard error, and `t = (β̂_j − r)/se` at the null value `r`.
    public let estimate: Double
    public let standardError: Double
    public let statistic: Double
    /// The null value `r` the p-value tests.
    public let nullValue: Double
    /// The reported p-value (of ``pValueType``).
    public let pValue: Double
    /// Symmetric and equal-tailed p-values (both always computed).
    public let pValueSymmetric: Double
    public let pValueEqualTailed: Double
    /// Confidence interval by test inversion (infinite bounds when the set is unbounded).
    public let confLow: Double
    public let confHigh: Double
    /// Its level.
    public let level: Double
    /// Draws used (`2^G` under full enumeration) and draws asked for.
    public let drawCount: Int
    public let requestedReplications: Int
    /// True when every Rademacher sign vector was enumerated (exact p-value).
    public let enumerated: Bool
    /// Draws with a zero bootstrap variance, left out.
    public let invalidDraws: Int
    /// The options that produced it.
    public let weights: BootstrapWeights
    public let imposeNull: Bool
    public let ties: BootstrapTieRule
    public let pValueType: BootstrapPValueType
    public let seed: UInt64
    public let threads: Int
    /// Cluster column and number of clusters.
    public let clusterName: String
    public let clusterCount: Int
    /// Clusters in which the term's regressor is non-zero (treated clusters), nil for covariates.
    public let treatedClusterCount: Int?
    /// The draws, to recompute statistics or p-values at other null values.
    public let distribution: WildBootstrapDistribution
    /// What was assumed or adjusted, in words.
    public let notes: [String]

    /// "WCR" or "WCU".
    public var kindName: String { imposeNull ? "WCR" : "WCU" }

    /// The bootstrap statistics `t*_b` at the tested null value, in draw order.
    public var bootstrapStatistics: [Double] { distribution.statistics(null: nullValue) }
}

/// The result of ``WildClusterBootstrap/run(on:model:terms:)``: the CR1 estimate at the bootstrap
/// cluster, and the bootstrap of each requested term.
public struct WildBootstrapRun: Sendable {
    /// The model's estimate with CR1 standard errors at the bootstrap cluster.
    public let estimate: Estimate
    /// One result per bootstrapped term, in the order asked.
    public let results: [WildBootstrapResult]

    /// The result for `term`, if it was bootstrapped.
    public func result(for term: String) -> WildBootstrapResult? { results.first { $0.term == term } }
}
