/// The Sun–Abraham estimate of one term ("att" or an event time such as "e+2") and its
/// standard error, as a placebo statistic (generic re-estimation path: the saturated design
/// changes with every assignment, so nothing is reused across draws).
public struct SunAbrahamPlaceboStatistic: PlaceboStatistic {
    /// Cluster of the CR1 variance.
    public var cluster: String
    /// "att" (the overall ATT) or an event-time term ("e+0", "e-2", …).
    public var term: String
    /// Control cohorts.
    public var control: SunAbraham.ControlGroup
    /// Small-sample correction of the saturated regression.
    public var correction: SmallSampleCorrection

    /// Creates the statistic; default: the overall ATT with never-treated controls.
    public init(cluster: String, term: String = "att", control: SunAbraham.ControlGroup = .neverTreated,
                correction: SmallSampleCorrection = .fixest) {
        self.cluster = cluster
        self.term = term
        self.control = control
        self.correction = correction
    }

    /// "att (Sun–Abraham)".
    public var label: String { "\(term) (Sun–Abraham)" }
    /// The clustering.
    public var clusterName: String? { cluster }

    /// The term and its standard error on `panel`.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` when the term
    ///   is not estimated on this assignment.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let estimate = try SunAbraham(control: control, includeOverallATT: term == "att",
                                      options: RegressionOptions(variance: .cluster(cluster), correction: correction))
            .estimate(panel)
        return try PlaceboValue(term: term, of: estimate, method: "Sun–Abraham")
    }
}

/// The BJS imputation estimate of one term ("att" or "e+h") and its conservative clustered
/// standard error, as a placebo statistic (generic re-estimation path: the untreated sample
/// that fits `Y(0)` changes with every assignment).
public struct ImputationPlaceboStatistic: PlaceboStatistic {
    /// Cluster of the BJS variance.
    public var cluster: String
    /// "att" (the overall ATT) or a post-period event time "e+h".
    public var term: String

    /// Creates the statistic; default: the overall ATT.
    public init(cluster: String, term: String = "att") {
        self.cluster = cluster
        self.term = term
    }

    /// "att (BJS imputation)".
    public var label: String { "\(term) (BJS imputation)" }
    /// The clustering.
    public var clusterName: String? { cluster }

    /// The term and its standard error on `panel`.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` for a term
    ///   that is neither "att" nor "e+h", or not estimated on this assignment.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let horizons: ImputationEstimator.Horizons
        if term == "att" {
            horizons = .none
        } else if term.hasPrefix("e+"), let h = Int(term.dropFirst(2)) {
            horizons = .list([h])
        } else {
            throw EstimationError.invalidOption("BJS placebo statistic: term must be \"att\" or \"e+h\" (h ≥ 0), got \"\(term)\"")
        }
        let estimate = try ImputationEstimator(horizons: horizons, variance: .cluster(cluster)).estimate(panel)
        return try PlaceboValue(term: term, of: estimate, method: "BJS imputation")
    }
}

extension PlaceboValue {
    /// The value of `term` in `estimate`, with its standard error and t df.
    init(term: String, of estimate: Estimate, method: String) throws {
        guard let index = estimate.index(of: term) else {
            throw EstimationError.invalidOption("\(method) placebo statistic: term \(term) is not estimated; terms: "
                                                + estimate.terms.map(\.name).joined(separator: ", "))
        }
        self.init(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                  degreesOfFreedom: estimate.variance.degreesOfFreedom)
    }
}
