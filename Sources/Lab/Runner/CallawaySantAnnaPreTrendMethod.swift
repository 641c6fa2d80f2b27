import Estimators

/// Callaway & Sant'Anna's pre-test of parallel trends as a method (spec `estimator: pretrend` with
/// `source: cs`): R `did`'s Wald test that every pre-treatment ATT(g,t) (`t < g`) is 0, with the
/// influence-function covariance clustered as the CS standard errors (``CallawaySantAnnaPreTest``).
///
/// Like the event study's ``PreTrendMethod``, its rejection rate is the pre-test's size under
/// parallel trends and its power otherwise, and the runner gates the conditional measures on it
/// when it is the spec's first pre-trend method. The reported estimate is the mean of the tested
/// ATT(g,t) (truth 0 under parallel trends) with its influence-function standard error; a joint
/// test gives no interval, so reports leave bias, RMSE and coverage blank.
public struct CallawaySantAnnaPreTrendMethod: MethodEvaluator {
    /// The CS estimator's settings: control group, anticipation, clustering (`cluster`).
    public let settings: EstimatorSettings
    /// Estimand key (`zero`).
    public let target: String

    /// Creates the method.
    public init(settings: EstimatorSettings, target: String = "zero") {
        self.settings = settings
        self.target = target
    }

    static let entry = EstimatorRegistry.entry(id: "cs")

    /// `cs:never:pretrend` or `cs:notyet:pretrend` (the registry's CS label with effect `pretrend`).
    public var estimatorName: String {
        Self.entry?.label(effect: "pretrend", settings: settings) ?? "cs:\((settings.control ?? .never).rawValue):pretrend"
    }

    /// The influence-function variance, `if:COLUMN` (`if:unit` by default), as the CS methods.
    public var inferenceName: String { "if:\(settings.cluster ?? "unit")" }

    /// A joint test: reports leave bias, RMSE and coverage blank.
    public var reportsTestOnly: Bool { true }

    /// It is a pre-trend test (the runner's gate for the conditional measures).
    public var isPreTrendTest: Bool { true }

    /// Estimates every ATT(g,t) and tests the pre-treatment ones jointly.
    /// - Throws: the CS estimator's errors, or ``InvalidParameter`` (role ``Parameter/leads``) when the
    ///   pre-test is not reported on this panel (no pre-treatment cell, or a singular covariance).
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        guard let entry = Self.entry, let result = try entry.make(settings).fit(data.panel) as? CallawaySantAnnaResult else {
            throw InvalidParameter(.estimator, "cs", "the Callaway-Sant'Anna estimator is not registered")
        }
        guard let test = result.preTest else {
            let reason = result.notes.first { $0.contains("pre-test is not reported") } ?? "the pre-test is not reported"
            throw InvalidParameter(.leads, nil, reason)
        }
        // Mean of the tested cells, a'θ with a = 1/q, and its standard error √(a'Σa) from the summed influence.
        let n = result.unitCount
        var mean = 0.0
        var combined = [Double](repeating: 0, count: n)
        let weight = 1 / Double(test.cells.count)
        for k in test.cells {
            mean += weight * result.groupTime[k].estimate
            for i in 0..<n { combined[i] += weight * result.groupTimeInfluence[k * n + i] }
        }
        var sums = [Double](repeating: 0, count: result.clusterCount)
        for i in 0..<n { sums[Int(result.clusterOfUnit[i])] += combined[i] }
        let standardError = sums.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(n)
        return MethodResult(estimate: mean, standardError: standardError, confLow: .nan, confHigh: .nan,
                            pValue: test.pValue)
    }
}
