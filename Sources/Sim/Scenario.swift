import Foundation

/// A data-generating process for a synthetic city panel, readable from YAML (keys are the
/// property names below; a key the scenario does not know is an error naming it).
///
/// The latent outcome of city `i` in year `t` (an NQPF-like index, scale 0–1) is
/// ```
/// Y*_it = μ_i + trend·t + ω_t + Σ_k β_k X̃_kit + Σ_k γ_k (t − t̄) ξ_ki + Σ_k b_k M̃_kit + λ U_it
///        + (τ_it − Σ_k a_k b_k) D_it + S_it + s_i (ν_p(i)t + u_it)
/// ```
/// with `D_it = 1{t ≥ g_i}`, total effect `τ_it` (``EffectOptions``), spillover `S_it` on untreated
/// observations (``SpilloverOptions``), mediators `M` (``Mediator``), covariates `X` with unit
/// components `ξ` (``Covariate``), confounder `U` (``Confounder``), province-year shocks `ν` and
/// AR(1) errors `u` (``ErrorOptions``). The observed outcome is `Y*` itself or an entropy-weight
/// index built from indicators of `Y*` (``MeasurementOptions``). `X̃` and `M̃` are the covariates
/// and mediators less their `mean` fields, so the outcome keeps the index-like level of `μ_i`.
///
/// Every default reproduces the lab's "paper" design (DOMAIN.md, "Recommended default DGP"):
/// 282 cities, 2009–2022, the carbon-trading pilot calendar, ATT = 0.01, AR(1) ρ = 0.8, σ = 0.02.
public struct Scenario: Codable, Sendable, Equatable, DefaultedScenarioSection {
    /// Name shown in reports (default "custom").
    public var name: String = "custom"
    /// One line saying what the scenario is for (default empty).
    public var description: String = ""
    /// Cities, provinces, regions, labels and coordinates.
    public var geography = GeographyOptions()
    /// Years and the adoption schedule.
    public var calendar = CalendarOptions()
    /// The total treatment effect on treated observations.
    public var effects = EffectOptions()
    /// Effects on untreated cities near adopters (default: none).
    public var spillover = SpilloverOptions()
    /// Mediators through which part of the effect passes (default: none).
    public var mediators: [Mediator] = []
    /// An unobserved common cause of the mediators and the outcome (default: none).
    public var confounder = Confounder()
    /// Observed covariates (default: none).
    public var covariates: [Covariate] = []
    /// Covariates placed in the simulated ``Estimators/Panel`` as controls, by name
    /// (default nil: all covariates). Every covariate is still written to the CSV.
    public var controls: [String]?
    /// Unit effects, trend and the error process.
    public var errors = ErrorOptions()
    /// How the outcome is measured (default: the latent index itself).
    public var measurement = MeasurementOptions()

    /// The default scenario (the "paper" design without mediators or covariates).
    public init() {}

    /// Names of the covariates that go into the panel as controls.
    public var controlNames: [String] { controls ?? covariates.map(\.name) }
}

// MARK: - Geography

extension Scenario {
    /// The kind of synthetic geography.
    public enum GeographyKind: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// China-like: four one-city municipalities, the pilot provinces (a 21-city "Guangdong",
        /// a 12-city "Hubei", a 9-city "Fujian") and other provinces of `minProvinceSize…maxProvinceSize`
        /// cities, placed west → east on a plane by region.
        case china
        /// Equal-sized groups ("states") with uniform coordinates, for BDM / BLW-style designs.
        case flat
    }

    /// Cities on a plane. The geography is a *design*: drawn once per scenario from `layoutSeed`
    /// (purpose `geography`), never from the replication seed, so every replication sees the same
    /// cities, as every study of the 282 real cities does.
    public struct GeographyOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// `china` (default) or `flat`. Only `china` supports the `pilot` calendar.
        public var kind: GeographyKind = .china
        /// Number of cities N (default 282, the paper's sample).
        public var cityCount: Int = 282
        /// Number of provinces P including municipalities (default 31). Fewer provinces means fewer
        /// clusters: province-clustered and wild-bootstrap inference degrade (MacKinnon–Webb).
        public var provinceCount: Int = 31
        /// One-city municipalities (default 4: Beijing, Tianjin, Shanghai, Chongqing; `china` only).
        public var municipalityCount: Int = 4
        /// Smallest ordinary province (default 5 cities; `china` only).
        public var minProvinceSize: Int = 5
        /// Largest ordinary province (default 21 cities; `china` only).
        public var maxProvinceSize: Int = 21
        /// Share of provinces in the east, central and west regions (default 0.35, 0.26, 0.39,
        /// as China's 11/8/12 of 31). East is the "developed region" of the effect multipliers.
        public var regionShares: [Double] = [0.35, 0.26, 0.39]
        /// Probability that a city is resource-based, by region east/central/west
        /// (default 0.2, 0.45, 0.55: ~40% overall, concentrated in the centre and west, as the
        /// State Council's 2013 list).
        public var resourceShares: [Double] = [0.20, 0.45, 0.55]
        /// Probability that a city is an old industrial base, by region east/central/west
        /// (default 0.30, 0.45, 0.30: ~34% overall, as the 2013 national plan's 95 prefecture cities).
        public var oldIndustrialShares: [Double] = [0.30, 0.45, 0.30]
        /// Standard deviation (km) of a 10-city province's cities around its centre; scales with
        /// √(size/10) (default 120 km). Larger values mean more cross-province neighbours.
        public var scatterKm: Double = 120
        /// `flat`: inequality of the group sizes γ (default 0: equal). Group g = 1…P gets
        /// `⌊N·exp(γg/P) / Σ_j exp(γj/P)⌋` cities (the remainder to the last), MacKinnon & Webb's
        /// (2017) design; γ = 2 makes the largest group about 6 times the smallest (e^1.8 for P = 10). Unequal clusters
        /// worsen the over-rejection of cluster-robust tests with few clusters.
        public var clusterSizeSkew: Double = 0
        /// Seed of the geography (and of a fixed random calendar) — part of the design, not of the
        /// replication (default 20130618, Shenzhen's launch day).
        public var layoutSeed: UInt64 = 20_130_618

        public init() {}
    }
}

// MARK: - Calendar

extension Scenario {
    /// How adoption years are assigned.
    public enum CalendarKind: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// The carbon-trading pilots: 2013 = three municipalities + the 21-city province,
        /// 2014 = one municipality + the 12-city province (37 cities, 6 provinces), with switches.
        case pilot
        /// Cohorts with given years and shares of units (or provinces); the rest never treated.
        case staggered
        /// One adoption year for a share of units (classic 2×2-style DiD).
        case singleDate = "single-date"
        /// A share of units adopt in a year drawn uniformly from `adoptionYearRange`
        /// (Bertrand–Duflo–Mullainathan's placebo laws).
        case randomDates = "random-dates"
        /// Baker–Larcker–Wang (2022): three equal cohorts (default 1989, 1998, 2007), no never-treated units.
        case blw
    }

    /// The level at which a random calendar assigns adoption.
    public enum AssignmentLevel: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// Each city independently.
        case city
        /// Whole provinces (states): all cities of a province share the adoption year.
        case province
    }

    /// One cohort of a `staggered` or `blw` calendar.
    public struct Cohort: Codable, Sendable, Equatable {
        /// Adoption year.
        public var year: Int
        /// Share of assignment units (cities or provinces) in this cohort.
        public var share: Double
        public init(year: Int, share: Double) { self.year = year; self.share = share }
    }

    /// Years and adoption schedule. Treatment is absorbing: `D_it = 1{t ≥ g_i}`.
    public struct CalendarOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Schedule kind (default `pilot`).
        public var kind: CalendarKind = .pilot
        /// First sample year (default 2009).
        public var firstYear: Int = 2009
        /// Last sample year (default 2022; T = 14).
        public var lastYear: Int = 2022
        /// `pilot`: adds the 9-city "Fujian" province as a cohort in this year (default nil: not treated).
        public var fujianYear: Int?
        /// `pilot`: codes every pilot city as adopting in this single year (default nil: 2013/2014).
        /// A single cohort removes the staggered-timing problems of TWFE.
        public var singleCohortYear: Int?
        /// `pilot`: the national ETS — every city not yet treated adopts in this year (default nil;
        /// 2021 in `paper-national-ets`). Leaves no never-treated units after that year, so late
        /// comparisons use already-treated units: the switch that creates negative TWFE weights.
        public var nationalSchemeYear: Int?
        /// `staggered` / `blw`: the cohorts (default empty; `blw` then uses 1989, 1998, 2007 in thirds).
        public var cohorts: [Cohort] = []
        /// `single-date` / `random-dates`: share of assignment units treated (default 0.5).
        public var treatedShare: Double = 0.5
        /// `single-date`: adoption year (default nil: the middle sample year).
        public var adoptionYear: Int?
        /// `random-dates`: first and last possible adoption year (default nil: the middle half of the sample).
        public var adoptionYearRange: [Int]?
        /// Random calendars: assign cities or whole provinces (default `city`). Province-level
        /// assignment gives few treated clusters.
        public var level: AssignmentLevel = .city
        /// Random calendars: redraw the assignment in every replication from the data stream
        /// (default false: drawn once with the geography, a fixed design as in the paper).
        /// BDM's placebo laws redraw it.
        public var redrawEachReplication: Bool = false

        public init() {}

        /// Number of sample years T.
        public var periodCount: Int { lastYear - firstYear + 1 }
    }
}
