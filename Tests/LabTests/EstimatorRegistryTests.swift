import Foundation
import Testing
import Estimators
@testable import Lab

/// The estimator registry, the inference vocabulary and typed method specs. Oracles: the
/// documented spelling tables (round trips), the estimators called directly (identical code path,
/// identical numbers) and the key paths of the spec grammar.
@Suite("estimator registry, InferenceSpec and MethodSpec")
struct EstimatorRegistryTests {
    @Test("ids are unique and every entry's declared choices are checked")
    func entries() throws {
        let ids = EstimatorRegistry.entries.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("did2s"))
        var settings = EstimatorSettings(variance: .iid)
        settings.control = .notyet
        #expect(throws: InvalidParameter.self) { try EstimatorRegistry.standard.check(settings) }
        #expect(throws: InvalidParameter.self) { try EstimatorRegistry.require("rings-2s").check(EstimatorSettings(variance: .iid), inference: .iid) }
        #expect(throws: InvalidParameter.self) { try EstimatorRegistry.require("nope") }
        settings = EstimatorSettings(variance: .iid)
        settings.leads = 0
        let error = try #require(throws: InvalidParameter.self) { try EstimatorRegistry.require("event").check(settings) }
        #expect(error.parameter == .leads && !error.description.contains("--"))
    }

    @Test("InferenceSpec: every spelling reads back; bad ones name the inference")
    func inferenceSpellings() throws {
        for spelling in ["iid", "hetero", "cr1", "cr1:province", "cr2", "cr2:province", "cr3:city", "wcb", "wcb:province", "wcu-webb:province",
                         "wcb-mammen:city", "placebo", "placebo:province", "placebo-t:province"] {
            #expect(try InferenceSpec(parsing: spelling).spelling == spelling)
        }
        #expect(try InferenceSpec(parsing: "cr1").label(unit: "city") == "cr1:city")
        #expect(try InferenceSpec(parsing: "placebo-t").label(unit: "city") == "placebo-t:units")
        for bad in ["cr4", "iid:city", "wcb-gauss", "cr1:", "placebo-z"] {
            let error = try #require(throws: InvalidParameter.self) { try InferenceSpec(parsing: bad) }
            #expect(error.parameter == .inference)
        }
    }

    @Test("a new estimator is one entry: did2s in a spec, by EstimatorMethod, equals the estimator itself")
    func did2sThroughTheRegistry() throws {
        let spec = try ExperimentSpec.parse("""
            experiment: t
            data: {scenario: paper}
            methods:
              - {estimator: did2s, inference: cr1, target: att}
              - {estimator: did2s, term: "e+0", inference: "placebo", permutations: 9, target: "e+0"}
            """, source: "t.yaml")
        let evaluators = try spec.methods.map { try $0.evaluator(unitName: "countyreal") }
        #expect(evaluators.map(\.estimatorName) == ["did2s:treat", "did2s:e+0"])
        #expect(evaluators.map(\.inferenceName) == ["cr1:countyreal", "placebo:units"])
        let panel = try RobustMethodTests.panel()
        let data = ReplicationData(panel: panel, truth: ["att": 0])
        let viaRegistry = try evaluators[0].evaluate(data, streamKey: 1, alpha: 0.05)
        let direct = try GardnerTwoStage(variance: .cluster("countyreal")).estimate(panel)
        let index = try #require(direct.index(of: "treat"))
        #expect(viaRegistry.estimate == direct.coefficients[index] && viaRegistry.standardError == direct.standardError(index))
        #expect(try evaluators[1].evaluate(data, streamKey: 1, alpha: 0.05).pValue > 0)
    }

    @Test("method specs: errors name the key path")
    func keyPaths() throws {
        let cases: [(String, String)] = [
            ("{estimator: twfe, control: notyet, target: att}", "methods[1].control"),
            ("{estimator: twfe, colour: red, target: att}", "methods[1].colour"),
            ("{estimator: twfe, reps: many, target: att}", "methods[1].reps"),
            ("{estimator: sa, inference: \"wcb:province\", target: att}", "methods[1].inference"),
            ("{estimator: event, target: att}", "methods[1].term"),
            ("{estimator: bacon, inference: cr1, target: att}", "methods[1].inference"),
            ("{estimator: cs, inference: \"cr2\", target: att}", "methods[1].inference"),
            ("{estimator: did2s, leads: 0, target: att}", "methods[1].leads"),
            ("{estimator: twfe, anticipation: 1, target: att}", "methods[1].anticipation"),
            ("{estimator: cs, anticipation: -1, target: att}", "methods[1].anticipation"),
        ]
        for (method, path) in cases {
            let text = "experiment: t\ndata: {scenario: paper}\nmethods:\n  - {estimator: twfe, target: att}\n  - \(method)\n"
            let error = try #require(throws: RunError.self) { try ExperimentSpec.parse(text, source: "t.yaml") }
            #expect("\(error)".contains("t.yaml: field '\(path)'"), "\(method): \(error)")
        }
    }

    /// Oracle: the library call with the same options — a spec's `anticipation: 1` reaches the CS estimator.
    @Test("method specs: cs anticipation")
    func anticipation() throws {
        let text = "experiment: t\ndata: {scenario: paper}\nmethods:\n  - {estimator: cs, anticipation: 1, target: att}\n"
        let spec = try ExperimentSpec.parse(text, source: "t.yaml")
        #expect(spec.methods[0].settings.anticipation == 1)
    }
}
