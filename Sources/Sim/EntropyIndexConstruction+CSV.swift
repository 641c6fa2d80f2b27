import Estimators

extension EntropyIndexConstruction {
    /// Reads the indicators (and, for ``EntropyIndexNormalisation/year``, the period column) from a
    /// data table (a CSV, or a Stata/SPSS/SAS file read by ``ReadStatTable``) and builds the index
    /// of every data row.
    ///
    /// Every indicator cell must be a finite decimal number: a blank or missing-value cell, or
    /// text, is an error naming the file, line and column (rows are never dropped silently, since a
    /// dropped row would change every other row's normalisation).
    /// - Parameters:
    ///   - table: the data.
    ///   - indicators: indicator columns, in order.
    ///   - negative: the indicators where larger values mean less of the construct.
    ///   - period: the time column (required by per-year normalisation; labels are trimmed, and whole
    ///     numbers are read as numbers, so `2013` and `2013.0` are one period).
    /// - Throws: ``EntropyIndexError``.
    public init<Table: DataTable>(table: Table, indicators: [String], negative: [String], period: String?,
                normalisation: EntropyIndexNormalisation, shift: Double) throws(EntropyIndexError) {
        guard !indicators.isEmpty else { throw .noIndicators }
        var seen = Set<String>()
        for name in indicators where !seen.insert(name).inserted { throw .repeatedIndicator(name) }
        for name in negative where !seen.contains(name) { throw .negativeNotAnIndicator(name) }
        func columnIndex(_ name: String, role: String) throws(EntropyIndexError) -> Int {
            guard let index = table.columnIndex(named: name) else {
                throw .missingColumn(path: table.path, column: name, role: role, available: table.header)
            }
            return index
        }
        // Every column is looked up before any value is read, so a misspelt name is reported first.
        var indices: [Int] = []
        for name in indicators { indices.append(try columnIndex(name, role: "an indicator")) }
        let periodColumn: Int? = normalisation == .year ? try period.map { name throws(EntropyIndexError) in
            try columnIndex(name, role: "the time column")
        } : nil
        var columns: [[Double]] = []
        for (name, c) in zip(indicators, indices) {
            var values: [Double] = []
            values.reserveCapacity(table.rowCount)
            for row in 0..<table.rowCount {
                if let value = table.double(row: row, column: c) {
                    values.append(value)
                } else if let reason = table.nonNumericReason(column: c) {
                    throw .stringVariable(path: table.path, column: name, reason: reason)
                } else if table.isMissing(row: row, column: c) {
                    throw .missingValue(path: table.path, line: table.lineNumber(ofRow: row), column: name, role: "an indicator")
                } else {
                    throw .notANumber(path: table.path, line: table.lineNumber(ofRow: row), column: name,
                                      text: table.string(row: row, column: c))
                }
            }
            columns.append(values)
        }
        var periods: [String]?
        if normalisation == .year {
            guard let period, let c = periodColumn else { throw .shape("per-year normalisation needs the time column") }
            var labels: [String] = []
            labels.reserveCapacity(table.rowCount)
            for row in 0..<table.rowCount {
                if table.isMissing(row: row, column: c) {
                    throw .missingValue(path: table.path, line: table.lineNumber(ofRow: row), column: period, role: "the time column")
                }
                // A whole number is one period however it is written (2013, 2013.0).
                labels.append(table.integer(row: row, column: c).map { String($0) } ?? table.string(row: row, column: c).trimmedBlanks())
            }
            periods = labels
        }
        let negatives = Set(negative)
        try self.init(columns: columns, names: indicators,
                      directions: indicators.map { negatives.contains($0) ? .negative : .positive },
                      periods: periods, normalisation: normalisation, shift: shift)
    }
}

private extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmedBlanks() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
