import Foundation
import Lab
import Sim
import Testing

/// Golden fingerprints of simulated draws: replication 0 of every condition of every committed
/// experiment (`experiments/*.yaml`), drawn as the runner draws it.
///
/// Oracle: golden values produced by this code (branch h-sim, issue 15; the scenarios and draws are those
/// of 274536d, whose committed experiment reports regenerate byte-identically)
/// with `source.simulators[c].simulate(replication: 0, seed: source.conditionSeed(c)).drawFingerprint()`
/// where `source = ScenarioSource(conditions: spec.conditions, seed: spec.seed)`. A failure names
/// the experiment and condition whose panel or truth moved: its committed report would change.
@Suite("experiment draw fingerprints")
struct ExperimentDrawFingerprintTests {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments").path

    static let golden: [String: String] = [
        "diagnose-self-consistency.yaml #0 paper-plain, effects.att=0.0, errors.provinceShare=0.0, errors.rho=0.5": "12b878a6ce14551a",
        "diagnose-self-consistency.yaml #1 paper-plain, effects.att=0.0, errors.provinceShare=0.0, errors.rho=0.8": "319a7d4fdf36711e",
        "diagnose-self-consistency.yaml #2 paper-plain, effects.att=0.0, errors.provinceShare=0.1, errors.rho=0.5": "dbac1dc6699e1812",
        "diagnose-self-consistency.yaml #3 paper-plain, effects.att=0.0, errors.provinceShare=0.1, errors.rho=0.8": "b728ec6c60888ffa",
        "diagnose-self-consistency.yaml #4 paper-plain, effects.att=0.0, errors.provinceShare=0.25, errors.rho=0.5": "10c93b2cd3f5a1ea",
        "diagnose-self-consistency.yaml #5 paper-plain, effects.att=0.0, errors.provinceShare=0.25, errors.rho=0.8": "47e795ccc7d7d46a",
        "diagnose-self-consistency.yaml #6 paper-plain, effects.att=0.005, errors.provinceShare=0.0, errors.rho=0.5": "8cde306da2b04c80",
        "diagnose-self-consistency.yaml #7 paper-plain, effects.att=0.005, errors.provinceShare=0.0, errors.rho=0.8": "cfcb36b2197e0478",
        "diagnose-self-consistency.yaml #8 paper-plain, effects.att=0.005, errors.provinceShare=0.1, errors.rho=0.5": "949d4341b31ebee8",
        "diagnose-self-consistency.yaml #9 paper-plain, effects.att=0.005, errors.provinceShare=0.1, errors.rho=0.8": "ea01c6cf466b80c8",
        "diagnose-self-consistency.yaml #10 paper-plain, effects.att=0.005, errors.provinceShare=0.25, errors.rho=0.5": "2c1bf460a70a8650",
        "diagnose-self-consistency.yaml #11 paper-plain, effects.att=0.005, errors.provinceShare=0.25, errors.rho=0.8": "f1904a432f7c72ac",
        "diagnose-self-consistency.yaml #12 paper-plain, effects.att=0.01, errors.provinceShare=0.0, errors.rho=0.5": "e960467269461cd0",
        "diagnose-self-consistency.yaml #13 paper-plain, effects.att=0.01, errors.provinceShare=0.0, errors.rho=0.8": "26d748809283c0e0",
        "diagnose-self-consistency.yaml #14 paper-plain, effects.att=0.01, errors.provinceShare=0.1, errors.rho=0.5": "b5350376695d7928",
        "diagnose-self-consistency.yaml #15 paper-plain, effects.att=0.01, errors.provinceShare=0.1, errors.rho=0.8": "73bd273fd435ac54",
        "diagnose-self-consistency.yaml #16 paper-plain, effects.att=0.01, errors.provinceShare=0.25, errors.rho=0.5": "e69b0b41f0798c64",
        "diagnose-self-consistency.yaml #17 paper-plain, effects.att=0.01, errors.provinceShare=0.25, errors.rho=0.8": "352612c94a563dd8",
        "diagnose-self-consistency.yaml #18 paper-plain, effects.att=0.015, errors.provinceShare=0.0, errors.rho=0.5": "4a9dc37a166706dc",
        "diagnose-self-consistency.yaml #19 paper-plain, effects.att=0.015, errors.provinceShare=0.0, errors.rho=0.8": "62ada8dc8e34481c",
        "diagnose-self-consistency.yaml #20 paper-plain, effects.att=0.015, errors.provinceShare=0.1, errors.rho=0.5": "fa61bdcd4f9f6f5c",
        "diagnose-self-consistency.yaml #21 paper-plain, effects.att=0.015, errors.provinceShare=0.1, errors.rho=0.8": "45e92ab21f5a3214",
        "diagnose-self-consistency.yaml #22 paper-plain, effects.att=0.015, errors.provinceShare=0.25, errors.rho=0.5": "f580c6fbb96c2c78",
        "diagnose-self-consistency.yaml #23 paper-plain, effects.att=0.015, errors.provinceShare=0.25, errors.rho=0.8": "44173691a45ab4dc",
        "bdm-serial-correlation.yaml #0 bdm, errors.rho=-0.4": "0cb8c8f28dba1ab7",
        "bdm-serial-correlation.yaml #1 bdm, errors.rho=0.0": "5956ac73ca6c21d1",
        "bdm-serial-correlation.yaml #2 bdm, errors.rho=0.2": "a3d09284941b29e0",
        "bdm-serial-correlation.yaml #3 bdm, errors.rho=0.4": "82cf0ca84a45a91e",
        "bdm-serial-correlation.yaml #4 bdm, errors.rho=0.6": "b7c4fc55bee8024e",
        "bdm-serial-correlation.yaml #5 bdm, errors.rho=0.8": "2b540e398bfe26b2",
        "few-treated-clusters.yaml #0 paper-few-clusters, effects.att=0.0": "237378d27d11b992",
        "few-treated-clusters.yaml #1 paper-few-clusters, effects.att=0.01": "91649d7d2b5fcd14",
        "few-treated-clusters.yaml #2 paper-few-clusters, effects.att=0.02": "528946b1df1a639e",
        "heterogeneity.yaml #0 paper": "86763fd329142bcf",
        "heterogeneity.yaml #1 paper-heterogeneous": "13f9a38cd3005a29",
        "mediation-power.yaml #0 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.0": "ca10a348fa23b898",
        "mediation-power.yaml #1 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.003": "4b64cd0d3cd2fd7b",
        "mediation-power.yaml #2 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.015": "6598e53792363e8e",
        "mediation-power.yaml #3 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.0": "fa736316371ef971",
        "mediation-power.yaml #4 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.003": "85a4ea6bbf265483",
        "mediation-power.yaml #5 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.015": "619b02a2ad4f42da",
        "mediation-power.yaml #6 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.0": "e91dca87c804a486",
        "mediation-power.yaml #7 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.003": "f67a096b68dad127",
        "mediation-power.yaml #8 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.015": "3ef26154044c6c63",
        "mediation-power.yaml #9 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.0": "cb9eb4a67e632705",
        "mediation-power.yaml #10 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.003": "ee8b1f963d1f17aa",
        "mediation-power.yaml #11 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.015": "ae19ff469eb42fba",
        "mediation-power.yaml #12 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.0": "cd534f438e3ca8a3",
        "mediation-power.yaml #13 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.003": "6e468e3c0dba64ae",
        "mediation-power.yaml #14 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.015": "83f914c749592af0",
        "mediation-power.yaml #15 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.0": "bc78c70595a64016",
        "mediation-power.yaml #16 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.003": "1d0dd2eba4db9d13",
        "mediation-power.yaml #17 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.015": "c59b15daaa0a37c5",
        "paper-baseline.yaml #0 paper": "49bd913c18e35e08",
        "paper-baseline.yaml #1 paper-dynamic": "147371e93a0cd0f5",
        "paper-few-clusters.yaml #0 paper-few-clusters, effects.att=0.0": "87f9bc6048d077d7",
        "paper-few-clusters.yaml #1 paper-few-clusters, effects.att=0.01": "7cbe3bac8dc70ec8",
        "spillovers.yaml #0 paper-spillover, spillover.share=-1.0": "837f8a5bbd1703bf",
        "spillovers.yaml #1 paper-spillover, spillover.share=-0.3": "36f4750232214a63",
        "spillovers.yaml #2 paper-spillover, spillover.share=0.3": "a9acae6ab79c53a3",
        "spillovers.yaml #3 paper-spillover, spillover.share=1.0": "5a0d14e8e7a5c9db",
        "staggered-bias.yaml #0 blw-1": "e94edc3454d407d7",
        "staggered-bias.yaml #1 blw-2": "6a5a2b295e734cae",
        "staggered-bias.yaml #2 blw-3": "641419e8f5547c17",
        "staggered-bias.yaml #3 blw-4": "544ebd277a5454c2",
        "staggered-bias.yaml #4 blw-5": "4bd2e6fa0827a406",
        "staggered-bias.yaml #5 blw-6": "364dad289de7789c",
        "staggered-bias.yaml #6 paper": "92946f2d5a46a138",
        "staggered-bias.yaml #7 paper-national-ets": "7735a5c335349d53",
    ]

    @Test func everyExperimentConditionDrawsItsGoldenPanel() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.experiments).filter { $0.hasSuffix(".yaml") }.sorted()
        var seen: Set<String> = []
        var changed: [String] = []
        for file in files {
            let spec = try ExperimentSpec.load(path: Self.experiments + "/" + file)
            let source = try ScenarioSource(conditions: spec.conditions, seed: spec.seed)
            for condition in 0..<source.conditionCount {
                let key = "\(file) #\(condition) \(source.conditionName(condition))"
                seen.insert(key)
                let fingerprint = try source.simulators[condition]
                    .simulate(replication: 0, seed: source.conditionSeed(condition)).drawFingerprint()
                if Self.golden[key] != fingerprint {
                    changed.append("\(key): fingerprint \(fingerprint), golden \(Self.golden[key] ?? "none")")
                }
            }
        }
        #expect(changed.isEmpty, "simulated draws changed:\n\(changed.joined(separator: "\n"))")
        #expect(seen == Set(Self.golden.keys), "every experiment condition has one golden value")
    }
}
