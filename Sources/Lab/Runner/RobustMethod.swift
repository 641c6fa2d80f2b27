import Estimators

/// A heterogeneity-robust estimator with analytic inference, as a Monte Carlo method:
/// Sun–Abraham (CR1 / hetero / iid of the saturated regression, delta method) or the BJS
/// imputation estimator (their conservative clustered variance, normal reference).
public struct RobustMethod: MethodEvaluator {
    /// Which estimator and which term ("att" or an event time such as "e+0").
    public enum Estimator: Sendable, Equatable {
        /// Sun & Abraham (2021), fixest `sunab` conventions.
        case sunAbraham(term: String, control: SunAbraham.ControlGroup)
        /// Borusyak, Jaravel & Spiess (2024) imputation, did_imputation conventions.
        case imputation(term: String)
    }

    /// The estimator.
    public let estimator: Estimator
    /// The variance (for BJS: `.cluster` or `.hetero`).
    public let variance: VarianceType
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(estimator: Estimator, variance: VarianceType, target: String) {
        self.estimator = estimator
        self.variance = variance
        self.target = target
    }

    /// "sa:att", "sa:e+0", "bjs:att", "bjs:e+2".
    public var estimatorName: String {
        switch estimator {
        case .sunAbraham(let term, let control): return "sa:\(term)" + (control == .lastTreated ? ":last" : "")
        case .imputation(let term): return "bjs:\(term)"
        }
    }

    public var inferenceName: String { variance.inferenceName }

    /// Fits the estimator and reads the term.
    /// - Throws: the estimator's errors, or ``EstimationError/invalidOption(_:)`` when the term
    ///   is not estimated on this panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let estimate: Estimate
        let term: String
        switch estimator {
        case let .sunAbraham(name, control):
            term = name
            estimate = try SunAbraham(control: control, includeOverallATT: name == "att",
                                      options: RegressionOptions(variance: variance)).estimate(data.panel)
        case .imputation(let name):
            term = name
            let horizons: ImputationEstimator.Horizons
            if name == "att" {
                horizons = .none
            } else if name.hasPrefix("e+"), let h = Int(name.dropFirst(2)) {
                horizons = .list([h])
            } else {
                throw EstimationError.invalidOption("bjs: term must be \"att\" or \"e+h\", got \"\(name)\"")
            }
            estimate = try ImputationEstimator(horizons: horizons, variance: variance).estimate(data.panel)
        }
        guard let index = estimate.index(of: term) else {
            throw EstimationError.invalidOption("term '\(term)' was not estimated (terms: "
                                                + estimate.terms.map(\.name).joined(separator: ", ") + ")")
        }
        let interval = estimate.confidenceInterval(index, level: 1 - alpha)
        return MethodResult(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                            confLow: interval.low, confHigh: interval.high, pValue: estimate.pValue(index))
    }
}
