import Foundation

extension Scenario {
    /// A named built-in scenario with a one-line description (listed by `didlab simulate --list`).
    public struct Preset: Sendable {
        /// Name used with `--scenario`.
        public let name: String
        /// One line.
        public let summary: String
        /// The scenario.
        public let scenario: Scenario
    }

    /// The built-in scenarios, in listing order. `paper` is the default.
    public static let presets: [Preset] = {
        var list: [Preset] = []
        func add(_ name: String, _ summary: String, _ edit: (inout Scenario) -> Void, base: Scenario = paperBase) {
            var scenario = base
            scenario.name = name
            scenario.description = summary
            edit(&scenario)
            list.append(Preset(name: name, summary: summary, scenario: scenario))
        }
        add("paper", "282 cities 2009-2022, pilot calendar (37 cities, 6 provinces), ATT 0.01, AR(1) rho 0.8, "
            + "province shocks 10% of the error variance, two mediators") { _ in }
        add("paper-dynamic", "paper with effects growing 0.002 per year of exposure (cell average ~0.0107)") {
            $0.effects.att = 0
            $0.effects.dynamicSlope = 0.002
        }
        add("paper-heterogeneous", "paper with effect x1.5 in the east, x0.5 in resource cities, 0 in old industrial bases") {
            $0.effects.developedMultiplier = 1.5
            $0.effects.resourceMultiplier = 0.5
            $0.effects.oldIndustrialMultiplier = 0
        }
        add("paper-spillover", "paper with a +0.3 ATT spillover on cities within a ring holding 20% of never-treated cities") {
            $0.spillover.kind = .ring
            $0.spillover.share = 0.3
            $0.spillover.exposedShare = 0.2
        }
        add("paper-national-ets", "paper plus the 2021 national ETS treating every remaining city (no clean late controls)") {
            $0.calendar.nationalSchemeYear = 2021
        }
        add("paper-few-clusters", "paper with province-year shocks holding 25% of the error variance (6 treated provinces)") {
            $0.errors.provinceShare = 0.25
        }
        add("paper-fujian", "paper plus a 9-city Fujian-like cohort adopting in 2017 (46 treated cities, 7 provinces)") {
            $0.calendar.fujianYear = 2017
        }
        add("paper-selection", "paper with richer pilot cities whose GDP-linked trend breaks unconditional parallel trends") {
            $0.covariates[0].treatedShift = 1
            $0.covariates[0].trendInteraction = 0.001
        }
        add("paper-anticipation", "paper with half the effect one year before adoption (pilots announced Oct 2011, trading 2013-14)") {
            $0.effects.anticipationYears = 1
            $0.effects.anticipationShare = 0.5
        }
        add("paper-contaminated-controls", "paper with never-treated cities receiving 30% of the ATT from 2021 (national ETS) yet coded untreated") {
            $0.effects.contaminationYear = 2021
            $0.effects.contaminationShare = 0.3
        }
        add("paper-heteroskedastic", "paper with municipalities' errors 3x as volatile as other cities' (breaks exchangeability for city RI)") {
            $0.errors.municipalityScale = 3
        }
        add("paper-spatial", "paper with a distance-decaying (150 km) spatial error field holding 25% of the error variance") {
            $0.errors.spatialShare = 0.25
            $0.errors.spatialRangeKm = 150
        }
        add("paper-confounded-mediator", "paper with an unobserved confounder of the mediators and the outcome (r = 0.3)") {
            $0.confounder.correlation = 0.3
            $0.confounder.outcomeSD = 0.01
        }
        add("paper-index", "paper measured by a six-indicator entropy-weight NQPF index (truth on the index scale)") {
            $0.measurement.kind = .entropy
            $0.measurement.indicators = paperIndicators
        }
        add("cameron-miller", "Cameron-Miller few clusters: 600 units in 10 groups of unequal size (skew 2), half the groups "
            + "treated in 2006 (redrawn), group-year shocks half the variance, no effect", { _ in }, base: cameronMillerBase)
        add("bdm", "Bertrand-Duflo-Mullainathan: 50 states x 21 years, AR(1) 0.8, half get a placebo law in 1985-1995, no effect",
            { _ in }, base: bdmBase)
        let blw: [(String, (inout Scenario) -> Void)] = [
            ("single date (1998, half the states), constant effect", { $0.calendar.kind = .singleDate }),
            ("single date (1998, half the states), effect growing 0.05 a year", {
                $0.calendar.kind = .singleDate; $0.effects.att = 0; $0.effects.dynamicSlope = 0.05 }),
            ("three cohorts (1989/1998/2007), no never-treated, constant homogeneous effect", { _ in }),
            ("three cohorts, constant effects differing by cohort (0.8/0.5/0.2)", {
                $0.effects.cohortEffects = [CohortEffect(year: 1989, att: 0.8), CohortEffect(year: 1998, att: 0.5),
                                            CohortEffect(year: 2007, att: 0.2)] }),
            ("three cohorts, effect growing 0.05 a year, equal across cohorts", {
                $0.effects.att = 0; $0.effects.dynamicSlope = 0.05 }),
            ("three cohorts, growth 0.08/0.05/0.02 a year by cohort", {
                $0.effects.cohortEffects = [CohortEffect(year: 1989, att: 0, dynamicSlope: 0.08),
                                            CohortEffect(year: 1998, att: 0, dynamicSlope: 0.05),
                                            CohortEffect(year: 2007, att: 0, dynamicSlope: 0.02)] }),
        ]
        for (k, (summary, edit)) in blw.enumerated() {
            add("blw-\(k + 1)", "Baker-Larcker-Wang sim \(k + 1): 1000 firms, 50 states, 1980-2015; " + summary, edit, base: blwBase)
        }
        return list
    }()

    /// Names of the built-in scenarios.
    public static var presetNames: [String] { presets.map(\.name) }

    /// The built-in scenario called `name`.
    /// - Throws: ``ScenarioError/unknownScenario(name:available:)``.
    public static func preset(named name: String) throws -> Scenario {
        guard let preset = presets.first(where: { $0.name == name }) else {
            throw ScenarioError.unknownScenario(name: name, available: presetNames)
        }
        return preset.scenario
    }

    /// The `paper` design: defaults plus the paper's two mechanisms and two controls (DOMAIN.md).
    /// Mediators: `a` = half the mediator's noise SD; each carries 15% of the ATT (`ab = 0.0015`).
    /// Province-year shocks hold the default π = 0.1 of the error variance (an assumption:
    /// see ``ErrorOptions/provinceShare``).
    static var paperBase: Scenario {
        var scenario = Scenario()
        scenario.mediators = [
            Mediator(name: "green_innovation", mean: 3.0, unitLoading: 5, unitSD: 1.0, trend: 0.08, noiseSD: 0.2,
                     effect: 0.1, outcomeLoading: 0.015),
            Mediator(name: "industry_structure", mean: 1.0, unitLoading: 1, unitSD: 0.3, trend: 0.03, noiseSD: 0.1,
                     effect: 0.05, outcomeLoading: 0.03),
        ]
        scenario.covariates = [
            Covariate(name: "ln_gdp_pc", mean: 10.8, unitSD: 0.5, trend: 0.06, noiseSD: 0.03, outcomeLoading: 0.02,
                      treatedShift: 0.5),
            Covariate(name: "industry_share", mean: 0.45, unitSD: 0.08, trend: -0.005, noiseSD: 0.01, outcomeLoading: -0.02),
        ]
        return scenario
    }

    /// Six indicators in Han, Zhang & Zhao's (2024) physical + permeable framework; energy
    /// intensity enters negatively, patents and broadband exponentially (counts).
    static let paperIndicators: [Indicator] = [
        Indicator(name: "rd_employment", mean: 0.02, loading: 0.1, noiseSD: 0.004),
        Indicator(name: "broadband", mean: 2.0, loading: 4.0, noiseSD: 0.15, transform: .exponential),
        Indicator(name: "energy_intensity", mean: 0.8, loading: -2.0, noiseSD: 0.08),
        Indicator(name: "invention_patents", mean: 1.0, loading: 8.0, noiseSD: 0.3, transform: .exponential),
        Indicator(name: "digital_finance", mean: 200, loading: 300, noiseSD: 10),
        Indicator(name: "software_revenue", mean: 0.05, loading: 0.5, noiseSD: 0.02),
    ]

    /// BDM (2004): state-year panel, standardised AR(1) errors, placebo laws redrawn every replication.
    static var bdmBase: Scenario {
        var scenario = flatBase(cityCount: 50, provinceCount: 50, years: 1979...1999, calendar: .randomDates)
        scenario.calendar.treatedShare = 0.5
        scenario.calendar.adoptionYearRange = [1985, 1995]
        scenario.calendar.redrawEachReplication = true
        scenario.effects.att = 0
        scenario.errors.unitEffectSD = 1
        scenario.errors.sd = 1
        scenario.errors.rho = 0.8
        return scenario
    }

    /// Cameron & Miller (2015, §VI) after MacKinnon & Webb (2017): G = 10 groups of unequal size
    /// (skew γ = 2: the largest about 6 times the smallest), group-level assignment of half the
    /// groups redrawn each replication, group-year shocks holding half of a unit error variance,
    /// iid over years, and no effect. Experiments vary G through `geography.provinceCount`.
    static var cameronMillerBase: Scenario {
        var scenario = flatBase(cityCount: 600, provinceCount: 10, years: 2001...2010, calendar: .singleDate)
        scenario.geography.clusterSizeSkew = 2
        scenario.calendar.adoptionYear = 2006
        scenario.calendar.treatedShare = 0.5
        scenario.calendar.level = .province
        scenario.calendar.redrawEachReplication = true
        scenario.effects.att = 0
        scenario.errors.unitEffectSD = 1
        scenario.errors.sd = 1
        scenario.errors.rho = 0
        scenario.errors.provinceShare = 0.5
        return scenario
    }

    /// BLW (2022, §4): 1000 firms in 50 states, 1980–2015, state-level assignment, iid errors.
    /// Effect sizes are in error SDs — a calibration after their design, not their exact parameters.
    static var blwBase: Scenario {
        var scenario = flatBase(cityCount: 1000, provinceCount: 50, years: 1980...2015, calendar: .blw)
        scenario.calendar.adoptionYear = 1998
        scenario.calendar.treatedShare = 0.5
        scenario.calendar.level = .province
        scenario.effects.att = 0.5
        scenario.errors.unitEffectSD = 0.5
        scenario.errors.yearShockSD = 0.5
        scenario.errors.sd = 0.5
        scenario.errors.rho = 0
        return scenario
    }

    /// The base of the textbook designs: a flat geography of equal groups ("states"), a random
    /// calendar, normal unit effects with mean 0 and no trend; every other field the default.
    static func flatBase(cityCount: Int, provinceCount: Int, years: ClosedRange<Int>, calendar: CalendarKind) -> Scenario {
        var scenario = Scenario()
        scenario.geography.kind = .flat
        scenario.geography.cityCount = cityCount
        scenario.geography.provinceCount = provinceCount
        scenario.calendar.kind = calendar
        scenario.calendar.firstYear = years.lowerBound
        scenario.calendar.lastYear = years.upperBound
        scenario.errors.unitEffectDistribution = .normal
        scenario.errors.unitEffectMean = 0
        scenario.errors.trend = 0
        scenario.errors.provinceShare = 0
        return scenario
    }
}
