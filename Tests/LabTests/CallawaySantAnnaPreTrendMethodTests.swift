import Foundation
import Testing
import Estimators
@testable import Lab

/// Callaway & Sant'Anna's pre-test as a Monte Carlo method (`estimator: pretrend, source: cs`).
/// Oracle: the library called directly on the same panel (``CallawaySantAnnaResult/preTest``, whose
/// parity with moderndid 0.4.1 / csdid 0.4.3 is tested in EstimatorsTests), so the numbers must be
/// identical; the runner's gate by ``MethodEvaluator/isPreTrendTest``; and the spec's key-path errors.
@Suite("CS pre-trend method")
struct CallawaySantAnnaPreTrendMethodTests {
    static func spec(_ method: String) throws -> MethodSpec {
        try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [\(method)]\n", source: "x.yaml").methods[0]
    }

    @Test(arguments: [("never", 0), ("notyet", 0), ("notyet", 1)])
    func evaluatesAsTheLibrary(control: String, anticipation: Int) throws {
        let spec = try Self.spec("{estimator: pretrend, source: cs, control: \(control), anticipation: \(anticipation)}")
        #expect(spec.target == "zero")
        let method = try spec.evaluator(unitName: "countyreal")
        #expect(method.estimatorName == "cs:\(control):pretrend")
        #expect(method.inferenceName == "if:unit")
        #expect(method.isPreTrendTest && method.reportsTestOnly)
        let panel = try LabFixtures.mpdta()
        let result = try method.evaluate(ReplicationData(panel: panel, truth: ["zero": 0]), streamKey: 1, alpha: 0.05)
        let options = CallawaySantAnnaOptions(controlGroup: control == "never" ? .neverTreated : .notYetTreated,
                                              anticipation: anticipation)
        let direct = try CallawaySantAnna(options: options).estimate(panel)
        let test = try #require(direct.preTest)
        #expect(result.pValue == test.pValue)
        let cells = test.cells.map { direct.groupTime[$0].estimate }
        #expect(abs(result.estimate - cells.reduce(0, +) / Double(cells.count)) < 1e-15)
        #expect(result.standardError > 0 && result.confLow.isNaN)
        print("CS pre-trend method (\(control), anticipation \(anticipation)) on mpdta: p \(result.pValue), "
              + "library \(test.pValue), W \(test.statistic), df \(test.degreesOfFreedom)")
    }

    /// With a clustering column, the method clusters as the CS standard errors (`cluster`).
    @Test func clustersByTheInferenceColumn() throws {
        let spec = try Self.spec("{estimator: pretrend, source: cs, inference: \"cr1:region\"}")
        #expect(spec.clusterColumns.map(\.column) == ["region"])
        let method = try #require(try spec.evaluator(unitName: "city") as? CallawaySantAnnaPreTrendMethod)
        #expect(method.settings.cluster == "region" && method.inferenceName == "if:region")
    }

    /// The runner gates the conditional measures on the first method whose evaluator is a pre-trend test.
    @Test func gatesTheConditionalMeasures() throws {
        let methods = try ["{estimator: twfe}", "{estimator: pretrend, source: cs}", "{estimator: pretrend}"]
            .map { try Self.spec($0).evaluator(unitName: "city") }
        #expect(methods.map(\.isPreTrendTest) == [false, true, true])
        var records: [ReplicationRecord] = []
        for r in 0..<4 {
            for m in 0..<3 {
                records.append(ReplicationRecord(condition: 0, replication: r, method: m, estimate: m == 0 ? Double(r) : 0,
                                                 standardError: 1, confLow: -9, confHigh: 9,
                                                 pValue: m == 1 && r >= 2 ? 0.01 : 0.5, truth: 0, streamKey: 0, failure: ""))
            }
        }
        let summary = RunSummary(experiment: "x", replications: 4, seed: 1, alpha: 0.05, conditionNames: ["c"],
                                 conditionParameters: [[]],
                                 methods: methods.map { ($0.estimatorName, $0.estimatorName, $0.inferenceName, $0.target) },
                                 records: records, preTrendMethods: Set(methods.indices.filter { methods[$0].isPreTrendTest }))
        // The CS test (method 1) rejects in replications 2 and 3: TWFE's conditional bias is mean(0, 1).
        #expect(summary.conditions[0].results[0].pretestPassed?.replications == 2)
        #expect(summary.conditions[0].results[0].pretestPassed?.bias == 0.5)
        #expect(summary.conditions[0].results[1].pretestPassed == nil)
    }

    @Test func badSpecsNameTheKey() {
        let cases = [("{estimator: pretrend, source: did}", "methods[0].source"),
                     ("{estimator: twfe, source: cs}", "methods[0].source"),
                     ("{estimator: pretrend, source: cs, inference: hetero}", "methods[0].inference"),
                     ("{estimator: pretrend, source: cs, inference: placebo}", "methods[0].inference"),
                     ("{estimator: pretrend, source: cs, control: last}", "methods[0].control"),
                     ("{estimator: pretrend, source: cs, leads: 3}", "methods[0].leads"),
                     ("{estimator: pretrend, source: cs, lags: 3}", "methods[0].lags"),
                     ("{estimator: pretrend, source: cs, term: e-2}", "methods[0].term"),
                     ("{estimator: pretrend, source: cs, anticipation: -1}", "methods[0].anticipation"),
                     ("{estimator: pretrend, anticipation: 1}", "methods[0].anticipation"),
                     ("{estimator: pretrend, source: event, control: notyet}", "methods[0].control")]
        for (method, path) in cases {
            do {
                _ = try Self.spec(method)
                Issue.record("expected an error for \(method)")
            } catch {
                #expect("\(error)".contains(path), "\(method): \(error)")
            }
        }
    }
}
