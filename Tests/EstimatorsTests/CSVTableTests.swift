// CSVTableTests.swift — RFC 4180 conformance, number parsing and error reporting of CSVTable.
// Section numbers (§2.x) refer to RFC 4180, "Common Format and MIME Type for CSV Files".

import Testing
@testable import Estimators

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a string literal as a CSV file named "t.csv".
private func table(_ text: String) throws(CSVError) -> CSVTable {
    try CSVTable(data: Array(text.utf8), path: "t.csv")
}

/// The error thrown when parsing `text`, or nil.
private func parseError(_ text: String) -> CSVError? {
    do {
        _ = try table(text)
        return nil
    } catch {
        return error
    }
}

/// All fields of a table as strings, row by row.
private func cells(_ t: CSVTable) -> [[String]] {
    (0..<t.rowCount).map { r in (0..<t.columnCount).map { c in t.string(row: r, column: c) } }
}

// MARK: - Structure

@Test func basicTableShapeHeaderAndLookup() throws {
    let t = try table("id,year,y\n1,2013,0.5\n2,2014,1.5\n")
    #expect(t.path == "t.csv")
    #expect(t.header == ["id", "year", "y"])
    #expect(t.rowCount == 2)
    #expect(t.columnCount == 3)
    #expect(t.columnIndex(named: "year") == 1)
    #expect(t.columnIndex(named: "Year") == nil)
    #expect(t.columnIndex(named: "missing") == nil)
    #expect(cells(t) == [["1", "2013", "0.5"], ["2", "2014", "1.5"]])
    #expect(t.lineNumber(ofRow: 0) == 2)
    #expect(t.lineNumber(ofRow: 1) == 3)
}

@Test func rfc2_1_recordsSeparatedByCRLF() throws {
    let t = try table("a,b\r\n1,2\r\n3,4\r\n")
    #expect(t.header == ["a", "b"])
    #expect(cells(t) == [["1", "2"], ["3", "4"]])
    #expect(t.double(row: 1, column: 1) == 4)
    #expect(t.lineNumber(ofRow: 1) == 3)
}

@Test func rfc2_1_lfOnlyAndMixedLineEndingsAccepted() throws {
    let t = try table("a,b\n1,2\r\n3,4\n")
    #expect(cells(t) == [["1", "2"], ["3", "4"]])
}

@Test func rfc2_2_lastRecordWithoutLineBreak() throws {
    let t = try table("a,b\n1,2\n3,4")
    #expect(cells(t) == [["1", "2"], ["3", "4"]])
    let crlf = try table("a,b\r\n1,2\r\n3,4")
    #expect(cells(crlf) == [["1", "2"], ["3", "4"]])
    // A final bare CR is treated as the line ending, not as data.
    let cr = try table("a,b\r\n1,2\r")
    #expect(cells(cr) == [["1", "2"]])
}

@Test func rfc2_3_headerLineNamesColumns() throws {
    let t = try table("\"first name\", last ,\"with \"\"q\"\"\"\nA,B,C\n")
    #expect(t.header == ["first name", "last", "with \"q\""])
    #expect(t.columnIndex(named: "last") == 1)
    #expect(t.columnIndex(named: "with \"q\"") == 2)
}

@Test func rfc2_4_spacesArePartOfAField() throws {
    #expect(try cells(table("a,b\n x , y\n")) == [[" x ", " y"]])
}

@Test func rfc2_4_emptyFieldsAndTrailingComma() throws {
    let t = try table("a,b,c\n,,\n1,,\n,,3")
    #expect(cells(t) == [["", "", ""], ["1", "", ""], ["", "", "3"]])
}

@Test func rfc2_5_quotedFieldsAreUnquoted() throws {
    #expect(try cells(table("a,b\n\"x\",\"\"\n")) == [["x", ""]])
}

@Test func rfc2_6_quotedFieldContainingCommas() throws {
    let t = try table("name,value\n\"Smith, John\",1\n\"a,b,c\",\",\"\n")
    #expect(cells(t) == [["Smith, John", "1"], ["a,b,c", ","]])
}

@Test func rfc2_6_quotedFieldContainingCRLFKeepsLineNumbers() throws {
    let text = "a,b\r\n1,\"line one\r\nline two\"\r\n2,x\r\n3,\"p\r\nq\r\nr\"\r\n4,y\r\n"
    let t = try table(text)
    #expect(t.rowCount == 4)
    #expect(t.string(row: 0, column: 1) == "line one\r\nline two")
    #expect(t.string(row: 2, column: 1) == "p\r\nq\r\nr")
    #expect(t.lineNumber(ofRow: 0) == 2)
    #expect(t.lineNumber(ofRow: 1) == 4)
    #expect(t.lineNumber(ofRow: 2) == 5)
    #expect(t.lineNumber(ofRow: 3) == 8)
}

@Test func rfc2_6_quotedFieldContainingLFKeepsLineNumbers() throws {
    let t = try table("a,b\n\"x\ny\",1\n\"\n\n\",2\nz,3\n")
    #expect(t.string(row: 0, column: 0) == "x\ny")
    #expect(t.string(row: 1, column: 0) == "\n\n")
    #expect(t.lineNumber(ofRow: 0) == 2)
    #expect(t.lineNumber(ofRow: 1) == 4)
    #expect(t.lineNumber(ofRow: 2) == 7)
}

@Test func rfc2_6_headerWithEmbeddedNewlineShiftsLines() throws {
    let t = try table("\"long\nname\",b\n1,2\n")
    #expect(t.header == ["long\nname", "b"])
    #expect(t.lineNumber(ofRow: 0) == 3)
}

@Test func rfc2_7_doubledQuotesInsideQuotedField() throws {
    let t = try table("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n\"\"\"x\"\"\",\"a\"\"\"\"b\"\n")
    #expect(t.string(row: 0, column: 0) == "say \"hi\"")
    #expect(t.string(row: 0, column: 1) == "\"")
    #expect(t.string(row: 1, column: 0) == "\"x\"")
    #expect(t.string(row: 1, column: 1) == "a\"\"b")
    #expect(t.double(row: 0, column: 1) == nil)
    #expect(t.isMissing(row: 0, column: 1) == false)
}

@Test func utf8ByteOrderMarkIsSkipped() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,x\n1,2\n".utf8)
    let t = try CSVTable(data: bytes, path: "bom.csv")
    #expect(t.header == ["id", "x"])
    #expect(t.columnIndex(named: "id") == 0)
    #expect(t.lineNumber(ofRow: 0) == 2)
    // A BOM later in the file is data, not skipped.
    let inner = try CSVTable(data: Array("a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("1\n".utf8), path: "b.csv")
    #expect(inner.string(row: 0, column: 0) == "\u{FEFF}1")
}

@Test func utf8TextRoundTrips() throws {
    let t = try table("région,名前\n\"Île-de-France\",東京\n")
    #expect(t.header == ["région", "名前"])
    #expect(t.string(row: 0, column: 0) == "Île-de-France")
    #expect(t.string(row: 0, column: 1) == "東京")
}

@Test func blankLinesAreSkippedAnywhere() throws {
    let t = try table("\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n\n")
    #expect(t.header == ["a", "b"])
    #expect(cells(t) == [["1", "2"], ["3", "4"]])
    #expect(t.lineNumber(ofRow: 0) == 5)
    #expect(t.lineNumber(ofRow: 1) == 8)
}

@Test func whitespaceOnlyLineIsARecordNotABlankLine() throws {
    #expect(parseError("a,b\n1,2\n  \n3,4\n")
        == .wrongFieldCount(path: "t.csv", line: 3, expected: 2, found: 1))
    let single = try table("a\n1\n \n2\n")
    #expect(single.rowCount == 3)
    #expect(single.isMissing(row: 1, column: 0))
}

@Test func singleColumnFile() throws {
    let t = try table("x\n1\n\"\"\n3")
    #expect(t.columnCount == 1)
    #expect(cells(t) == [["1"], [""], ["3"]])
    #expect(t.isMissing(row: 1, column: 0))
}

// MARK: - Missing values

@Test func missingMarkersAreEmptyNANaNAndDot() throws {
    let t = try table("v\n\"\"\nNA\nNaN\n.\n  NA  \n\"NA\"\n na\nnan\nN/A\nNULL\n..\n0\n\" \"\n.a\n")
    let expected = [true, true, true, true, true, true, false, false, false, false, false, false, true, false]
    #expect((0..<t.rowCount).map { t.isMissing(row: $0, column: 0) } == expected)
    for r in 0..<t.rowCount where r != 11 {
        #expect(t.double(row: r, column: 0) == nil, "row \(r)")
    }
    #expect(t.double(row: 11, column: 0) == 0)
}

@Test func emptyFieldIsMissingButKeepsEmptyString() throws {
    let t = try table("a,b\n,NA\n")
    #expect(t.isMissing(row: 0, column: 0))
    #expect(t.string(row: 0, column: 0) == "")
    #expect(t.isMissing(row: 0, column: 1))
    #expect(t.string(row: 0, column: 1) == "NA")
    #expect(t.double(row: 0, column: 0) == nil)
    #expect(t.integer(row: 0, column: 1) == nil)
}

// MARK: - Numbers

@Test func doublesAcceptSpacesQuotesSignsAndExponents() throws {
    let inputs: [(String, Double?)] = [
        ("1", 1), ("-2.5", -2.5), ("+3", 3), ("  4.25  ", 4.25), ("\t5\t", 5),
        ("\"6.5\"", 6.5), ("\" 7 \"", 7), ("1e3", 1000), ("1E-3", 0.001), ("2.5e+2", 250),
        ("-1.5E2", -150), (".5", 0.5), ("5.", 5), ("-.25", -0.25), ("0", 0), ("007", 7),
        ("1e-400", 0), ("4.9e-324", Double.leastNonzeroMagnitude), ("1.7976931348623157e308", 1.7976931348623157e308),
        ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("0.1", 0.1), ("3.141592653589793", 3.141592653589793),
        // rejected
        ("0x10", nil), ("0x1p3", nil), ("inf", nil), ("-inf", nil), ("Infinity", nil), ("nan", nil),
        ("1e400", nil), ("-1e400", nil), ("1e", nil), ("1e+", nil), ("e5", nil), (".", nil), ("-", nil),
        ("+-1", nil), ("--1", nil), ("1.2.3", nil), ("\"1,000\"", nil), ("1 000", nil), ("1_000", nil),
        ("abc", nil), ("12abc", nil), ("1d3", nil), ("", nil),
    ]
    var text = "v\n"
    for (s, _) in inputs { text += s + "\n" }
    text = text.replacingEmpty()
    let t = try table(text)
    #expect(t.rowCount == inputs.count)
    for (r, (s, want)) in inputs.enumerated() {
        #expect(t.double(row: r, column: 0) == want, "input \(s)")
    }
}

@Test func negativeZeroKeepsItsSign() throws {
    let t = try table("v\n-0\n-0.0e5\n0\n")
    #expect(t.double(row: 0, column: 0)?.sign == .minus)
    #expect(t.double(row: 1, column: 0)?.sign == .minus)
    #expect(t.double(row: 2, column: 0)?.sign == .plus)
}

@Test func doublesAreBitIdenticalToStrtod() throws {
    var rng = SplitMix64(seed: 20240601)
    var samples: [String] = [
        "9007199254740993", "9007199254740992", "9007199254740991", "0.30000000000000004",
        "1.0000000000000002", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "1e22", "1e23", "123456789e-22", "123456789e-23", "8.98846567431158e307",
        "0.000000000000000000000000000001", "1.00000000000000011102230246251565404236316680908203125",
        "9999999999999999999", "18446744073709551615", "18446744073709551616", "4503599627370497.5",
    ]
    for _ in 0..<20_000 {
        let bits = rng.next()
        let mantissaDigits = Int(bits % 19) + 1
        var digits = ""
        for _ in 0..<mantissaDigits { digits += String((rng.next() >> 7) % 10) }
        let point = Int((bits >> 8) % UInt64(mantissaDigits + 1))
        var s = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        if (bits >> 16) & 3 == 0 { s += "e" + String(Int((bits >> 20) % 61) - 30) }
        if (bits >> 24) & 1 == 1 { s = "-" + s }
        if s.hasPrefix(".") && s.count == 1 { continue }
        samples.append(s)
        // also the shortest representation of a random double
        let random = rng.next()
        let value = Double(sign: .plus, exponentBitPattern: UInt(1 + random % 2046),
                           significandBitPattern: random >> 12)
        samples.append("\(value)")
    }
    let t = try table("v\n" + samples.joined(separator: "\n") + "\n")
    for (r, s) in samples.enumerated() {
        let ours = t.double(row: r, column: 0)
        let reference = s.withCString { strtod($0, nil) }
        #expect(ours?.bitPattern == reference.bitPattern, "input \(s)")
    }
}

@Test func integersExactOnly() throws {
    let inputs: [(String, Int?)] = [
        ("2013", 2013), ("2013.0", 2013), ("2013.000", 2013), ("2013.", 2013), (" -7 ", -7), ("+8", 8),
        ("\"42\"", 42), ("0", 0), ("-0", 0), ("1e3", 1000), ("2.013e3", 2013), ("20130e-1", 2013),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
        ("9007199254740993", 9_007_199_254_740_993), ("9007199254740993.00", 9_007_199_254_740_993),
        ("9.007199254740993e15", 9_007_199_254_740_993), ("-9.223372036854775808e18", Int.min),
        ("1e18", 1_000_000_000_000_000_000), ("100e-2", 1), ("12.30e1", 123), ("0e500", 0), ("0.000", 0),
        ("000123", 123), ("1000000000000000000000e-3", 1_000_000_000_000_000_000), (".0", 0), ("5.", 5),
        // rejected
        ("2013.5", nil), ("2013.01", nil), ("9223372036854775808", nil), ("-9223372036854775809", nil),
        ("99999999999999999999", nil), ("1e300", nil), ("1e19", nil), ("NA", nil),
        ("4503599627370496.5", nil), ("1.0000000000000000001", nil), ("1e-1", nil), ("1.e", nil),
        (".", nil), ("", nil), ("abc", nil), ("12a", nil), ("0x10", nil), ("1.5e0", nil), ("inf", nil),
    ]
    var text = "v\n"
    for (s, _) in inputs { text += s + "\n" }
    let t = try table(text.replacingEmpty())
    #expect(t.rowCount == inputs.count)
    for (r, (s, want)) in inputs.enumerated() {
        #expect(t.integer(row: r, column: 0) == want, "input \(s)")
    }
}

// MARK: - Errors

@Test func errorEmptyFile() {
    #expect(parseError("") == .empty(path: "t.csv"))
    #expect(parseError("\n\r\n\n") == .empty(path: "t.csv"))
    let bomOnly = Result { () throws(CSVError) in try CSVTable(data: [0xEF, 0xBB, 0xBF], path: "b.csv") }
    guard case .failure(let error) = bomOnly else { Issue.record("expected failure"); return }
    #expect(error == .empty(path: "b.csv"))
    #expect(CSVError.empty(path: "t.csv").description == "t.csv: file is empty (no header line)")
}

@Test func errorNoDataRows() {
    #expect(parseError("a,b") == .noDataRows(path: "t.csv"))
    #expect(parseError("a,b\r\n\r\n\n") == .noDataRows(path: "t.csv"))
    #expect(CSVError.noDataRows(path: "t.csv").description == "t.csv: header but no data rows")
}

@Test func errorUnterminatedQuoteReportsOpeningLine() {
    let e = parseError("a,b\n1,2\n3,\"abc\n4,5\n")
    #expect(e == .unterminatedQuote(path: "t.csv", line: 3))
    #expect(e?.description == "t.csv:3: quoted field is never closed")
    #expect(parseError("\"a") == .unterminatedQuote(path: "t.csv", line: 1))
    #expect(parseError("a\n\"x\"\"") == .unterminatedQuote(path: "t.csv", line: 2))
}

@Test func errorStrayQuoteInsideUnquotedField() {
    let e = parseError("a,b\n1,2\n3,ab\"c\"\n")
    #expect(e == .strayQuote(path: "t.csv", line: 3, column: 5))
    #expect(e?.description
        == "t.csv:3:5: stray quote (a quote inside an unquoted field, or text after a closing quote)")
    // A space before the opening quote makes the field unquoted (RFC 4180 §2.4/§2.5).
    #expect(parseError("a,b\n1, \"x\"\n") == .strayQuote(path: "t.csv", line: 2, column: 4))
    // Columns count characters, not bytes.
    #expect(parseError("a,b\né,ü\"\n") == .strayQuote(path: "t.csv", line: 2, column: 4))
}

@Test func errorStrayQuoteAfterClosingQuote() {
    #expect(parseError("a,b\n\"x\"y,2\n") == .strayQuote(path: "t.csv", line: 2, column: 3))
    #expect(parseError("a,b\n1,\"x\" \n") == .strayQuote(path: "t.csv", line: 2, column: 5))
    // The line and column are those of the closing quote, after an embedded newline.
    #expect(parseError("a,b\n1,\"x\ny\"z\n") == .strayQuote(path: "t.csv", line: 3, column: 2))
    #expect(parseError("a,b\n\"x\"\rz,1\n") == .strayQuote(path: "t.csv", line: 2, column: 3))
}

@Test func errorWrongFieldCountReportsRecordLine() {
    let fewer = parseError("a,b,c,d,e,f\n1,2,3,4,5,6\n\n1,2,3,4,5\n")
    #expect(fewer == .wrongFieldCount(path: "t.csv", line: 4, expected: 6, found: 5))
    #expect(fewer?.description == "t.csv:4: expected 6 fields (as in the header), found 5")
    let more = parseError("a,b\n1,2\n\"x\ny\",2,3\n")
    #expect(more == .wrongFieldCount(path: "t.csv", line: 3, expected: 2, found: 3))
    let afterEmbedded = parseError("a,b\n\"1\n\n\",2\n3\n")
    #expect(afterEmbedded == .wrongFieldCount(path: "t.csv", line: 5, expected: 2, found: 1))
    #expect(parseError("a,b\n1,2,\n") == .wrongFieldCount(path: "t.csv", line: 2, expected: 2, found: 3))
    #expect(CSVError.wrongFieldCount(path: "d.csv", line: 2, expected: 1, found: 2).description
        == "d.csv:2: expected 1 field (as in the header), found 2")
}

@Test func errorDuplicateHeaderAfterTrimming() {
    let e = parseError("id,x, id \n1,2,3\n")
    #expect(e == .duplicateHeader(path: "t.csv", name: "id"))
    #expect(e?.description == "t.csv:1: duplicate column name \"id\" in the header; expected distinct names")
    #expect(parseError("\"a\",a\n1,2\n") == .duplicateHeader(path: "t.csv", name: "a"))
    #expect(parseError("a,A\n1,2\n") == nil)
}

@Test func errorFileNotFound() {
    let path = "/nonexistent-didlab-dir/data.csv"
    let result = Result { () throws(CSVError) in try CSVTable(contentsOfFile: path) }
    guard case .failure(let error) = result else { Issue.record("expected failure"); return }
    #expect(error == .fileNotFound(path: path))
    #expect(error.description == "/nonexistent-didlab-dir/data.csv: no such file")
}

@Test func errorDirectoryIsUnreadable() {
    let result = Result { () throws(CSVError) in try CSVTable(contentsOfFile: "/tmp") }
    guard case .failure(let error) = result else { Issue.record("expected failure"); return }
    #expect(error == .unreadable(path: "/tmp", reason: "is a directory"))
    #expect(error.description == "/tmp: cannot read file: is a directory")
}

// MARK: - Files

@Test func roundTripThroughTemporaryFile() throws {
    let text = "\u{FEFF}unit,year,\"outcome, y\"\r\n1,2013,0.25\r\n1,2014,\"1e-2\"\r\n2,2013,NA\r\n"
    var template = Array("/tmp/didlab-csv-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    #expect(fd >= 0)
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    close(fd)
    #expect(written == bytes.count)

    let t = try CSVTable(contentsOfFile: path)
    #expect(t.path == path)
    #expect(t.header == ["unit", "year", "outcome, y"])
    #expect(t.rowCount == 3)
    #expect(t.integer(row: 1, column: 1) == 2014)
    #expect(t.double(row: 0, column: 2) == 0.25)
    #expect(t.double(row: 1, column: 2) == 0.01)
    #expect(t.isMissing(row: 2, column: 2))
    #expect(t.lineNumber(ofRow: 2) == 4)
    let inMemory = try CSVTable(data: bytes, path: path)
    #expect(cells(inMemory) == cells(t))
}

@Test func largeGeneratedTableParsesEveryField() throws {
    var text = "a,b,c\n"
    for i in 0..<5000 { text += "\(i),\(Double(i) * 0.5),\"r\(i)\"\n" }
    let t = try table(text)
    #expect(t.rowCount == 5000)
    #expect(t.lineNumber(ofRow: 4999) == 5001)
    var sum = 0.0
    for r in 0..<t.rowCount {
        #expect(t.integer(row: r, column: 0) == r)
        sum += t.double(row: r, column: 1) ?? .nan
    }
    #expect(sum == 0.5 * Double(4999 * 5000 / 2))
    #expect(t.string(row: 4321, column: 2) == "r4321")
}

@Test func randomTablesRoundTripThroughWriterWithLineNumbers() throws {
    // Property test: serialize random fields (quoting when RFC 4180 §2.6 requires it, and
    // sometimes when it does not), parse, and compare fields and record start lines.
    var rng = SplitMix64(seed: 7)
    let alphabet: [String] = ["a", "b", "1", ".", " ", ",", "\"", "\n", "\r\n", "é", "\r"]
    for trial in 0..<300 {
        let columns = Int(rng.next() % 4) + 1
        let rows = Int(rng.next() % 6) + 1
        let newline = rng.next() % 2 == 0 ? "\n" : "\r\n"
        var grid: [[String]] = []
        for r in 0...rows {
            grid.append((0..<columns).map { c in
                if r == 0 { return "h\(c)" }
                let length = Int(rng.next() % 5)
                return (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            })
        }
        var text = ""
        var line = 1
        var expectedLines: [Int] = []
        for (r, record) in grid.enumerated() {
            if rng.next() % 5 == 0 {  // a skipped blank line
                text += newline
                line += 1
            }
            if r > 0 { expectedLines.append(line) }
            let fields = record.map { field -> String in
                let mustQuote = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
                    || (field.isEmpty && columns == 1)
                if mustQuote || rng.next() % 4 == 0 {
                    return "\"" + field.replacingQuotes() + "\""
                }
                return field
            }
            let recordText = fields.joined(separator: ",")
            text += recordText
            line += recordText.unicodeScalars.filter { $0 == "\n" }.count
            if r < grid.count - 1 || rng.next() % 2 == 0 {
                text += newline
                line += 1
            }
        }
        let t = try table(text)
        #expect(t.header == grid[0], "trial \(trial)")
        #expect(cells(t) == Array(grid.dropFirst()), "trial \(trial)")
        #expect((0..<t.rowCount).map { t.lineNumber(ofRow: $0) } == expectedLines, "trial \(trial)")
    }
}

// MARK: - Helpers

private extension String {
    /// RFC 4180 §2.7 escaping: every quote doubled.
    func replacingQuotes() -> String {
        var out = ""
        for ch in self {
            out.append(ch)
            if ch == "\"" { out.append("\"") }
        }
        return out
    }

    /// Test inputs use "" for an empty field; a line holding nothing would be a skipped blank
    /// line, so write it as a quoted empty field instead.
    func replacingEmpty() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for k in 1..<lines.count - 1 where lines[k].isEmpty { lines[k] = "\"\"" }
        return lines.joined(separator: "\n")
    }
}
