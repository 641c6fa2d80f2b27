import ArgumentParser
import Estimators
import Foundation

extension PanelOptions {
    /// Loads the panel together with extra numeric columns (mediators, coordinates) and sets them
    /// apart: they are read like covariates (rows with a missing value are dropped and counted in
    /// the notes, non-numbers are errors naming the line), sorted with the rows, then removed from
    /// the model's covariates.
    /// - Parameters:
    ///   - numericColumns: the extra columns, in the order their values are returned.
    ///   - flag: the flag that named them, for messages (e.g. "--m").
    ///   - parameter: their role (``Parameter/mediators`` or ``Parameter/coordinates``).
    /// - Throws: `ValidationError` when a column is also the outcome or a covariate or repeats;
    ///   ``PanelError`` (naming `flag`) for a column not in the file, or a string variable of a
    ///   Stata/SPSS/SAS file.
    func loadPanel(numericColumns: [String], flag: String, parameter: Parameter,
                   extraColumns: [String] = []) throws -> (Panel, [[Double]]) {
        var seen = Set<String>()
        for name in numericColumns {
            if name == y { throw ValidationError("\(flag) \(name): the column is also the outcome (--y)") }
            if x.contains(name) { throw ValidationError("\(flag) \(name): the column is also a covariate (--x)") }
            if name == unit || name == time { throw ValidationError("\(flag) \(name): the column is the unit or time column") }
            guard seen.insert(name).inserted else { throw ValidationError("\(flag) \(name): the column is named twice") }
        }
        var options = self
        options.x = x + numericColumns
        let panel: Panel
        do {
            panel = try options.loadPanel(extraColumns: extraColumns)
        } catch PanelError.missingColumn(let source, let column, _, let available) where numericColumns.contains(column) {
            throw PanelError.missingColumn(source: source, column: column, parameter: parameter, available: available)
        } catch PanelError.stringVariable(let source, let column, _, let reason) where numericColumns.contains(column) {
            throw PanelError.stringVariable(source: source, column: column, parameter: parameter, reason: reason)
        }
        return try panel.separatingCovariates(numericColumns)
    }
}

/// Splits a comma-separated list of column names.
func columnList(_ text: String) -> [String] {
    text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
