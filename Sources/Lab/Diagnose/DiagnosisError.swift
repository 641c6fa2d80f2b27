/// Why a design diagnosis (or one of its sources) cannot run.
public enum DiagnosisError: Error, Equatable, CustomStringConvertible {
    /// The calibrated model cannot be fitted to the data.
    case calibration(String)
    /// The placebo laws cannot be drawn on the data.
    case placeboLaws(String)
    /// Neither source can run.
    case noSource([String])
    /// No method gave a result in any replication.
    case noResult(String)

    public var description: String {
        switch self {
        case .calibration(let reason): return "calibrated model: " + reason
        case .placeboLaws(let reason): return "placebo laws: " + reason
        case .noSource(let reasons): return "no source of replications can run on this panel: " + reasons.joined(separator: "; ")
        case .noResult(let reason): return "no method gave a result on this panel: " + reason
        }
    }
}
