import ArgumentParser
import Estimators
import Foundation
import Lab
import Sim

extension EntropyIndexNormalisation: ExpressibleByArgument {}

/// `didlab index`: adds an entropy-weight index column (the NQPF papers' construction) to a CSV panel.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build an entropy-weight index column (as NQPF papers do) and write the CSV with it added.",
        discussion: """
        For each indicator j over the n rows of a fit:
          x'_ij = (x_ij - min_j)/(max_j - min_j) + shift   (positive indicators)
          x'_ij = (max_j - x_ij)/(max_j - min_j) + shift   (--negative ones)
          p_ij = x'_ij / sum_i x'_ij;  e_j = -(1/ln n) sum_i p_ij ln p_ij
          w_j = (1 - e_j) / sum_k (1 - e_k);  index_i = sum_j w_j x'_ij
        --normalise pooled fits all rows at once (one set of weights);
        --normalise year fits each period's rows of --time apart (min, max,
        entropies and weights per year; the index then ranks units within a year).
        Every choice (normalisation, shift, direction, min, max, entropy and
        weight of each indicator) is stated on standard error, and written as
        JSON with --report. Every indicator cell must be a number: blank or
        text cells are errors naming file, line and column (a dropped row would
        change every other row's index).
        """)

    @Argument(help: "Panel data file: CSV, or Stata .dta, SPSS .sav/.zsav, SAS .sas7bdat (the output is CSV).")
    var data: String

    @Option(help: "Indicator columns, comma separated.", transform: columnList)
    var indicators: [String]

    @Option(help: "Indicators where larger values mean less (comma separated; a subset of --indicators).",
            transform: columnList)
    var negative: [String] = []

    @Option(help: "Normalisation: pooled (all rows) or year (each period of --time apart).")
    var normalise: EntropyIndexNormalisation = .pooled

    @Option(help: "Time column (needed by --normalise year).")
    var time: String?

    @Option(parsing: .unconditional, help: "Added after min-max normalisation so that no proportion is 0 (ln 0); >= 0.")
    var shift: Double = 1e-4

    @Option(help: "Name of the index column.")
    var name: String = "index"

    @Flag(help: "Overwrite the column --name when the file has it already (it keeps its position).")
    var replace = false

    @Option(help: "Write the CSV to this file (atomically; it may be the input) instead of standard output.")
    var out: String?

    @Option(help: "Write the choices, bounds, entropies and weights to this JSON file (atomically).")
    var report: String?

    func validate() throws {
        if normalise == .year && time == nil {
            throw ValidationError("--normalise year needs --time COL (the period column whose years are normalised apart)")
        }
        if normalise == .pooled && time != nil {
            throw ValidationError("--time is read only by --normalise year")
        }
        guard shift.isFinite, shift >= 0 else {
            throw ValidationError("--shift must be a finite number >= 0, got \(shift) (a negative shift makes some "
                                  + "proportions negative, and their logarithm does not exist)")
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.contains(where: \.isNewline) {
            throw ValidationError("--name must be a non-blank column name on one line")
        }
        if indicators.contains(name) { throw ValidationError("--name \(name): the column is an indicator (--indicators); expected a new column") }
        if name == time { throw ValidationError("--name \(name): the column is the time column (--time)") }
        if let out, out == report { throw ValidationError("--out and --report name the same file '\(out)'") }
        if let out, DataFileFormat(path: out).isStatisticalFile {
            throw ValidationError("--out \(out): the index is written as CSV; expected a .csv file name (a Stata, SPSS or "
                                  + "SAS file is read, never written)")
        }
    }

    func run() throws {
        let outputs = try OutputFiles([out, report])
        if DataFileFormat(path: data).isStatisticalFile {
            try index(try ReadStatTable(contentsOfFile: data), outputs: outputs)
        } else {
            try index(try CSVTable(contentsOfFile: data), outputs: outputs)
        }
    }

    /// Builds the index on `table` and writes the CSV and the report.
    func index<Table: DataTable>(_ table: Table, outputs: OutputFiles) throws {
        let existing = table.columnIndex(named: name)
        if existing != nil && !replace {
            throw ValidationError("\(data): column '\(name)' exists already; expected a new name (--name) or --replace to overwrite it")
        }
        let construction: EntropyIndexConstruction
        do {
            construction = try EntropyIndexConstruction(table: table, indicators: indicators, negative: negative, period: time,
                                                        normalisation: normalise, shift: shift)
        } catch {
            throw ValidationError(Self.commandLineMessage(error))
        }
        FileHandle.standardError.write(Data(Self.statement(construction, table: table, column: name).utf8))
        if let report {
            try outputs.write(Self.json(construction, data: data, column: name).stamped().rendered() + "\n", to: report)
        }
        let csv = Self.csv(table, values: construction.values, column: name, at: existing)
        if let out { try outputs.write(csv, to: out) } else { FileHandle.standardOutput.write(Data(csv.utf8)) }
        try outputs.commit()
    }

    /// The library's message with the flag that names each role.
    static func commandLineMessage(_ error: EntropyIndexError) -> String {
        switch error {
        case .missingColumn(_, _, let role, _):
            return error.description + (role == "the time column" ? " (--time)" : " (--indicators)")
        case .negativeNotAnIndicator, .noIndicators, .repeatedIndicator:
            return error.description + " (--indicators, --negative)"
        case .invalidShift:
            return error.description + " (--shift)"
        case .tooFewRows, .constantIndicator:
            return error.description.replacingOccurrences(of: "normalise pooled", with: "--normalise pooled")
        default:
            return error.description
        }
    }

    /// The input table with the index column appended (or replacing column `existing`); every other
    /// field keeps its text, quoted only where RFC 4180 needs it. Values in shortest round-trip form.
    /// A Stata/SPSS/SAS input is written as CSV too: numbers as stored (not their value labels),
    /// missing values as empty fields.
    static func csv<Table: DataTable>(_ table: Table, values: [Double], column: String, at existing: Int?) -> String {
        var header = table.header.map(CSVText.quote)
        if existing == nil { header.append(CSVText.quote(column)) }
        var out = header.joined(separator: ",") + "\n"
        for row in 0..<table.rowCount {
            var fields = table.header.indices.map { CSVText.quote(table.string(row: row, column: $0)) }
            let text = "\(values[row])"
            if let existing { fields[existing] = text } else { fields.append(text) }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The choices in words and the weights table, for standard error.
    static func statement<Table: DataTable>(_ construction: EntropyIndexConstruction, table: Table, column: String) -> String {
        let fits = construction.fits
        var out = "index: column '\(column)' = sum_j w_j x'_ij over \(construction.indicators.count) indicator"
            + "\(construction.indicators.count == 1 ? "" : "s"), \(table.rowCount) rows; "
        switch construction.normalisation {
        case .pooled: out += "normalisation pooled (one fit over all rows)"
        case .year: out += "normalisation by year (\(fits.count) fits, one per period: bounds, entropies and weights within each)"
        }
        out += "; min-max per indicator, shift \(construction.shift) added; p = x'/sum x'; e = -(1/ln n) sum p ln p; "
            + "w = (1-e)/sum(1-e)\n"
        let width = max(9, construction.indicators.map(\.count).max() ?? 0)
        func pad(_ text: String, _ n: Int) -> String { text.count >= n ? text : text + String(repeating: " ", count: n - text.count) }
        func number(_ value: Double) -> String { pad(String(format: "%.6g", value), 12) }
        if construction.normalisation == .pooled, let fit = fits.first {
            out += "  " + pad("indicator", width) + "  direction  " + pad("min", 12) + pad("max", 12) + pad("entropy", 12) + "weight\n"
            for (j, name) in construction.indicators.enumerated() {
                out += "  " + pad(name, width) + "  " + pad(construction.directions[j].rawValue, 9) + "  "
                    + number(fit.index.minimum[j]) + number(fit.index.maximum[j]) + number(fit.index.entropy[j])
                    + String(format: "%.6g", fit.index.weights[j]) + "\n"
            }
        } else {
            out += "  weights by period:\n  " + pad("indicator", width) + "  direction  "
                + fits.map { pad($0.period ?? "", 10) }.joined() + "\n"
            for (j, name) in construction.indicators.enumerated() {
                out += "  " + pad(name, width) + "  " + pad(construction.directions[j].rawValue, 9) + "  "
                    + fits.map { pad(String(format: "%.4f", $0.index.weights[j]), 10) }.joined() + "\n"
            }
            out += "  (bounds and entropies of each period: --report FILE)\n"
        }
        return out.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// The sidecar report.
    static func json(_ construction: EntropyIndexConstruction, data: String, column: String) -> JSONValue {
        let fits: [JSONValue] = construction.fits.map { fit in
            .object([
                ("period", fit.period.map { .string($0) } ?? .null),
                ("rows", .integer(fit.rowCount)),
                ("indicators", .array(construction.indicators.enumerated().map { j, name in
                    .object([("name", .string(name)), ("direction", .string(construction.directions[j].rawValue)),
                             ("min", .number(fit.index.minimum[j])), ("max", .number(fit.index.maximum[j])),
                             ("entropy", .number(fit.index.entropy[j])), ("weight", .number(fit.index.weights[j]))])
                })),
            ])
        }
        return .object([
            ("command", .string("index")),
            ("data", .string(data)),
            ("column", .string(column)),
            ("method", .string("entropy weights: x' = min-max (positive: (x-min)/(max-min), negative: (max-x)/(max-min)) + shift; "
                               + "p = x'/sum x'; e = -(1/ln n) sum p ln p; w = (1-e)/sum(1-e); index = sum w x'")),
            ("normalisation", .string(construction.normalisation.rawValue)),
            ("shift", .number(construction.shift)),
            ("rows", .integer(construction.values.count)),
            ("indicators", .array(construction.indicators.enumerated().map { j, name in
                .object([("name", .string(name)), ("direction", .string(construction.directions[j].rawValue))])
            })),
            ("fits", .array(fits)),
        ])
    }
}
