/// The result of an estimator: terms, coefficients, variance, counts and notes.
///
/// Estimators return it; inference, reports and the lab consume it. Only kept terms are
/// listed; dropped ones are named in ``droppedTerms`` and ``notes``.
public struct Estimate: Sendable {
    /// One estimated coefficient's name and, for event studies, its event time.
    public struct Term: Sendable, Equatable {
        /// Name, e.g. "treat", "e-2", "e+0", or a covariate name.
        public let name: String
        /// Event time relative to adoption (event-study terms only).
        public let eventTime: Int?
        /// Creates a term.
        public init(name: String, eventTime: Int? = nil) { self.name = name; self.eventTime = eventTime }
    }

    /// Estimator name as in the CLI (`twfe`, `event`, …).
    public var method: String
    /// Dependent variable.
    public var outcome: String
    /// Kept terms.
    public var terms: [Term]
    /// Coefficients of the kept terms.
    public var coefficients: [Double]
    /// Variance of the coefficients.
    public var variance: VarianceEstimate
    /// Terms dropped as collinear.
    public var droppedTerms: [String]
    /// Observations used.
    public var observationCount: Int
    /// Units in the sample.
    public var unitCount: Int
    /// Periods in the sample.
    public var periodCount: Int
    /// Absorbed fixed effects and their level counts, e.g. [("city", 282), ("year", 14)].
    public var fixedEffects: [(name: String, levels: Int)]
    /// Residual sum of squares.
    public var residualSumOfSquares: Double
    /// Within R²: `1 − RSS / Σỹ²`.
    public var withinRSquared: Double
    /// What was dropped, adjusted or assumed, in words.
    public var notes: [String]

    /// Root mean squared error `√(RSS/n)` (fixest's `rmse`).
    public var rootMeanSquaredError: Double { (residualSumOfSquares / Double(observationCount)).squareRoot() }

    /// Standard error of term `index`.
    public func standardError(_ index: Int) -> Double {
        variance.matrix[index * terms.count + index].squareRoot()
    }

    /// `estimate / std. error` of term `index`.
    public func statistic(_ index: Int) -> Double { coefficients[index] / standardError(index) }

    /// Two-sided p-value of term `index` from t with the term's degrees of freedom
    /// (``VarianceEstimate/degreesOfFreedom(term:)``).
    public func pValue(_ index: Int) -> Double {
        Distributions.twoSidedPValue(statistic: statistic(index), degreesOfFreedom: variance.degreesOfFreedom(term: index))
    }

    /// The `level` confidence interval of term `index` (t quantile with the term's df).
    public func confidenceInterval(_ index: Int, level: Double = 0.95) -> (low: Double, high: Double) {
        let q = Distributions.tQuantile(0.5 + level / 2, degreesOfFreedom: variance.degreesOfFreedom(term: index))
        let se = standardError(index)
        return (coefficients[index] - q * se, coefficients[index] + q * se)
    }

    /// Index of the term with this name.
    public func index(of name: String) -> Int? { terms.firstIndex { $0.name == name } }
}
