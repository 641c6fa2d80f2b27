import Sim
import Testing

/// Golden fingerprints of simulated draws: one replication of every built-in scenario.
///
/// Oracle: golden values produced by this code (branch h-sim, issue 15; the scenarios and draws are those
/// of 274536d, whose committed experiment reports regenerate byte-identically; issue 14 moved the
/// `paper` family to province share 0.1 and added the threat scenarios, and regenerated the reports)
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
        "cameron-miller": "7cfe356a19053937",
        "paper": "5df48bd9443a2a98",
        "paper-anticipation": "bea2f87c8a58701a",
        "paper-confounded-mediator": "09bb49d6c87815c9",
        "paper-contaminated-controls": "23311866e3366cc4",
        "paper-dynamic": "29421ac0d2083fa0",
        "paper-few-clusters": "5c1b9ed8a4e4290c",
        "paper-fujian": "b35ce61f60d19906",
        "paper-heterogeneous": "561ff86b2e96eb33",
        "paper-heteroskedastic": "37298404d8314500",
        "paper-index": "e975864a79159f18",
        "paper-national-ets": "93f9bd09a5a105a4",
        "paper-selection": "3220dab79dfa4728",
        "paper-spatial": "32cbd22c95101420",
        "paper-spillover": "b8511621434e9aee",
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
