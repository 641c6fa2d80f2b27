import Foundation

extension Panel {
    /// Reads a panel from a CSV file.
    ///
    /// Rows with a missing value (see ``CSVTable/isMissing(row:column:)``) in any used column are
    /// dropped and counted in ``notes`` (as fixest does); an empty cohort means never treated.
    /// - Throws: ``PanelError`` naming the file, line and column of the first problem.
    public static func load(csv path: String, spec: PanelSpec) throws -> Panel {
        let table: CSVTable
        do { table = try CSVTable(contentsOfFile: path) } catch { throw PanelError.csv(error.description) }
        return try load(table: table, spec: spec)
    }

    /// Builds a panel from a data table: a parsed CSV (see ``load(csv:spec:)``) or a Stata, SPSS or
    /// SAS file read by ``ReadStatTable``; the same checks, drops, notes and messages for every format.
    public static func load<Table: DataTable>(table: Table, spec: PanelSpec) throws -> Panel {
        try PanelTableReader(table: table, spec: spec).read()
    }
}

/// Validates and converts the columns of one data table into a ``Panel``. Generic, so each table
/// type gets its own specialised copy (no dynamic dispatch per cell on the CSV path).
struct PanelTableReader<Table: DataTable> {
    let table: Table
    let spec: PanelSpec
    var source: String { (table.path as NSString).lastPathComponent }
    var format: DataFileFormat { DataFileFormat(path: table.path) }

    func column(_ name: String, _ parameter: Parameter) throws -> Int {
        guard let index = table.columnIndex(named: name) else {
            throw PanelError.missingColumn(source: source, column: name, parameter: parameter, available: table.header)
        }
        return index
    }

    func number(row: Int, column: Int, expected: String = "a number") throws -> Double {
        guard let value = table.double(row: row, column: column) else {
            throw PanelError.nonNumeric(source: source, line: table.lineNumber(ofRow: row),
                                        column: table.header[column], value: table.string(row: row, column: column),
                                        expected: expected)
        }
        guard value.magnitude <= PanelTableReader.valueLimit else {
            throw PanelError.nonNumeric(source: source, line: table.lineNumber(ofRow: row),
                                        column: table.header[column], value: table.string(row: row, column: column),
                                        expected: "a number within ±1e100 (larger values overflow sums of squares)")
        }
        return value
    }

    /// Largest magnitude of a numeric value: beyond it, sums of squares over a panel overflow.
    static var valueLimit: Double { 1e100 }

    func read() throws -> Panel {
        try spec.checkRoles(source: source)
        let yColumn = try column(spec.outcome, .outcome)
        let unitColumn = try column(spec.unit, .unit)
        let timeColumn = try column(spec.time, .time)
        let xColumns = try spec.covariates.map { try column($0, .covariates) }
        let clusterColumns = try spec.clusterColumns.filter { $0 != spec.unit }.map { try column($0, .groupingColumns) }
        let treatColumn: Int
        let isCohort: Bool
        switch spec.treatment {
        case .indicator(let name): treatColumn = try column(name, .treatment); isCohort = false
        case .cohort(let name): treatColumn = try column(name, .cohort); isCohort = true
        }
        let weightColumn = try spec.regressionWeights.map { try column($0, .regressionWeights) }
        var required = [yColumn, unitColumn, timeColumn] + xColumns + clusterColumns
        if !isCohort { required.append(treatColumn) }
        if let weightColumn { required.append(weightColumn) }
        // A typed file's string variable never holds numbers: refuse it by name, before any row.
        var numeric: [(Int, Parameter)] = [(yColumn, .outcome), (treatColumn, isCohort ? .cohort : .treatment)]
        numeric += xColumns.map { ($0, .covariates) }
        if let weightColumn { numeric.append((weightColumn, .regressionWeights)) }
        for (column, parameter) in numeric {
            if let reason = table.nonNumericReason(column: column) {
                throw PanelError.stringVariable(source: source, column: table.header[column], parameter: parameter,
                                                reason: reason)
            }
        }

        // Pass 1: keep rows without missing values in used columns.
        var kept: [Int] = []
        kept.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount where !required.contains(where: { table.isMissing(row: row, column: $0) }) {
            kept.append(row)
        }
        let droppedRows = table.rowCount - kept.count
        guard !kept.isEmpty else { throw PanelError.noObservations(source: source, dropped: droppedRows) }
        var weights: [Double]? = nil
        var zeroWeightRows = 0
        if let weightColumn {
            (kept, weights) = try regressionWeights(kept: kept, column: weightColumn)
            zeroWeightRows = table.rowCount - droppedRows - kept.count
        }

        // Numeric columns.
        var outcome = [Double](); outcome.reserveCapacity(kept.count)
        for row in kept { outcome.append(try number(row: row, column: yColumn)) }
        let covariates = try xColumns.map { xColumn in try kept.map { try number(row: $0, column: xColumn) } }

        // Units, periods and clusters as dense indices.
        let units = LabelIndexer(labels: kept.map { table.groupName(row: $0, column: unitColumn).trimmed })
        let periods: PeriodIndexer
        do {
            periods = try PeriodIndexer(values: kept.map { table.string(row: $0, column: timeColumn).trimmed })
        } catch {
            let row = kept[error.position]
            throw PanelError.invalidPeriod(source: source, line: table.lineNumber(ofRow: row),
                                           column: table.header[timeColumn],
                                           value: table.string(row: row, column: timeColumn), reason: error.reason)
        }
        var clusterings: [String: Clustering] = [:]
        for clusterColumn in clusterColumns {
            let clusters = LabelIndexer(labels: kept.map { table.groupName(row: $0, column: clusterColumn).trimmed })
            let name = table.header[clusterColumn]
            clusterings[name] = Clustering(name: name, index: clusters.index, count: clusters.labels.count,
                                           labels: clusters.labels)
        }

        // Treatment: one adoption period per unit.
        var notes: [String] = []
        if droppedRows > 0 {
            notes.append("\(droppedRows) row\(droppedRows == 1 ? "" : "s") dropped for missing values in used columns")
        }
        if zeroWeightRows > 0 {
            notes.append("\(zeroWeightRows) row\(zeroWeightRows == 1 ? "" : "s") " + Panel.zeroWeightRowsNote)
        }
        let adoption = isCohort
            ? try cohortAdoption(kept: kept, column: treatColumn, units: units, periods: periods, notes: &notes)
            : try indicatorAdoption(kept: kept, column: treatColumn, units: units, periods: periods)

        let panel: Panel
        do {
            panel = try Panel(unitIndex: units.index, periodIndex: periods.index,
                              unitCount: units.labels.count, periodCount: periods.labels.count,
                              outcomeName: spec.outcome, outcome: outcome,
                              covariateNames: spec.covariates, covariates: covariates,
                              adoptionPeriod: adoption, unitLabels: units.labels, periodLabels: periods.labels,
                              periodValues: periods.ordinals.map(Double.init), unitName: spec.unit, timeName: spec.time,
                              clusterings: clusterings, notes: notes, source: source,
                              regressionWeights: weights, regressionWeightName: spec.regressionWeights)
        } catch PanelError.duplicateObservation(_, let unit, let period, let first, let second) {
            let firstLine = table.lineNumber(ofRow: kept[first])
            let secondLine = table.lineNumber(ofRow: kept[second])
            throw PanelError.invalidSpecification(
                "\(format.place(source, secondLine)) unit \(unit.quotedForMessage) appears twice in period \(period.quotedForMessage) "
                + "(\(format.rows(firstLine, secondLine))); expected one row per (\(spec.unit), \(spec.time))")
        }
        return try panel.validatedForEstimation(source: source)
    }

    /// The rows of `kept` with a positive regression weight, and their weights. A weight must be
    /// a finite number ≥ 0 (R fixest refuses negative weights); rows weighing zero are dropped,
    /// as fixest drops them (the caller counts them in the notes).
    /// - Throws: ``PanelError/nonNumeric(source:line:column:value:expected:)`` for a bad weight,
    ///   ``PanelError/invalidSpecification(_:)`` when every weight is zero.
    func regressionWeights(kept: [Int], column: Int) throws -> (rows: [Int], weights: [Double]) {
        let expected = "a regression weight (a finite number >= 0)"
        var rows: [Int] = [], weights: [Double] = []
        rows.reserveCapacity(kept.count)
        weights.reserveCapacity(kept.count)
        for row in kept {
            let value = try number(row: row, column: column, expected: expected)
            guard value >= 0, value.isFinite else {
                throw PanelError.nonNumeric(source: source, line: table.lineNumber(ofRow: row),
                                            column: table.header[column], value: table.string(row: row, column: column),
                                            expected: expected)
            }
            if value > 0 { rows.append(row); weights.append(value) }
        }
        guard !rows.isEmpty else {
            throw PanelError.invalidSpecification(
                "\(source): \(format.columnNoun) \(table.header[column].quotedForMessage) (the regression weights): every weight of the "
                + "\(kept.count) rows used is zero; expected some positive weights")
        }
        return (rows, weights)
    }

    /// Adoption from a first-treated-period column (0 or empty = never treated), read with the
    /// time column's ``PeriodKind``. Every recode is counted in `notes`: missing cohorts taken as
    /// never treated, cohorts after the last period taken as never treated (as R `did`), and
    /// cohorts between observed periods placed at the next observed period.
    func cohortAdoption(kept: [Int], column: Int, units: LabelIndexer, periods: PeriodIndexer,
                        notes: inout [String]) throws -> [Int32] {
        let grid = PeriodGrid(ordinals: periods.ordinals)
        var adoption = [Int32?](repeating: nil, count: units.labels.count)
        var rawCohort = [String](repeating: "", count: units.labels.count)
        var missing = Set<Int>(), afterSample = Set<Int>()
        var moved: [Int: String] = [:]
        var parsed: [String: PeriodValue] = [:]   // each distinct cohort text is parsed once
        for (k, row) in kept.enumerated() {
            let unit = Int(units.index[k])
            let raw = table.string(row: row, column: column).trimmed
            let index: Int32
            if table.isMissing(row: row, column: column) {
                index = Panel.neverTreated
                missing.insert(unit)
            } else if table.double(row: row, column: column) == 0 {
                index = Panel.neverTreated
            } else {
                var found = parsed[raw]
                if found == nil {
                    found = PeriodValue(parsing: Substring(raw))
                    if let found, parsed.count < 4096 { parsed[raw] = found }
                }
                guard let value = found, value.kind == periods.kind else {
                    let reason = PeriodValue(parsing: Substring(raw)) == nil
                        ? PeriodValue.problem(with: Substring(raw))
                        : "expected \(periods.kind.expectation) like the time column, or 0 / empty for never treated"
                    throw PanelError.invalidCohort(source: source, line: table.lineNumber(ofRow: row),
                                                   column: table.header[column], value: raw, reason: reason)
                }
                switch grid.place(value.ordinal) {
                case .exact(let placed), .beforeStart(let placed): index = placed
                case .nextPeriod(let placed), .beforeStartRounded(let placed):
                    index = placed
                    if moved[unit] == nil {
                        moved[unit] = "\(units.labels[unit]): \(raw) -> "
                            + (placed >= 0 ? periods.labels[Int(placed)] : "the grid point before the sample")
                    }
                case .afterEnd: index = Panel.neverTreated; afterSample.insert(unit)
                case .offGrid:
                    throw PanelError.cohortOffGrid(source: source, line: table.lineNumber(ofRow: row),
                                                   column: table.header[column], value: raw)
                }
            }
            if let previous = adoption[unit] {
                if previous != index {
                    throw PanelError.cohortVaries(source: source, unit: units.labels[unit],
                                                  line: table.lineNumber(ofRow: row), first: rawCohort[unit], second: raw)
                }
            } else {
                adoption[unit] = index
                rawCohort[unit] = raw
            }
        }
        func unitCount(_ count: Int) -> String { "\(count) unit\(count == 1 ? "" : "s")" }
        if !missing.isEmpty {
            notes.append("\(unitCount(missing.count)) with a missing cohort (empty, NA, NaN or .) treated as never treated")
        }
        if !afterSample.isEmpty {
            notes.append("\(unitCount(afterSample.count)) first treated after the last period treated as never treated (as R did)")
        }
        if !moved.isEmpty {
            let example = moved.sorted { $0.key < $1.key }.prefix(3).map(\.value).joined(separator: "; ")
            notes.append("\(unitCount(moved.count)) with a cohort between observed periods placed at the next observed period "
                         + "(the first one observed treated), e.g. \(example)")
        }
        return adoption.map { $0 ?? Panel.neverTreated }
    }

    /// Adoption from a 0/1 indicator that must switch on and stay on.
    func indicatorAdoption(kept: [Int], column: Int, units: LabelIndexer, periods: PeriodIndexer) throws -> [Int32] {
        var order = Array(kept.indices)
        order.sort { a, b in
            units.index[a] != units.index[b] ? units.index[a] < units.index[b] : periods.index[a] < periods.index[b]
        }
        var adoption = [Int32](repeating: Panel.neverTreated, count: units.labels.count)
        for k in order {
            let row = kept[k]
            let value = try number(row: row, column: column, expected: "0 or 1")
            guard value == 0 || value == 1 else {
                throw PanelError.nonNumeric(source: source, line: table.lineNumber(ofRow: row),
                                            column: table.header[column], value: table.string(row: row, column: column),
                                            expected: "0 or 1")
            }
            let unit = Int(units.index[k])
            let period = periods.index[k]
            if value == 1, adoption[unit] == Panel.neverTreated {
                adoption[unit] = period
            } else if value == 0, adoption[unit] <= period {
                throw PanelError.treatmentSwitchesOff(source: source, unit: units.labels[unit],
                                                      line: table.lineNumber(ofRow: row),
                                                      period: periods.labels[Int(period)])
            }
        }
        return adoption
    }
}

extension Panel {
    /// Checks what every estimator needs (treated and untreated observations) and records
    /// always-treated and singleton units in the notes.
    /// - Throws: ``PanelError/noTreatedObservations(source:)`` or ``PanelError/noUntreatedObservations(source:)``.
    public func validatedForEstimation(source: String) throws -> Panel {
        var treated = 0
        for row in 0..<observationCount where isTreated(row: row) { treated += 1 }
        if treated == 0 { throw PanelError.noTreatedObservations(source: source) }
        if treated == observationCount { throw PanelError.noUntreatedObservations(source: source) }
        var extra: [String] = []
        var alwaysTreated = 0
        var singletons = 0
        for unit in 0..<unitCount {
            let rows = unitStart[unit]..<unitStart[unit + 1]
            if rows.count == 1 { singletons += 1 }
            if let first = rows.first, adoptionPeriod[unit] <= periodIndex[first] { alwaysTreated += 1 }
        }
        if alwaysTreated > 0 {
            extra.append("\(alwaysTreated) unit\(alwaysTreated == 1 ? "" : "s") treated in the first observed period "
                         + "(always treated: kept, as fixest does; R did drops them)")
        }
        if singletons > 0 {
            extra.append("\(singletons) singleton unit\(singletons == 1 ? "" : "s") (one observation) kept, as fixest does")
        }
        return extra.isEmpty ? self : withNotes(notes + extra)
    }

    /// A copy with other notes.
    func withNotes(_ newNotes: [String]) -> Panel {
        var copy = self
        copy.notes = newNotes
        return copy
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmed: String {
        // Most cells have neither: answer from their first and last bytes without walking
        // Characters (grapheme breaking is most of a panel read's time otherwise).
        if let first = utf8.first, let last = utf8.last, first != 0x20, first != 0x09, last != 0x20, last != 0x09 {
            return self
        }
        var view = Substring(self)
        while let c = view.first, c == " " || c == "\t" { view.removeFirst() }
        while let c = view.last, c == " " || c == "\t" { view.removeLast() }
        return String(view)
    }
}
