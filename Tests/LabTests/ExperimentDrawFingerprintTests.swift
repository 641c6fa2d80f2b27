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
        "anticipation.yaml #0 paper": "2f1fb76d86d570dd",
        "anticipation.yaml #1 paper-anticipation": "48cdc281f2899b06",
        "bdm-serial-correlation.yaml #0 bdm, errors.rho=-0.4": "0cb8c8f28dba1ab7",
        "bdm-serial-correlation.yaml #1 bdm, errors.rho=0.0": "5956ac73ca6c21d1",
        "bdm-serial-correlation.yaml #2 bdm, errors.rho=0.2": "a3d09284941b29e0",
        "bdm-serial-correlation.yaml #3 bdm, errors.rho=0.4": "82cf0ca84a45a91e",
        "bdm-serial-correlation.yaml #4 bdm, errors.rho=0.6": "b7c4fc55bee8024e",
        "bdm-serial-correlation.yaml #5 bdm, errors.rho=0.8": "2b540e398bfe26b2",
        "cameron-miller.yaml #0 cameron-miller, effects.att=0.0, geography.provinceCount=6": "5a481035b8fdad9c",
        "cameron-miller.yaml #1 cameron-miller, effects.att=0.0, geography.provinceCount=10": "b5836e7fb98b895f",
        "cameron-miller.yaml #2 cameron-miller, effects.att=0.0, geography.provinceCount=20": "6ca857f49182fba9",
        "cameron-miller.yaml #3 cameron-miller, effects.att=0.0, geography.provinceCount=30": "8f54879832f93712",
        "cameron-miller.yaml #4 cameron-miller, effects.att=0.0, geography.provinceCount=50": "3cbb50250b840df3",
        "cameron-miller.yaml #5 cameron-miller, effects.att=0.3, geography.provinceCount=6": "1cc9f59500fc5252",
        "cameron-miller.yaml #6 cameron-miller, effects.att=0.3, geography.provinceCount=10": "22d6ae730077bc2d",
        "cameron-miller.yaml #7 cameron-miller, effects.att=0.3, geography.provinceCount=20": "ced4414ca550d4ee",
        "cameron-miller.yaml #8 cameron-miller, effects.att=0.3, geography.provinceCount=30": "a9f5ad192f4d6ddc",
        "cameron-miller.yaml #9 cameron-miller, effects.att=0.3, geography.provinceCount=50": "c73cb086d32b3ba1",
        "contaminated-controls.yaml #0 paper, calendar.lastYear=2022": "0a65d951552b1644",
        "contaminated-controls.yaml #1 paper, calendar.lastYear=2020": "37fc693adba3843f",
        "contaminated-controls.yaml #2 paper-contaminated-controls, calendar.lastYear=2022": "03a98ba3f45f3409",
        "contaminated-controls.yaml #3 paper-contaminated-controls, calendar.lastYear=2020": "9e8b2412bb061b59",
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
        "error-structure.yaml #0 paper, effects.att=0.0": "524f675cb1fcccfd",
        "error-structure.yaml #1 paper-heteroskedastic, effects.att=0.0": "52f6020db7db7262",
        "error-structure.yaml #2 paper-spatial, effects.att=0.0": "10e66bdd051d6d13",
        "few-treated-clusters.yaml #0 paper-few-clusters, effects.att=0.0": "237378d27d11b992",
        "few-treated-clusters.yaml #1 paper-few-clusters, effects.att=0.01": "91649d7d2b5fcd14",
        "few-treated-clusters.yaml #2 paper-few-clusters, effects.att=0.02": "528946b1df1a639e",
        "heterogeneity.yaml #0 paper": "8ef94f5a514cad38",
        "heterogeneity.yaml #1 paper-heterogeneous": "45a69ecf94d0bfdd",
        "measurement-index.yaml #0 paper": "1b8d66651f679a4c",
        "measurement-index.yaml #1 paper-index": "1058a90b1705ea0d",
        "mediation-power.yaml #0 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.0": "d2bc5dfcec0a086b",
        "mediation-power.yaml #1 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.003": "410b95bd4b44cb7f",
        "mediation-power.yaml #2 paper, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.015": "a64e02bab4f0a9a9",
        "mediation-power.yaml #3 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.0": "7b6bc74fc7070585",
        "mediation-power.yaml #4 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.003": "6cf0eeb1b9d344ce",
        "mediation-power.yaml #5 paper, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.015": "cead9a3e7db33483",
        "mediation-power.yaml #6 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.0": "9053c7bab269f37d",
        "mediation-power.yaml #7 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.003": "2e8da2f9219e9565",
        "mediation-power.yaml #8 paper, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.015": "f7bbc1ffb3a8fda7",
        "mediation-power.yaml #9 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.0": "c0276c6652c9ab55",
        "mediation-power.yaml #10 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.003": "28380e89f6d7c004",
        "mediation-power.yaml #11 paper-confounded-mediator, mediators.0.effect=0.0, mediators.0.outcomeLoading=0.015": "91fe3bb4c18f78f2",
        "mediation-power.yaml #12 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.0": "eae4260b12702597",
        "mediation-power.yaml #13 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.003": "84d6835dc6bd73e0",
        "mediation-power.yaml #14 paper-confounded-mediator, mediators.0.effect=0.04, mediators.0.outcomeLoading=0.015": "f8b17b3cdb26b832",
        "mediation-power.yaml #15 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.0": "02c3518cd9d7d1e8",
        "mediation-power.yaml #16 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.003": "30b2511000592c00",
        "mediation-power.yaml #17 paper-confounded-mediator, mediators.0.effect=0.1, mediators.0.outcomeLoading=0.015": "c058ea6d47f202ca",
        "paper-baseline.yaml #0 paper, effects.att=0.0, effects.dynamicSlope=0.0": "167145f832aecd3b",
        "paper-baseline.yaml #1 paper, effects.att=0.0, effects.dynamicSlope=0.002": "ef2a1ffe08c9f420",
        "paper-baseline.yaml #2 paper, effects.att=0.01, effects.dynamicSlope=0.0": "caf9e7a061850c60",
        "paper-baseline.yaml #3 paper, effects.att=0.01, effects.dynamicSlope=0.002": "d7291e2d8dcb9350",
        "paper-few-clusters.yaml #0 paper-few-clusters, effects.att=0.0": "87f9bc6048d077d7",
        "paper-few-clusters.yaml #1 paper-few-clusters, effects.att=0.01": "7cbe3bac8dc70ec8",
        "province-share.yaml #0 paper, effects.att=0.0, errors.provinceShare=0.0": "0314e464086a745a",
        "province-share.yaml #1 paper, effects.att=0.0, errors.provinceShare=0.05": "925f921699bbc530",
        "province-share.yaml #2 paper, effects.att=0.0, errors.provinceShare=0.1": "9a68c519cee666fa",
        "province-share.yaml #3 paper, effects.att=0.0, errors.provinceShare=0.25": "e7ebe2dd1aa861ac",
        "province-share.yaml #4 paper, effects.att=0.01, errors.provinceShare=0.0": "6d3a0d1477fc4345",
        "province-share.yaml #5 paper, effects.att=0.01, errors.provinceShare=0.05": "a40129561fe4c0de",
        "province-share.yaml #6 paper, effects.att=0.01, errors.provinceShare=0.1": "5956da415ae08059",
        "province-share.yaml #7 paper, effects.att=0.01, errors.provinceShare=0.25": "76aebff7e9196fb8",
        "selection-pretest.yaml #0 paper, errors.provinceShare=0.0": "4b39245af16f8212",
        "selection-pretest.yaml #1 paper, errors.provinceShare=0.1": "6d2c0b5117215373",
        "selection-pretest.yaml #2 paper-selection, errors.provinceShare=0.0": "8179c865ca2f6282",
        "selection-pretest.yaml #3 paper-selection, errors.provinceShare=0.1": "19e1f671e999daef",
        "spillovers.yaml #0 paper-spillover, spillover.share=-1.0": "9fe3c83af1cb3910",
        "spillovers.yaml #1 paper-spillover, spillover.share=-0.3": "818ee0927518daac",
        "spillovers.yaml #2 paper-spillover, spillover.share=0.3": "9602ab02e68c7529",
        "spillovers.yaml #3 paper-spillover, spillover.share=1.0": "9664d80c9d4ac542",
        "staggered-bias.yaml #0 blw-1": "e94edc3454d407d7",
        "staggered-bias.yaml #1 blw-2": "6a5a2b295e734cae",
        "staggered-bias.yaml #2 blw-3": "641419e8f5547c17",
        "staggered-bias.yaml #3 blw-4": "544ebd277a5454c2",
        "staggered-bias.yaml #4 blw-5": "4bd2e6fa0827a406",
        "staggered-bias.yaml #5 blw-6": "364dad289de7789c",
        "staggered-bias.yaml #6 paper": "dd0e4309eda51887",
        "staggered-bias.yaml #7 paper-national-ets": "af85825c0d6b98f3",
        "variance-estimators.yaml #0 paper, effects.att=0.0": "d4e6b11a55ff4a3d",
        "variance-estimators.yaml #1 paper, effects.att=0.01": "3b665ad134614f38",
        "variance-estimators.yaml #2 paper-spatial, effects.att=0.0": "d779b940449ff700",
        "variance-estimators.yaml #3 paper-spatial, effects.att=0.01": "3de3c0ec613c41d3",
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
