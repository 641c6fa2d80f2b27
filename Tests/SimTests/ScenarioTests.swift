import Foundation
import Sim
import Testing

/// Reading scenarios from YAML: defaults, round trip, unknown keys and invalid values.
@Suite("Scenario YAML")
struct ScenarioTests {
    /// Oracle: the documented defaults — an empty document is the default scenario.
    @Test func emptyYAMLIsTheDefault() throws {
        #expect(try Scenario.fromYAML("") == Scenario())
        #expect(try Scenario.fromYAML("errors:\n  rho: 0.5\n").errors.rho == 0.5)
    }

    /// Oracle: round trip — every built-in scenario written as YAML reads back equal.
    @Test func everyPresetRoundTripsThroughYAML() throws {
        for preset in Scenario.presets {
            let text = try preset.scenario.yaml()
            #expect(try Scenario.fromYAML(text) == preset.scenario, "\(preset.name)")
        }
    }

    /// Oracle: the error contract — a typo names the full path of the unknown field.
    @Test func unknownKeysAreNamed() {
        #expect(throws: ScenarioError.self) { try Scenario.fromYAML("errors:\n  rhoo: 0.5\n") }
        do {
            _ = try Scenario.fromYAML("mediators:\n  - name: m1\n    efect: 0.2\n")
            Issue.record("expected an error")
        } catch let error as ScenarioError {
            guard case let .unknownKey(path, allowed, _) = error else { Issue.record("\(error)"); return }
            #expect(path == "mediators[0].efect")
            #expect(allowed.contains("effect"))
            #expect(error.description.contains("mediators[0].efect"))
        } catch { Issue.record("\(error)") }
        #expect(throws: ScenarioError.self) { try Scenario.fromYAML("speed: 3\n") }
    }

    /// Oracle: the error contract — wrong types and out-of-range values name the field.
    @Test func invalidValuesAreNamed() {
        for (yaml, field) in [("errors:\n  rho: 1.2\n", "errors.rho"), ("errors:\n  rho: fast\n", "errors.rho"),
                              ("calendar:\n  kind: monthly\n", "calendar.kind"),
                              ("calendar:\n  fujianYear: 2030\n", "calendar.fujianYear"),
                              ("controls: [nope]\n", "controls"),
                              ("geography:\n  kind: flat\n", "calendar.kind")] {
            do {
                _ = try Scenario.fromYAML(yaml)
                Issue.record("expected an error for \(yaml)")
            } catch let error as ScenarioError {
                #expect(error.description.contains(field), "\(error.description)")
            } catch { Issue.record("\(error)") }
        }
    }

    /// Oracle: the issue's list of required built-in names.
    @Test func requiredPresetsExist() throws {
        let required = ["paper", "paper-dynamic", "paper-heterogeneous", "paper-spillover", "paper-national-ets",
                        "paper-few-clusters", "bdm"] + (1...6).map { "blw-\($0)" }
        for name in required { #expect(Scenario.presetNames.contains(name), "\(name)") }
        #expect(Scenario.presetNames.first == "paper")
        #expect(throws: ScenarioError.self) { try Scenario.preset(named: "papr") }
    }
}
