/// Why a scenario cannot be read or simulated; each message names the field and what was expected.
public enum ScenarioError: Error, Equatable, CustomStringConvertible {
    /// A YAML key that the scenario does not define.
    case unknownKey(path: String, allowed: [String])
    /// A field holds a value of the wrong type or an unreadable document.
    case unreadable(source: String, reason: String)
    /// A field holds a value outside its allowed range.
    case invalidValue(field: String, value: String, expected: String)
    /// No built-in scenario has this name.
    case unknownScenario(name: String, available: [String])
    /// The geography cannot satisfy the requested sizes.
    case infeasibleGeography(String)

    /// The error with `source` (the file name) in place of the generic "scenario".
    public func naming(source: String) -> ScenarioError {
        switch self {
        case let .unknownKey(path, allowed):
            return .unreadable(source: source, reason: "unknown field '\(path)'; allowed here: " + allowed.joined(separator: ", "))
        case let .invalidValue(field, value, expected):
            return .unreadable(source: source, reason: "field '\(field)' is \(value); expected \(expected)")
        default:
            return self
        }
    }

    /// One line.
    public var description: String {
        switch self {
        case let .unknownKey(path, allowed):
            return "scenario: unknown field '\(path)'; allowed here: " + allowed.joined(separator: ", ")
        case let .unreadable(source, reason):
            return "\(source): \(reason)"
        case let .invalidValue(field, value, expected):
            return "scenario: field '\(field)' is \(value); expected \(expected)"
        case let .unknownScenario(name, available):
            return "no built-in scenario named '\(name)'; available: " + available.joined(separator: ", ")
        case let .infeasibleGeography(message):
            return "scenario: geography: \(message)"
        }
    }
}
