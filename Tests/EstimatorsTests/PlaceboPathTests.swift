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
