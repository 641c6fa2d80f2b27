import Foundation

/// Renders an `Encodable` output type as the reports' JSON: one function for every subcommand.
///
/// The rules, so that every report reads the same:
/// - object keys in the order the type encodes them (declaration order for synthesized
///   conformances), never sorted; a property `stdError` is written `std_error` (its name in
///   snake_case: an upper-case letter or a letter after a digit starts a new word); keys made
///   with ``JSONKey`` are written as given;
/// - `Int` as an integer, `Double` as a shortest round-trip real (`1.0`, not `1`), a non-finite
///   `Double` as `null` (see ``JSONValue``);
/// - an optional that is `nil` as `null`: the field belongs to the contract even without a value.
///   A field left out when it has no value is declared ``Omitted``;
/// - a ``Seed`` as a decimal string;
/// - a document (an object at the top) begins with `"didlab"`, the ``BuildInfo`` stamp of the
///   binary that wrote it.
public enum JSONOutput {
    /// The JSON text of `value` (two spaces per level) with a final line break, stamped.
    public static func render(_ value: some Encodable) -> String {
        JSONValue(encoding: value).stamped().rendered() + "\n"
    }
}

extension JSONValue {
    /// The document with ``BuildInfo/json`` as its first field (`"didlab"`); a value that is not
    /// an object, or already names its build, is returned as it is.
    public func stamped() -> JSONValue {
        guard case .object(let pairs) = self, !pairs.contains(where: { $0.0 == "didlab" }) else { return self }
        return .object([("didlab", BuildInfo.json)] + pairs)
    }
}

extension JSONValue {
    /// The JSON tree of an `Encodable` value under ``JSONOutput``'s rules.
    ///
    /// The output types encode only strings, numbers, booleans, optionals, lists and objects,
    /// which cannot fail; a type that throws anyway (a bug) yields its message as a string rather
    /// than a trap.
    public init(encoding value: some Encodable) {
        let node = TreeNode()
        do {
            try TreeEncoder.encode(value, into: node, codingPath: [])
            self = node.value
        } catch {
            self = .string("unencodable output: \(error)")
        }
    }
}

extension JSONValue: Encodable {
    /// Encodes the tree as it is (for output types that hold a ready-made value).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value): try value.encode(to: encoder)
        case .number(let value): try value.encode(to: encoder)
        case .integer(let value): try value.encode(to: encoder)
        case .string(let value): try value.encode(to: encoder)
        case .array(let items): try items.encode(to: encoder)
        case .object(let pairs): try JSONObject(pairs).encode(to: encoder)
        }
    }
}

/// A field that is left out of the JSON object when it has no value (instead of `null`).
@propertyWrapper
public struct Omitted<Value: Encodable & Sendable>: Encodable, Sendable {
    /// The value; `nil` leaves the field out.
    public var wrappedValue: Value?

    /// Wraps a value.
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedEncodingContainer {
    /// Leaves an ``Omitted`` field without a value out (synthesized conformances call this).
    public mutating func encode<Value>(_ value: Omitted<Value>, forKey key: Key) throws {
        if let wrapped = value.wrappedValue { try encode(wrapped, forKey: key) }
    }
}

/// A group of fields written into the enclosing object, not as an object of their own (so a
/// set of optional fields can be one property).
public protocol InlineFields: Encodable {}

/// A key written exactly as given (column names, spec key paths), not converted to snake_case.
public struct JSONKey: CodingKey, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ text: String) { stringValue = text }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// An object whose keys are data (grid parameters, mediators): pairs in their order.
public struct JSONObject<Value: Encodable & Sendable>: Encodable, Sendable {
    /// The pairs, in output order.
    public var pairs: [(String, Value)]

    /// Creates the object.
    public init(_ pairs: [(String, Value)]) { self.pairs = pairs }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for (key, value) in pairs { try container.encode(value, forKey: JSONKey(key)) }
    }
}

/// `stdError` → `std_error`, `r2Within` → `r2_within`, `aPValue` → `a_p_value`, `q025` → `q025`:
/// a word starts at an upper-case letter after a lower-case letter or digit, or at an upper-case
/// letter followed by a lower-case one.
func snakeCase(_ name: String) -> String {
    let characters = Array(name)
    var out = ""
    for (k, character) in characters.enumerated() {
        if character.isUppercase, k > 0 {
            let previous = characters[k - 1]
            let nextIsLower = k + 1 < characters.count && characters[k + 1].isLowercase
            if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out += "_" }
        }
        out += character.lowercased()
    }
    return out
}

/// A node under construction: objects and lists are shared, so nested containers can fill them.
final class TreeNode {
    enum Content {
        case value(JSONValue)
        case object([(String, TreeNode)])
        case array([TreeNode])
    }
    var content: Content = .value(.null)

    var value: JSONValue {
        switch content {
        case .value(let value): return value
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.value) })
        case .array(let items): return .array(items.map(\.value))
        }
    }

    func makeObject() { if case .object = content {} else { content = .object([]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }

    /// The child for `key` (added last if new).
    func child(_ key: String) -> TreeNode {
        makeObject()
        guard case .object(var pairs) = content else { return self }
        if let found = pairs.first(where: { $0.0 == key }) { return found.1 }
        let node = TreeNode()
        pairs.append((key, node))
        content = .object(pairs)
        return node
    }

    func appendChild() -> TreeNode {
        makeArray()
        guard case .array(var items) = content else { return self }
        let node = TreeNode()
        items.append(node)
        content = .array(items)
        return node
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }
}

struct TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let node: TreeNode

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(codingPath: codingPath, node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeContainer(codingPath: codingPath, node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeContainer(codingPath: codingPath, node: node) }

    /// Scalars become leaves; anything else encodes itself into `node`.
    static func encode<T: Encodable>(_ value: T, into node: TreeNode, codingPath: [any CodingKey]) throws {
        // Exact types only: no bridging between numbers and booleans.
        if T.self == Double.self, let value = value as? Double {
            node.content = .value(.finite(value))
        } else if T.self == Int.self, let value = value as? Int {
            node.content = .value(.integer(value))
        } else if T.self == String.self, let value = value as? String {
            node.content = .value(.string(value))
        } else if T.self == Bool.self, let value = value as? Bool {
            node.content = .value(.bool(value))
        } else if T.self == JSONValue.self, let value = value as? JSONValue {
            node.content = .value(value)
        } else {
            try value.encode(to: TreeEncoder(codingPath: codingPath, node: node))
        }
    }

    static func name(_ key: some CodingKey) -> String { key is JSONKey ? key.stringValue : snakeCase(key.stringValue) }
}

struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let codingPath: [any CodingKey]
    let node: TreeNode

    mutating func encodeNil(forKey key: Key) throws { node.child(TreeEncoder.name(key)).content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if value is any InlineFields {  // its fields join this object
            try value.encode(to: TreeEncoder(codingPath: codingPath + [key], node: node))
            return
        }
        try TreeEncoder.encode(value, into: node.child(TreeEncoder.name(key)), codingPath: codingPath + [key])
    }

    // A nil optional is written as null, not left out (see ``JSONOutput``).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }

    mutating func encodeOptional<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(codingPath: codingPath + [key], node: node.child(TreeEncoder.name(key))).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath + [key], node: node.child(TreeEncoder.name(key))).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, node: node.child("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(codingPath: codingPath + [key], node: node.child(TreeEncoder.name(key)))
    }
}

struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let codingPath: [any CodingKey]
    let node: TreeNode
    var count: Int { node.count }

    mutating func encodeNil() throws { node.appendChild().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node.appendChild(), codingPath: codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(codingPath: codingPath, node: node.appendChild()).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath, node: node.appendChild()).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, node: node.appendChild()) }
}

struct SingleTreeContainer: SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    let node: TreeNode

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node, codingPath: codingPath) }
}
