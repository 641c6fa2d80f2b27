import Foundation
import Yams

extension Scenario {
    /// Reads a scenario from YAML text; missing fields keep their defaults.
    /// - Throws: ``ScenarioError`` naming an unknown field, a mistyped field or an invalid value.
    public static func fromYAML(_ text: String, source: String = "scenario") throws -> Scenario {
        let scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: text.isEmpty ? "{}" : text)
        } catch let error as ScenarioError {
            throw error
        } catch let error as DecodingError {
            // Yams reports errors thrown inside nested decoders as "not valid YAML" with the real one underneath.
            if case let .dataCorrupted(context) = error, let inner = context.underlyingError as? ScenarioError { throw inner }
            if case let .dataCorrupted(context) = error, let inner = context.underlyingError as? DecodingError {
                throw ScenarioError.unreadable(source: source, reason: Scenario.describe(inner))
            }
            throw ScenarioError.unreadable(source: source, reason: Scenario.describe(error))
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
        return try fromYAML(text, source: (path as NSString).lastPathComponent)
    }

    /// The scenario as YAML (every field, defaults included), suitable for editing and reading back.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .typeMismatch(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(type)"
        case let .valueNotFound(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(type), found nothing"
        case let .keyNotFound(key, context):
            return "field '\(dottedPath(context.codingPath + [key]))' is required"
        case let .dataCorrupted(context):
            let path = dottedPath(context.codingPath)
            return (path.isEmpty ? "" : "field '\(path)': ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
