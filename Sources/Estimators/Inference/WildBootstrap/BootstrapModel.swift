/// The fixed-effects regression whose coefficient the wild bootstrap tests:
/// `y ~ regressors + covariates | unit + period`, the panel's covariates appended.
public enum BootstrapModel: Sendable, Equatable {
    /// Static TWFE (``TwoWayFixedEffects``): the regressor is the term "treat".
    case twfe
    /// The event study (``EventStudy``) with its window; terms "e-K" … "e+L".
    case eventStudy(leads: Int?, lags: Int?)
    /// Any regressors, given as columns with one entry per panel row.
    case regressors(terms: [Estimate.Term], columns: [[Double]])

    /// Estimator name as in the CLI.
    public var methodName: String {
        switch self {
        case .twfe: return "twfe"
        case .eventStudy: return "event"
        case .regressors: return "custom"
        }
    }

    /// The terms, columns and notes of the model on `panel` (covariates not included).
    ///
    /// The event-study columns follow ``EventStudy`` exactly (reference e−1 omitted, binned
    /// endpoints, never-treated units all zero); a test checks the coefficients agree.
    /// - Throws: ``EstimationError/invalidOption(_:)`` for a bad window or mismatched columns.
    func design(on panel: Panel) throws -> (terms: [Estimate.Term], columns: [[Double]], notes: [String]) {
        switch self {
        case .twfe:
            return ([Estimate.Term(name: "treat")], [panel.treatmentColumn], [])
        case let .eventStudy(leads, lags):
            return try EventStudy(leads: leads, lags: lags).design(on: panel)
        case let .regressors(terms, columns):
            guard terms.count == columns.count, columns.allSatisfy({ $0.count == panel.observationCount }) else {
                throw EstimationError.invalidOption("bootstrap model: expected one column of \(panel.observationCount) rows per term")
            }
            return (terms, columns, [])
        }
    }
}
