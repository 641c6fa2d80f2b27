// DataTable.swift — the seam between data files and the panel loader.
//
// `CSVTable` (text) and `ReadStatTable` (Stata, SPSS and SAS data files) both conform, so one
// generic loader (`PanelTableReader<Table>`, specialised per table type: no dynamic dispatch
// per cell) applies the same validation, drops and messages to every format.

/// A rectangular table of named columns read from a data file: what the panel loader and
/// `didlab index` read.
///
/// Rows and columns are 0-based; out-of-range indices are a programming error and trap.
public protocol DataTable: Sendable {
    /// The path as given when reading; used in messages.
    var path: String { get }
    /// Column (variable) names, in file order.
    var header: [String] { get }
    /// Number of data rows (observations).
    var rowCount: Int { get }
    /// The index of the column named exactly `name`, or nil.
    func columnIndex(named name: String) -> Int?
    /// The number that names row `row` in messages: the 1-based physical line of a CSV file, the
    /// 1-based observation number of a Stata, SPSS or SAS file (see ``DataFileFormat``).
    func lineNumber(ofRow row: Int) -> Int
    /// The cell as text, exactly as stored: a CSV field's text; a string variable's value; a
    /// numeric variable's number in shortest round-trip form (never its value label).
    func string(row: Int, column: Int) -> String
    /// Whether the cell is a missing value (see each table's rules).
    func isMissing(row: Int, column: Int) -> Bool
    /// The cell as a finite `Double`, or nil when it is missing or not a number.
    func double(row: Int, column: Int) -> Double?
    /// The cell as an exact `Int`, or nil when it is missing or not a whole number.
    func integer(row: Int, column: Int) -> Int?
    /// The name of the cell's group when the column identifies units or groups (units, clusters,
    /// subgroups): the value label of a labelled number where the file has one, else
    /// ``string(row:column:)``.
    func groupName(row: Int, column: Int) -> String
    /// Why column `column` can never hold numbers (a string variable of a typed data file), or nil
    /// when each cell is judged on its own (every CSV column, every numeric variable).
    func nonNumericReason(column: Int) -> String?
}

extension CSVTable: DataTable {
    /// A CSV field has no value label: its text.
    @inline(__always)
    public func groupName(row: Int, column: Int) -> String { string(row: row, column: column) }

    /// Always nil: a CSV column has no type, each field is judged on its own.
    public func nonNumericReason(column: Int) -> String? { nil }
}

/// The kinds of data file DiDLab reads, told apart by the file name's extension (case ignored).
public enum DataFileFormat: String, Sendable, CaseIterable {
    /// Comma-separated text (any extension not listed below: `.csv`, `.txt`, …).
    case csv
    /// Stata `.dta`, format versions 104–119 (Stata 1 to 18).
    case stata
    /// SPSS `.sav` and compressed `.zsav`.
    case spss
    /// SAS `.sas7bdat` data sets.
    case sas

    /// The format that reads `path`, from its extension.
    public init(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".dta") { self = .stata }
        else if lower.hasSuffix(".sav") || lower.hasSuffix(".zsav") { self = .spss }
        else if lower.hasSuffix(".sas7bdat") { self = .sas }
        else { self = .csv }
    }

    /// The extensions read through ReadStat, for messages and help text.
    public static let readStatExtensions = [".dta", ".sav", ".zsav", ".sas7bdat"]

    /// Whether the file is read by ReadStat (rows are observations, columns are variables).
    public var isStatisticalFile: Bool { self != .csv }

    /// What a column is called in this format's messages.
    public var columnNoun: String { isStatisticalFile ? "variable" : "column" }

    /// The place of row `number` (a line or observation number, see
    /// ``DataTable/lineNumber(ofRow:)``) of file `source`, followed by a colon:
    /// `data.csv:17:` or `panel.dta: observation 16:`.
    public func place(_ source: String, _ number: Int) -> String {
        isStatisticalFile ? "\(source): observation \(number):" : "\(source):\(number):"
    }

    /// Two rows, for messages: `lines 5 and 6` or `observations 4 and 5`.
    public func rows(_ first: Int, _ second: Int) -> String {
        "\(isStatisticalFile ? "observations" : "lines") \(first) and \(second)"
    }
}
