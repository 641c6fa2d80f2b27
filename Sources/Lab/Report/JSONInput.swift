import Foundation

/// Reads back what ``JSONOutput`` wrote: a report's JSON decoded into its own output type, so
/// `didlab report` renders typed values rather than re-parsing text.
///
/// The inverse of ``JSONOutput``'s rules: a property `stdError` is looked up as `std_error` (the
/// same ``snakeCase(_:)``); `null` in a non-optional `Double` is NaN (the writer turns every
/// non-finite number into `null`); numbers are parsed with `Double(String)`, which rounds
/// correctly, so a value reads back bit-identical to the one written.
public enum JSONInput {
    /// A JSON text that does not parse, or does not have the shape of the type.
    public struct DecodeError: Error, CustomStringConvertible {
        /// Where: a key path such as `sources[0].methods[2].size`, or a byte offset.
        public let location: String
        /// What was expected.
        public let reason: String
        public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
    }

    /// Decodes `T` from JSON text.
    /// - Throws: ``DecodeError`` naming the key path or byte offset.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try T(from: TreeDecoder(value: JSONValue(parsing: text), codingPath: []))
    }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259). Object keys keep their order.
    /// - Throws: ``JSONInput/DecodeError`` naming the byte offset of the problem.
    public init(parsing text: String) throws {
        var parser = JSONTextParser(bytes: Array(text.utf8))
        parser.skipSpace()
        self = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.error("expected the end of the text") }
    }

    /// The value at `key` of an object (nil for another kind or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
struct JSONTextParser {
    let bytes: [UInt8]
    var position = 0

    func error(_ reason: String) -> JSONInput.DecodeError {
        JSONInput.DecodeError(location: "byte \(position + 1)", reason: reason)
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
            throw error("expected a JSON value")
        }
        position += expected.count
        return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw error("nested too deeply") }
        guard position < bytes.count else { throw error("unexpected end of the text") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try string()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipSpace()
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < bytes.count else { throw error("unexpected end of the text") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                position += 1
                return .object(pairs)
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw error("unexpected end of the text") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                position += 1
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws -> JSONValue {
        let start = position
        var isInteger = true
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        guard !text.isEmpty, let value = Double(text), value.isFinite else {
            position = start
            throw error("expected a JSON value")
        }
        return .number(value)
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw error("expected four hex digits after \\u")
        }
        position += 4
        return value
    }

    mutating func string() throws -> String {
        position += 1  // the opening quote
        var out: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                       bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00) & 0x3FF
                    }
                    out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(escape)
                }
            default:
                if byte < 0x20 { position -= 1; throw error("a control character inside a string") }
                out.append(byte)
            }
        }
        throw error("unterminated string")
    }
}

/// A `Decoder` over a ``JSONValue`` tree with ``JSONInput``'s rules.
struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + snakeCase(key.stringValue) }
        }
        return out
    }

    func mismatch(_ expected: String) -> JSONInput.DecodeError {
        JSONInput.DecodeError(location: Self.path(codingPath), reason: "expected \(expected), found \(value.rendered(indent: 0).prefix(40))")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let pairs) = value else { throw mismatch("an object") }
        return KeyedDecodingContainer(KeyedTreeDecoder<Key>(pairs: pairs, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch("a list") }
        return UnkeyedTreeDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleTreeDecoder(decoder: self) }

    /// Scalars are read here; anything else decodes itself from a nested decoder.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let scalar: Any?
        if T.self == Double.self {
            switch value {
            case .null: scalar = Double.nan
            case .number(let number): scalar = number
            case .integer(let number): scalar = Double(number)
            default: throw mismatch("a number")
            }
        } else if T.self == Int.self {
            guard case .integer(let number) = value else { throw mismatch("an integer") }
            scalar = number
        } else if T.self == String.self {
            guard case .string(let text) = value else { throw mismatch("a string") }
            scalar = text
        } else if T.self == Bool.self {
            guard case .bool(let flag) = value else { throw mismatch("true or false") }
            scalar = flag
        } else if T.self == JSONValue.self {
            scalar = value
        } else {
            return try T(from: self)
        }
        guard let result = scalar as? T else { throw mismatch("\(T.self)") }
        return result
    }

    var isNull: Bool { if case .null = value { return true } else { return false } }
}

struct KeyedTreeDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let pairs: [(String, JSONValue)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { pairs.compactMap { Key(stringValue: $0.0) } }

    func lookup(_ key: Key) -> JSONValue? {
        let name = snakeCase(key.stringValue)
        return pairs.first { $0.0 == name }?.1 ?? pairs.first { $0.0 == key.stringValue }?.1
    }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        lookup(key).map { TreeDecoder(value: $0, codingPath: codingPath).isNull } ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = lookup(key) else {
            // A missing number reads as NaN, like a null one; anything else must be there.
            if T.self == Double.self { return try TreeDecoder(value: .null, codingPath: codingPath + [key]).decode(T.self) }
            throw JSONInput.DecodeError(location: TreeDecoder.path(codingPath + [key]), reason: "missing")
        }
        return try TreeDecoder(value: value, codingPath: codingPath + [key]).decode(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = lookup(key) else { return nil }
        let decoder = TreeDecoder(value: value, codingPath: codingPath + [key])
        return decoder.isNull ? nil : try decoder.decode(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(pairs), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key])
    }
}

/// An index into a list, as a coding key.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct UnkeyedTreeDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else {
            throw JSONInput.DecodeError(location: TreeDecoder.path(codingPath), reason: "the list ends early")
        }
        defer { currentIndex += 1 }
        return TreeDecoder(value: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, TreeDecoder(value: items[currentIndex], codingPath: codingPath).isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct SingleTreeDecoder: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self) }
}
