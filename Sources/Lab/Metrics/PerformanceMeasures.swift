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
/// | SE/SD ratio | `mean SE / s` | jackknife |
/// | coverage, rejection | `p` | `√(p(1 − p)/K)` |
/// | CI length | mean of `high − low` | `sd(length)/√K` |
///
/// `K` counts replications in which the method produced a finite estimate; failures are
/// counted apart and never silently averaged in.
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
    /// MCSE of the empirical SD.
    public var standardDeviationMCSE: Double
    /// Root mean squared error.
    public var rmse: Double
    /// Jackknife MCSE of the RMSE.
    public var rmseMCSE: Double
    /// Mean standard error (NaN when the method reports none).
    public var meanStandardError: Double
    /// `meanSE / SD`.
    public var standardErrorRatio: Double
    /// Coverage of the truth by the confidence interval.
    public var coverage: Double
    /// MCSE of the coverage.
    public var coverageMCSE: Double
    /// Share of replications rejecting H0: effect = 0 at level α (size when truth is 0, power otherwise).
    public var rejectionRate: Double
    /// MCSE of the rejection rate.
    public var rejectionMCSE: Double
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
        standardErrorRatio = meanStandardError / s
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
        let tested = valid.filter { $0.pValue.isFinite }
        rejectionRate = tested.count == k && k > 0 ? Double(tested.filter { $0.pValue < alpha }.count) / kd : .nan
        rejectionMCSE = (rejectionRate * (1 - rejectionRate) / kd).squareRoot()
    }

    /// Jackknife standard error from leave-one-out values: `√((K−1)/K · Σ(θ₍ᵢ₎ − θ̄₍.₎)²)`.
    public static func jackknifeSE(_ leaveOneOut: [Double]) -> Double {
        let k = Double(leaveOneOut.count)
        guard k > 1 else { return .nan }
        let m = leaveOneOut.reduce(0, +) / k
        return ((k - 1) / k * leaveOneOut.reduce(0) { $0 + ($1 - m) * ($1 - m) }).squareRoot()
    }
}
