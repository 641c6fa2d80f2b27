import Estimators

/// HonestDiD's robust confidence set (Rambachan & Roth 2023) as a method of an experiment: the
/// event study is estimated on each replication, and the set for `θ = l'τ_post` under one bound
/// (`Δ^RM(M̄)` by C-LF, or `Δ^SD(M)` by FLCI; ``HonestDiD``) is its interval. Coverage is then the
/// share of replications whose robust set contains the true event-time effect — the property
/// the set promises when the violation of parallel trends lies inside the bound, and that can
/// fail when it does not (measure it under `paper-selection`).
///
/// The reported estimate is the set's centre: `l'β̂_post` for C-LF, with its standard error
/// `sd(l'β̂_post)`; the affine FLCI estimator for FLCI, whose standard error is left blank (the
/// interval's half-length mixes it with the worst-case bias, and `sd(l'β̂_post)` belongs to another
/// estimator). A robust set is not a test statistic: the "p-value" is 0 when the set excludes 0
/// and 1 when it contains it, so the rejection rate is the share of sets that exclude 0, and a
/// size-adjusted power computed from these 0/1 values is either "none" or the unadjusted rate.
/// An empty set (the test rejects every θ, even on the widened grid) fails the replication.
public struct HonestMethod: MethodEvaluator {
    /// The bound on post-period violations.
    public let restriction: HonestDiD.Restriction
    /// `θ`: the first post period or `e+K` (the truth has an estimand for each event time).
    public let honestTarget: HonestDiD.Target
    /// Event window (nil: every observed event time).
    public let leads: Int?, lags: Int?
    /// Variance of the event-study coefficients.
    public let variance: VarianceType
    /// Estimand key (`e+0` for the first post period, `e+K`).
    public let target: String

    /// Creates the method.
    public init(restriction: HonestDiD.Restriction, honestTarget: HonestDiD.Target, leads: Int?, lags: Int?,
                variance: VarianceType, target: String) {
        self.restriction = restriction
        self.honestTarget = honestTarget
        self.leads = leads
        self.lags = lags
        self.variance = variance
        self.target = target
    }

    /// `event:honest-rm1:first`, `event:honest-sd0.005:e+1`.
    public var estimatorName: String {
        "event:honest-\(restriction.kind.rawValue)\(Self.number(restriction.bound)):\(honestTarget.name)"
    }

    /// The coefficients' variance and the construction: `cr1:city+C-LF`, `cr1:city+FLCI`.
    public var inferenceName: String {
        variance.inferenceName + (restriction.kind == .relativeMagnitudes ? "+C-LF" : "+FLCI")
    }

    /// The bound as written (`1`, `0.5`, `0.005`).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Estimates the event study and its robust set. The least-favourable draws of C-LF are seeded
    /// by the replication's stream key, so results are the same for any thread count.
    /// - Throws: the event study's errors, or ``HonestDiDError`` when the panel gives no lead or
    ///   the target is not a post period.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let estimate = try EventStudy(leads: leads, lags: lags, options: RegressionOptions(variance: variance))
            .estimate(data.panel)
        let coefficients = try HonestDiD.EventStudyCoefficients(estimate: estimate)
        var options = HonestDiD.Options()
        options.seed = streamKey
        let set = try HonestDiD.confidenceSet(eventStudy: coefficients, restriction: restriction, target: honestTarget,
                                              alpha: alpha, options: options)
        guard set.lower.isFinite && set.upper.isFinite else {
            throw HonestDiDError("the robust set is empty: the test rejects every θ on its grid, widened 64 times around the estimate")
        }
        let original = try HonestDiD.originalConfidenceSet(eventStudy: coefficients, target: honestTarget, alpha: alpha)
        let sd = restriction.kind == .smoothness ? .nan
            : (original.upper - original.lower) / 2 / Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: .infinity)
        return MethodResult(estimate: set.estimate ?? original.estimate ?? .nan, standardError: sd,
                            confLow: set.lower, confHigh: set.upper, pValue: set.excludes(0) ? 0 : 1)
    }
}
