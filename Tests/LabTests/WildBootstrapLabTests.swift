import Foundation
import Testing
import Estimators
import Sim
@testable import Lab

/// The bootstrap's report (JSON contract) and its Monte Carlo method.
@Suite("wild bootstrap: report and runner method")
struct WildBootstrapLabTests {
    static func simulated(_ preset: String, replication: Int = 0) throws -> ReplicationData {
        let simulated = try Simulator(preset: preset).simulate(replication: replication, seed: 2025)
        return ReplicationData(panel: simulated.panel, truth: ScenarioSource.estimands(simulated.truth))
    }

    /// Oracle: the DESIGN.md contract — the bootstrapped coefficient's `p_value`, `conf_low` and
    /// `conf_high` are the bootstrap's, with `"inference": "wcb"`, `"reps"`, `"weights"`; the CR1
    /// numbers of ``EstimateReport`` are kept beside them; the JSON parses.
    @Test("JSON carries the bootstrap's p-value and interval")
    func json() throws {
        let panel = try Self.simulated("paper-few-clusters").panel
        let run = try WildClusterBootstrap(cluster: "province", replications: 399, weights: .webb, seed: 3, threads: 2)
            .run(on: panel)
        let text = BootstrapReport(run).render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["inference"] as? String == "wcb")
        #expect(object["reps"] as? Int == 399)
        #expect(object["weights"] as? String == "webb")
        #expect(object["vcov"] as? String == "CR1" && object["cluster"] as? String == "province")
        let coefficient = try #require((object["coefficients"] as? [[String: Any]])?.first { $0["term"] as? String == "treat" })
        let result = try #require(run.results.first)
        // Foundation's JSON parser on Linux may be 1 ulp off the shortest round-trip text.
        func close(_ value: Any?, _ expected: Double) -> Bool {
            guard let value = value as? Double else { return false }
            return abs(value - expected) <= 1e-15 * max(abs(expected), 1e-300)
        }
        #expect(close(coefficient["p_value"], result.pValue))
        #expect(close(coefficient["conf_low"], result.confLow))
        #expect(close(coefficient["conf_high"], result.confHigh))
        #expect(coefficient["inference"] as? String == "wcb")
        let cr1 = try #require(EstimateReport(run.estimate).rows.first { $0.term == "treat" })
        #expect(close(coefficient["p_value_cr1"], cr1.pValue))
        let covariate = try #require((object["coefficients"] as? [[String: Any]])?.first { $0["term"] as? String == "ln_gdp_pc" })
        #expect(covariate["inference"] as? String == "cr1")
        let bootstrap = try #require(object["bootstrap"] as? [String: Any])
        #expect(bootstrap["type"] as? String == "WCR" && bootstrap["treated_clusters"] as? Int == 6)
        let table = BootstrapReport(run).render(.table)
        #expect(table.contains("Wild cluster bootstrap: WCR, webb weights, 399 draws"))
        #expect(BootstrapReport(run).render(.csv).contains(",wcb,399,webb"))
    }

    /// Settings of the bootstrapped regression: CR1 by province (the bootstrap cluster).
    static let settings = EstimatorSettings(variance: .cluster("province"))

    /// Oracle: the spelling table of the spec syntax, and determinism from the stream key.
    @Test("method spellings, names and replay")
    func method() throws {
        let cases: [(String, String, BootstrapWeights, Bool)] = [
            ("wcb:province", "wcb:province", .rademacher, true), ("wcb-webb:province", "wcb-webb:province", .webb, true),
            ("wcu:province", "wcu:province", .rademacher, false), ("wcb", "wcb:city", .rademacher, true),
        ]
        for (spelling, name, weights, restricted) in cases {
            guard case .wildBootstrap(let choice) = try InferenceSpec(parsing: spelling) else {
                Issue.record("\(spelling) is not a wild bootstrap")
                continue
            }
            let method = WildBootstrapMethod(entry: EstimatorRegistry.standard, settings: Self.settings, choice: choice,
                                             replications: 199, unitName: "city", target: "att")
            #expect(method.inferenceName == name && method.weights == weights && method.imposeNull == restricted)
        }
        #expect(try InferenceSpec(parsing: "cr1:province").family == .cr1)
        #expect(throws: InvalidParameter.self) { try InferenceSpec(parsing: "wcb-gauss:province") }
        let data = try Self.simulated("paper-few-clusters")
        let method = WildBootstrapMethod(entry: EstimatorRegistry.standard, settings: Self.settings,
                                         choice: .init(cluster: "province"), replications: 199, unitName: "city",
                                         target: "att")
        let a = try method.evaluate(data, streamKey: 42, alpha: 0.05)
        let b = try method.evaluate(data, streamKey: 42, alpha: 0.05)
        #expect(a.pValue == b.pValue && a.confLow == b.confLow && a.confHigh == b.confHigh)
        #expect(a.confLow < a.estimate && a.estimate < a.confHigh)
        #expect(a.pValue > 0 && a.pValue <= 1)
        var window = Self.settings
        window.leads = 3
        window.lags = 3
        let event = WildBootstrapMethod(entry: try EstimatorRegistry.require("event"), settings: window, effect: "e+0",
                                        choice: .init(cluster: "province"), replications: 99, unitName: "city",
                                        target: "e+0")
        #expect(try event.evaluate(data, streamKey: 1, alpha: 0.05).pValue.isFinite)
    }

    /// Oracle: the runner's own contract (records for every replication and method, bit-identical
    /// for 1 and 2 threads) with the bootstrap method among regression methods.
    @Test("runs inside the Monte Carlo runner, identically for any thread count")
    func runner() throws {
        let spec = try ExperimentSpec.parse("""
            experiment: wcb-smoke
            data: {scenario: paper-few-clusters}
            methods:
              - {name: CR1 province, estimator: twfe, inference: "cr1:province", target: att}
            replications: 4
            seed: 9
            """, source: "smoke.yaml")
        let source = try ScenarioSource(conditions: spec.conditions, seed: spec.seed)
        let methods: [any MethodEvaluator] = [
            EstimatorMethod(entry: EstimatorRegistry.standard, settings: EstimatorSettings(variance: .cluster("province")),
                            target: "att"),
            WildBootstrapMethod(entry: EstimatorRegistry.standard, settings: Self.settings, choice: .init(cluster: "province"),
                                replications: 199, unitName: "city", target: "att"),
        ]
        var outputs: [[ReplicationRecord]] = []
        for threads in [1, 2] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("wcb-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (file, existing) = try RecordFile.open(path: path, resume: false, methodsPerTask: 2)
            let records = try MonteCarloRunner(source: source, methods: methods, replications: 4, alpha: 0.05)
                .run(file: file, existing: existing, threads: threads, blockSize: 2)
            outputs.append(records.sorted { ($0.replication, $0.method) < ($1.replication, $1.method) })
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].count == 8 && outputs[0].allSatisfy { $0.failure.isEmpty })
    }
}
