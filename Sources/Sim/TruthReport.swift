import Estimators

/// The true effects of one simulated replication as an output document: what
/// `didlab simulate --truth FILE` writes (snake_case keys, in this order).
///
/// Encodes every field; a missing spillover and a ring radius that is not given are written as
/// `null` (Lab's `JSONOutput` writes nil optionals as null), `index_weights` only under entropy measurement. Non-finite numbers are left to the
/// encoder (DiDLab's JSON writes them as `null`).
public struct TruthReport: Encodable, Sendable, Equatable {
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
    public let cohorts: [Truth.CohortSize]
    /// Overall averages.
    public let overall: Overall
    /// ATT(g, t) by cohort then year.
    public let attGT: [Truth.GroupTime]
    /// By event time.
    public let eventTime: [Truth.EventTime]
    /// By subgroup.
    public let subgroups: [Truth.Subgroup]
    /// Through each mediator.
    public let indirect: [Truth.Indirect]
    /// On exposed controls (null without spillovers).
    public let spillover: Truth.Spillover?
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
        seed = Seed(simulated.seed)
        replication = simulated.replication
        scale = truth.scale
        nUnits = simulated.panel.unitCount
        nPeriods = simulated.panel.periodCount
        nProvinces = simulated.geography.provinceCount
        treatedUnits = truth.treatedCities
        neverTreatedUnits = truth.neverTreatedCities
        treatedProvinces = truth.treatedProvinces
        treatedObservations = truth.treatedObservations
        cohorts = truth.cohorts
        overall = Overall(observationWeighted: truth.overall, cellAverage: truth.cellAverage)
        attGT = truth.groupTime
        eventTime = truth.eventTimes
        subgroups = truth.subgroups
        indirect = truth.indirect
        spillover = truth.spillover
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
        if let indexWeights { try container.encode(indexWeights, forKey: .indexWeights) }  // absent, not null
    }
}
