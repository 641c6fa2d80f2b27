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
            if let leads, leads < 1 { throw EstimationError.invalidOption("--leads must be at least 1 (1 = no lead terms), got \(leads)") }
            if let lags, lags < 0 { throw EstimationError.invalidOption("--lags must be at least 0, got \(lags)") }
            let study = EventStudy(leads: leads, lags: lags)
            let (first, last) = study.window(for: panel)
            let eventTimes = (first...last).filter { $0 != -1 }
            let position = Dictionary(uniqueKeysWithValues: eventTimes.enumerated().map { ($1, $0) })
            var columns = [[Double]](repeating: [Double](repeating: 0, count: panel.observationCount),
                                     count: eventTimes.count)
            for row in 0..<panel.observationCount {
                let adoption = panel.adoptionPeriod[Int(panel.unitIndex[row])]
                guard adoption != Panel.neverTreated else { continue }
                let e = min(max(Int(panel.periodIndex[row]) - Int(adoption), first), last)
                if let column = position[e] { columns[column][row] = 1 }
            }
            var notes = ["reference period e-1 omitted; never-treated units carry no event-time dummies"]
            if leads != nil { notes.append("e\(first) bins all event times ≤ \(first)") }
            if lags != nil { notes.append("e+\(last) bins all event times ≥ \(last)") }
            return (eventTimes.map { Estimate.Term(name: EventStudy.termName($0), eventTime: $0) }, columns, notes)
        case let .regressors(terms, columns):
            guard terms.count == columns.count, columns.allSatisfy({ $0.count == panel.observationCount }) else {
                throw EstimationError.invalidOption("bootstrap model: expected one column of \(panel.observationCount) rows per term")
            }
            return (terms, columns, [])
        }
    }
}
