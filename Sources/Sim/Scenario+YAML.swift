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
        do { try scenario.validate() } catch let error as ScenarioError { throw error.naming(source: source) }
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

    /// The scenario as YAML (every field, defaults included), suitable for editing and reading back:
    /// it reads back to this scenario exactly. (Yams writes doubles with 15 significant digits in
    /// scientific notation, `3.5e-1`; every double is rewritten with Swift's shortest round-trip
    /// spelling, `0.35`, taken from ``exactNode()``.)
    public func yaml() throws -> String {
        let text = try YAMLEncoder().encode(self)
        guard let node = try Yams.compose(yaml: text) else { return text }
        return try Yams.serialize(node: Scenario.restoringDoubles(node, exact: try exactNode()))
    }

    /// The scenario as a YAML node tree whose numbers are spelled exactly (shortest round trip):
    /// its JSON form (JSON is YAML), composed without converting a number to `Double` on the way.
    /// (Foundation's `JSONSerialization` on Linux can parse a 17-digit double to its neighbour.)
    public func exactNode() throws -> Node {
        let json = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        guard let node = try Yams.compose(yaml: json) else { throw ScenarioError.unreadable(source: name, reason: "empty form") }
        return node
    }

    /// `node` with every scalar that Yams wrote as a rounded double replaced by the exact
    /// spelling at the same path of `exact`.
    static func restoringDoubles(_ node: Node, exact: Node?) -> Node {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            guard text.contains("e+") || text.contains("e-") || text.contains("."), Double(text) != nil,
                  case .scalar(let precise)? = exact, Double(precise.string) != nil else { return node }
            return .scalar(Node.Scalar(precise.string, scalar.tag, scalar.style))
        case .mapping(let mapping):
            var pairs: [(Node, Node)] = []
            for (key, value) in mapping {
                pairs.append((key, restoringDoubles(value, exact: key.string.flatMap { exact?.mapping?[$0] })))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style))
        case .sequence(let sequence):
            let array = exact?.sequence.map(Array.init) ?? []
            let elements = sequence.enumerated().map { index, element in
                restoringDoubles(element, exact: index < array.count ? array[index] : nil)
            }
            return .sequence(Node.Sequence(elements, sequence.tag, sequence.style))
        }
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
