/// Encodes an `Encodable` output type as a ``JSONValue``, keeping the order in which its
/// `encode(to:)` writes keys, so that an output type renders exactly as a hand-built
/// ``JSONValue`` would: integers as integers, doubles with ``JSONValue``'s spelling (non-finite
/// as `null`), `encodeNil` as `null`. A nil optional (of an `Encodable` type, `Double`, `Int`,
/// `String` or `Bool`) is written as `null` too, not left out: an output contract names every key
/// (a type that omits a key does so in its `encode(to:)`). Other fixed-width integer optionals
/// keep the protocol default (left out); output types here use `Int`.
///
/// Integers beyond `Int` are refused (an output type chooses their spelling itself).
public struct JSONValueEncoder {
    public init() {}

    /// The value's JSON tree.
    /// - Throws: `EncodingError.invalidValue` for an unsigned integer above `Int.max`, or an
    ///   error the value's own `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = JSONValueNode()
        try value.encode(to: JSONValueTreeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A JSON value under construction (objects and arrays fill in as their containers encode).
private final class JSONValueNode {
    enum Content {
        case empty
        case scalar(JSONValue)
        case object([(String, JSONValueNode)])
        case array([JSONValueNode])
    }

    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([])
        case .scalar(let value): return value
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.value) })
        case .array(let items): return .array(items.map(\.value))
        }
    }

    /// The child for `key`, created at the end of the object (or replaced in place).
    func child(forKey key: String) -> JSONValueNode {
        var pairs: [(String, JSONValueNode)] = []
        if case .object(let existing) = content { pairs = existing }
        let node = JSONValueNode()
        if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = node } else { pairs.append((key, node)) }
        content = .object(pairs)
        return node
    }

    /// A new last element.
    func appended() -> JSONValueNode {
        var items: [JSONValueNode] = []
        if case .array(let existing) = content { items = existing }
        let node = JSONValueNode()
        items.append(node)
        content = .array(items)
        return node
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }

    static func scalar(_ value: Any, codingPath: [CodingKey]) throws -> JSONValue? {
        switch value {
        case let value as Bool: return .bool(value)
        case let value as String: return .string(value)
        case let value as Double: return .number(value)
        case let value as Float: return .number(Double(value))
        case let value as any BinaryInteger:
            guard let int = Int(exactly: value) else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is beyond Int"))
            }
            return .integer(int)
        default: return nil
        }
    }
}

private struct JSONValueTreeEncoder: Encoder {
    let node: JSONValueNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleValueContainer(node: node, codingPath: codingPath) }

    /// Encodes `value` into `node`: scalars directly, anything else through its `encode(to:)`.
    static func encode<T: Encodable>(_ value: T, into node: JSONValueNode, codingPath: [CodingKey]) throws {
        if let scalar = try JSONValueNode.scalar(value, codingPath: codingPath) {
            node.content = .scalar(scalar)
        } else {
            try value.encode(to: JSONValueTreeEncoder(node: node, codingPath: codingPath))
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) { stringValue = String(index); intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONValueNode
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .scalar(.null) }

    // Nil optionals are written as null (synthesized encoders call these overloads).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeIfPresent(value.map { $0 as Encodable }, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeIfPresent(value.map { $0 as Encodable }, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeIfPresent(value.map { $0 as Encodable }, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeIfPresent(value.map { $0 as Encodable }, key) }

    private mutating func encodeIfPresent(_ value: (any Encodable)?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try JSONValueTreeEncoder.encode(value, into: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        JSONValueTreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        JSONValueTreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        JSONValueTreeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        JSONValueTreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: JSONValueNode
    let codingPath: [CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.appended().content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try JSONValueTreeEncoder.encode(value, into: node.appended(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(count)]
        return JSONValueTreeEncoder(node: node.appended(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        return JSONValueTreeEncoder(node: node.appended(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let path = codingPath + [IndexKey(count)]
        return JSONValueTreeEncoder(node: node.appended(), codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: JSONValueNode
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONValueTreeEncoder.encode(value, into: node, codingPath: codingPath)
    }
}
