import Sim
import Testing

/// Golden fingerprints of simulated draws: one replication of every built-in scenario.
///
/// Oracle: golden values produced by this code (branch h-sim, issue 15; the scenarios and draws are those
/// of 274536d, whose committed experiment reports regenerate byte-identically)
/// with `Simulator(preset.scenario).simulate(replication: 0, seed: 1).drawFingerprint()`
/// (`didlab simulate`'s default seed and replication). A failure means the simulated panel or
/// its truth moved — for instance because the draw order changed — and with it every committed
/// experiment report that uses the scenario; update a value only together with those reports.
@Suite("draw fingerprints")
struct DrawFingerprintTests {
    static let golden: [String: String] = [
        "bdm": "8cc11629a5df37e7",
        "blw-1": "6109287517131a0f",
        "blw-2": "a7d4e68653aa7992",
        "blw-3": "d1bac9dfdb8a9993",
        "blw-4": "8408be3a75bf2f9e",
        "blw-5": "22daacf0764c862a",
        "blw-6": "f13d7e316c4c212c",
        "paper": "d0f85782229331b9",
        "paper-confounded-mediator": "1a2a97487ee4bbf2",
        "paper-dynamic": "c998b18fe95a7e59",
        "paper-few-clusters": "5c1b9ed8a4e4290c",
        "paper-fujian": "7b300272014e0670",
        "paper-heterogeneous": "b66e6b1226ed85f2",
        "paper-index": "6e944c51dc50849e",
        "paper-national-ets": "a0b051ed0b5cbfc2",
        "paper-selection": "421011b63eb5330b",
        "paper-spillover": "95f5c8d645ab26b3",
    ]

    @Test func everyPresetDrawsItsGoldenPanel() throws {
        var changed: [String] = []
        for preset in Scenario.presets {
            let fingerprint = try Simulator(preset.scenario).simulate(replication: 0, seed: 1).drawFingerprint()
            if Self.golden[preset.name] != fingerprint {
                changed.append("scenario '\(preset.name)': fingerprint \(fingerprint), golden \(Self.golden[preset.name] ?? "none")")
            }
        }
        #expect(changed.isEmpty, "simulated draws changed:\n\(changed.joined(separator: "\n"))")
        #expect(Set(Self.golden.keys) == Set(Scenario.presetNames), "every built-in scenario has one golden value")
    }
}
