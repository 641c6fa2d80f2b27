// CSVParser+Text.swift — field text: unescaping, trimming and missing-value markers.

extension CSVParser {
    /// The field's text with quotes unescaped; `trimmed` also strips surrounding spaces and tabs.
    static func decode(_ buf: UnsafeBufferPointer<UInt8>, _ span: CSVFieldSpan, trimmed: Bool) -> String {
        let start = Int(span.start), end = Int(span.end)
        if span.hasEscapedQuote {
            var unescaped: [UInt8] = []
            unescaped.reserveCapacity(end - start)
            var k = start
            while k < end {
                let b = buf[k]
                unescaped.append(b)
                k += (b == asciiQuote) ? 2 : 1  // the tokenizer guarantees quotes come in pairs here
            }
            return unescaped.withUnsafeBufferPointer { u in
                let t = trimmed ? trimSpaces(u, 0, u.count) : (0, u.count)
                return String(decoding: UnsafeBufferPointer(rebasing: u[t.0..<t.1]), as: UTF8.self)
            }
        }
        let t = trimmed ? trimSpaces(buf, start, end) : (start, end)
        return String(decoding: UnsafeBufferPointer(rebasing: buf[t.0..<t.1]), as: UTF8.self)
    }

    /// `start..<end` with leading and trailing spaces and tabs removed.
    @inline(__always)
    private static func trimSpaces(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start, e = end
        while s < e && (buf[s] == asciiSpace || buf[s] == asciiTab) { s += 1 }
        while e > s && (buf[e - 1] == asciiSpace || buf[e - 1] == asciiTab) { e -= 1 }
        return (s, e)
    }

    /// Empty after trimming, or exactly `NA`, `NaN` or `.`.
    static func isMissing(_ buf: UnsafeBufferPointer<UInt8>, _ span: CSVFieldSpan) -> Bool {
        let (s, e) = trimSpaces(buf, Int(span.start), Int(span.end))
        switch e - s {
        case 0: return true
        case 1: return buf[s] == UInt8(ascii: ".")
        case 2: return buf[s] == UInt8(ascii: "N") && buf[s + 1] == UInt8(ascii: "A")
        case 3: return buf[s] == UInt8(ascii: "N") && buf[s + 1] == UInt8(ascii: "a") && buf[s + 2] == UInt8(ascii: "N")
        default: return false
        }
    }
}
