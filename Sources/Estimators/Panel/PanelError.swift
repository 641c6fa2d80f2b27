/// Everything that can be wrong with panel data, each case naming where and what was expected.
///
/// `source` is the file name (or "panel" for data built in memory); `line` is the 1-based
/// physical line of the file, counting the header as line 1.
public enum PanelError: Error, Equatable, CustomStringConvertible {
    /// The file could not be parsed as CSV.
    case csv(String)
    /// A Stata, SPSS or SAS data file could not be read (``ReadStatError``'s message).
    case dataFile(String)
    /// A variable of a typed data file that must hold numbers (for `parameter`) is a string
    /// variable; `reason` says so in the file's terms (see ``DataTable/nonNumericReason(column:)``).
    case stringVariable(source: String, column: String, parameter: Parameter, reason: String)
    /// A column named for `parameter` (the outcome, a covariate, …) is not in the header.
    case missingColumn(source: String, column: String, parameter: Parameter, available: [String])
    /// A value that must be a number is not.
    case nonNumeric(source: String, line: Int, column: String, value: String, expected: String)
    /// Two rows describe the same (unit, period).
    case duplicateObservation(source: String, unit: String, period: String, firstRow: Int, secondRow: Int)
    /// A 0/1 treatment column switches from 1 back to 0 within a unit.
    case treatmentSwitchesOff(source: String, unit: String, line: Int, period: String)
    /// The cohort (first treated period) differs between rows of one unit.
    case cohortVaries(source: String, unit: String, line: Int, first: String, second: String)
    /// A cohort value is not a period of the panel and cannot be placed on its grid.
    case cohortOffGrid(source: String, line: Int, column: String, value: String)
    /// No observation is treated.
    case noTreatedObservations(source: String)
    /// Every observation is treated.
    case noUntreatedObservations(source: String)
    /// No observation is left after dropping rows with missing values.
    case noObservations(source: String, dropped: Int)
    /// A time value is not a period: not a whole number or recognised date, or of another kind
    /// than the rest of the column (see ``PeriodKind``).
    case invalidPeriod(source: String, line: Int, column: String, value: String, reason: String)
    /// A cohort value is not a period of the time column's kind.
    case invalidCohort(source: String, line: Int, column: String, value: String, reason: String)
    /// One column is named for two roles (for example as the outcome and as a covariate).
    case columnInTwoRoles(column: String, first: PanelSpec.Role, second: PanelSpec.Role)
    /// An option is inconsistent with the data (for example a covariate equal to the outcome).
    case invalidSpecification(String)

    /// One line, naming the file, line, column or role and what was expected.
    public var description: String { description(naming: \.role) }

    /// The message, with `name` naming each parameter role (the command line passes its flags).
    public func description(naming name: (Parameter) -> String) -> String {
        switch self {
        case .csv(let message), .dataFile(let message):
            return message
        case let .stringVariable(source, column, parameter, reason):
            return "\(source): variable \(column.quotedForMessage) (from \(name(parameter))) \(reason)"
        case let .missingColumn(source, column, parameter, available):
            let format = DataFileFormat(path: source)
            if format.isStatisticalFile {
                return "\(source): variable \(column.quotedForMessage) (from \(name(parameter))) is not in the file; variables are: "
                    + available.prefix(40).map { $0.replacingOccurrences(of: "\n", with: "\\n") }.joined(separator: ", ")
                    + (available.count > 40 ? ", … (\(available.count) in all)" : "")
            }
            return "\(source): column \(column.quotedForMessage) (from \(name(parameter))) is not in the header; columns are: "
                + available.prefix(40).map { $0.replacingOccurrences(of: "\n", with: "\\n") }.joined(separator: ", ")
                + (available.count > 40 ? ", … (\(available.count) in all)" : "")
        case let .nonNumeric(source, line, column, value, expected):
            return "\(place(source, line)) \(noun(source)) \(column.quotedForMessage): expected \(expected), found \(value.quotedForMessage)"
        case let .duplicateObservation(source, unit, period, first, second):
            return "\(source): unit \(unit.quotedForMessage) appears twice in period \(period.quotedForMessage) (data rows \(first + 1) and \(second + 1)); "
                + "expected one row per (unit, time)"
        case let .treatmentSwitchesOff(source, unit, line, period):
            return "\(place(source, line)) treatment of unit \(unit.quotedForMessage) switches off in period \(period.quotedForMessage); "
                + "expected a 0/1 column that switches on and stays on (use \(name(.cohort)) for other designs)"
        case let .cohortVaries(source, unit, line, first, second):
            return "\(place(source, line)) cohort of unit \(unit.quotedForMessage) is \(second.quotedForMessage) here but \(first.quotedForMessage) on an earlier row; "
                + "expected one first-treated period per unit"
        case let .cohortOffGrid(source, line, column, value):
            return "\(place(source, line)) \(noun(source)) \(column.quotedForMessage): cohort \(value.quotedForMessage) is not a period of the panel; "
                + "expected a time value, or 0 / empty for never treated"
        case .noTreatedObservations(let source):
            return "\(source): no observation is treated; expected at least one treated unit-period"
        case .noUntreatedObservations(let source):
            return "\(source): every observation is treated; expected some untreated unit-periods"
        case let .noObservations(source, dropped):
            return "\(source): no observation left after dropping \(dropped) rows with missing values"
        case let .invalidPeriod(source, line, column, value, reason):
            return "\(place(source, line)) \(noun(source)) \(column.quotedForMessage): \(value.quotedForMessage) is not a period: \(reason)"
        case let .invalidCohort(source, line, column, value, reason):
            return "\(place(source, line)) \(noun(source)) \(column.quotedForMessage): cohort \(value.quotedForMessage) is not a period: \(reason)"
        case let .columnInTwoRoles(column, first, second):
            return "column \(column.quotedForMessage) is named as \(first) and as \(second); expected each column in one role"
        case .invalidSpecification(let message):
            return message
        }
    }
}

extension PanelError {
    /// `source:line:` for a CSV file, `source: observation N:` for a Stata, SPSS or SAS file.
    func place(_ source: String, _ line: Int) -> String { DataFileFormat(path: source).place(source, line) }

    /// "column" for a CSV file, "variable" for a Stata, SPSS or SAS file.
    func noun(_ source: String) -> String { DataFileFormat(path: source).columnNoun }
}

extension String {
    /// The text in single quotes for a one-line message: control characters (line breaks, tabs)
    /// escaped as `\\n`, `\\t` or `\\u{…}`, and cut to 80 characters with `…`, so a value echoed
    /// from a file can never break the one-line rule of error messages.
    public var quotedForMessage: String {
        var out = "'"
        var count = 0
        for scalar in unicodeScalars {
            if count == 80 { out += "…"; break }
            count += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }
}
