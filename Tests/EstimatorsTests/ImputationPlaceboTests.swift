import Foundation
import Testing
@testable import Estimators

/// The SA and BJS statistics in the placebo engine. Oracles: the observed value equals the
/// estimator's own term (same code path), each draw equals re-estimating on the permuted panel,
/// and draws are bit-identical for 1 and 2 threads (the engine's determinism contract).
@Suite("Robust estimators as placebo statistics")
struct ImputationPlaceboTests {
    static func panel() throws -> Panel {
        try Panel.load(csv: Fixtures.path("synthetic.csv"),
                       spec: PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort")))
    }

    @Test("BJS and SA statistics: observed value, determinism, p-values", arguments: ["bjs:att", "bjs:e+1", "sa:att", "sa:e+0"])
    func placebo(spec: String) throws {
        let panel = try Self.panel()
        let parts = spec.split(separator: ":").map(String.init)
        let statistic: any PlaceboStatistic = parts[0] == "bjs"
            ? ImputationPlaceboStatistic(cluster: "unit", term: parts[1])
            : SunAbrahamPlaceboStatistic(cluster: "unit", term: parts[1])
        let one = try PlaceboTest(permutations: 24, seed: 7, threads: 1).run(on: panel, statistic: statistic)
        let two = try PlaceboTest(permutations: 24, seed: 7, threads: 2).run(on: panel, statistic: statistic)
        #expect(one.estimates.map(\.bitPattern) == two.estimates.map(\.bitPattern))
        #expect(one.pValue == two.pValue && one.pValue > 0 && one.pValue <= 1)
        let direct: Estimate = parts[0] == "bjs"
            ? try ImputationEstimator(horizons: parts[1] == "att" ? .none : .list([1]), variance: .cluster("unit")).estimate(panel)
            : try SunAbraham(includeOverallATT: true, options: RegressionOptions(variance: .cluster("unit"))).estimate(panel)
        let index = try #require(direct.index(of: parts[1]))
        #expect(one.observed.estimate == direct.coefficients[index])
        #expect(one.observed.standardError == direct.standardError(index))
        #expect(one.invalidDraws == 0)
    }

    @Test("unknown term is a clear error")
    func badTerm() throws {
        let panel = try Self.panel()
        #expect(throws: EstimationError.self) { try ImputationPlaceboStatistic(cluster: "unit", term: "e-2").value(on: panel) }
        #expect(throws: EstimationError.self) { try SunAbrahamPlaceboStatistic(cluster: "unit", term: "e+40").value(on: panel) }
    }
}
