import Foundation

extension Scenario {
    /// Largest magnitude of a year (the panel's period bound).
    public static let yearLimit = 1_000_000
    /// Most years a scenario may span.
    public static let maximumPeriods = 1000
    /// Most rows (cities × years) a simulated panel may have: about 2 GB of columns.
    public static let maximumRows = 10_000_000
    /// Most simulated values (rows × columns): about 1.6 GB.
    public static let maximumCells = 200_000_000

    /// Checks every field's range and the consistency between sections.
    /// - Throws: ``ScenarioError/invalidValue(field:value:expected:)`` naming the first bad field.
    public func validate() throws {
        func fail(_ field: String, _ value: Any, _ expected: String) -> ScenarioError {
            .invalidValue(field: field, value: "\(value)", expected: expected)
        }
        func shares(_ field: String, _ values: [Double]) throws {
            guard values.count == 3 else { throw fail(field, values, "three values (east, central, west)") }
            for value in values where !(value >= 0 && value <= 1) { throw fail(field, values, "values in [0, 1]") }
        }
        // Every number must be finite: YAML's .nan and .inf would simulate blank outcomes.
        do {
            _ = try JSONEncoder().encode(self)
        } catch let EncodingError.invalidValue(value, context) {
            throw fail(dottedPath(context.codingPath), value, "a finite number")
        }
        let g = geography
        guard g.cityCount >= 2 else { throw fail("geography.cityCount", g.cityCount, "at least 2") }
        guard g.provinceCount >= 1 && g.provinceCount <= g.cityCount else {
            throw fail("geography.provinceCount", g.provinceCount, "between 1 and cityCount (\(g.cityCount))")
        }
        guard g.minProvinceSize >= 1 && g.minProvinceSize <= g.maxProvinceSize else {
            throw fail("geography.minProvinceSize", g.minProvinceSize, "between 1 and maxProvinceSize")
        }
        guard g.municipalityCount >= 0 else { throw fail("geography.municipalityCount", g.municipalityCount, "≥ 0") }
        try shares("geography.resourceShares", g.resourceShares)
        try shares("geography.oldIndustrialShares", g.oldIndustrialShares)
        try shares("geography.regionShares", g.regionShares)
        guard g.scatterKm >= 0 else { throw fail("geography.scatterKm", g.scatterKm, "≥ 0") }
        guard abs(g.clusterSizeSkew) <= 50 else { throw fail("geography.clusterSizeSkew", g.clusterSizeSkew, "in [−50, 50]") }
        if g.kind == .china && g.clusterSizeSkew != 0 {
            throw fail("geography.clusterSizeSkew", g.clusterSizeSkew, "0 on a china geography (its province sizes are drawn; the skew shapes flat groups)")
        }
        if g.kind == .flat && g.clusterSizeSkew != 0 {
            let starts = Geography.flatGroupStarts(cities: g.cityCount, groups: g.provinceCount, skew: g.clusterSizeSkew)
            let sizes = zip(starts.dropFirst() + [g.cityCount], starts).map { $0 - $1 }
            guard sizes.allSatisfy({ $0 > 0 }) else {
                throw fail("geography.clusterSizeSkew", g.clusterSizeSkew,
                           "a skew that leaves every one of the \(g.provinceCount) groups at least one city")
            }
        }

        let c = calendar
        guard abs(c.firstYear) <= Scenario.yearLimit && abs(c.lastYear) <= Scenario.yearLimit else {
            throw fail("calendar.firstYear", "\(c.firstYear)…\(c.lastYear)", "years within ±\(Scenario.yearLimit)")
        }
        guard c.lastYear >= c.firstYear + 1 else {
            throw fail("calendar.lastYear", c.lastYear, "after calendar.firstYear (\(c.firstYear))")
        }
        guard c.lastYear - c.firstYear < Scenario.maximumPeriods else {
            throw fail("calendar.lastYear", c.lastYear, "at most \(Scenario.maximumPeriods) years from calendar.firstYear")
        }
        let rows = g.cityCount.multipliedReportingOverflow(by: c.lastYear - c.firstYear + 1)
        guard !rows.overflow && rows.partialValue <= Scenario.maximumRows else {
            throw fail("geography.cityCount", g.cityCount, "a panel of at most \(Scenario.maximumRows) rows "
                       + "(cities × years; the memory of a replication grows with it)")
        }
        // Every mediator, covariate and index indicator is a column (two for indicators: with and
        // without treatment) besides about ten fixed ones.
        let columnCount = 10 + mediators.count + covariates.count + 2 * measurement.indicators.count
        guard rows.partialValue * columnCount <= Scenario.maximumCells else {
            throw fail("mediators", "\(mediators.count) mediators, \(covariates.count) covariates and "
                       + "\(measurement.indicators.count) indicators",
                       "at most \(Scenario.maximumCells) simulated values (rows × columns; here "
                       + "\(rows.partialValue) rows × \(columnCount) columns)")
        }
        func year(_ field: String, _ value: Int?) throws {
            guard let value else { return }
            guard value >= c.firstYear && value <= c.lastYear else {
                throw fail(field, value, "a year in \(c.firstYear)…\(c.lastYear)")
            }
        }
        try year("calendar.fujianYear", c.fujianYear)
        try year("calendar.singleCohortYear", c.singleCohortYear)
        try year("calendar.nationalSchemeYear", c.nationalSchemeYear)
        try year("calendar.adoptionYear", c.adoptionYear)
        for (k, cohort) in c.cohorts.enumerated() {
            try year("calendar.cohorts[\(k)].year", cohort.year)
            guard cohort.share > 0 && cohort.share <= 1 else { throw fail("calendar.cohorts[\(k)].share", cohort.share, "in (0, 1]") }
        }
        let total = c.cohorts.reduce(0) { $0 + $1.share }
        guard total <= 1 + 1e-9 else { throw fail("calendar.cohorts", "shares summing to \(total)", "shares summing to at most 1") }
        guard c.treatedShare > 0 && c.treatedShare <= 1 else { throw fail("calendar.treatedShare", c.treatedShare, "in (0, 1]") }
        if let range = c.adoptionYearRange {
            guard range.count == 2, range[0] <= range[1] else { throw fail("calendar.adoptionYearRange", range, "[first, last]") }
            try year("calendar.adoptionYearRange[0]", range[0])
            try year("calendar.adoptionYearRange[1]", range[1])
        }
        if c.kind == .pilot && g.kind != .china {
            throw fail("calendar.kind", "pilot", "a china geography (geography.kind is \(g.kind.rawValue))")
        }
        if c.kind == .staggered && c.cohorts.isEmpty { throw fail("calendar.cohorts", "empty", "at least one cohort for kind staggered") }

        for (k, cohort) in effects.cohortEffects.enumerated() { try year("effects.cohortEffects[\(k)].year", cohort.year) }
        let s = spillover
        guard s.exposedShare > 0 && s.exposedShare <= 1 else { throw fail("spillover.exposedShare", s.exposedShare, "in (0, 1]") }
        if let radius = s.radiusKm, !(radius > 0) { throw fail("spillover.radiusKm", radius, "> 0") }
        guard s.decayKm > 0 else { throw fail("spillover.decayKm", s.decayKm, "> 0") }
        if let cutoff = s.cutoffKm, !(cutoff > 0) { throw fail("spillover.cutoffKm", cutoff, "> 0") }

        let e = errors
        guard e.sd >= 0 else { throw fail("errors.sd", e.sd, "≥ 0") }
        guard e.rho > -1 && e.rho < 1 else { throw fail("errors.rho", e.rho, "in (−1, 1) (stationary AR(1))") }
        guard e.provinceShare >= 0 && e.provinceShare <= 1 else { throw fail("errors.provinceShare", e.provinceShare, "in [0, 1]") }
        guard e.spatialShare >= 0 && e.spatialShare + e.provinceShare <= 1 else {
            throw fail("errors.spatialShare", e.spatialShare, "in [0, 1 − errors.provinceShare] (shares of one variance)")
        }
        guard e.spatialRangeKm > 0 else { throw fail("errors.spatialRangeKm", e.spatialRangeKm, "> 0") }
        if e.spatialShare > 0 && g.cityCount > 5000 {
            throw fail("errors.spatialShare", e.spatialShare, "0 for more than 5000 cities (the spatial field factors an N × N matrix)")
        }
        guard e.municipalityScale > 0 else { throw fail("errors.municipalityScale", e.municipalityScale, "> 0") }
        if e.municipalityScale != 1 && g.kind != .china {
            throw fail("errors.municipalityScale", e.municipalityScale, "1 on a flat geography (it has no municipalities)")
        }
        let ef = effects
        guard ef.anticipationYears >= 0 && ef.anticipationYears < c.periodCount else {
            throw fail("effects.anticipationYears", ef.anticipationYears, "in 0…\(c.periodCount - 1) (years before adoption)")
        }
        if let year = ef.contaminationYear, year < c.firstYear || year > Scenario.yearLimit {
            throw fail("effects.contaminationYear", year, "a year from \(c.firstYear) on (after \(c.lastYear): none in sample)")
        }
        guard e.unitEffectSD >= 0 else { throw fail("errors.unitEffectSD", e.unitEffectSD, "≥ 0") }
        guard e.yearShockSD >= 0 else { throw fail("errors.yearShockSD", e.yearShockSD, "≥ 0") }
        if e.unitEffectDistribution == .lognormal && !(e.unitEffectMean > 0) {
            throw fail("errors.unitEffectMean", e.unitEffectMean, "> 0 for a lognormal unit effect")
        }
        guard abs(confounder.correlation) <= 1 else { throw fail("confounder.correlation", confounder.correlation, "in [−1, 1]") }

        var names: Set<String> = ["city", "province", "year", "cohort", "treat", "region", "resource", "old_industrial",
                                  "coord_x", "coord_y", measurement.outcomeName]
        let columns = mediators.map { ("mediators", $0.name, $0.noiseSD) } + covariates.map { ("covariates", $0.name, $0.noiseSD) }
            + measurement.indicators.map { ("measurement.indicators", $0.name, $0.noiseSD) }
        for (section, name, noise) in columns {
            guard !name.isEmpty, names.insert(name).inserted else {
                throw fail("\(section).name", name, "a non-empty column name not used by another column")
            }
            guard noise >= 0 else { throw fail("\(section).noiseSD", noise, "≥ 0") }
        }
        for name in controlNames where !covariates.contains(where: { $0.name == name }) {
            throw fail("controls", name, "the name of a covariate (\(covariates.map(\.name).joined(separator: ", ")))")
        }
        if measurement.kind == .entropy && measurement.indicators.count < 2 {
            throw fail("measurement.indicators", measurement.indicators.count, "at least 2 indicators for an entropy index")
        }
        guard measurement.shift >= 0 else { throw fail("measurement.shift", measurement.shift, "≥ 0") }
    }
}
