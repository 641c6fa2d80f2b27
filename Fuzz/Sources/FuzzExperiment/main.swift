// FuzzExperiment — bytes (as UTF-8, invalid sequences replaced, as ExperimentSpec.load reads a
// file) → ExperimentSpec.parse(_:source:directory:).
//
// `data.spec` names a scenario file relative to `directory`: the harness points `directory` at a
// scratch folder holding `scenario.yaml` (the bdm preset, small), `paper.yaml` and `bad.yaml`,
// which the seeds name. Inputs that mention /dev, /proc or /sys are skipped, so the fuzzer never
// makes the reader open a device that blocks or never ends (reading such a file is the user's
// request, not a bug).
//
// Findings: any trap or crash; an accepted spec that breaks what parse promises (checked below);
// a time-out or an allocation past the limits (for example a data.grid whose product is huge).

import Foundation
import FuzzSupport
import Lab
import Sim

/// The scratch folder that `data.spec` paths are relative to.
let directory: String = {
    let folder = NSTemporaryDirectory() + "didlab-fuzz-experiment-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let files = [
        "scenario.yaml": (try? Scenario.preset(named: "bdm").yaml()) ?? "",
        "paper.yaml": (try? Scenario.preset(named: "paper").yaml()) ?? "",
        "bad.yaml": "geography: {cityCount: 1}\n",
    ]
    for (name, text) in files {
        _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8))
    }
    return folder
}()

/// Traps with `message` when `condition` is false: an accepted spec that breaks parse's promises.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzExperiment: invariant broken: \(message())") }
}

let skipped = ["/dev", "/proc", "/sys"].map { Array($0.utf8) }

/// Whether `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { start in
        haystack[start..<(start + needle.count)].elementsEqual(needle)
    }
}

_ = directory
FuzzMain.run { bytes in
    if skipped.contains(where: { contains(bytes, $0) }) { return FuzzMain.note("skipped: names a device or system folder") }
    let text = String(decoding: bytes, as: UTF8.self)
    let spec: ExperimentSpec
    do { spec = try ExperimentSpec.parse(text, source: "fuzz.yaml", directory: directory) } catch {
        return FuzzMain.note("\(error)")
    }
    FuzzMain.note("accepted: \(spec.conditionCount) conditions, \(spec.methods.count) methods")
    require(!spec.name.isEmpty, "empty experiment name")
    require(spec.replications >= 2, "replications \(spec.replications)")
    require(spec.alpha > 0 && spec.alpha < 1, "alpha \(spec.alpha)")
    require(spec.conditionCount > 0 && !spec.methods.isEmpty, "no conditions or no methods")
    if let panel = spec.panelData {
        require(spec.conditions.isEmpty, "a panel spec with scenario conditions")
        require(!panel.effects.isEmpty && panel.effects.allSatisfy(\.isFinite) && Set(panel.effects).count == panel.effects.count,
                "panel effects \(panel.effects)")
    }
    for condition in spec.conditions {
        do { try condition.scenario.validate() } catch { require(false, "condition '\(condition.name)' holds an invalid scenario: \(error)") }
        require(condition.parameters.allSatisfy { $0.1.isFinite }, "non-finite grid value in '\(condition.name)'")
    }
    for method in spec.methods {
        require(method.permutations >= 1 && method.reps >= 1, "method '\(method.name)': permutations or reps below 1")
        // Parse, don't validate: a method the spec accepted always resolves to an evaluator.
        do { _ = try method.evaluator(unitName: "city") } catch {
            require(false, "method '\(method.name)' was accepted but does not resolve: \(error)")
        }
    }
}
