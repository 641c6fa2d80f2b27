// CSVParser.swift — the single-pass RFC 4180 tokenizer behind `CSVTable`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        var delimiters = CSVDelimiterScanner(p, n)

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
                    // Unquoted field: runs to the next comma, LF or end of file.
                    i = delimiters.next(i)
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
}
