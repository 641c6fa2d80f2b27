import Foundation
import Testing
@testable import Sim

/// YAML input bounds and exact round trips (issue 12, class 4, and the fuzz findings F02–F05 in
/// Documentation/Fuzzing.md). Oracles: the bound each input crosses, and equality of a scenario
/// with its own YAML read back.
@Suite("YAML limits and round trips")
struct YAMLLimitsTests {
    @Test func deepNestingIsRefusedBeforeDecoding() {
        let flow = "a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let blockSequence = String(repeating: "- ", count: 5000) + "x"
        let indented = (0..<1300).map { String(repeating: " ", count: $0) + "- a:" }.joined(separator: "\n")
        for text in [flow, blockSequence, indented] {
            let problem = YAMLLimits.problem(with: text)
            #expect(problem?.contains("deep") == true, "\(problem ?? "accepted")")
            #expect(throws: ScenarioError.self) { try Scenario.fromYAML(text) }
        }
    }

    @Test func aliasBombsAreRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...10 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(YAMLLimits.problem(with: text)?.contains("aliases") == true)
        // A few aliases are fine.
        #expect(YAMLLimits.problem(with: "base: &b {rho: 0.5}\nother: *b\n") == nil)
    }

    @Test func mappingKeysMustBeScalars() {
        #expect(YAMLLimits.problem(with: "? [a]\n: 1\n")?.contains("mapping key") == true)
        #expect(YAMLLimits.problem(with: "{[a]: b}\n")?.contains("mapping key") == true)
    }

    @Test func aScenarioReadsBackFromItsYAMLExactly() throws {
        for name in Scenario.presetNames {
            let scenario = try Scenario.preset(named: name)
            let yaml = try scenario.yaml()
            #expect(try Scenario.fromYAML(yaml).yaml() == yaml, "\(name)")
        }
        // 17 significant digits survive (Yams alone writes 15).
        let yaml = try Scenario.fromYAML("effects:\n  dynamicSlope: 0.12345678901234566\n").yaml()
        #expect(yaml.contains("dynamicSlope: 0.12345678901234566"), "\(yaml)")
    }

    @Test(arguments: ["errors:\n  sd: .inf\n", "effects:\n  att: .nan\n", "errors:\n  rho: -.inf\n"])
    func nonFiniteNumbersAreRefusedNamingTheField(_ text: String) {
        do {
            _ = try Scenario.fromYAML(text, source: "s.yaml")
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains("s.yaml") && "\(error)".contains("finite"), "\(error)")
        }
    }

    @Test func panelsBeyondTheRowBoundAreRefused() {
        let text = "geography:\n  kind: flat\n  cityCount: 60000\ncalendar:\n  kind: single-date\n  firstYear: 1\n  lastYear: 900\n"
        #expect(throws: ScenarioError.self) { try Scenario.fromYAML(text) }
    }
}
