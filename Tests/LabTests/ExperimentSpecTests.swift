import Foundation
import Testing
@testable import Lab
import Estimators

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

    @Test(arguments: ["paper-baseline", "bdm-serial-correlation", "paper-few-clusters", "province-share", "selection-pretest",
                      "anticipation", "contaminated-controls", "cameron-miller", "error-structure"])
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

/// Spec sizes and names checked before anything runs (issue 12, classes 3 and 10; fuzz finding
/// F06). Oracle: the bound each spec crosses, and the key path the error must name.
@Suite("spec bounds and names")
struct SpecBoundsTests {
    func parse(_ text: String) throws -> ExperimentSpec { try ExperimentSpec.parse(text, source: "s.yaml") }

    @Test func gridsOfMoreThanAThousandConditionsAreRefused() {
        let list = "[" + (0..<10).map(String.init).joined(separator: ", ") + "]"
        let text = "experiment: g\ndata:\n  scenario: paper\n  grid: {effects.att: \(list), errors.rho: \(list), "
            + "errors.sd: \(list), effects.dynamicSlope: \(list), errors.provinceShare: \(list)}\n"
            + "methods:\n  - {estimator: twfe, inference: cr1, target: att}\n"
        do { _ = try parse(text); Issue.record("a 100,000-condition grid was accepted") } catch {
            #expect("\(error)".contains("data.grid") && "\(error)".contains("1000"), "\(error)")
        }
    }

    @Test func unknownPerformanceMeasuresAreRefused() {
        let text = "experiment: p\ndata: {scenario: paper}\nmethods:\n  - {estimator: twfe, inference: cr1, target: att}\n"
            + "performance: [bias, coverag]\n"
        do { _ = try parse(text); Issue.record("accepted") } catch {
            #expect("\(error)".contains("performance[1]") && "\(error)".contains("coverage"), "\(error)")
        }
    }

    @Test func unknownTargetsAndReplicationsBeyondTheBudgetAreRefusedBeforeWriting() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let typo = "experiment: t\ndata: {scenario: paper}\nmethods:\n  - {estimator: twfe, inference: cr1, target: nosuch}\n"
            + "replications: 2\n"
        do {
            _ = try ExperimentRun.run(spec: try parse(typo), specText: typo, directory: directory, threads: 1, resume: false)
            Issue.record("target nosuch was accepted")
        } catch {
            #expect("\(error)".contains("methods[0].target") && "\(error)".contains("att"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory), "the refused run wrote its directory")
        let huge = "experiment: h\ndata: {scenario: paper}\nmethods:\n  - {estimator: twfe, inference: cr1, target: att}\n"
            + "replications: 1000000000000\n"
        do {
            _ = try ExperimentRun.run(spec: try parse(huge), specText: huge, directory: directory, threads: 1, resume: false,
                                      memory: MemoryBudget(bytes: Double(1 << 30), origin: "test"))
            Issue.record("10^12 replications were accepted")
        } catch {
            #expect("\(error)".contains("replications") && "\(error)".contains("memory budget"), "\(error)")
        }
    }
}
