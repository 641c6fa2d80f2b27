import Foundation

/// A parsed JSON document that keeps what the contract pins and `JSONSerialization` loses: the
/// order of object keys, and whether a number was written as an integer (`42`) or as a real
/// (`42.0`, `1e-5`).
indirect enum GoldenJSON: Equatable {
    case null
    case bool(Bool)
    /// A number: its text as written, and whether that text is an integer literal.
    case number(text: String, isInteger: Bool)
    case string(String)
    case array([GoldenJSON])
    case object([Pair])

    struct Pair: Equatable {
        let key: String
        let value: GoldenJSON
    }

    /// The type name used in the goldens' masks and in Documentation/JSON.md.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(_, let isInteger): return isInteger ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    // MARK: Parsing

    struct ParseError: Error, CustomStringConvertible {
        let offset: Int
        let expected: String
        var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
    }

    /// Parses one JSON document (RFC 8259), keeping key order and number spellings.
    static func parse(_ text: String) throws -> GoldenJSON {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw ParseError(offset: parser.position, expected: "end of document") }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ literal: String) throws {
            let literalBytes = Array(literal.utf8)
            guard bytes.count - position >= literalBytes.count,
                  Array(bytes[position..<position + literalBytes.count]) == literalBytes
            else { throw ParseError(offset: position, expected: "'\(literal)'") }
            position += literalBytes.count
        }

        mutating func value() throws -> GoldenJSON {
            skipSpace()
            guard position < bytes.count else { throw ParseError(offset: position, expected: "a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return try number()
            }
        }

        mutating func object() throws -> GoldenJSON {
            var pairs: [Pair] = []
            try elements(closing: "}") { parser in
                guard parser.position < parser.bytes.count, parser.bytes[parser.position] == UInt8(ascii: "\"") else {
                    throw ParseError(offset: parser.position, expected: "a key")
                }
                let key = try parser.string()
                parser.skipSpace()
                try parser.expect(":")
                pairs.append(Pair(key: key, value: try parser.value()))
            }
            return .object(pairs)
        }

        mutating func array() throws -> GoldenJSON {
            var items: [GoldenJSON] = []
            try elements(closing: "]") { items.append(try $0.value()) }
            return .array(items)
        }

        /// The comma-separated elements of an object or array, from its opening bracket to `closing`.
        mutating func elements(closing: String, _ element: (inout Parser) throws -> Void) throws {
            position += 1
            skipSpace()
            if position < bytes.count, bytes[position] == closing.utf8.first { position += 1; return }
            while true {
                skipSpace()
                try element(&self)
                skipSpace()
                guard position < bytes.count else { throw ParseError(offset: position, expected: "',' or '\(closing)'") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                try expect(closing)
                return
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - position >= 4,
                  let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
            else { throw ParseError(offset: position, expected: "four hex digits") }
            position += 4
            return value
        }

        mutating func string() throws -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() { scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars); run = [] }
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { flush(); return String(scalars) }
                guard byte == UInt8(ascii: "\\") else { run.append(byte); continue }
                flush()
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try expect("\\u")
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw ParseError(offset: position, expected: "a scalar") }
                    scalars.append(scalar)
                default: throw ParseError(offset: position - 1, expected: "an escape")
                }
            }
            throw ParseError(offset: position, expected: "a closing quote")
        }

        mutating func number() throws -> GoldenJSON {
            let start = position
            while position < bytes.count, "+-0123456789.eE".utf8.contains(bytes[position]) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard Double(text) != nil else { throw ParseError(offset: start, expected: "a value") }
            return .number(text: text, isInteger: !text.contains(where: { ".eE".contains($0) }))
        }
    }

    // MARK: Rendering

    /// The document in the reports' layout (two spaces per level, arrays of scalars on one line),
    /// so a golden reads like the command's own output and diffs line by line.
    func rendered() -> String {
        var out = ""
        write(into: &out, level: 0)
        return out + "\n"
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    func write(into out: inout String, level: Int) {
        let pad = String(repeating: "  ", count: level + 1), closePad = String(repeating: "  ", count: level)
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text, _): out += text
        case .string(let text): out += Self.quote(text)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if !items.contains(where: \.isContainer) {
                out += "["
                for (k, item) in items.enumerated() { if k > 0 { out += ", " }; item.write(into: &out, level: 0) }
                out += "]"
                return
            }
            out += "[\n"
            for (k, item) in items.enumerated() {
                out += pad
                item.write(into: &out, level: level + 1)
                out += (k + 1 < items.count ? "," : "") + "\n"
            }
            out += closePad + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, pair) in pairs.enumerated() {
                out += pad + Self.quote(pair.key) + ": "
                pair.value.write(into: &out, level: level + 1)
                out += (k + 1 < pairs.count ? "," : "") + "\n"
            }
            out += closePad + "}"
        }
    }

    /// A JSON string literal (Foundation's escaping; goldens are compared parsed, not as text).
    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - Paths, masks and comparison

/// One step of a JSON path: an object key or an array index.
enum GoldenPathStep: Equatable {
    case key(String)
    case index(Int)
}

/// Renders a path as `$.coefficients[0].std_error`.
func goldenPathText(_ path: [GoldenPathStep]) -> String {
    path.reduce("$") { text, step in
        switch step {
        case .key(let key): return text + "." + key
        case .index(let index): return text + "[\(index)]"
        }
    }
}

/// A volatile field: a path pattern whose value (every leaf under it) is compared by type only.
/// Written like `workloads[*].didlab.median` or `machine`; `*` matches any key or index.
struct GoldenMask: Sendable, Hashable {
    let steps: [String]

    init(_ pattern: String) {
        steps = pattern.replacingOccurrences(of: "[", with: ".[").split(separator: ".").map(String.init)
    }

    /// Whether `path` lies at or under the pattern.
    func covers(_ path: [GoldenPathStep]) -> Bool {
        guard path.count >= steps.count else { return false }
        for (step, pattern) in zip(path, steps) {
            switch step {
            case .key(let key): if pattern != "*" && pattern != key { return false }
            case .index(let index): if pattern != "[*]" && pattern != "[\(index)]" { return false }
            }
        }
        return true
    }
}

extension GoldenJSON {
    /// The placeholder a golden holds for a masked leaf: its type in angle brackets.
    static func placeholder(_ type: String) -> GoldenJSON { .string("<\(type)>") }

    /// The document with every scalar under a mask replaced by the placeholder of its type.
    func masked(_ masks: [GoldenMask], at path: [GoldenPathStep] = []) -> GoldenJSON {
        switch self {
        case .array(let items):
            return .array(items.enumerated().map { $1.masked(masks, at: path + [.index($0)]) })
        case .object(let pairs):
            return .object(pairs.map { Pair(key: $0.key, value: $0.value.masked(masks, at: path + [.key($0.key)])) })
        default:
            return masks.contains { $0.covers(path) } ? Self.placeholder(typeName) : self
        }
    }

    /// Relative tolerance for numbers that are not integers: 1e-9. Reason: the goldens were
    /// written on one machine; another CPU (AVX2 vs AVX-512 code paths, a different libm or GSL
    /// build, another summation order in a vectorised kernel) may round the last few bits of a
    /// long computation differently (observed differences are ~1e-15 relative; the margin covers
    /// error growth through the solvers). Integers, strings, booleans and key order are exact.
    static let relativeTolerance = 1e-9
    /// Absolute floor for numbers that are rounding noise around zero (e.g. a bias of 1e-18):
    /// differences below it pass whatever the relative difference.
    static let absoluteTolerance = 1e-13

    /// The first difference between `self` (the produced document, already masked) and `golden`,
    /// as one line naming its JSON path; nil when they agree.
    func firstDifference(from golden: GoldenJSON, at path: [GoldenPathStep] = []) -> String? {
        let here = goldenPathText(path)
        switch (golden, self) {
        case (.object(let expected), .object(let produced)):
            for (k, pair) in expected.enumerated() {
                guard k < produced.count else { return "\(here): missing key \"\(pair.key)\" (and \(expected.count - k - 1) after it)" }
                guard produced[k].key == pair.key else {
                    return "\(here): key \(k) is \"\(produced[k].key)\", the golden has \"\(pair.key)\""
                        + (produced.contains { $0.key == pair.key } ? " (order changed)" : " (key missing)")
                }
                if let difference = produced[k].value.firstDifference(from: pair.value, at: path + [.key(pair.key)]) {
                    return difference
                }
            }
            if produced.count > expected.count { return "\(here): new key \"\(produced[expected.count].key)\"" }
            return nil
        case (.array(let expected), .array(let produced)):
            for (k, item) in zip(produced, expected).enumerated() {
                if let difference = item.0.firstDifference(from: item.1, at: path + [.index(k)]) { return difference }
            }
            return produced.count == expected.count ? nil
                : "\(here): \(produced.count) elements, the golden has \(expected.count)"
        case (.number(let expectedText, let expectedInteger), .number(let producedText, let producedInteger)):
            guard expectedInteger == producedInteger else {
                return "\(here): \(producedText) is \(typeName), the golden's \(expectedText) is \(golden.typeName)"
            }
            if expectedInteger { return expectedText == producedText ? nil : "\(here): \(producedText), the golden has \(expectedText)" }
            guard let a = Double(expectedText), let b = Double(producedText) else { return "\(here): unreadable number" }
            let difference = abs(a - b)
            if difference <= Self.absoluteTolerance || difference <= Self.relativeTolerance * max(abs(a), abs(b)) { return nil }
            return "\(here): \(producedText), the golden has \(expectedText) (relative difference "
                + String(format: "%.2e", difference / max(abs(a), abs(b))) + " > \(Self.relativeTolerance))"
        default:
            if golden == self { return nil }
            if golden.typeName != typeName { return "\(here): \(typeName) \(abbreviated), the golden has \(golden.typeName) \(golden.abbreviated)" }
            return "\(here): \(abbreviated), the golden has \(golden.abbreviated)"
        }
    }

    /// The value on one line, cut at 120 characters.
    var abbreviated: String {
        var out = ""
        write(into: &out, level: 0)
        let line = out.replacingOccurrences(of: "\n", with: " ")
        return line.count > 120 ? String(line.prefix(117)) + "..." : line
    }
}
