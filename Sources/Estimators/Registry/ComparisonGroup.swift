/// Which units serve as controls, for the estimators that take a choice.
///
/// Spelled as R did's `control_group` and fixest's `sunab` practice: `never` (never-treated
/// units), `notyet` (not-yet-treated units too; Callaway–Sant'Anna), `last` (the last-treated
/// cohort, up to its adoption; Sun–Abraham without never-treated units).
public enum ComparisonGroup: String, Sendable, CaseIterable, Codable {
    case never
    case notyet
    case last

    /// In words, for reports: "never treated".
    public var title: String {
        switch self {
        case .never: return "never treated"
        case .notyet: return "not yet treated"
        case .last: return "last treated"
        }
    }
}
