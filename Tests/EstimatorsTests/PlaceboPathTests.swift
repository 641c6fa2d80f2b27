import Foundation
import Testing
@testable import Estimators

/// The fast balanced path and the general FWL path against the oracle: re-estimating the full
/// TWFE model (``TwoWayFixedEffects``, itself checked against pyfixest) on a panel carrying each
/// placebo assignment. Same seeds, so the same assignments.
/// Tolerance 1e-10 relative (floor 1e-12 on the coefficient scale): the paths are algebraically
/// identical and differ only in summation order; observed agreement is ~1e-13.
@Suite("placebo paths")
struct PlaceboPathTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let file: String, y: String, unit: String, time: String, cohort: String
        let covariates: [String], cluster: String?, strata: String?
        var testDescription: String { "\(file) x=\(covariates) cluster=\(cluster ?? unit) strata=\(strata ?? "-")" }
    }

    static let cases = [
        Case(file: "mpdta.csv", y: "lemp", unit: "countyreal", time: "year", cohort: "first.treat",
             covariates: [], cluster: nil, strata: nil),
        Case(file: "mpdta.csv", y: "lemp", unit: "countyreal", time: "year", cohort: "first.treat",
             covariates: ["lpop"], cluster: nil, strata: nil),
        Case(file: "synthetic.csv", y: "y", unit: "unit", time: "year", cohort: "cohort",
             covariates: ["x1", "x2"], cluster: nil, strata: nil),
        Case(file: "synthetic.csv", y: "y", unit: "unit", time: "year", cohort: "cohort",
             covariates: ["x1", "x2"], cluster: "province", strata: "province"),
    ]

    static func load(_ c: Case) throws -> Panel {
        try Panel.load(csv: Fixtures.path(c.file), spec: PanelSpec(
            outcome: c.y, unit: c.unit, time: c.time, treatment: .cohort(c.cohort), covariates: c.covariates,
            clusterColumns: [c.cluster, c.strata].compactMap { $0 }))
    }

    static func maxRelative(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? 0
    }

    @Test("fast and general paths equal full re-estimation", arguments: cases)
    func pathsAgree(_ c: Case) throws {
        let panel = try Self.load(c)
        let statistic = TWFEPlaceboStatistic(cluster: c.cluster ?? c.unit)
        let design = PlaceboDesign(scheme: .cohorts, strata: c.strata)
        var test = PlaceboTest(design: design, permutations: 12, seed: 7, threads: 2)
        let fast = try test.run(on: panel, statistic: statistic)
        #expect(fast.path.hasPrefix("fast"), "balanced panel, sizes preserved: \(fast.path)")
        test.path = .general
        let general = try test.run(on: panel, statistic: statistic)
        test.path = .reestimate
        let slow = try test.run(on: panel, statistic: statistic)
        #expect(slow.path == "re-estimate")
        #expect(slow.invalidDraws == 0)
        let fastB = Self.maxRelative(fast.estimates, slow.estimates), fastT = Self.maxRelative(fast.statistics, slow.statistics)
        let generalB = Self.maxRelative(general.estimates, slow.estimates)
        let generalT = Self.maxRelative(general.statistics, slow.statistics)
        print("\(c.testDescription): fast β \(fastB) t \(fastT); general β \(generalB) t \(generalT)")
        #expect(fastB < 1e-10)
        #expect(fastT < 1e-10)
        #expect(generalB < 1e-10)
        #expect(generalT < 1e-10)
    }

    @Test("each path reproduces the observed estimate at the observed assignment", arguments: cases)
    func observedAssignment(_ c: Case) throws {
        let panel = try Self.load(c)
        let statistic = TWFEPlaceboStatistic(cluster: c.cluster ?? c.unit)
        let plan = try AssignmentPlan(panel: panel, design: PlaceboDesign(strata: c.strata))
        let observed = try statistic.value(on: panel)
        for path in [PlaceboPath.automatic, .general] {
            let evaluator = try #require(try statistic.specialisedEvaluator(panel: panel, plan: plan, path: path))
            var scratch = AssignmentScratch(for: plan)
            plan.observed(into: &scratch)
            let value = evaluator.makeWorker().evaluate(&scratch, plan: plan)
            #expect(abs(value.estimate - observed.estimate) <= 1e-10 * abs(observed.estimate), "\(path)")
            #expect(abs(value.standardError - observed.standardError) <= 1e-10 * observed.standardError, "\(path)")
        }
    }

    /// Designs whose cohort sizes change between draws on balanced panels without covariates:
    /// random timing on mpdta (units), and whole provinces swapping dates on a panel whose
    /// adoption is constant within provinces, CR1 by unit and by province. `pilot_provinces.csv`:
    /// `didlab simulate --seed 4` of a flat 60-city, 12-province scenario (2010–2019, no mediators
    /// or covariates, province share 0.2, staggered cohorts 2013 and 2016 of a quarter of the
    /// provinces each, assigned by province), with provinces S02 into S01 and S05 into S03 merged
    /// so that province sizes (5 or 10 cities) and so cohort sizes differ between draws.
    @Test("the cohort-sums path equals re-estimation when cohort sizes vary", arguments: [
        ("mpdta random", "countyreal"), ("pilot provinces", "city"), ("pilot provinces", "province"),
    ])
    func cohortSums(_ c: (String, String)) throws {
        let panel: Panel
        let design: PlaceboDesign
        if c.0 == "mpdta random" {
            panel = try Panel.load(csv: Fixtures.path("mpdta.csv"), spec: PanelSpec(
                outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first.treat")))
            design = PlaceboDesign(scheme: .randomTiming)
        } else {
            panel = try Panel.load(csv: Fixtures.path("pilot_provinces.csv"), spec: PanelSpec(
                outcome: "y", unit: "city", time: "year", treatment: .cohort("cohort"), clusterColumns: ["province"]))
            design = PlaceboDesign(scheme: .cohorts, level: "province")
        }
        let statistic = TWFEPlaceboStatistic(cluster: c.1)
        var test = PlaceboTest(design: design, permutations: 40, seed: 11, threads: 2)
        let sums = try test.run(on: panel, statistic: statistic)
        #expect(sums.path.hasPrefix("cohort sums"), "\(sums.path)")
        test.path = .reestimate
        let slow = try test.run(on: panel, statistic: statistic)
        #expect(slow.invalidDraws == sums.invalidDraws)
        let b = Self.maxRelative(sums.estimates, slow.estimates), t = Self.maxRelative(sums.statistics, slow.statistics)
        print("\(c): cohort sums β \(b) t \(t)")
        #expect(b < 1e-10)
        #expect(t < 1e-10)
    }

    @Test("unbalanced panels take the general exact path, equal to re-estimation")
    func unbalanced() throws {
        let panel = try Panel.load(csv: Fixtures.path("synthetic_unbalanced.csv"), spec: PanelSpec(
            outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"), covariates: ["x1", "x2"]))
        let statistic = TWFEPlaceboStatistic(cluster: "unit")
        var test = PlaceboTest(permutations: 8, seed: 3, threads: 2)
        let general = try test.run(on: panel, statistic: statistic)
        #expect(general.path.contains("unbalanced"))
        test.path = .reestimate
        let slow = try test.run(on: panel, statistic: statistic)
        #expect(Self.maxRelative(general.estimates, slow.estimates) < 1e-10)
        #expect(Self.maxRelative(general.statistics, slow.statistics) < 1e-10)
    }
}
