import Foundation
import Testing
@testable import Lab

/// Experiment specs: the committed files parse, built-ins equal their files, and bad specs get
/// errors naming the field (oracle: the promised message).
@Suite("experiment specs")
struct ExperimentSpecTests {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments").path

    @Test func builtInPaperBaselineEqualsItsFile() throws {
        let file = try String(contentsOfFile: Self.experiments + "/paper-baseline.yaml", encoding: .utf8)
        #expect(file == BuiltInExperiments.paperBaseline)
    }

    @Test(arguments: ["paper-baseline", "bdm-serial-correlation", "paper-few-clusters"])
    func committedSpecsParse(name: String) throws {
        let spec = try ExperimentSpec.load(path: Self.experiments + "/\(name).yaml")
        #expect(spec.name == name)
        #expect(!spec.methods.isEmpty)
    }

    @Test func gridExpandsConditionsInOrder() throws {
        let spec = try ExperimentSpec.load(path: Self.experiments + "/bdm-serial-correlation.yaml")
        #expect(spec.conditions.count == 6)
        #expect(spec.conditions.map { $0.parameters[0].1 } == [-0.4, 0, 0.2, 0.4, 0.6, 0.8])
        #expect(spec.conditions[5].scenario.errors.rho == 0.8)
    }

    func expectError(_ yaml: String, field: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ExperimentSpec.parse(yaml, source: "bad.yaml")
            Issue.record("expected an error for \(field)", sourceLocation: sourceLocation)
        } catch let error as RunError {
            #expect(error.description.contains("bad.yaml"), sourceLocation: sourceLocation)
            #expect(error.description.contains(field), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    static let minimal = "experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: twfe, inference: cr1}]\n"

    @Test func badSpecsNameTheField() {
        expectError(Self.minimal + "replicatons: 10\n", field: "replicatons")
        expectError(Self.minimal.replacingOccurrences(of: "scenario: paper", with: "scenario: nope"), field: "data.scenario")
        expectError(Self.minimal + "alpha: 2\n", field: "alpha")
        expectError(Self.minimal + "replications: 1\n", field: "replications")
        expectError(Self.minimal.replacingOccurrences(of: "inference: cr1", with: "inference: magic"), field: "methods[0].inference")
        expectError(Self.minimal.replacingOccurrences(of: "estimator: twfe", with: "estimator: event"), field: "methods[0].term")
        expectError(Self.minimal.replacingOccurrences(of: "{scenario: paper}", with: "{scenario: paper, set: {errors.rhoo: 1}}"),
                    field: "rhoo")
        expectError(Self.minimal.replacingOccurrences(of: "{scenario: paper}", with: "{scenario: paper, set: {errors.rho: 3}}"),
                    field: "data.set")
    }
}
