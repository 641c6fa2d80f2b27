// CSVTable+Parsing.swift — the single-pass RFC 4180 tokenizer, field decoding, number parsing
// and file reading behind `CSVTable`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte offsets of one field's content (quotes excluded) within the file bytes.
///
/// The top bit of `rawEnd` flags a quoted field that contains `""` and so needs unescaping.
struct CSVFieldSpan: Sendable {
    /// Offsets must stay below this (2 GiB) so that the flag bit is free.
    static let maxOffset = 1 << 31
    static let escapeFlag: UInt32 = 1 << 31

    let start: UInt32
    let rawEnd: UInt32

    @inline(__always)
    init(start: Int, end: Int, escaped: Bool) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.rawEnd = UInt32(truncatingIfNeeded: end) | (escaped ? CSVFieldSpan.escapeFlag : 0)
    }

    /// One past the last content byte.
    @inline(__always) var end: UInt32 { rawEnd & ~CSVFieldSpan.escapeFlag }
    /// Whether the content holds doubled quotes that must be collapsed.
    @inline(__always) var hasEscapedQuote: Bool { rawEnd & CSVFieldSpan.escapeFlag != 0 }
}

/// Immutable heap storage for the field spans (header record first, row-major).
///
/// A plain buffer rather than an `Array` so that the tokenizer can append without uniqueness
/// checks; it is written only while parsing and never mutated afterwards, hence Sendable.
final class CSVSpanStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<CSVFieldSpan>
    let count: Int

    init(taking writer: CSVSpanWriter) {
        base = writer.base
        count = writer.count
    }

    deinit { base.deallocate() }

    @inline(__always) subscript(index: Int) -> CSVFieldSpan { base[index] }
}

/// A growable span buffer used by the tokenizer; ownership passes to `CSVSpanStorage` on
/// success, otherwise the caller must `deallocate()` it.
struct CSVSpanWriter {
    var base: UnsafeMutablePointer<CSVFieldSpan>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ span: CSVFieldSpan) {
        if count == capacity { reserve(capacity * 2) }
        (base + count).initialize(to: span)
        count += 1
    }

    @inline(never)
    mutating func reserve(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        let grown = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: minimumCapacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = minimumCapacity
    }

    func deallocate() { base.deallocate() }
}

/// What the tokenizer produces: all field spans (header record first, row-major) and the
/// starting line of each data record.
struct CSVLayout {
    var spans: CSVSpanStorage
    var rowLines: [UInt32]
    var columnCount: Int
}

/// ASCII bytes the parser cares about.
private let asciiLF: UInt8 = 0x0A
private let asciiCR: UInt8 = 0x0D
private let asciiQuote: UInt8 = 0x22
private let asciiComma: UInt8 = 0x2C
private let asciiSpace: UInt8 = 0x20
private let asciiTab: UInt8 = 0x09

/// Namespace for the tokenizer and the field decoders.
enum CSVParser {
    // MARK: Tokenizer

    /// Splits `buf` into records and fields in a single pass, validating quoting and field counts.
    static func parse(_ buf: UnsafeBufferPointer<UInt8>, path: String) -> Result<CSVLayout, CSVError> {
        let n = buf.count
        guard n > 0, let p = buf.baseAddress else { return .failure(.empty(path: path)) }
        var i = 0
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        var line = 1
        var lineStart = i
        var columns = -1
        var spans = CSVSpanWriter(capacity: 64)
        var finished = false
        defer { if !finished { spans.deallocate() } }
        var rowLines: [UInt32] = []

        while i < n {
            // At the start of a record: skip blank lines (LF, CRLF, or a lone CR at end of file).
            let c = p[i]
            if c == asciiLF {
                i += 1; line += 1; lineStart = i
                continue
            }
            if c == asciiCR && (i + 1 == n || p[i + 1] == asciiLF) {
                i += (i + 1 == n) ? 1 : 2; line += 1; lineStart = i
                continue
            }
            let recordLine = line
            var fields = 0
            var recordDone = false
            repeat {
                var start = i
                var end: Int
                var escaped = false
                if i < n && p[i] == asciiQuote {
                    // Quoted field: runs to the next quote that is not doubled.
                    let openLine = line
                    i += 1
                    start = i
                    while true {
                        if i >= n { return .failure(.unterminatedQuote(path: path, line: openLine)) }
                        let b = p[i]
                        if b == asciiQuote {
                            if i + 1 < n && p[i + 1] == asciiQuote {
                                escaped = true
                                i += 2
                                continue
                            }
                            break
                        }
                        if b == asciiLF { line += 1; lineStart = i + 1 }
                        i += 1
                    }
                    end = i
                    i += 1  // past the closing quote
                    if i < n {
                        let b = p[i]
                        if b == asciiComma {
                            i += 1
                        } else if b == asciiLF {
                            i += 1; line += 1; lineStart = i; recordDone = true
                        } else if b == asciiCR && i + 1 < n && p[i + 1] == asciiLF {
                            i += 2; line += 1; lineStart = i; recordDone = true
                        } else if b == asciiCR && i + 1 == n {
                            i += 1; recordDone = true
                        } else {
                            return .failure(.strayQuote(path: path, line: line,
                                                        column: characterColumn(p, lineStart: lineStart, at: end)))
                        }
                    } else {
                        recordDone = true
                    }
                } else {
                    // Unquoted field: runs to the next comma, LF or end of file. Skip eight
                    // bytes at a time while none of them is a comma, LF or quote.
                    while i &+ 8 <= n {
                        let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                        let hits = zeroBytes(word ^ broadcastComma) | zeroBytes(word ^ broadcastLF)
                            | zeroBytes(word ^ broadcastQuote)
                        if hits != 0 {
                            i &+= hits.trailingZeroBitCount &>> 3
                            break
                        }
                        i &+= 8
                    }
                    while i < n {
                        let b = p[i]
                        if b > asciiComma { i += 1; continue }  // digits, letters, '.', '-', ...
                        if b == asciiComma || b == asciiLF { break }
                        if b == asciiQuote {
                            return .failure(.strayQuote(path: path, line: line,
                                                        column: characterColumn(p, lineStart: lineStart, at: i)))
                        }
                        i += 1
                    }
                    end = i
                    if i < n && p[i] == asciiComma {
                        i += 1
                    } else {
                        if end > start && p[end - 1] == asciiCR { end -= 1 }
                        if i < n { i += 1; line += 1; lineStart = i }
                        recordDone = true
                    }
                }
                spans.append(CSVFieldSpan(start: start, end: end, escaped: escaped))
                fields += 1
            } while !recordDone

            if columns < 0 {
                columns = fields
                // Every further record ends at an LF (or at the end of the file), so this bounds
                // the number of spans still to come; reserve once to avoid regrowth.
                let lines = countLineFeeds(p + i, n - i) + 1
                spans.reserve(spans.count + lines * columns)
                rowLines.reserveCapacity(lines)
            } else if fields != columns {
                return .failure(.wrongFieldCount(path: path, line: recordLine, expected: columns, found: fields))
            } else {
                rowLines.append(UInt32(truncatingIfNeeded: recordLine))
            }
        }
        if columns < 0 { return .failure(.empty(path: path)) }
        if rowLines.isEmpty { return .failure(.noDataRows(path: path)) }
        finished = true
        return .success(CSVLayout(spans: CSVSpanStorage(taking: spans), rowLines: rowLines, columnCount: columns))
    }

    private static let broadcastComma: UInt64 = 0x0101_0101_0101_0101 &* UInt64(asciiComma)
    private static let broadcastLF: UInt64 = 0x0101_0101_0101_0101 &* UInt64(asciiLF)
    private static let broadcastQuote: UInt64 = 0x0101_0101_0101_0101 &* UInt64(asciiQuote)

    /// High bit set in (at least) the lowest zero byte of `v` (little-endian); bits above the
    /// first zero byte may be spurious, so only `trailingZeroBitCount` is meaningful. Zero when
    /// `v` has no zero byte.
    @inline(__always)
    private static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    /// Number of LF bytes in `p[0..<count]`.
    private static func countLineFeeds(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var found = 0
        var offset = 0
        while offset < count, let hit = memchr(p + offset, Int32(asciiLF), count - offset) {
            found += 1
            offset = UnsafeRawPointer(hit) - UnsafeRawPointer(p) + 1
        }
        return found
    }

    /// 1-based character (UTF-8 scalar) column of byte `pos` in the line starting at `lineStart`.
    private static func characterColumn(_ p: UnsafePointer<UInt8>, lineStart: Int, at pos: Int) -> Int {
        var column = 1
        var k = lineStart
        while k < pos {
            if p[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return column
    }

    // MARK: Text

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

    // MARK: Numbers

    /// Exact powers of ten representable in a Double (10^0 ... 10^22).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses `p[start..<end]` as a finite decimal number (see `CSVTable.double(row:column:)`).
    ///
    /// The grammar is checked here; values with at most 19 digits, a mantissa of at
    /// most 2^53 and a decimal exponent within ±22 are computed exactly with one correctly
    /// rounded multiplication or division (Clinger's fast path); everything else goes to
    /// `strtod`, so results are always bit-identical to `strtod`.
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var s = start, e = end
        while s < e && (p[s] == asciiSpace || p[s] == asciiTab) { s += 1 }
        while e > s && (p[e - 1] == asciiSpace || p[e - 1] == asciiTab) { e -= 1 }
        if s == e { return nil }
        var i = s
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true; i += 1
        } else if p[i] == UInt8(ascii: "+") {
            i += 1
        }
        // Accumulate every digit; the mantissa is exact while there are at most 19 of them
        // (leading zeros included), which is the only case the fast path below uses.
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < e {
            let d = p[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        var digitCount = i - integerStart
        var fractionDigits = 0
        if i < e && p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < e {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            fractionDigits = i - fractionStart
            digitCount += fractionDigits
        }
        if digitCount == 0 { return nil }
        var exponent = -fractionDigits  // value = mantissa * 10^exponent when digitCount <= 19
        if i < e && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < e && p[i] == UInt8(ascii: "-") {
                exponentNegative = true; i += 1
            } else if i < e && p[i] == UInt8(ascii: "+") {
                i += 1
            }
            var value = 0
            let exponentStart = i
            while i < e {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if value < 1_000_000 { value = value &* 10 &+ Int(d) }
                i += 1
            }
            if i == exponentStart { return nil }
            exponent += exponentNegative ? -value : value
        }
        if i != e { return nil }

        if digitCount <= 19 {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
                var v = Double(mantissa)
                if exponent < 0 {
                    v /= exactPowersOfTen[-exponent]
                } else {
                    v *= exactPowersOfTen[exponent]
                }
                return negative ? -v : v
            }
        }
        return slowParse(p + s, e - s)
    }

    /// `strtod` on a NUL-terminated copy of an already validated number; nil unless finite.
    private static func slowParse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        let v: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { tmp in
            let base = tmp.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: count)
            base[count] = 0
            var stop: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(base, &stop)
            if stop == base + count { return v }
            // Only reachable when the process switched LC_NUMERIC to a locale whose decimal
            // point is not '.'; Swift's parser is locale-independent.
            return Double(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)) ?? .nan
        }
        return v.isFinite ? v : nil
    }

    /// Parses `p[start..<end]` as an exact integer (see `CSVTable.integer(row:column:)`).
    ///
    /// Same grammar as `parseDouble`, but evaluated in exact decimal arithmetic: the value is
    /// (nonzero digits) × 10^power, an integer only when `power` ≥ 0 after trailing zeros move
    /// into it, and it must fit in `Int`.
    static func parseInteger(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var s = start, e = end
        while s < e && (p[s] == asciiSpace || p[s] == asciiTab) { s += 1 }
        while e > s && (p[e - 1] == asciiSpace || p[e - 1] == asciiTab) { e -= 1 }
        if s == e { return nil }
        var i = s
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true; i += 1
        } else if p[i] == UInt8(ascii: "+") {
            i += 1
        }
        var magnitude: UInt64 = 0  // the digits up to the last nonzero one
        var pendingZeros = 0  // zeros after it, not yet multiplied in
        var power = 0  // value = magnitude * 10^(pendingZeros + power)
        var overflow = false
        var digitCount = 0
        var inFraction = false
        while i < e {
            let b = p[i]
            if b == UInt8(ascii: ".") && !inFraction {
                inFraction = true
                i += 1
                continue
            }
            let d = b &- UInt8(ascii: "0")
            if d > 9 { break }
            digitCount += 1
            if inFraction { power -= 1 }
            if d == 0 {
                pendingZeros += 1
            } else {
                if !overflow {
                    let scaled = multiplyByPowerOfTen(magnitude, pendingZeros + 1)
                    let (sum, o) = (scaled ?? 0).addingReportingOverflow(UInt64(d))
                    if scaled == nil || o { overflow = true } else { magnitude = sum }
                }
                pendingZeros = 0
            }
            i += 1
        }
        if digitCount == 0 { return nil }
        if i < e && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < e && p[i] == UInt8(ascii: "-") {
                exponentNegative = true; i += 1
            } else if i < e && p[i] == UInt8(ascii: "+") {
                i += 1
            }
            var value = 0
            let exponentStart = i
            while i < e {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if value < 1_000_000 { value = value &* 10 &+ Int(d) }
                i += 1
            }
            if i == exponentStart { return nil }
            power += exponentNegative ? -value : value
        }
        if i != e { return nil }
        if magnitude == 0 && !overflow { return 0 }
        // Past here either the value does not fit, or it has a nonzero digit after the point.
        if overflow || pendingZeros + power < 0 { return nil }
        guard let exact = multiplyByPowerOfTen(magnitude, pendingZeros + power) else { return nil }
        if negative {
            return exact <= UInt64(1) << 63 ? Int(truncatingIfNeeded: 0 &- exact) : nil
        }
        return exact <= UInt64(Int.max) ? Int(exact) : nil
    }

    /// `value * 10^count`, or nil on `UInt64` overflow.
    @inline(__always)
    private static func multiplyByPowerOfTen(_ value: UInt64, _ count: Int) -> UInt64? {
        if value == 0 { return 0 }
        if count > 19 { return nil }
        var v = value
        for _ in 0..<count {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            if o { return nil }
            v = m
        }
        return v
    }
}

// MARK: File reading

extension CSVTable {
    /// Reads the whole file at `path` with POSIX calls.
    static func readFile(_ path: String) throws(CSVError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR || path.isEmpty { throw CSVError.fileNotFound(path: path) }
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw CSVError.unreadable(path: path, reason: "is a directory")
        }
        let expected = max(0, Int(info.st_size))
        if expected >= CSVFieldSpan.maxOffset {
            throw CSVError.unreadable(path: path, reason: "file is 2 GiB or larger, which CSVTable does not support")
        }
        var failure: Int32 = 0
        // Fill the expected size in place, then keep reading in case the file grew or is not
        // a regular file (a pipe reports size 0).
        var data = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            initialized = 0
            while initialized < expected {
                let got = read(fd, buffer.baseAddress! + initialized, expected - initialized)
                if got > 0 {
                    initialized += got
                } else if got == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure == 0 {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if got > 0 {
                    data.append(contentsOf: chunk[0..<got])
                    if data.count >= CSVFieldSpan.maxOffset {
                        throw CSVError.unreadable(path: path, reason: "file is 2 GiB or larger, which CSVTable does not support")
                    }
                } else if got == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 {
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(failure)))
        }
        return data
    }
}
