// CSVTable.swift — an RFC 4180 CSV reader for DiDLab.
//
// Public surface: `CSVTable` (bytes + field offsets, decoded on demand) and `CSVError`.
// The single-pass tokenizer lives in CSVParser.swift, field text in CSVParser+Text.swift, the number
// parsers in CSVParser+Numbers.swift and file reading in CSVTable+File.swift.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed CSV file held as raw bytes plus field offsets; fields are decoded on demand.
///
/// Format (RFC 4180 with the usual relaxations):
/// - fields are separated by commas; records end with LF or CRLF, and the last record may
///   lack a line ending (a lone CR is an ordinary byte except right before LF or at end of file);
/// - a UTF-8 byte-order mark at the very start is skipped;
/// - a field is quoted when its first byte is `"`; a quoted field may contain commas, line
///   breaks and doubled quotes (`""` stands for one `"`). The closing quote must be followed
///   directly by a comma, a line ending or the end of the file; a quote inside an unquoted field
///   is an error (no whitespace is allowed around a quoted field);
/// - completely blank lines (nothing between two line breaks) are skipped anywhere, including
///   at the end of the file; a line holding only spaces is a record, not a blank line;
/// - the first record is the header; its names (quotes removed, surrounding spaces/tabs
///   trimmed) must be distinct, and every data record must have the header's field count.
///
/// Memory layout: the file bytes are stored once; each field costs 8 bytes (start and end
/// offset as `UInt32`, the top bit of the end offset flags a quoted field holding `""`), and
/// each data record 4 bytes (its physical line number). Files must be smaller than 2 GiB.
///
/// Accessors take a 0-based data `row` (the header is not a row) and a 0-based `column`;
/// out-of-range indices are a programming error and trap.
/// The value is immutable and safe to share across threads.
public struct CSVTable: Sendable {
    /// The path as given to the initializer; used in error messages.
    public let path: String
    /// Column names from the header record: quotes removed, `""` unescaped, surrounding spaces
    /// and tabs trimmed.
    public let header: [String]

    /// The whole file (BOM included, if any).
    let bytes: [UInt8]
    /// One span per field, row-major, header record first.
    let spans: CSVSpanStorage
    /// Physical 1-based line on which each data record starts.
    let rowLines: [UInt32]
    /// Column name -> index.
    let columnIndexByName: [String: Int]

    /// Number of data records (the header is not counted).
    public var rowCount: Int { rowLines.count }

    /// Number of columns (fields per record), as given by the header.
    public var columnCount: Int { header.count }

    /// Reads and parses the CSV file at `path`.
    ///
    /// - Throws: `CSVError.fileNotFound` when nothing exists at `path`, `CSVError.unreadable`
    ///   when it cannot be opened or read (or is a directory, or is 2 GiB or larger), and any
    ///   parse error listed for `init(data:path:)`.
    public init(contentsOfFile path: String) throws(CSVError) {
        let data = try CSVTable.readFile(path)
        try self.init(data: data, path: path)
    }

    /// Parses CSV bytes already in memory; `path` is used only in error messages.
    ///
    /// - Throws: `CSVError.empty` (no header record), `.noDataRows`, `.unterminatedQuote`,
    ///   `.strayQuote`, `.wrongFieldCount`, `.duplicateHeader`, or `.unreadable` when the data
    ///   is 2 GiB or larger or starts with a UTF-16 or UTF-32 byte-order mark.
    public init(data: [UInt8], path: String) throws(CSVError) {
        guard data.count < CSVFieldSpan.maxOffset else {
            throw CSVError.unreadable(path: path, reason: "file is 2 GiB or larger, which CSVTable does not support")
        }
        if let encoding = CSVTable.unsupportedEncoding(data) {
            throw CSVError.unreadable(path: path, reason: "the file is \(encoding) (it starts with that byte-order mark); "
                                      + "expected UTF-8 text: save it as CSV UTF-8")
        }
        let result = data.withUnsafeBufferPointer { CSVParser.parse($0, path: path) }
        let layout: CSVLayout
        switch result {
        case .success(let l): layout = l
        case .failure(let e): throw e
        }
        var names: [String] = []
        names.reserveCapacity(layout.columnCount)
        var index: [String: Int] = [:]
        index.reserveCapacity(layout.columnCount)
        data.withUnsafeBufferPointer { buf in
            for c in 0..<layout.columnCount {
                names.append(CSVParser.decode(buf, layout.spans[c], trimmed: true))
            }
        }
        for (c, name) in names.enumerated() {
            if index[name] != nil { throw CSVError.duplicateHeader(path: path, name: name) }
            index[name] = c
        }
        self.path = path
        self.header = names
        self.bytes = data
        self.spans = layout.spans
        self.rowLines = layout.rowLines
        self.columnIndexByName = index
    }

    /// The encoding named by a UTF-16 or UTF-32 byte-order mark at the start of `data`, or nil.
    static func unsupportedEncoding(_ data: [UInt8]) -> String? {
        if data.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32 (big-endian)" }
        if data.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32 (little-endian)" }
        if data.starts(with: [0xFF, 0xFE]) { return "UTF-16 (little-endian)" }
        if data.starts(with: [0xFE, 0xFF]) { return "UTF-16 (big-endian)" }
        return nil
    }

    /// The index of the column whose header name equals `name` exactly (case-sensitive,
    /// after the header's whitespace trimming), or nil.
    public func columnIndex(named name: String) -> Int? {
        columnIndexByName[name]
    }

    /// The 1-based physical line on which data record `row` (0-based) starts.
    ///
    /// Lines are counted in the file as stored: blank lines and line breaks inside quoted
    /// fields count, so when the header is a single line preceded by nothing, it is line 1.
    public func lineNumber(ofRow row: Int) -> Int {
        Int(rowLines[row])
    }

    @inline(__always)
    func span(_ row: Int, _ column: Int) -> CSVFieldSpan {
        precondition(row >= 0 && row < rowLines.count, "CSVTable: row \(row) out of range 0..<\(rowLines.count)")
        precondition(column >= 0 && column < header.count, "CSVTable: column \(column) out of range 0..<\(header.count)")
        return spans[(row + 1) &* header.count &+ column]
    }

    /// The field's text: quotes removed and `""` unescaped to `"`, otherwise exactly as
    /// stored (no trimming). Invalid UTF-8 is replaced with U+FFFD.
    public func string(row: Int, column: Int) -> String {
        let s = span(row, column)
        return bytes.withUnsafeBufferPointer { CSVParser.decode($0, s, trimmed: false) }
    }

    /// Whether the field is a missing value: after trimming spaces and tabs it is empty, or
    /// exactly (case-sensitive) one of `NA`, `NaN`, or `.` (Stata's missing value).
    ///
    /// Quoted fields are judged by their content, so `""` and `"NA"` are missing too.
    /// Other spellings (`na`, `N/A`, `NULL`, `nan`, `.a`…) are not missing; they are simply
    /// non-numeric, so `double(row:column:)` returns nil for them as well.
    public func isMissing(row: Int, column: Int) -> Bool {
        let s = span(row, column)
        return bytes.withUnsafeBufferPointer { CSVParser.isMissing($0, s) }
    }

    /// The field as a finite `Double`, or nil when it is missing or not a finite decimal number.
    ///
    /// Accepted: optional surrounding spaces/tabs, optional quotes around the field, an
    /// optional sign, digits with an optional decimal point (`1.`, `.5`), and an optional
    /// exponent (`1e-3`, `2.5E+10`). Rejected (nil): hexadecimal, `inf`/`nan`/`infinity`,
    /// thousands separators, decimal commas, and values that overflow to infinity.
    /// The result is bit-identical to C `strtod` (correct rounding).
    public func double(row: Int, column: Int) -> Double? {
        let s = span(row, column)
        if s.hasEscapedQuote { return nil }
        return bytes.withUnsafeBufferPointer { buf in
            CSVParser.parseDouble(buf.baseAddress!, Int(s.start), Int(s.end))
        }
    }

    /// The field as an exact `Int`, or nil.
    ///
    /// Accepts what `double(row:column:)` accepts when the decimal value is exactly a whole
    /// number in `Int`'s range: `2013`, `-7`, `2013.0`, `2.013e3`, `" 42 "`. Returns nil for
    /// `2013.5`, `1.0000000000000000001`, values outside `Int`, missing values and text. The
    /// check is done in exact decimal arithmetic, not through `Double`.
    public func integer(row: Int, column: Int) -> Int? {
        let s = span(row, column)
        if s.hasEscapedQuote { return nil }
        return bytes.withUnsafeBufferPointer { buf in
            CSVParser.parseInteger(buf.baseAddress!, Int(s.start), Int(s.end))
        }
    }
}

/// Why a CSV file could not be read or parsed. Line numbers are 1-based physical lines.
public enum CSVError: Error, Equatable, CustomStringConvertible {
    /// Nothing exists at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, I/O error, too large).
    case unreadable(path: String, reason: String)
    /// The file holds no header record (it is empty, or only a BOM and/or blank lines).
    case empty(path: String)
    /// The file has a header record but no data records.
    case noDataRows(path: String)
    /// A quoted field opened on `line` is never closed.
    case unterminatedQuote(path: String, line: Int)
    /// A quote inside an unquoted field, or a closing quote followed by something other than a
    /// comma or line ending. `column` is the 1-based character (not byte) position of that
    /// quote within physical line `line`.
    case strayQuote(path: String, line: Int, column: Int)
    /// The record starting on `line` has `found` fields; the header has `expected`.
    case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
    /// The header names column `name` more than once.
    case duplicateHeader(path: String, name: String)

    /// A one-line message starting with `path:` or `path:line:`, e.g.
    /// `data.csv:17: expected 6 fields (as in the header), found 5`.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read file: \(reason)"
        case .empty(let path):
            return "\(path): file is empty (no header line)"
        case .noDataRows(let path):
            return "\(path): header but no data rows"
        case .unterminatedQuote(let path, let line):
            return "\(path):\(line): quoted field is never closed"
        case .strayQuote(let path, let line, let column):
            return "\(path):\(line):\(column): stray quote (a quote inside an unquoted field, or text after a closing quote)"
        case .wrongFieldCount(let path, let line, let expected, let found):
            return "\(path):\(line): expected \(expected) field\(expected == 1 ? "" : "s") (as in the header), found \(found)"
        case .duplicateHeader(let path, let name):
            return "\(path):1: duplicate column name \"\(name)\" in the header; expected distinct names"
        }
    }
}
