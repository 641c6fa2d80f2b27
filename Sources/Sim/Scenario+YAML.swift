import Foundation
import Yams
import Estimators

extension Scenario {
    /// Reads a scenario from YAML text laid over the defaults, ``Scenario/init()``: fields not
    /// given (or given as null) keep their default values; a key no field has is an error.
    ///
    /// The document is checked against ``YAMLLimits``, composed, laid over the default scenario's
    /// exact node tree section by section (see ``ScenarioSection``), then decoded and validated.
    /// - Throws: ``ScenarioError`` naming an unknown field, a mistyped field or an invalid value.
    public static func fromYAML(_ text: String, source: String = "scenario") throws -> Scenario {
        if let problem = YAMLLimits.problem(with: text) { throw ScenarioError.unreadable(source: source, reason: problem) }
        let scenario: Scenario
        do {
            let user: Node
            do {
                user = try Yams.compose(yaml: text.isEmpty ? "{}" : text, Resolver.basic.appending(.merge)) ?? Node("")
            } catch let error as YamlError {
                throw ScenarioError.unreadable(source: source, reason: "not valid YAML: \(Scenario.oneLine(error))")
            }
            guard case .mapping = user else {
                let found = user.scalar?.string.isEmpty == true ? "empty (comments only)" : Scenario.found(user)
                throw ScenarioError.unreadable(source: source, reason: "the document is \(found); expected a "
                    + "mapping of scenario fields (" + Scenario.template.fieldNames.joined(separator: ", ") + ")")
            }
            let merged = try ScenarioOverlay.overlay(user, on: Scenario.template, requiredKeys: [], path: [])
            scenario = try YAMLDecoder().decode(Scenario.self, from: try Yams.serialize(node: merged))
        } catch let error as ScenarioError {
            throw error.naming(source: source)
        } catch let error as DecodingError {
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
                                           reason: "the file is empty; expected a scenario (a preset printed as YAML is a template)")
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
            guard let node = node(at: path, in: text) else { return "found nothing" }
            return "found " + Scenario.found(node)
        }
        switch error {
        case let .typeMismatch(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(expected(type)), \(found(context.codingPath))"
        case let .valueNotFound(type, context):
            return "field '\(dottedPath(context.codingPath))': expected \(expected(type)), \(found(context.codingPath))"
        case let .keyNotFound(key, context):
            return "field '\(dottedPath(context.codingPath + [key]))' is required"
        case let .dataCorrupted(context):
            let path = dottedPath(context.codingPath)
            return (path.isEmpty ? "" : "field '\(path)': ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    /// What a decoder expected, in words: "a mapping", "a list", "a number (Double)".
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Node.Mapping.Type, is [String: Any].Type: return "a mapping"
        case is Node.Sequence.Type, is [Any].Type: return "a list"
        case is Node.Scalar.Type: return "a single value"
        case is Double.Type: return "a number (Double)"
        case is Int.Type: return "an integer (Int)"
        case is UInt64.Type: return "a non-negative integer (UInt64)"
        case is Bool.Type: return "true or false (Bool)"
        case is String.Type: return "text (String)"
        default: return "\(type)"
        }
    }

    /// A node for a message: a scalar's text quoted, "a list" or "a mapping".
    static func found(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.quotedForMessage
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// The node at a coding path of a YAML document, if there is one.
    static func node(at path: [any CodingKey], in text: String) -> Node? {
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
        return node
    }

    /// A libyaml error on one line, with its line and column.
    static func oneLine(_ error: YamlError) -> String {
        "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.allSatisfy { $0 == "^" } }.joined(separator: " ")
    }
}
