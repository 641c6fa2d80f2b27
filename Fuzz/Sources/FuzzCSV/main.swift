// FuzzCSV — bytes → CSVTable → Panel.load(table:spec:) under every spec below.
//
// The specs name the columns of the seed files (Fuzz/Corpus/csv: the test fixtures' layouts and
// `didlab simulate` output), covering the cohort and the 0/1-indicator treatment paths,
// covariates, extra clusterings, and one spec that uses a column in several roles. A spec whose
// columns are absent stops at the missing-column error, which is cheap.
//
// Findings: any trap or crash, and a loaded panel that breaks Panel's documented invariants
// (checked below): that is a silently wrong read.

import Estimators
import FuzzSupport

let specs: [PanelSpec] = [
    // Tests/Fixtures/synthetic*.csv: unit,province,year,cohort,treat,x1,x2,y
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
              covariates: ["x1", "x2"], clusterColumns: ["province"]),
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .indicator("treat")),
    // The same without covariates or clusterings (crafted seeds: unit,year,cohort,treat,y).
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort")),
    // Tests/Fixtures/mpdta.csv: year,countyreal,lpop,lemp,first.treat,treat
    PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first.treat"),
              covariates: ["lpop"]),
    PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .indicator("treat"),
              clusterColumns: ["countyreal"]),
    // Tests/Fixtures/spillover.csv: unit,year,cohort,treat,x1,y,coord_x,coord_y,lat,lon
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
              covariates: ["x1", "coord_x"], clusterColumns: ["lat"]),
    // didlab simulate: city,province,year,cohort,treat,y,...,region,...
    PanelSpec(outcome: "y", unit: "city", time: "year", treatment: .cohort("cohort"),
              clusterColumns: ["province", "region"]),
    // One column in several roles (time = cohort = covariate).
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("year"), covariates: ["year"]),
]

/// Traps with `message` when `condition` is false: a loaded panel that breaks an invariant.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzCSV: invariant broken: \(message())") }
}

/// Panel's documented invariants (see Panel.swift) and the loader's promise of finite numbers.
func check(_ panel: Panel, spec: PanelSpec) {
    let n = panel.observationCount
    require(n > 0, "a loaded panel has no observations")
    require(panel.unitIndex.count == n && panel.periodIndex.count == n, "index columns of the wrong length")
    require(panel.outcome.allSatisfy(\.isFinite), "non-finite outcome")
    require(panel.covariates.count == spec.covariates.count, "covariate count")
    for column in panel.covariates {
        require(column.count == n && column.allSatisfy(\.isFinite), "covariate column of wrong length or non-finite")
    }
    require(panel.unitStart.count == panel.unitCount + 1 && panel.unitStart.last == n, "unitStart")
    require(panel.adoptionPeriod.count == panel.unitCount, "adoptionPeriod length")
    require(panel.unitLabels.count == panel.unitCount && panel.periodLabels.count == panel.periodCount, "label counts")
    for row in 0..<n {
        let unit = panel.unitIndex[row], period = panel.periodIndex[row]
        require(unit >= 0 && Int(unit) < panel.unitCount, "unit index \(unit) out of range")
        require(period >= 0 && Int(period) < panel.periodCount, "period index \(period) out of range")
        if row > 0 {
            let previous = panel.unitIndex[row - 1]
            require(previous < unit || (previous == unit && panel.periodIndex[row - 1] < period),
                    "rows not sorted by (unit, period) at row \(row)")
        }
    }
    if let values = panel.periodValues {
        require(values.count == panel.periodCount && values.allSatisfy(\.isFinite), "period values")
    }
    for adoption in panel.adoptionPeriod where adoption != Panel.neverTreated {
        require(adoption < Int32(panel.periodCount), "adoption index \(adoption) past the last period")
    }
    for (name, clustering) in panel.clusterings {
        require(clustering.index.count == n, "clustering \(name) has the wrong length")
        require(clustering.index.allSatisfy { $0 >= 0 && Int($0) < clustering.count }, "clustering \(name) index out of range")
    }
}

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
    for spec in specs {
        do {
            let panel = try Panel.load(table: table, spec: spec)
            FuzzMain.note("loaded \(panel.unitCount) units x \(panel.periodCount) periods with outcome \(spec.outcome)")
            check(panel, spec: spec)
        } catch {
            FuzzMain.note("\(error)")
        }
    }
}
