import Foundation
import Yams
import Estimators

extension Scenario {
    /// Reads a scenario from YAML text; missing fields keep their defaults.
    /// - Throws: ``ScenarioError`` naming an unknown field, a mistyped field or an invalid value.
    public static func fromYAML(_ text: String, source: String = "scenario") throws -> Scenario {
        if let problem = YAMLLimits.problem(with: text) { throw ScenarioError.unreadable(source: source, reason: problem) }
        let scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: text.isEmpty ? "{}" : text)
        } catch let error as ScenarioError {
            throw error.naming(source: source)
        } catch let error as DecodingError {
            // Yams reports errors thrown inside nested decoders as "not valid YAML" with the real one underneath.
            if case let .dataCorrupted(context) = error, let inner = context.underlyingError as? ScenarioError {
                throw inner.naming(source: source)
            }
            if case let .dataCorrupted(context) = error, let inner = context.underlyingError as? DecodingError {
                throw ScenarioError.unreadable(source: source, reason: Scenario.describe(inner, in: text))
            }
            if case let .dataCorrupted(context) = error, let inner = context.underlyingError as? YamlError {
                throw ScenarioError.unreadable(source: source, reason: "not valid YAML: \(Scenario.oneLine(inner))")
            }
            throw ScenarioError.unreadable(source: source, reason: Scenario.describe(error, in: text))
        } catch {
            throw ScenarioError.unreadable(source: source, reason: "not valid YAML: \(error)")
        }
        try scenario.validate()
        return scenario
    }

    /// Reads a scenario from a YAML file.
    public static func load(yamlFile path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError.unreadable(source: path, reason: "cannot read the file")
        }
        if text.allSatisfy(\.isWhitespace) {
            throw ScenarioError.unreadable(source: (path as NSString).lastPathComponent,
                                           reason: "the file is empty; expected a scenario (didlab simulate --show-spec prints one)")
        }
        return try fromYAML(text, source: (path as NSString).lastPathComponent)
    }

    /// The scenario as YAML (every field, defaults included), suitable for editing and reading back.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    static func describe(_ error: DecodingError, in text: String = "") -> String {
        func found(_ path: [any CodingKey]) -> String {
            guard let value = scalar(at: path, in: text) else { return "found nothing" }
            return "found \(value.quotedForMessage)"
        }
        switch error {
        case let .typeMismatch(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(type), \(found(context.codingPath))"
        case let .valueNotFound(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(type), \(found(context.codingPath))"
        case let .keyNotFound(key, context):
            return "field '\(dottedPath(context.codingPath + [key]))' is required"
        case let .dataCorrupted(context):
            let path = dottedPath(context.codingPath)
            return (path.isEmpty ? "" : "field '\(path)': ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    /// The scalar text at a coding path of a YAML document, if there is one.
    static func scalar(at path: [any CodingKey], in text: String) -> String? {
        guard var node = try? Yams.compose(yaml: text) else { return nil }
        for key in path {
            if let index = key.intValue, case .sequence(let sequence) = node, sequence.indices.contains(index) {
                node = sequence[index]
            } else if case .mapping(let mapping) = node, let child = mapping[key.stringValue] {
                node = child
            } else {
                return nil
            }
        }
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    /// A libyaml error on one line, with its line and column.
    static func oneLine(_ error: YamlError) -> String {
        "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.allSatisfy { $0 == "^" } }.joined(separator: " ")
    }
}
