import Estimators

/// The event study's joint pre-trend test as a method: `H₀: β_e = 0` for every lead `e ≤ −2`
/// (the reference `e = −1` is omitted), an F test with the variance's degrees of freedom
/// (``WaldTest``, R fixest's `wald()`).
///
/// Its rejection rate is the pre-test's size when trends are parallel and its power when they are
/// not. The reported estimate is the mean of the lead coefficients (truth 0 under parallel trends),
/// with its standard error `√(a'Va)`; a joint test gives no confidence interval, so coverage is not
/// reported.
public struct PreTrendMethod: MethodEvaluator {
    /// Leads and lags of the event study (nil: every observed event time).
    public let leads: Int?, lags: Int?
    /// Variance of the coefficients.
    public let variance: VarianceType
    /// Estimand key (`zero`).
    public let target: String
    /// Baseline tests by replication, for replications carrying an ``EffectShift``.
    private let baselines = BaselineCache<MethodResult?>()

    /// Creates the method.
    public init(leads: Int?, lags: Int?, variance: VarianceType, target: String = "zero") {
        self.leads = leads
        self.lags = lags
        self.variance = variance
        self.target = target
    }

    /// The estimator label of the event study's pre-trend test (summaries built without evaluators find
    /// the pre-test by it; ``CallawaySantAnnaPreTrendMethod`` is `cs:CONTROL:pretrend`).
    public static let label = "event:pretrend"

    public var estimatorName: String { Self.label }

    public var inferenceName: String { variance.inferenceName }

    /// A joint test: the mean of the leads is no estimate of a target, so reports leave bias, RMSE
    /// and coverage blank.
    public var reportsTestOnly: Bool { true }

    /// It is a pre-trend test (the runner's gate for the conditional measures).
    public var isPreTrendTest: Bool { true }

    /// Estimates the event study and tests its leads jointly.
    /// - Throws: the event study's errors, or ``InvalidParameter`` (role ``Parameter/leads``) when the
    ///   panel gives no lead to test.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        // With Y = Y⁰ + δ·D the leads do not move when every event-time dummy was kept (EffectShift):
        // the baseline's test is the test at δ.
        if let shift = data.effectShift,
           let baseline = baselines.value(for: streamKey, make: { () -> MethodResult? in
               guard let test = try? self.test(on: shift.baseline), !test.droppedAny else { return nil }
               return test.result
           }) {
            return baseline
        }
        return try test(on: data.panel).result
    }

    /// The joint test of the leads on `panel`; `droppedAny`: the event study dropped a term.
    private func test(on panel: Panel) throws -> (result: MethodResult, droppedAny: Bool) {
        let estimate = try EventStudy(leads: leads, lags: lags, options: RegressionOptions(variance: variance))
            .estimate(panel)
        let leadTerms = estimate.terms.filter { ($0.eventTime ?? 0) <= -2 }.map(\.name)
        guard !leadTerms.isEmpty, let test = WaldTest.linear(leadTerms.map { [$0: 1] }, on: estimate) else {
            throw InvalidParameter(.leads, nil, "the event study has no lead coefficient to test on this panel")
        }
        let indices = leadTerms.compactMap { estimate.index(of: $0) }
        let weight = 1 / Double(indices.count)
        let m = estimate.terms.count
        var mean = 0.0, variance = 0.0
        for i in indices {
            mean += weight * estimate.coefficients[i]
            for j in indices { variance += weight * weight * estimate.variance.matrix[i * m + j] }
        }
        return (MethodResult(estimate: mean, standardError: variance.squareRoot(), confLow: .nan, confHigh: .nan,
                             pValue: test.pValue), !estimate.droppedTerms.isEmpty)
    }
}
