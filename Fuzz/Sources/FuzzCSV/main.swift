// FuzzCSV — bytes → CSVTable → Panel.load(table:spec:) under every spec of FuzzPanelChecks.
//
// The specs name the columns of the seed files (Fuzz/Corpus/csv: the test fixtures' layouts and
// `didlab simulate` output), covering the cohort and the 0/1-indicator treatment paths,
// covariates, extra clusterings, and one spec that uses a column in several roles. A spec whose
// columns are absent stops at the missing-column error, which is cheap.
//
// Findings: any trap or crash, and a loaded panel that breaks Panel's documented invariants
// (FuzzPanelChecks.check): that is a silently wrong read.

import Estimators
import FuzzPanelChecks
import FuzzSupport

FuzzMain.run { bytes in
    let table: CSVTable
    do { table = try CSVTable(data: bytes, path: "fuzz.csv") } catch { return FuzzMain.note("\(error)") }
    // The accessors on every field: they must not trap on any input the parser accepted.
    let columns = table.columnCount
    require(columns == table.header.count && columns > 0, "column count")
    for row in 0..<table.rowCount {
        _ = table.lineNumber(ofRow: row)
        for column in 0..<columns {
            let text = table.string(row: row, column: column)
            let missing = table.isMissing(row: row, column: column)
            let value = table.double(row: row, column: column)
            if let value { require(value.isFinite && !missing, "double() gave \(value) for '\(text)'") }
            if let integer = table.integer(row: row, column: column) {
                require(value == Double(integer), "integer() gave \(integer), double() \(String(describing: value)) for '\(text)'")
            }
        }
    }
    loadUnderEverySpec(table)
}
