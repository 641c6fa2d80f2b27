import Yams

/// Bounds on YAML input, checked before any decoding: a spec is a small document, and the two
/// ways a small document can still exhaust the machine are refused with a reason.
///
/// - **Deep nesting** (`[[[[…]]]]` thousands deep) overflows the stack of recursive decoders:
///   at most ``maximumDepth`` levels.
/// - **Alias expansion** ("billion laughs": anchors whose aliases refer to other anchors) turns
///   kilobytes into billions of nodes once aliases are expanded: at most ``maximumNodes`` nodes
///   after expansion.
/// - Files over ``maximumBytes`` are refused outright.
///
/// The document is composed once by libyaml (aliases stay shared, so composing is cheap), then
/// walked with an explicit stack that stops at the first bound it crosses.
public enum YAMLLimits {
    /// Largest spec file, in bytes.
    public static let maximumBytes = 1 << 20
    /// Deepest nesting of mappings and sequences.
    public static let maximumDepth = 64
    /// Most nodes once aliases are expanded.
    public static let maximumNodes = 200_000

    /// Why `text` is refused, or nil when it is within bounds (or not valid YAML at all, which the
    /// decoder then reports with its line).
    public static func problem(with text: String) -> String? {
        if text.utf8.count > maximumBytes {
            return "the file has \(text.utf8.count) bytes; a spec is at most \(maximumBytes) bytes"
        }
        if let depth = bracketDepthBeyondLimit(text) {
            return "the document nests at least \(depth) levels deep; at most \(maximumDepth) are allowed"
        }
        if let line = blockPrefixBeyondLimit(text) {
            return "line \(line) is indented or nested (`- `, `? `) more than \(maximumPrefix) columns deep; "
                + "at most \(maximumDepth) levels are allowed"
        }
        guard let root = try? Yams.compose(yaml: text) else { return nil }
        var stack: [(node: Node, depth: Int)] = [(root, 1)]
        var nodes = 0
        while let (node, depth) = stack.popLast() {
            nodes += 1
            if nodes > maximumNodes {
                return "the document expands to more than \(maximumNodes) nodes once its aliases (*name) are "
                    + "expanded; at most \(maximumNodes) are allowed"
            }
            if depth > maximumDepth {
                return "the document nests more than \(maximumDepth) levels deep; at most \(maximumDepth) are allowed"
            }
            switch node {
            case .scalar: break
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else {
                        return "a mapping key is a list or mapping; expected plain names as keys"
                    }
                    stack.append((value, depth + 1))
                }
            case .sequence(let sequence):
                for element in sequence { stack.append((element, depth + 1)) }
            }
        }
        return nil
    }

    /// Longest run of indentation and block indicators (`- `, `? `, `: `) at the start of a line.
    /// Block nesting needs at least one such column per level, so this bounds the depth libyaml
    /// and Yams's recursive composer see before they recurse.
    public static let maximumPrefix = 512

    /// The first line whose leading indentation and block indicators exceed ``maximumPrefix``.
    static func blockPrefixBeyondLimit(_ text: String) -> Int? {
        var line = 1, prefix = 0, atStart = true
        for byte in text.utf8 {
            if byte == 10 { line += 1; prefix = 0; atStart = true; continue }
            guard atStart else { continue }
            if byte == 32 || byte == 9 || byte == 45 || byte == 63 || byte == 58 {
                prefix += 1
                if prefix > maximumPrefix { return line }
            } else {
                atStart = false
            }
        }
        return nil
    }

    /// A cheap lexical bound before composing: the depth of flow brackets (`[`, `{`) outside
    /// quotes and comments, when it passes the limit.
    static func bracketDepthBeyondLimit(_ text: String) -> Int? {
        var depth = 0
        var quote: UInt8 = 0
        var comment = false
        var previous: UInt8 = 10
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == 10 { comment = false; if quote == 0 { continue } }
            if comment { continue }
            if quote != 0 { if byte == quote { quote = 0 }; continue }
            switch byte {
            case 34, 39: if previous == 32 || previous == 91 || previous == 123 || previous == 58 || previous == 44 { quote = byte }
            case 35: if previous == 32 || previous == 9 || previous == 10 { comment = true }
            case 91, 123:
                depth += 1
                if depth > maximumDepth { return depth }
            case 93, 125: depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}
