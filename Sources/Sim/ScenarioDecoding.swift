import Foundation
import Yams

/// A part of a scenario read from a YAML mapping laid over a default value: the keys the
/// mapping gives replace fields, the others keep the default's values, and a key the type has
/// no field for is an error naming its path and the allowed keys.
///
/// The allowed keys are the stored properties of ``template`` (by reflection), so a field is
/// spelled once — where it is declared — and a new field is readable from YAML, written by
/// ``Scenario/yaml()`` and strictly checked without further code. (Coding keys must therefore
/// equal the property names: no conforming type renames them.)
protocol ScenarioSection: Codable {
    /// The value a mapping is laid over where no enclosing default holds one: a list element.
    static var template: Self { get }
    /// Keys a mapping must give (their template values are placeholders, never used).
    static var requiredKeys: Set<String> { get }
}

extension ScenarioSection {
    static var requiredKeys: Set<String> { [] }

    /// The YAML keys of this section: its stored properties, in declaration order.
    var fieldNames: [String] { Mirror(reflecting: self).children.compactMap(\.label) }
}

/// A section whose template is its documented defaults, `init()`.
protocol DefaultedScenarioSection: ScenarioSection {
    init()
}

extension DefaultedScenarioSection {
    static var template: Self { Self() }
}

/// A closed vocabulary of a scenario field (`calendar.kind: pilot`): its spellings are listed when
/// a YAML value is not one of them.
protocol ScenarioChoice: CaseIterable, RawRepresentable, Codable where RawValue == String {}

extension ScenarioChoice {
    static var spellings: [String] { allCases.map(\.rawValue) }
}

/// A list whose elements are sections, each laid over its element template.
private protocol ScenarioSectionList {
    static var elementTemplate: any ScenarioSection { get }
    static var elementRequiredKeys: Set<String> { get }
}

extension Array: ScenarioSectionList where Element: ScenarioSection {
    fileprivate static var elementTemplate: any ScenarioSection { Element.template }
    fileprivate static var elementRequiredKeys: Set<String> { Element.requiredKeys }
}

/// A coding key for any string or index.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    init(index: Int) { self.stringValue = String(index); self.intValue = index }
}

/// The dotted path of a coding path, e.g. `mediators[1].effect`.
func dottedPath(_ path: [CodingKey]) -> String {
    var out = ""
    for key in path {
        if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
    }
    return out
}

/// Lays a user's YAML document over a default scenario (see ``ScenarioSection``).
enum ScenarioOverlay {
    /// `user` laid over `template` (whose exact JSON form is `exact`): a mapping with every field
    /// of the template, the user's value where one is given and not null, the default otherwise
    /// (nil optionals and required keys stay absent). Values that are not mappings where a
    /// section is expected are passed on for the decoder to report with their path.
    /// - Throws: ``ScenarioError/unknownKey(path:allowed:source:)`` for a key the section lacks,
    ///   ``ScenarioError/invalidValue(field:value:expected:source:)`` for a word outside a field's vocabulary.
    static func overlay(_ user: Node, on template: any ScenarioSection, requiredKeys: Set<String>,
                        path: [CodingKey]) throws -> Node {
        guard case .mapping(let mapping) = user else { return user }
        let exact = try exactNode(template)
        let fields = Mirror(reflecting: template).children.compactMap { child in child.label.map { ($0, child.value) } }
        let allowed = template.fieldNames
        var given: [String: Node] = [:]
        for (key, value) in flattened(mapping) {
            let name = key.string ?? "\(key)"
            guard allowed.contains(name) else {
                throw ScenarioError.unknownKey(path: dottedPath(path + [AnyCodingKey(stringValue: name)]), allowed: allowed)
            }
            given[name] = value  // the last of repeated keys wins, as in the decoder
        }
        var pairs: [(Node, Node)] = []
        for (name, value) in fields {
            let fieldPath = path + [AnyCodingKey(stringValue: name)]
            if let node = given[name], node.null == nil {
                pairs.append((Node(name), try overlayField(node, default: value, path: fieldPath)))
            } else if !requiredKeys.contains(name), let node = exact.mapping?[name] {
                pairs.append((Node(name), node))
            }
        }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style))
    }

    /// One field's value: sections recurse, lists of sections overlay each element on the
    /// element template, vocabulary words are checked; anything else is the user's node.
    private static func overlayField(_ node: Node, default value: Any, path: [CodingKey]) throws -> Node {
        if let section = value as? any ScenarioSection {
            return try overlay(node, on: section, requiredKeys: type(of: section).requiredKeys, path: path)
        }
        if let list = type(of: value) as? any ScenarioSectionList.Type, case .sequence(let sequence) = node {
            let elements = try sequence.enumerated().map { index, element in
                try overlay(element, on: list.elementTemplate, requiredKeys: list.elementRequiredKeys,
                            path: path + [AnyCodingKey(index: index)])
            }
            return .sequence(Node.Sequence(elements, sequence.tag, sequence.style))
        }
        if let choice = value as? any ScenarioChoice, case .scalar(let scalar) = node {
            let spellings = type(of: choice).spellings
            guard spellings.contains(scalar.string) else {
                throw ScenarioError.invalidValue(field: dottedPath(path), value: scalar.string,
                                                 expected: "one of " + spellings.joined(separator: ", "))
            }
        }
        return node
    }

    /// A value's fields as a node tree whose numbers are spelled exactly (its JSON form; JSON is YAML).
    static func exactNode(_ value: any Encodable) throws -> Node {
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        return try Yams.compose(yaml: json) ?? Node([(Node, Node)]())
    }

    /// The pairs of a mapping with YAML merge keys (`<<: *base`) expanded, merged pairs first,
    /// as Yams's decoder reads them.
    private static func flattened(_ mapping: Node.Mapping) -> [(key: Node, value: Node)] {
        var merged: [(key: Node, value: Node)] = []
        var own: [(key: Node, value: Node)] = []
        for pair in mapping {
            guard pair.key.tag.description == Tag.Name.merge.rawValue else { own.append(pair); continue }
            switch pair.value {
            case .mapping(let inner): merged += flattened(inner)
            case .sequence(let sequence):
                for case .mapping(let inner) in sequence.reversed() { merged += flattened(inner) }
            case .scalar: break
            }
        }
        return merged + own
    }
}

// MARK: - List elements without defaults (the other sections and vocabularies conform where declared)

extension Scenario.Cohort: ScenarioSection {
    static var template: Self { Self(year: 0, share: 0) }
    static var requiredKeys: Set<String> { ["year", "share"] }
}

extension Scenario.CohortEffect: ScenarioSection {
    static var template: Self { Self(year: 0, att: 0) }
    static var requiredKeys: Set<String> { ["year", "att"] }
}
