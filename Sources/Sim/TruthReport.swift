/// The true effects of one simulated replication as an output document: what
/// `didlab simulate --truth FILE` writes (snake_case keys, in this order).
///
/// Encodes every field; a missing spillover and a ring radius that is not given are written as
/// `null`, `index_weights` only under entropy measurement. Non-finite numbers are left to the
/// encoder (DiDLab's JSON writes them as `null`).
public struct TruthReport: Encodable, Sendable, Equatable {
    /// The run seed, written as an integer when it fits a signed 64-bit integer, as a decimal
    /// string otherwise (JSON readers lose integers beyond 2^63).
    public struct Seed: Encodable, Sendable, Equatable {
        /// The seed.
        public let value: UInt64

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            if value <= UInt64(Int.max) { try container.encode(Int(value)) } else { try container.encode(String(value)) }
        }
    }

    /// Cities per cohort.
    public struct Cohort: Encodable, Sendable, Equatable {
        /// Adoption year.
        public let cohort: Int
        /// Cities adopting in it.
        public let units: Int
    }

    /// The two overall averages of the effect on treated observations.
    public struct Overall: Encodable, Sendable, Equatable {
        /// Mean over treated observations (``Truth/overall``).
        public let observationWeighted: Double
        /// Unweighted mean over ATT(g, t) cells (``Truth/cellAverage``).
        public let cellAverage: Double

        enum CodingKeys: String, CodingKey {
            case observationWeighted = "observation_weighted", cellAverage = "cell_average"
        }
    }

    /// ATT(g, t).
    public struct GroupTime: Encodable, Sendable, Equatable {
        /// Cohort g.
        public let group: Int
        /// Year t.
        public let time: Int
        /// Mean effect.
        public let att: Double
        /// Treated observations in the cell.
        public let n: Int
    }

    /// The effect at one event time.
    public struct EventTime: Encodable, Sendable, Equatable {
        /// e = t − g.
        public let eventTime: Int
        /// Mean effect, pooling cohorts by observations.
        public let att: Double
        /// Treated observations.
        public let n: Int

        enum CodingKeys: String, CodingKey {
            case eventTime = "event_time", att, n
        }
    }

    /// The effect on one subgroup's treated observations.
    public struct Subgroup: Encodable, Sendable, Equatable {
        /// Label dimension ("region", "resource", "old_industrial").
        public let by: String
        /// Level ("east"…, "1"/"0").
        public let level: String
        /// Mean effect.
        public let att: Double
        /// Treated observations.
        public let n: Int
    }

    /// The indirect effect through one mediator.
    public struct Indirect: Encodable, Sendable, Equatable {
        /// Mediator column.
        public let mediator: String
        /// Effect of treatment on the mediator.
        public let a: Double
        /// Effect of the mediator on the latent outcome.
        public let b: Double
        /// Mean indirect effect on the outcome.
        public let effect: Double
        /// effect / overall.
        public let proportionMediated: Double

        enum CodingKeys: String, CodingKey {
            case mediator, a, b, effect, proportionMediated = "proportion_mediated"
        }
    }

    /// The spillover on exposed untreated observations.
    public struct Spillover: Encodable, Sendable, Equatable {
        /// Mean spillover.
        public let effect: Double
        /// Exposed untreated observations.
        public let n: Int
        /// Never-treated cities exposed in some year.
        public let exposedNeverTreatedUnits: Int
        /// Never-treated cities.
        public let neverTreatedUnits: Int
        /// Ring radius in km (null unless a ring).
        public let radiusKm: Double?

        enum CodingKeys: String, CodingKey {
            case effect, n, exposedNeverTreatedUnits = "exposed_never_treated_units",
                 neverTreatedUnits = "never_treated_units", radiusKm = "radius_km"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(effect, forKey: .effect)
            try container.encode(n, forKey: .n)
            try container.encode(exposedNeverTreatedUnits, forKey: .exposedNeverTreatedUnits)
            try container.encode(neverTreatedUnits, forKey: .neverTreatedUnits)
            try container.encode(radiusKm, forKey: .radiusKm)  // null when nil
        }
    }

    /// Entropy-index weights by indicator name, in indicator order.
    public struct IndexWeights: Encodable, Sendable, Equatable {
        /// Indicator names.
        public let names: [String]
        /// Their weights.
        public let weights: [Double]

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for (name, weight) in zip(names, weights) { try container.encode(weight, forKey: AnyCodingKey(stringValue: name)) }
        }
    }

    /// Scenario name.
    public let scenario: String
    /// Run seed.
    public let seed: Seed
    /// Replication number.
    public let replication: Int
    /// "latent" or "entropy-index" (``Truth/scale``).
    public let scale: String
    /// Cities.
    public let nUnits: Int
    /// Years.
    public let nPeriods: Int
    /// Provinces.
    public let nProvinces: Int
    /// Ever-treated cities.
    public let treatedUnits: Int
    /// Never-treated cities.
    public let neverTreatedUnits: Int
    /// Provinces with a treated city.
    public let treatedProvinces: Int
    /// Treated city-years.
    public let treatedObservations: Int
    /// Cities per cohort.
    public let cohorts: [Cohort]
    /// Overall averages.
    public let overall: Overall
    /// ATT(g, t) by cohort then year.
    public let attGT: [GroupTime]
    /// By event time.
    public let eventTime: [EventTime]
    /// By subgroup.
    public let subgroups: [Subgroup]
    /// Through each mediator.
    public let indirect: [Indirect]
    /// On exposed controls (null without spillovers).
    public let spillover: Spillover?
    /// Entropy-index weights (absent under latent measurement).
    public let indexWeights: IndexWeights?

    enum CodingKeys: String, CodingKey {
        case scenario, seed, replication, scale, nUnits = "n_units", nPeriods = "n_periods", nProvinces = "n_provinces",
             treatedUnits = "treated_units", neverTreatedUnits = "never_treated_units",
             treatedProvinces = "treated_provinces", treatedObservations = "treated_observations", cohorts, overall,
             attGT = "att_gt", eventTime = "event_time", subgroups, indirect, spillover, indexWeights = "index_weights"
    }

    /// The truth of `simulated`, labelled with the scenario's name.
    public init(_ simulated: SimulatedPanel, scenario: String) {
        let truth = simulated.truth
        self.scenario = scenario
        seed = Seed(value: simulated.seed)
        replication = simulated.replication
        scale = truth.scale
        nUnits = simulated.panel.unitCount
        nPeriods = simulated.panel.periodCount
        nProvinces = simulated.geography.provinceCount
        treatedUnits = truth.treatedCities
        neverTreatedUnits = truth.neverTreatedCities
        treatedProvinces = truth.treatedProvinces
        treatedObservations = truth.treatedObservations
        cohorts = truth.cohorts.map { Cohort(cohort: $0.cohort, units: $0.cities) }
        overall = Overall(observationWeighted: truth.overall, cellAverage: truth.cellAverage)
        attGT = truth.groupTime.map { GroupTime(group: $0.cohort, time: $0.year, att: $0.att, n: $0.observations) }
        eventTime = truth.eventTimes.map { EventTime(eventTime: $0.eventTime, att: $0.att, n: $0.observations) }
        subgroups = truth.subgroups.map { Subgroup(by: $0.dimension, level: $0.level, att: $0.att, n: $0.observations) }
        indirect = truth.indirect.map {
            Indirect(mediator: $0.mediator, a: $0.a, b: $0.b, effect: $0.effect, proportionMediated: $0.proportion)
        }
        spillover = truth.spillover.map {
            Spillover(effect: $0.effect, n: $0.observations, exposedNeverTreatedUnits: $0.exposedNeverTreatedCities,
                      neverTreatedUnits: $0.neverTreatedCities, radiusKm: $0.radiusKm)
        }
        indexWeights = simulated.index.map { IndexWeights(names: simulated.indicatorNames, weights: $0.weights) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(seed, forKey: .seed)
        try container.encode(replication, forKey: .replication)
        try container.encode(scale, forKey: .scale)
        try container.encode(nUnits, forKey: .nUnits)
        try container.encode(nPeriods, forKey: .nPeriods)
        try container.encode(nProvinces, forKey: .nProvinces)
        try container.encode(treatedUnits, forKey: .treatedUnits)
        try container.encode(neverTreatedUnits, forKey: .neverTreatedUnits)
        try container.encode(treatedProvinces, forKey: .treatedProvinces)
        try container.encode(treatedObservations, forKey: .treatedObservations)
        try container.encode(cohorts, forKey: .cohorts)
        try container.encode(overall, forKey: .overall)
        try container.encode(attGT, forKey: .attGT)
        try container.encode(eventTime, forKey: .eventTime)
        try container.encode(subgroups, forKey: .subgroups)
        try container.encode(indirect, forKey: .indirect)
        try container.encode(spillover, forKey: .spillover)  // null without spillovers
        try container.encodeIfPresent(indexWeights, forKey: .indexWeights)
    }
}
