// ReadStatTable.swift — Stata, SPSS and SAS data files as a `DataTable`.
//
// Storage and accessors here; the ReadStat callbacks that fill it are in ReadStatTable+Parse.swift.

/// A Stata (`.dta`, versions 104–119), SPSS (`.sav`, `.zsav`) or SAS (`.sas7bdat`) data file
/// read through the ReadStat C library, held column by column.
///
/// What is read, and how:
/// - **Numbers** are held as `Double`. Integer storage (`byte`, `int`, `long`) converts exactly;
///   Stata's 4-byte `float` storage is read as the `Float` stored and converted exactly to
///   `Double` (`float` 5.8971 is 5.897099971771240234375): the number the file holds, the one R
///   haven (and so fixest, or Stata's own `double()` of it) works with. No decimal rounding is
///   attempted, so a `float` column gives the same estimates as a CSV of those floats, not of
///   the decimals once typed into Stata.
/// - **Missing values**: Stata `.` and `.a`–`.z`, SAS `.`, `._` and `.A`–`.Z`, SPSS system missing
///   and the values a variable declares missing (user-missing values and ranges, as R haven and
///   pyreadstat read them by default), and NaN. A string is missing when it is empty after
///   trimming spaces and tabs (Stata's `missing()` of a string); `NA` in a string is text.
/// - **Value labels** of numeric variables (Stata `label values`, SPSS value labels) name groups:
///   ``groupName(row:column:)`` gives the label where the value has one, so a labelled region or
///   unit code shows as `East`. Everything that reads a number (``double(row:column:)``,
///   ``string(row:column:)``) reads the stored number. When two values of one variable would
///   show the same name, each of those names is followed by its value (`East (1)`, `East (4)`):
///   two groups are never merged by their labels. SAS keeps its formats in a separate catalog
///   file, which is not read: SAS values show as numbers.
/// - **Dates** are the numbers stored (a Stata `%ty` year is 2004, a `%td` date is days since
///   1 January 1960): DiDLab reads them as any other period number.
/// - **Strings** are UTF-8 (ReadStat converts older Stata files from their code page). A
///   string variable is never read as a number: ``double(row:column:)`` is nil for every cell
///   and ``nonNumericReason(column:)`` says why.
///
/// Rows are observations; ``lineNumber(ofRow:)`` is the 1-based observation number.
/// The value is immutable and safe to share across threads.
public struct ReadStatTable: DataTable {
    /// The path as given; used in messages.
    public let path: String
    /// The file's format (Stata, SPSS or SAS).
    public let format: DataFileFormat
    /// Variable names, in file order (variables not loaded are listed too).
    public let header: [String]
    /// Number of observations.
    public let rowCount: Int
    /// One entry per variable.
    let columns: [Column]
    /// Variable name -> index.
    let columnIndexByName: [String: Int]

    /// The most cells (observations × variables loaded) a file may declare: 2^28, 2 GiB of
    /// numbers. A larger declaration is refused before anything is allocated (a damaged header
    /// cannot make the reader allocate without bound).
    public static let cellLimit = 1 << 28

    /// One variable's values.
    enum Column: Sendable {
        /// Numbers (NaN = missing), with the display names of labelled values.
        case numeric(values: [Double], names: [Double: String])
        /// Strings.
        case text([String])
        /// Not loaded (``init(contentsOfFile:variables:)`` was told to skip it).
        case skipped
    }

    /// Reads the data file at `path`; the format comes from the extension (see ``DataFileFormat``).
    ///
    /// - Parameter variables: the variables to load, or nil for all. Others are listed in
    ///   ``header`` but not read (their cells must not be accessed); names not in the file are
    ///   ignored here (the caller reports them).
    /// - Throws: ``ReadStatError`` naming the file and ReadStat's reason.
    public init(contentsOfFile path: String, variables: Set<String>? = nil) throws(ReadStatError) {
        let format = DataFileFormat(path: path)
        guard format.isStatisticalFile else {
            throw ReadStatError.unsupported(path: path, reason: "expected one of "
                                            + DataFileFormat.readStatExtensions.joined(separator: ", "))
        }
        let parsed = try ReadStatParse.run(path: path, format: format, variables: variables)
        var index: [String: Int] = [:]
        for (c, name) in parsed.names.enumerated() {
            if index[name] != nil {
                throw ReadStatError.invalid(path: path, reason: "variable name \(name.quotedForMessage) appears twice")
            }
            index[name] = c
        }
        self.path = path
        self.format = format
        self.header = parsed.names
        self.rowCount = parsed.rowCount
        self.columns = parsed.columns
        self.columnIndexByName = index
    }

    /// The index of the variable named exactly `name`, or nil.
    public func columnIndex(named name: String) -> Int? { columnIndexByName[name] }

    /// The 1-based observation number of row `row`.
    public func lineNumber(ofRow row: Int) -> Int { row + 1 }

    /// The stored value as text: a string as stored; a number in shortest round-trip form
    /// (whole numbers without a decimal point, `2004`), never its label; "" when missing.
    public func string(row: Int, column: Int) -> String {
        switch columns[column] {
        case .numeric(let values, _): return Self.text(values[row])
        case .text(let values): return values[row]
        case .skipped: preconditionFailure("ReadStatTable: variable \(header[column]) was not loaded")
        }
    }

    /// Whether the cell is missing: a missing number (see the type's notes) or a blank string.
    public func isMissing(row: Int, column: Int) -> Bool {
        switch columns[column] {
        case .numeric(let values, _): return values[row].isNaN
        case .text(let values): return Self.isBlank(values[row])
        case .skipped: preconditionFailure("ReadStatTable: variable \(header[column]) was not loaded")
        }
    }

    /// The number, or nil when missing, infinite, or in a string variable.
    public func double(row: Int, column: Int) -> Double? {
        guard case .numeric(let values, _) = columns[column] else {
            if case .skipped = columns[column] { preconditionFailure("ReadStatTable: variable \(header[column]) was not loaded") }
            return nil
        }
        let value = values[row]
        return value.isFinite ? value : nil
    }

    /// The number when it is a whole number in `Int`'s range, else nil.
    public func integer(row: Int, column: Int) -> Int? {
        guard let value = double(row: row, column: column), value == value.rounded(),
              value >= -0x1p63, value < 0x1p63 else { return nil }
        return Int(value)
    }

    /// The value label of a labelled number (see the type's notes), else ``string(row:column:)``.
    public func groupName(row: Int, column: Int) -> String {
        if case .numeric(let values, let names) = columns[column], !names.isEmpty, let name = names[values[row]] {
            return name
        }
        return string(row: row, column: column)
    }

    /// For a string variable: that it is one (a number is never parsed from a string).
    public func nonNumericReason(column: Int) -> String? {
        guard case .text = columns[column] else { return nil }
        return "is a string variable in the \(format.fileDescription); expected a numeric variable (strings are "
            + "never read as numbers: convert it in the file first, e.g. Stata's destring)"
    }

    /// Whether the variable is a string variable.
    public func isStringVariable(_ column: Int) -> Bool {
        if case .text = columns[column] { return true }
        return false
    }

    /// Whether the variable is numeric with at least one value label in use.
    public func hasValueLabels(_ column: Int) -> Bool {
        if case .numeric(_, let names) = columns[column] { return !names.isEmpty }
        return false
    }

    /// A number as text: whole numbers below 2^53 without a decimal point, others in Swift's
    /// shortest round-trip form; "" for a missing value (NaN).
    static func text(_ value: Double) -> String {
        if value.isNaN { return "" }
        if value == value.rounded(), value.magnitude < 0x1p53 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Whether `text` holds only spaces and tabs.
    static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

extension DataFileFormat {
    /// The file kind in words, for messages: ".dta file", ".sav file", ".sas7bdat file".
    var fileDescription: String {
        switch self {
        case .csv: return "CSV file"
        case .stata: return ".dta file"
        case .spss: return ".sav file"
        case .sas: return ".sas7bdat file"
        }
    }
}

/// Why a Stata, SPSS or SAS data file could not be read.
public enum ReadStatError: Error, Equatable, CustomStringConvertible {
    /// Nothing exists at `path`.
    case fileNotFound(path: String)
    /// The extension is not one ReadStat reads.
    case unsupported(path: String, reason: String)
    /// ReadStat refused the file (damaged, truncated, or not of the format its extension says).
    case invalid(path: String, reason: String)
    /// The file declares more cells (observations × variables read) than ``ReadStatTable/cellLimit``.
    case tooLarge(path: String, rows: Int, variables: Int)

    /// One line starting with the path.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unsupported(let path, let reason):
            return "\(path): not a data file DiDLab reads through ReadStat; \(reason)"
        case .invalid(let path, let reason):
            return "\(path): cannot read the \(DataFileFormat(path: path).fileDescription): \(reason)"
        case .tooLarge(let path, let rows, let variables):
            return "\(path): the file declares \(rows) observations; with the \(variables) variables read that is more than "
                + "\(ReadStatTable.cellLimit) values (2 GiB); expected a smaller file, or the header is damaged"
        }
    }
}
