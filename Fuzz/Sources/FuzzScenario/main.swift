// FuzzScenario — bytes (as UTF-8, invalid sequences replaced, as Scenario.load reads a file)
// → Scenario.fromYAML → yaml() → fromYAML again → Simulator(scenario), the path of
// `didlab simulate --spec FILE`.
//
// Findings: any trap or crash; an accepted scenario holding NaN or an infinity (it simulates
// panels with blank outcomes); an accepted scenario whose own YAML does not read back to the same
// scenario (yaml() promises "suitable for editing and reading back"); a time-out or an allocation
// past the limits while reading or preparing a scenario that validation accepted.

import FuzzSupport
import Sim

/// Traps with `message` when `condition` is false.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzScenario: invariant broken: \(message())") }
}

/// The dotted path and both values of the first stored property where `a` and `b` differ, found by
/// reflection (Scenario is a tree of structs, arrays, enums and numbers).
func firstDifference(_ a: Any, _ b: Any, path: String = "") -> String? {
    let left = Mirror(reflecting: a), right = Mirror(reflecting: b)
    if left.children.isEmpty || right.children.isEmpty || left.children.count != right.children.count {
        let l = String(reflecting: a), r = String(reflecting: b)
        return l == r ? nil : "\(path.isEmpty ? "(root)" : path): \(l) became \(r)"
    }
    for (k, (l, r)) in zip(left.children, right.children).enumerated() {
        let name = l.label ?? "\(k)"
        if let found = firstDifference(l.value, r.value, path: path.isEmpty ? name : path + "." + name) { return found }
    }
    return nil
}

/// The dotted path of the first `Double` in `value` that is NaN or infinite, found by reflection.
func firstNonFinite(_ value: Any, path: String = "") -> String? {
    if let number = value as? Double { return number.isFinite ? nil : "\(path) = \(number)" }
    for (k, child) in Mirror(reflecting: value).children.enumerated() {
        let name = child.label ?? "\(k)"
        if let found = firstNonFinite(child.value, path: path.isEmpty ? name : path + "." + name) { return found }
    }
    return nil
}

FuzzMain.run { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    let scenario: Scenario
    do { scenario = try Scenario.fromYAML(text, source: "fuzz.yaml") } catch { return FuzzMain.note("\(error)") }
    if let field = firstNonFinite(scenario) { require(false, "an accepted scenario holds a non-finite number: \(field)") }
    let written: String
    do { written = try scenario.yaml() } catch { return require(false, "yaml() failed on an accepted scenario: \(error)") }
    do {
        let again = try Scenario.fromYAML(written, source: "round trip")
        require(again == scenario, "the scenario's YAML reads back to a different scenario: "
                + (firstDifference(scenario, again) ?? "(no field differs by reflection)"))
    } catch {
        require(false, "the scenario's YAML does not read back: \(error)")
    }
    do {
        let simulator = try Simulator(scenario)
        FuzzMain.note("accepted: \(simulator.geography.cityCount) cities x \(simulator.years.count) years")
    } catch {
        FuzzMain.note("accepted, but the simulator refused it: \(error)")
    }
}
