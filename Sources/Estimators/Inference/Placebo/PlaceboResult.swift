import CGSL

/// The outcome of a ``PlaceboTest``: the observed statistic, every placebo draw, the
/// randomization p-values (RI-β and RI-t) and a summary of the placebo coefficients.
public struct PlaceboResult: Sendable {
    /// What was tested, e.g. "treat (TWFE)".
    public let statisticLabel: String
    /// Clustering of the standard errors (and so of the t statistics).
    public let clusterName: String?
    /// The design.
    public let design: PlaceboDesign
    /// The statistic on the observed assignment.
    public let observed: PlaceboValue
    /// Placebo coefficients, in draw order (NaN for a failed draw).
    public let estimates: [Double]
    /// Their standard errors.
    public let standardErrors: [Double]
    /// `R` as requested.
    public let requestedPermutations: Int
    /// Master seed.
    public let seed: UInt64
    /// Worker threads used (the results do not depend on it).
    public let threads: Int
    /// True when every distinct assignment was enumerated.
    public let exact: Bool
    /// Number of distinct assignments of the design (nil: more than `UInt64` or random timing).
    public let distinctAssignments: UInt64?
    /// p-value convention and alternative.
    public let convention: PValueConvention
    public let alternative: PlaceboAlternative
    /// Evaluation path used.
    public let path: String
    /// What was enumerated, dropped or assumed.
    public let notes: [String]
    /// The fake-timing estimate (``PlaceboScheme/timingShift(periods:)`` only).
    public let fakeTiming: PlaceboValue?

    /// RI-β p-value: the coefficient.
    public let pValue: Double
    /// RI-t p-value: the cluster-robust t statistic.
    public let pValueStudentized: Double
    /// Draws at least as extreme (coefficient, t).
    public let extremeCount: Int, extremeCountStudentized: Int
    /// Draws that failed (NaN), left out of the p-values.
    public let invalidDraws: Int
    /// Mean, SD (n − 1), 2.5% and 97.5% quantiles (GSL, type 7) of the valid placebo coefficients.
    public let summary: (mean: Double, sd: Double, q025: Double, q975: Double)

    /// Number of draws evaluated (`R`, or the number of enumerated assignments).
    public var drawCount: Int { estimates.count }
    /// Placebo t statistics.
    public var statistics: [Double] { zip(estimates, standardErrors).map { $0 / $1 } }

    init(statisticLabel: String, clusterName: String?, design: PlaceboDesign, observed: PlaceboValue,
         estimates: [Double], standardErrors: [Double], requestedPermutations: Int, seed: UInt64, threads: Int,
         exact: Bool, distinctAssignments: UInt64?, convention: PValueConvention, alternative: PlaceboAlternative,
         path: String, notes: [String], fakeTiming: PlaceboValue? = nil) {
        self.statisticLabel = statisticLabel
        self.clusterName = clusterName
        self.design = design
        self.observed = observed
        self.estimates = estimates
        self.standardErrors = standardErrors
        self.requestedPermutations = requestedPermutations
        self.seed = seed
        self.threads = threads
        self.exact = exact
        self.distinctAssignments = distinctAssignments
        self.convention = convention
        self.alternative = alternative
        self.path = path
        self.fakeTiming = fakeTiming
        let statistics = zip(estimates, standardErrors).map { $0 / $1 }
        let (extreme, valid) = estimates.withUnsafeBufferPointer {
            RandomizationPValue.count(observed: observed.estimate, draws: $0, alternative: alternative)
        }
        let (extremeT, validT) = statistics.withUnsafeBufferPointer {
            RandomizationPValue.count(observed: observed.statistic, draws: $0, alternative: alternative)
        }
        extremeCount = extreme
        extremeCountStudentized = extremeT
        invalidDraws = estimates.count - valid
        var notes = notes
        if invalidDraws > 0 {
            notes.append("\(invalidDraws) draws failed (placebo treatment not identified) and are left out of the p-values")
        }
        if !observed.statistic.isFinite && fakeTiming == nil {
            notes.append("the observed t statistic cannot be formed (its standard error is zero or not finite: is the "
                         + "outcome constant?); the studentized p-value is left out")
        }
        self.notes = notes
        if let fakeTiming {
            let p = PlaceboResult.tTest(fakeTiming, alternative: alternative)
            pValue = p
            pValueStudentized = p
        } else {
            pValue = RandomizationPValue.pValue(extreme: extreme, valid: valid, observedIsFinite: observed.estimate.isFinite,
                                                convention: convention, exact: exact)
            pValueStudentized = RandomizationPValue.pValue(extreme: extremeT, valid: validT,
                                                           observedIsFinite: observed.statistic.isFinite,
                                                           convention: convention, exact: exact)
        }
        summary = PlaceboResult.summarise(estimates.filter(\.isFinite))
    }

    static func tTest(_ value: PlaceboValue, alternative: PlaceboAlternative) -> Double {
        let t = value.statistic
        let df = value.degreesOfFreedom.isNaN ? Double.infinity : value.degreesOfFreedom
        let upper = df.isInfinite ? gsl_cdf_ugaussian_Q(t) : gsl_cdf_tdist_Q(t, df)
        switch alternative {
        case .twoSided: return Distributions.twoSidedPValue(statistic: t, degreesOfFreedom: df)
        case .greater: return upper
        case .less: return 1 - upper
        }
    }

    static func summarise(_ values: [Double]) -> (mean: Double, sd: Double, q025: Double, q975: Double) {
        guard !values.isEmpty else { return (.nan, .nan, .nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = values.count > 1
            ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : .nan
        var work = values
        let (low, high) = work.withUnsafeMutableBufferPointer { buffer in
            (quantile(0.025, of: buffer), quantile(0.975, of: buffer))
        }
        return (mean, sd, low, high)
    }

    /// GSL's `gsl_stats_quantile_from_sorted_data` (`index = f·(n−1)`, linear interpolation between
    /// order statistics `⌊index⌋` and `⌊index⌋ + 1`, the same arithmetic) without sorting: the two
    /// order statistics are selected in place (O(n) expected). `values` holds no NaN; its order
    /// changes.
    static func quantile(_ f: Double, of values: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = values.count
        guard n > 0 else { return 0 }
        let index = f * Double(n - 1)
        let lhs = Int(index)
        let delta = index - Double(lhs)
        let low = select(lhs, in: values)
        if lhs == n - 1 { return low }
        // After selecting rank lhs, every element right of it is ≥ it: rank lhs + 1 is their minimum.
        var next = values[lhs + 1]
        for i in (lhs + 2)..<n where values[i] < next { next = values[i] }
        return (1 - delta) * low + delta * next
    }

    /// The element of rank `k` (0-based) of `values`, which is partitioned around it
    /// (Hoare's quickselect, median-of-three pivots; falls back to sorting a range that does not
    /// shrink fast enough).
    static func select(_ k: Int, in values: UnsafeMutableBufferPointer<Double>) -> Double {
        var low = 0, high = values.count - 1
        var rounds = 0
        while high > low {
            rounds += 1
            if rounds > 64 || high - low < 16 {
                var range = UnsafeMutableBufferPointer(rebasing: values[low...high])
                range.sort()
                return values[k]
            }
            let middle = low + (high - low) / 2
            if values[middle] < values[low] { values.swapAt(middle, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[middle] { values.swapAt(high, middle) }
            let pivot = values[middle]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while pivot < values[j] { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return values[k] }
        }
        return values[k]
    }
}
