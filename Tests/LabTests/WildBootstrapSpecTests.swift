import Foundation
import Testing
import Estimators
@testable import Lab

/// The spec syntax of the bootstrap and subgroup methods: each spelling maps to the documented
/// evaluator, and bad values name the field.
@Suite("experiment spec: wild bootstrap and subgroup methods")
struct WildBootstrapSpecTests {
    @Test func committedSpecsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("experiments")
        for name in ["few-treated-clusters", "heterogeneity"] {
            let spec = try ExperimentSpec.load(path: root.appendingPathComponent("\(name).yaml").path)
            #expect(!spec.methods.isEmpty)
            for method in spec.methods { _ = try method.evaluator(unitName: "city") }
        }
    }

    @Test func spellings() throws {
        let spec = try ExperimentSpec.parse("""
            experiment: t
            data: {scenario: paper}
            methods:
              - {estimator: twfe, inference: "wcb:province", reps: 199, target: att}
              - {estimator: event, term: "e+0", inference: "wcu-webb:province", target: "e+0"}
              - {estimator: subgroup, by: region, group: east, inference: cr1, target: "att:region=east"}
              - {estimator: subgroup, by: resource, difference: ["0", "1"], inference: "cr1:province", target: "att:resource=0-1"}
              - {estimator: subgroup, by: region, test: wald, target: zero}
              - {estimator: subgroup, by: region, test: permutation-t, permutations: 99, scope: all, target: zero}
            """, source: "t.yaml")
        let evaluators = try spec.methods.map { try $0.evaluator(unitName: "city") }
        #expect(evaluators.map(\.inferenceName) == ["wcb:province", "wcu-webb:province", "cr1:city", "cr1:province",
                                                    "wald-cr1:city", "permutation-t:all"])
        #expect((evaluators[0] as? WildBootstrapMethod)?.replications == 199)
        #expect((evaluators[1] as? WildBootstrapMethod)?.replications == 999)
        #expect((evaluators[3] as? SubgroupMethod)?.statistic == .difference("0", "1"))
        #expect((evaluators[5] as? SubgroupMethod)?.permutations == 99)
    }

    @Test func badValuesNameTheField() {
        for (method, field) in [("{estimator: subgroup, inference: cr1}", "methods[0].by"),
                                ("{estimator: twfe, inference: \"wcb-gauss:province\"}", "methods[0].inference"),
                                ("{estimator: twfe, inference: wcb, reps: 0}", "methods[0].reps"),
                                ("{estimator: subgroup, by: region, test: anova}", "methods[0].test"),
                                ("{estimator: subgroup, by: region, difference: [east]}", "methods[0].difference")] {
            #expect(throws: RunError.self) {
                do {
                    _ = try ExperimentSpec.parse("experiment: t\ndata: {scenario: paper}\nmethods:\n  - \(method)\n", source: "t.yaml")
                } catch let error as RunError {
                    #expect("\(error)".contains(field), "\(error)")
                    throw error
                }
            }
        }
    }
}
