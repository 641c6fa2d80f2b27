/// Monte Carlo performance measures with their Monte Carlo standard errors (MCSE), following
/// Morris, White & Crowther (2019, Stat. Med. 38:2074, Table 6) and R `simhelpers`:
///
/// | measure | estimate | MCSE |
/// |---|---|---|
/// | bias | `θ̄ − θ` | `s/√K` |
/// | relative bias | `(θ̄ − θ)/θ` | `s/(√K·|θ|)` |
/// | empirical SD | `s = √(Σ(θ̂ − θ̄)²/(K − 1))` | `s/√(2(K − 1))` |
/// | RMSE | `√(Σ(θ̂ − θ)²/K)` | jackknife |
/// | mean SE | `Σ SE/K` | `sd(SE)/√K` |
/// | SE/SD ratio | `mean SE / sd(θ̂ − θ)` | jackknife |
/// | coverage, rejection | `p` | `√(p(1 − p)/K)`, and a Wilson 95% interval |
/// | CI length | mean of `high − low` | `sd(length)/√K` |
///
/// `K` counts replications in which the method produced a finite estimate; failures are
/// counted apart and never silently averaged in. The SE/SD ratio divides by the SD of the errors
/// `θ̂_r − θ_r`, not of the estimates: when the truth varies by replication (an entropy index, a
/// redrawn calendar) the estimates' spread includes the truth's, which no standard error is meant
/// to measure. With a fixed truth the two are equal.
public struct PerformanceMeasures: Sendable, Equatable {
    /// Replications used (finite estimates).
    public var replications: Int
    /// Replications in which the method failed (non-finite estimate or a thrown error).
    public var failures: Int
    /// True value of the estimand (mean over replications when it varies).
    public var truth: Double
    /// Mean estimate.
    public var mean: Double
    /// `mean − truth`.
    public var bias: Double
    /// MCSE of the bias.
    public var biasMCSE: Double
    /// `bias / truth` (NaN when the truth is 0).
    public var relativeBias: Double
    /// Empirical standard deviation of the estimates.
    public var standardDeviation: Double
    /// Standard deviation of the errors θ̂ − θ, the denominator of ``standardErrorRatio`` (equal to
    /// ``standardDeviation`` when the truth is the same in every replication).
    public var errorStandardDeviation: Double
    /// MCSE of the empirical SD.
    public var standardDeviationMCSE: Double
    /// Root mean squared error.
    public var rmse: Double
    /// Jackknife MCSE of the RMSE.
    public var rmseMCSE: Double
    /// Mean standard error (NaN when the method reports none).
    public var meanStandardError: Double
    /// MCSE of the mean standard error, `sd(SE)/√K`.
    public var meanStandardErrorMCSE: Double
    /// `meanSE / sd(θ̂ − θ)`.
    public var standardErrorRatio: Double
    /// Jackknife MCSE of the SE/SD ratio.
    public var standardErrorRatioMCSE: Double
    /// Coverage of the truth by the confidence interval.
    public var coverage: Double
    /// MCSE of the coverage.
    public var coverageMCSE: Double
    /// Wilson 95% interval of the coverage (not degenerate at 0 or 1).
    public var coverageWilson: WilsonInterval
    /// Share of replications rejecting H0: effect = 0 at level α (size when truth is 0, power otherwise).
    public var rejectionRate: Double
    /// MCSE of the rejection rate.
    public var rejectionMCSE: Double
    /// Wilson 95% interval of the rejection rate.
    public var rejectionWilson: WilsonInterval
    /// Mean confidence interval length.
    public var intervalLength: Double

    /// One replication's outcome for one method.
    public struct Draw: Sendable {
        public var estimate: Double
        public var standardError: Double
        public var confLow: Double
        public var confHigh: Double
        public var pValue: Double
        public var truth: Double
        /// Creates a draw; non-finite estimates count as failures.
        public init(estimate: Double, standardError: Double, confLow: Double, confHigh: Double, pValue: Double,
                    truth: Double) {
            self.estimate = estimate
            self.standardError = standardError
            self.confLow = confLow
            self.confHigh = confHigh
            self.pValue = pValue
            self.truth = truth
        }
    }

    /// Summarises draws in the given order (the order is fixed by the caller, so sums are
    /// reproducible bit for bit). `alpha` is the test level for rejection rates.
    public init(draws: [Draw], alpha: Double) {
        let valid = draws.filter { $0.estimate.isFinite }
        let k = valid.count
        replications = k
        failures = draws.count - k
        let kd = Double(k)
        func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        func sd(_ values: [Double]) -> Double {
            guard values.count > 1 else { return .nan }
            let m = mean(values)
            return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
        }
        let estimates = valid.map(\.estimate)
        // The truth is known in every replication, failed or not.
        truth = mean(draws.map(\.truth))
        self.mean = mean(estimates)
        let errors = valid.map { $0.estimate - $0.truth }
        bias = mean(errors)
        let s = sd(estimates)
        let errorSD = sd(errors)
        biasMCSE = errorSD / kd.squareRoot()
        relativeBias = truth == 0 ? .nan : bias / truth
        standardDeviation = s
        errorStandardDeviation = errorSD
        standardDeviationMCSE = s / (2 * (kd - 1)).squareRoot()
        let squared = errors.map { $0 * $0 }
        let meanSquared = mean(squared)
        rmse = meanSquared.squareRoot()
        // Jackknife: leave-one-out RMSE from the running total.
        let total = squared.reduce(0, +)
        let leaveOut = squared.map { ((total - $0) / (kd - 1)).squareRoot() }
        rmseMCSE = PerformanceMeasures.jackknifeSE(leaveOut)
        let ses = valid.map(\.standardError).filter(\.isFinite)
        meanStandardError = ses.count == k ? mean(ses) : .nan
        meanStandardErrorMCSE = ses.count == k ? sd(ses) / kd.squareRoot() : .nan
        standardErrorRatio = meanStandardError / errorSD
        if ses.count == k && k > 2 {
            // Leave-one-out mean SE and SD of the errors from running sums.
            let seTotal = ses.reduce(0, +), errorTotal = errors.reduce(0, +)
            let errorSquares = errors.reduce(0) { $0 + $1 * $1 }
            let leaveOut = (0..<k).map { i -> Double in
                let n = kd - 1
                let meanError = (errorTotal - errors[i]) / n
                let variance = ((errorSquares - errors[i] * errors[i]) - n * meanError * meanError) / (n - 1)
                return ((seTotal - ses[i]) / n) / variance.squareRoot()
            }
            standardErrorRatioMCSE = PerformanceMeasures.jackknifeSE(leaveOut)
        } else {
            standardErrorRatioMCSE = .nan
        }
        let intervals = valid.filter { $0.confLow.isFinite && $0.confHigh.isFinite }
        if intervals.count == k && k > 0 {
            let covered = intervals.filter { $0.confLow <= $0.truth && $0.truth <= $0.confHigh }.count
            coverage = Double(covered) / kd
            intervalLength = mean(intervals.map { $0.confHigh - $0.confLow })
        } else {
            coverage = .nan
            intervalLength = .nan
        }
        coverageMCSE = (coverage * (1 - coverage) / kd).squareRoot()
        coverageWilson = PerformanceMeasures.wilson(coverage, count: k)
        let tested = valid.filter { $0.pValue.isFinite }
        rejectionRate = tested.count == k && k > 0 ? Double(tested.filter { $0.pValue < alpha }.count) / kd : .nan
        rejectionMCSE = (rejectionRate * (1 - rejectionRate) / kd).squareRoot()
        rejectionWilson = PerformanceMeasures.wilson(rejectionRate, count: k)
    }

    /// Wilson's 95% score interval of a proportion `p` of `count` draws (NaN without draws).
    public static func wilson(_ p: Double, count: Int) -> WilsonInterval {
        guard count > 0, p.isFinite else { return WilsonInterval(low: .nan, high: .nan) }
        let z = 1.959963984540054, n = Double(count)
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        return WilsonInterval(low: max(0, centre - half), high: min(1, centre + half))
    }

    /// Jackknife standard error from leave-one-out values: `√((K−1)/K · Σ(θ₍ᵢ₎ − θ̄₍.₎)²)`.
    public static func jackknifeSE(_ leaveOneOut: [Double]) -> Double {
        let k = Double(leaveOneOut.count)
        guard k > 1 else { return .nan }
        let m = leaveOneOut.reduce(0, +) / k
        return ((k - 1) / k * leaveOneOut.reduce(0) { $0 + ($1 - m) * ($1 - m) }).squareRoot()
    }
}

/// A Wilson 95% score interval of a proportion.
public struct WilsonInterval: Sendable, Equatable {
    /// Lower and upper ends.
    public var low: Double, high: Double
    /// Creates the interval.
    public init(low: Double, high: Double) { self.low = low; self.high = high }
}

extension PerformanceMeasures {
    /// The measures of a method whose number is a test, not an estimate of its target (a joint
    /// Wald test, a test of equal subgroup effects): bias, relative bias, RMSE and coverage, with
    /// their MCSEs and Wilson interval, are NaN (blank in reports); the rejection rate and the
    /// spread of the reported number are kept.
    public func testOnly() -> PerformanceMeasures {
        var copy = self
        (copy.bias, copy.biasMCSE, copy.relativeBias) = (.nan, .nan, .nan)
        (copy.rmse, copy.rmseMCSE) = (.nan, .nan)
        (copy.coverage, copy.coverageMCSE) = (.nan, .nan)
        copy.coverageWilson = WilsonInterval(low: .nan, high: .nan)
        return copy
    }
}
