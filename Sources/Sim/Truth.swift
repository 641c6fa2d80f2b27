import Foundation

/// The true effects of a simulated panel, on the scale of its outcome column.
///
/// On the latent scale these follow from the design (`τ_it`, `S_it`, `a·b`); for an entropy-weight
/// index they are differences of the index computed from the same draws with and without the
/// policy (see ``Scenario/MeasurementOptions``).
public struct Truth: Sendable, Equatable {
    /// ATT(g, t): mean effect on cohort `g`'s cities in year `t ≥ g`.
    /// Written in ``TruthReport`` as `{group, time, att, n}`.
    public struct GroupTime: Sendable, Equatable, Encodable {
        /// Cohort (adoption year).
        public let cohort: Int
        /// Calendar year.
        public let year: Int
        /// Mean effect.
        public let att: Double
        /// Treated observations in the cell.
        public let observations: Int

        enum CodingKeys: String, CodingKey { case cohort = "group", year = "time", att, observations = "n" }
    }

    /// Mean effect at event time `e = t − g`, pooling cohorts by observations.
    /// Written in ``TruthReport`` as `{event_time, att, n}`.
    public struct EventTime: Sendable, Equatable, Encodable {
        public let eventTime: Int
        public let att: Double
        public let observations: Int

        enum CodingKeys: String, CodingKey { case eventTime = "event_time", att, observations = "n" }
    }

    /// Mean effect on the treated observations of one subgroup (e.g. region = east).
    /// Written in ``TruthReport`` as `{by, level, att, n}`.
    public struct Subgroup: Sendable, Equatable, Encodable {
        /// Label dimension: "region", "resource", "old_industrial".
        public let dimension: String
        /// Level: "east"…, or "1"/"0" for the binary labels.
        public let level: String
        public let att: Double
        public let observations: Int

        enum CodingKeys: String, CodingKey { case dimension = "by", level, att, observations = "n" }
    }

    /// The indirect (mediated) effect through one mediator.
    /// Written in ``TruthReport`` as `{mediator, a, b, effect, proportion_mediated}`.
    public struct Indirect: Sendable, Equatable, Encodable {
        public let mediator: String
        /// Effect `a` of treatment on the mediator.
        public let a: Double
        /// Effect `b` of the mediator on the latent outcome.
        public let b: Double
        /// Mean indirect effect on the outcome over treated observations (`a·b` on the latent scale).
        public let effect: Double
        /// `effect / overall`.
        public let proportion: Double

        enum CodingKeys: String, CodingKey { case mediator, a, b, effect, proportion = "proportion_mediated" }
    }

    /// The spillover on exposed untreated observations.
    /// Written in ``TruthReport`` as `{effect, n, exposed_never_treated_units, never_treated_units,
    /// radius_km}` (`radius_km` null unless a ring: ``TruthReport``'s encoder writes nil as null).
    public struct Spillover: Sendable, Equatable, Encodable {
        /// Mean spillover over exposed untreated observations.
        public let effect: Double
        /// Exposed untreated observations.
        public let observations: Int
        /// Never-treated cities exposed in at least one year.
        public let exposedNeverTreatedCities: Int
        /// Never-treated cities.
        public let neverTreatedCities: Int
        /// Ring radius (km), when a ring.
        public let radiusKm: Double?

        enum CodingKeys: String, CodingKey {
            case effect, observations = "n", exposedNeverTreatedCities = "exposed_never_treated_units",
                 neverTreatedCities = "never_treated_units", radiusKm = "radius_km"
        }

    }

    /// Cities per cohort.
    /// Written in ``TruthReport`` as `{cohort, units}`.
    public struct CohortSize: Sendable, Equatable, Encodable {
        public let cohort: Int
        public let cities: Int

        enum CodingKeys: String, CodingKey { case cohort, cities = "units" }
    }

    /// "latent" or "entropy-index".
    public let scale: String
    /// Observation-weighted ATT: mean effect over all treated observations.
    public let overall: Double
    /// Cell-average ATT: unweighted mean of ATT(g, t) over cells.
    public let cellAverage: Double
    /// ATT(g, t), by cohort then year.
    public let groupTime: [GroupTime]
    /// By event time.
    public let eventTimes: [EventTime]
    /// By subgroup.
    public let subgroups: [Subgroup]
    /// Through each mediator.
    public let indirect: [Indirect]
    /// On exposed controls (nil without spillovers).
    public let spillover: Spillover?
    /// Cities per cohort.
    public let cohorts: [CohortSize]
    /// Treated cities (ever, in sample).
    public let treatedCities: Int
    /// Never-treated cities.
    public let neverTreatedCities: Int
    /// Treated observations.
    public let treatedObservations: Int
    /// Treated provinces.
    public let treatedProvinces: Int

    /// ATT(g, t) for one cell, if it exists.
    public func att(cohort: Int, year: Int) -> Double? {
        groupTime.first { $0.cohort == cohort && $0.year == year }?.att
    }

    /// Aggregates per-row effects.
    /// - Parameters:
    ///   - effect: effect on each row (only treated rows are read).
    ///   - spill: spillover on each row; `exposed` marks rows counted as exposed controls.
    ///   - indirect: (mediator, a, b, mean effect) per mediator.
    static func aggregate(design: Design, geography: Geography, scale: String, effect: [Double], spill: [Double],
                          exposed: [Bool]?, indirect: [(String, Double, Double, Double)]) -> Truth {
        let periods = design.periodCount
        let cities = design.cohortYear.count
        // Sums are compensated (Neumaier), so a constant effect averages back to itself.
        var cells: [Int: [Int: Accumulator]] = [:]
        var events: [Int: Accumulator] = [:]
        var groups: [String: Accumulator] = [:]
        var all = Accumulator()
        for city in 0..<cities where design.cohortYear[city] != 0 {
            let g = design.cohortYear[city], start = Int(design.adoptionPeriod[city])
            let keys = ["region=" + geography.region[city].name, "resource=" + (geography.resourceBased[city] ? "1" : "0"),
                        "old_industrial=" + (geography.oldIndustrial[city] ? "1" : "0")]
            for t in max(start, 0)..<periods {
                let value = effect[city * periods + t]
                cells[g, default: [:]][design.firstYear + t, default: Accumulator()].add(value)
                events[t - start, default: Accumulator()].add(value)
                for key in keys { groups[key, default: Accumulator()].add(value) }
                all.add(value)
            }
        }
        var groupTime: [GroupTime] = []
        for g in cells.keys.sorted() {
            for year in cells[g]!.keys.sorted() {
                let cell = cells[g]![year]!
                groupTime.append(GroupTime(cohort: g, year: year, att: cell.mean, observations: cell.count))
            }
        }
        let eventTimes = events.keys.sorted().map { EventTime(eventTime: $0, att: events[$0]!.mean, observations: events[$0]!.count) }
        var subgroups: [Subgroup] = []
        for dimension in ["region", "resource", "old_industrial"] {
            let levels = dimension == "region" ? Geography.Region.allCases.map(\.name) : ["1", "0"]
            for level in levels {
                if let group = groups[dimension + "=" + level] {
                    subgroups.append(Subgroup(dimension: dimension, level: level, att: group.mean, observations: group.count))
                }
            }
        }
        let count = all.count
        var cellSum = Accumulator()
        for cell in groupTime { cellSum.add(cell.att) }
        let overall = all.mean
        let cellAverage = cellSum.mean

        var spillover: Spillover?
        if let exposed {
            var sum = Accumulator()
            var exposedCities = Set<Int>()
            for row in exposed.indices where exposed[row] {
                sum.add(spill[row])
                if design.cohortYear[row / periods] == 0 { exposedCities.insert(row / periods) }
            }
            spillover = Spillover(effect: sum.count > 0 ? sum.mean : 0, observations: sum.count,
                                  exposedNeverTreatedCities: exposedCities.count,
                                  neverTreatedCities: design.cohortYear.filter { $0 == 0 }.count,
                                  radiusKm: design.spilloverRadiusKm)
        }
        var sizes: [Int: Int] = [:]
        var provinces = Set<Int32>()
        for city in 0..<cities where design.cohortYear[city] != 0 {
            sizes[design.cohortYear[city], default: 0] += 1
            provinces.insert(geography.province[city])
        }
        return Truth(scale: scale, overall: overall, cellAverage: cellAverage, groupTime: groupTime, eventTimes: eventTimes,
                     subgroups: subgroups,
                     indirect: indirect.map { Indirect(mediator: $0.0, a: $0.1, b: $0.2, effect: $0.3, proportion: $0.3 / overall) },
                     spillover: spillover,
                     cohorts: sizes.keys.sorted().map { CohortSize(cohort: $0, cities: sizes[$0]!) },
                     treatedCities: sizes.values.reduce(0, +), neverTreatedCities: cities - sizes.values.reduce(0, +),
                     treatedObservations: count, treatedProvinces: provinces.count)
    }
}

/// A compensated (Neumaier 1974) running sum with a count.
struct Accumulator {
    var sum = 0.0
    var compensation = 0.0
    var count = 0

    mutating func add(_ value: Double) {
        let total = sum + value
        if abs(sum) >= abs(value) { compensation += (sum - total) + value } else { compensation += (value - total) + sum }
        sum = total
        count += 1
    }

    /// Mean of the values added (NaN when none).
    var mean: Double { count > 0 ? (sum + compensation) / Double(count) : .nan }
}
