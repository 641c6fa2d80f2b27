/// Why a scenario cannot be read or simulated; each message names the field and what was expected.
public enum ScenarioError: Error, Equatable, CustomStringConvertible {
    /// A YAML key that the scenario does not define.
    case unknownKey(path: String, allowed: [String], source: String = "scenario")
    /// A field holds a value of the wrong type or an unreadable document.
    case unreadable(source: String, reason: String)
    /// A field holds a value outside its allowed range.
    case invalidValue(field: String, value: String, expected: String, source: String = "scenario")
    /// No built-in scenario has this name.
    case unknownScenario(name: String, available: [String])
    /// The geography cannot satisfy the requested sizes.
    case infeasibleGeography(String)

    /// The error with `source` (the file name) in place of the generic "scenario".
    public func naming(source: String) -> ScenarioError {
        switch self {
        case let .unknownKey(path, allowed, _):
            return .unknownKey(path: path, allowed: allowed, source: source)
        case let .invalidValue(field, value, expected, _):
            return .invalidValue(field: field, value: value, expected: expected, source: source)
        default:
            return self
        }
    }

    /// One line.
    public var description: String {
        switch self {
        case let .unknownKey(path, allowed, source):
            return "\(source): unknown field '\(path)'; allowed here: " + allowed.joined(separator: ", ")
        case let .unreadable(source, reason):
            return "\(source): \(reason)"
        case let .invalidValue(field, value, expected, source):
            return "\(source): field '\(field)' is \(value); expected \(expected)"
        case let .unknownScenario(name, available):
            return "no built-in scenario named '\(name)'; available: " + available.joined(separator: ", ")
        case let .infeasibleGeography(message):
            return "scenario: geography: \(message)"
        }
    }
}
