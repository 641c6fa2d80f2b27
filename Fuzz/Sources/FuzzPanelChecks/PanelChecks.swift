// PanelChecks.swift — what every panel-reading fuzz target checks: the specs it loads an input
// under (the seed files' column layouts), and Panel's documented invariants on what it loaded.

import Estimators
import FuzzSupport

/// The specs every panel-reading target loads each input under.
public let specs: [PanelSpec] = [
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
    // Tests/Fixtures/mpdta*.dta / .sav (Stata names: first_treat), with the labelled region and string county.
    PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first_treat"),
              covariates: ["lpop"], clusterColumns: ["region"]),
    PanelSpec(outcome: "lemp", unit: "county", time: "year", treatment: .indicator("treat")),
    // One column in several roles (time = cohort = covariate).
    PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("year"), covariates: ["year"]),
]

/// Traps with `message` when `condition` is false: a loaded panel that breaks an invariant.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

/// Panel's documented invariants (see Panel.swift) and the loader's promise of finite numbers.
public func check(_ panel: Panel, spec: PanelSpec) {
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

/// Loads `table` under every spec: a refusal is fine (noted with DIDLAB_FUZZ_VERBOSE=1), a loaded
/// panel must keep Panel's invariants.
public func loadUnderEverySpec<Table: DataTable>(_ table: Table) {
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
