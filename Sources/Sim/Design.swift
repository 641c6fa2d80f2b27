import Estimators
import Foundation

/// The realised design of a replication: each city's adoption year, and per observation the
/// treatment, the total effect `τ_it` and the spillover `S_it` on the latent outcome.
/// Rows are ordered city by city, years in order: row = city·T + t.
public struct Design: Sendable, Equatable {
    /// First sample year.
    public let firstYear: Int
    /// Number of years T.
    public let periodCount: Int
    /// Adoption year of each city; 0 = never treated in the sample.
    public let cohortYear: [Int]
    /// Adoption period index per city (``Estimators/Panel/neverTreated`` for never treated).
    public let adoptionPeriod: [Int32]
    /// Total effect of the policy on the latent outcome per row: `τ_it` on treated rows; on
    /// untreated rows only anticipation (the `anticipationYears` before adoption) and the
    /// contamination of cities coded never-treated (from `contaminationYear`); 0 elsewhere. The
    /// truth (``Truth``) averages it over treated rows only: those are the estimand.
    public let effect: [Double]
    /// Spillover on the latent outcome per row (0 on treated rows and unexposed rows).
    public let spillover: [Double]
    /// Untreated rows exposed to a spillover (within the ring, or within the exponential cutoff).
    public let exposed: [Bool]
    /// Ring radius actually used (nil unless the spillover is a ring).
    public let spilloverRadiusKm: Double?

    /// Treatment of row `row`.
    @inlinable
    public func isTreated(row: Int) -> Bool {
        Int32(row % periodCount) >= adoptionPeriod[row / periodCount]
    }

    /// Builds the design from adoption years (0 = never).
    public init(cohortYear: [Int], geography: Geography, scenario: Scenario) throws {
        let calendar = scenario.calendar
        let periods = calendar.periodCount
        let cities = cohortYear.count
        firstYear = calendar.firstYear
        periodCount = periods
        self.cohortYear = cohortYear
        adoptionPeriod = cohortYear.map { $0 == 0 ? Panel.neverTreated : Int32($0 - calendar.firstYear) }

        // Effects: τ_it = (att_g + slope_g·(e + 1)) × multipliers.
        let options = scenario.effects
        var byCohort: [Int: (Double, Double)] = [:]
        for cohort in options.cohortEffects {
            byCohort[cohort.year] = (cohort.att, cohort.dynamicSlope ?? options.dynamicSlope)
        }
        var effect = [Double](repeating: 0, count: cities * periods)
        for city in 0..<cities where cohortYear[city] != 0 {
            let (att, slope) = byCohort[cohortYear[city]] ?? (options.att, options.dynamicSlope)
            var multiplier = 1.0
            if geography.region[city] == .east { multiplier *= options.developedMultiplier }
            if geography.resourceBased[city] { multiplier *= options.resourceMultiplier }
            if geography.oldIndustrial[city] { multiplier *= options.oldIndustrialMultiplier }
            let start = Int(adoptionPeriod[city])
            for t in max(start, 0)..<periods {
                effect[city * periods + t] = (att + slope * Double(t - start + 1)) * multiplier
            }
            // Anticipation: a share of the effect at adoption in the years before it.
            let atAdoption = (att + slope) * multiplier * options.anticipationShare
            for t in max(start - options.anticipationYears, 0)..<min(max(start, 0), periods) {
                effect[city * periods + t] = atAdoption
            }
        }
        // Contamination: cities coded never-treated receive part of the effect from a year on.
        if let year = options.contaminationYear, year <= calendar.lastYear {
            let amount = options.contaminationShare * options.att
            for city in 0..<cities where cohortYear[city] == 0 {
                for t in max(year - calendar.firstYear, 0)..<periods { effect[city * periods + t] = amount }
            }
        }
        self.effect = effect

        // Spillovers on untreated rows, from the nearest city already adopted in that year.
        let spill = scenario.spillover
        var spillover = [Double](repeating: 0, count: cities * periods)
        var exposed = [Bool](repeating: false, count: cities * periods)
        var radiusUsed: Double?
        if spill.kind != .none {
            let amount = spill.amount ?? spill.share * options.att
            let treatedCities = (0..<cities).filter { cohortYear[$0] != 0 }
            // nearest[city·T + t]: distance to the nearest other city adopted by year t.
            var nearest = [Double](repeating: .infinity, count: cities * periods)
            for city in 0..<cities {
                for other in treatedCities where other != city {
                    let distance = geography.distance(city, other)
                    for t in max(Int(adoptionPeriod[other]), 0)..<periods where distance < nearest[city * periods + t] {
                        nearest[city * periods + t] = distance
                    }
                }
            }
            switch spill.kind {
            case .none:
                break
            case .ring:
                let radius = try spill.radiusKm ?? Design.ringRadius(share: spill.exposedShare, cohortYear: cohortYear,
                                                                    geography: geography, treatedCities: treatedCities)
                radiusUsed = radius
                for row in 0..<(cities * periods) where nearest[row] <= radius
                    && Int32(row % periods) < adoptionPeriod[row / periods] {
                    spillover[row] = amount
                    exposed[row] = true
                }
            case .exponential:
                let cutoff = spill.cutoffKm ?? 3 * spill.decayKm
                for row in 0..<(cities * periods) where nearest[row] <= cutoff
                    && Int32(row % periods) < adoptionPeriod[row / periods] {
                    spillover[row] = amount * Foundation.exp(-nearest[row] / spill.decayKm)
                    exposed[row] = true
                }
            }
        }
        self.spillover = spillover
        self.exposed = exposed
        spilloverRadiusKm = radiusUsed
    }

    /// The radius within which `share` of never-treated cities lie from an eventually treated city.
    static func ringRadius(share: Double, cohortYear: [Int], geography: Geography, treatedCities: [Int]) throws -> Double {
        let controls = (0..<cohortYear.count).filter { cohortYear[$0] == 0 }
        guard !controls.isEmpty, !treatedCities.isEmpty else {
            throw ScenarioError.invalidValue(field: "spillover.radiusKm", value: "nil",
                                             expected: "a radius: the design has no never-treated or no treated cities to calibrate it")
        }
        let distances = controls.map { city in treatedCities.map { geography.distance(city, $0) }.min()! }.sorted()
        let count = max(1, Int((share * Double(controls.count)).rounded(.up)))
        return distances[min(count, distances.count) - 1]
    }
}

// MARK: - Adoption calendars

extension Design {
    /// Adoption year per city (0 = never) for the scenario's calendar; random calendars draw from `stream`.
    public static func adoptionYears(_ scenario: Scenario, geography: Geography, stream: borrowing RandomStream) throws -> [Int] {
        let calendar = scenario.calendar
        var years = [Int](repeating: 0, count: geography.cityCount)
        let byProvince = geography.citiesByProvince
        // Assignment units: cities, or provinces (all their cities together).
        let units: [[Int]] = calendar.level == .city ? (0..<geography.cityCount).map { [$0] } : byProvince
        func shuffledUnits() -> [Int] {
            var order = Array(0..<units.count)
            order.withUnsafeMutableBufferPointer { stream.shuffle($0) }
            return order
        }
        func assign(_ unit: Int, _ year: Int) { for city in units[unit] { years[city] = year } }

        switch calendar.kind {
        case .pilot:
            guard let pilot = geography.pilot else {
                throw ScenarioError.invalidValue(field: "calendar.kind", value: "pilot", expected: "a china geography")
            }
            let first = calendar.singleCohortYear ?? 2013, second = calendar.singleCohortYear ?? 2014
            for p in pilot.municipalities2013 + [pilot.province2013] { for city in byProvince[p] { years[city] = first } }
            for p in [pilot.municipality2014, pilot.province2014] { for city in byProvince[p] { years[city] = second } }
            if let fujian = calendar.fujianYear {
                for city in byProvince[pilot.fujian] { years[city] = calendar.singleCohortYear ?? fujian }
            }
            for (city, year) in years.enumerated() where year > calendar.lastYear || year < calendar.firstYear {
                years[city] = 0  // outside the sample window: never treated in sample
            }
            if let national = calendar.nationalSchemeYear {
                for city in years.indices where years[city] == 0 || years[city] > national { years[city] = national }
            }
        case .staggered, .blw:
            var cohorts = calendar.cohorts
            if cohorts.isEmpty {
                cohorts = [1989, 1998, 2007].map { Scenario.Cohort(year: $0, share: 1.0 / 3) }
                for cohort in cohorts where cohort.year < calendar.firstYear || cohort.year > calendar.lastYear {
                    throw ScenarioError.invalidValue(field: "calendar.cohorts", value: "empty",
                                                     expected: "cohorts inside \(calendar.firstYear)…\(calendar.lastYear) (the BLW default 1989/1998/2007 is not)")
                }
            }
            let order = shuffledUnits()
            var cumulative = 0.0, start = 0
            for cohort in cohorts {
                cumulative += cohort.share
                let end = min(units.count, Int((cumulative * Double(units.count)).rounded()))
                for k in start..<max(start, end) { assign(order[k], cohort.year) }
                start = max(start, end)
            }
        case .singleDate:
            let year = calendar.adoptionYear ?? (calendar.firstYear + calendar.lastYear + 1) / 2
            let order = shuffledUnits()
            let count = Int((calendar.treatedShare * Double(units.count)).rounded())
            for k in 0..<count { assign(order[k], year) }
        case .randomDates:
            let span = calendar.lastYear - calendar.firstYear
            let range = calendar.adoptionYearRange ?? [calendar.firstYear + span / 4, calendar.lastYear - span / 4]
            let order = shuffledUnits()
            let count = Int((calendar.treatedShare * Double(units.count)).rounded())
            for k in 0..<count { assign(order[k], range[0] + stream.integer(below: range[1] - range[0] + 1)) }
        }
        return years
    }
}
