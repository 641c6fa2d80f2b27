import Foundation

extension SimulatedPanel {
    /// The CSV header: identifiers, treatment, outcome, mediators, covariates, indicators, labels, coordinates.
    public var csvHeader: [String] {
        ["city", "province", "year", "cohort", "treat", panel.outcomeName] + mediatorNames + covariateNames
            + indicatorNames + (index == nil ? [] : ["y_latent"]) + ["region", "resource", "old_industrial", "coord_x", "coord_y"]
    }

    /// The panel as CSV text, one row per city-year, numbers in shortest round-trip form (so the
    /// same scenario, seed and replication give byte-identical text). `cohort` is the adoption year,
    /// 0 for never treated; it loads with `didlab estimate FILE --y y --unit city --time year --cohort cohort`.
    public func csv() -> String {
        var out = csvHeader.joined(separator: ",") + "\n"
        out.reserveCapacity(rowCount * 160)
        let periods = years.count
        let extra = mediators + covariates + indicators + (index == nil ? [] : [latentOutcome])
        for row in 0..<rowCount {
            let city = row / periods, t = row % periods
            out += panel.unitLabels[city]
            out += ","
            out += geography.provinceNames[Int(geography.province[city])]
            out += ","
            out += String(years[t])
            out += ","
            out += String(design.cohortYear[city])
            out += design.isTreated(row: row) ? ",1," : ",0,"
            out += SimulatedPanel.format(panel.outcome[row])
            for column in extra { out += ","; out += SimulatedPanel.format(column[row]) }
            out += ","
            out += geography.region[city].name
            out += geography.resourceBased[city] ? ",1" : ",0"
            out += geography.oldIndustrial[city] ? ",1," : ",0,"
            out += SimulatedPanel.format(geography.x[city])
            out += ","
            out += SimulatedPanel.format(geography.y[city])
            out += "\n"
        }
        return out
    }

    /// Shortest representation that reads back to the same double.
    static func format(_ value: Double) -> String {
        value.isFinite ? "\(value)" : ""
    }
}
