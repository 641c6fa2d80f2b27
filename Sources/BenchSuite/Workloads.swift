import Estimators
import Sim
import Foundation
import Lab
import ArgumentParser

/// The benchmark workloads of DiDLab.
enum Workloads {
    typealias Factory = (name: String, make: (BenchData) throws -> Workload)

    /// The names of the workloads whose name starts with `prefix` (all when nil).
    static func names(quick: Bool, only prefix: String?) -> [String] {
        factories(quick: quick).map(\.name).filter { prefix == nil || $0.hasPrefix(prefix ?? "") }
    }

    /// The workloads whose name starts with `prefix` (all when nil); panels are loaded only for those.
    static func all(quick: Bool, only prefix: String? = nil, data: BenchData) throws -> [Workload] {
        try factories(quick: quick).filter { prefix == nil || $0.name.hasPrefix(prefix ?? "") }.map { try $0.make(data) }
    }

    static func factories(quick: Bool) -> [Factory] {
        let scale = quick ? 0.05 : 1.0
        func runs(_ full: Int) -> Int { max(3, Int(Double(full) * scale)) }
        return [
            ("W1", { try fitWorkload(name: "W1", panel: $0.panel(.paper), runs: runs(2000)) }),
            ("W2", { try placeboWorkload(panel: $0.panel(.paper), runs: runs(200)) }),
            ("CLI-W2", { data in try commandWorkload(name: "CLI-W2", arguments: placeboArguments(data),
                                                     description: "W2 timed from outside: the whole `didlab placebo` "
                                                        + "process (startup, CSV read, observed fit, 1000 draws on 2 "
                                                        + "threads, table out)", runs: runs(40)) }),
            ("START", { _ in try commandWorkload(name: "START", arguments: ["--version"],
                                                 description: "process startup: `didlab --version` (dynamic "
                                                    + "loading, Swift runtime), included in CLI-W2", runs: runs(40)) }),
            ("W3", { try callawaySantAnnaWorkload(panel: $0.panel(.paper, covariates: false), runs: runs(1000)) }),
            ("W4", { try imputationWorkload(panel: $0.panel(.paper, covariates: false), runs: runs(1000)) }),
            ("W5", { try wcbWorkload(panel: $0.panel(.paper), runs: runs(200)) }),
            ("W6", { _ in monteCarloWorkload(name: "W6", placeboDraws: 0, threads: nil, runs: runs(10)) }),
            ("W6p", { _ in monteCarloWorkload(name: "W6p", placeboDraws: w6pPlaceboDraws, threads: nil, runs: runs(5)) }),
            ("W6-1t", { _ in monteCarloWorkload(name: "W6-1t", placeboDraws: 0, threads: 1, runs: runs(10)) }),
            ("W7", { try fitWorkload(name: "W7", panel: $0.panel(.large), runs: runs(40), measureMemory: true) }),
            ("W9", { try diagnoseWorkload(data: $0, runs: runs(5)) }),
            ("SA-1M", { _ in try millionWorkload(name: "SA-1M", id: "sa", runs: runs(5)) }),
            ("BJS-1M", { _ in try millionWorkload(name: "BJS-1M", id: "bjs", runs: runs(5)) }),
            ("E0", { try registryWorkload(name: "E0", id: "twfe", panel: $0.panel(.paper, covariates: false),
                                           note: "TWFE + CR1 by city, no covariates: the cost the issue-16 estimators are held to",
                                           runs: runs(2000)) }),
            ("E1", { try registryWorkload(name: "E1", id: "did2s", panel: $0.panel(.paper, covariates: false),
                                           note: "Gardner two-stage DiD, overall ATT + GMM-corrected clustered SE",
                                           runs: runs(1000)) }),
            ("E2", { try registryWorkload(name: "E2", id: "stacked", panel: $0.panel(.paper, covariates: false),
                                           note: "stacked DiD, window e-1..e+1, not-yet-treated clean controls, corrective "
                                               + "weights, att + CR1 by city", runs: runs(1000)) }),
            ("E3", { try registryWorkload(name: "E3", id: "dcdh", panel: $0.panel(.paper, covariates: false),
                                           note: "de Chaisemartin-D'Haultfoeuille, every effect and placebo, average total "
                                               + "effect + influence-function SE", runs: runs(1000)) }),
            ("E4", { try registryWorkload(name: "E4", id: "sdid", panel: $0.panel(.paper, covariates: false),
                                           note: "synthetic DiD, each cohort against the never treated, fixed-weight "
                                               + "unit jackknife SE", runs: runs(60),
                                           configure: { $0.syntheticDiD = SyntheticDiD(variance: .jackknife, threads: 1) }) }),
            ("SIM", { _ in simulationWorkload(runs: runs(2000)) }),
            ("CSV", { csvWorkload(path: $0.path(.numeric), runs: runs(20)) }),
        ]
    }

    /// One TWFE + CR1 fit (city clusters) with the panel's covariates.
    static func fitWorkload(name: String, panel: Panel, runs: Int, measureMemory: Bool = false) -> Workload {
        let twfe = TwoWayFixedEffects(options: RegressionOptions(variance: .cluster(panel.unitName)))
        let description = "one TWFE + CR1 fit, \(Format.thousands(panel.unitCount)) x \(panel.periodCount), "
            + "\(panel.covariates.count) covariates"
        let bytes = Double(panel.observationCount * (2 + panel.covariates.count) * MemoryLayout<Double>.size)
        return Workload(name: name, description: description, itemsPerRun: 1, itemName: "fits", runs: runs,
                        dataBytes: measureMemory ? bytes : nil) {
            (try? twfe.estimate(panel).coefficients[0]) ?? .nan
        }
    }

    /// One fit of registry estimator `id` (its default effect, CR1 by the unit) on a 282 × 14 panel.
    static func registryWorkload(name: String, id: String, panel: Panel, note: String, runs: Int,
                                 configure: (inout EstimatorSettings) -> Void = { _ in }) throws -> Workload {
        let entry = try EstimatorRegistry.require(id)
        var settings = EstimatorSettings(variance: .cluster(panel.unitName))
        configure(&settings)
        let estimator = try entry.make(settings)
        let effect = entry.defaultEffect
        return Workload(name: name, description: note + ", \(panel.unitCount) x \(panel.periodCount)",
                        itemsPerRun: 1, itemName: "fits", runs: runs) {
            (try? estimator.fit(panel).effectEstimate(named: effect)?.estimate) ?? .nan
        }
    }

    /// 1000 cohort-permutation placebo draws of W1 (RI-β and RI-t), all cores.
    static func placeboWorkload(panel: Panel, runs: Int) -> Workload {
        let test = PlaceboTest(permutations: 1000, seed: 1)
        let statistic = TWFEPlaceboStatistic(cluster: panel.unitName)
        return Workload(name: "W2", description: "1000 cohort-permutation placebo draws of W1 (RI-beta and RI-t)",
                        itemsPerRun: 1000, itemName: "draws", runs: runs) {
            (try? test.run(on: panel, statistic: statistic).pValue) ?? .nan
        }
    }

    /// The `didlab` executable beside the running one (`didlab bench` is that executable;
    /// `didlab-bench` lives in the same build directory).
    static var didlabExecutable: String? {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let path = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("didlab")
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// W2's test as a command line on the bench's CSV (the 4 covariates, CR1 by city, 1000 draws).
    static func placeboArguments(_ data: BenchData) -> [String] {
        ["placebo", data.path(.paper), "--y", "y", "--unit", "city", "--time", "year", "--cohort", "cohort",
         "--x", BenchData.covariates.joined(separator: ","), "--permutations", "1000", "--seed", "1", "--threads", "2"]
    }

    /// One `didlab` process with `arguments`, timed from spawn to exit, its output discarded.
    static func commandWorkload(name: String, arguments: [String], description: String, runs: Int) throws -> Workload {
        guard let executable = didlabExecutable else {
            throw ValidationError("\(name): no didlab executable beside this one (build the didlab product)")
        }
        return Workload(name: name, description: description, itemsPerRun: 1, itemName: "processes", runs: runs) {
            // posix_spawn and waitpid: Foundation's Process polls for the child's exit every 50 ms.
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid = pid_t()
            guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return .nan }
            var status: Int32 = 0
            guard waitpid(pid, &status, 0) == pid else { return .nan }
            return status == 0 ? 0 : .nan
        }
    }

    /// Callaway–Sant'Anna with all four aggregations, never-treated controls, no covariates.
    static func callawaySantAnnaWorkload(panel: Panel, runs: Int) -> Workload {
        let estimator = CallawaySantAnna(options: CallawaySantAnnaOptions())
        return Workload(name: "W3", description: "Callaway-Sant'Anna ATT(g,t) + simple/dynamic/group/calendar, 282 x 14",
                        itemsPerRun: 1, itemName: "fits", runs: runs) {
            (try? estimator.estimate(panel).simple.overall.estimate) ?? .nan
        }
    }

    /// BJS imputation: overall ATT with its conservative clustered SE, no covariates.
    static func imputationWorkload(panel: Panel, runs: Int) -> Workload {
        let estimator = ImputationEstimator()
        return Workload(name: "W4", description: "BJS imputation, overall ATT + clustered SE, 282 x 14",
                        itemsPerRun: 1, itemName: "fits", runs: runs) {
            (try? estimator.estimate(panel).coefficients[0]) ?? .nan
        }
    }

    /// A 999-draw restricted wild cluster bootstrap (Rademacher) at G = 282 city clusters, 282 × 14,
    /// 4 covariates: the TWFE fit, the draws, both p-values and the test-inversion interval, 1 thread.
    static func wcbWorkload(panel: Panel, runs: Int) -> Workload {
        let bootstrap = WildClusterBootstrap(cluster: panel.unitName, replications: 999, threads: 1)
        return Workload(name: "W5", description: "999-draw wild cluster bootstrap (WCR, Rademacher), G = 282, 1 thread",
                        itemsPerRun: 999, itemName: "draws", runs: runs) {
            (try? bootstrap.run(on: panel).results.first?.pValue) ?? .nan
        }
    }

    /// Simulating one 282 × 14 panel of the `paper` scenario.
    static func simulationWorkload(runs: Int) -> Workload {
        guard let simulator = try? Simulator(preset: "paper") else { fatalError("paper preset") }
        var replication = 0
        return Workload(name: "SIM", description: "simulate one 282 x 14 paper panel (Sim)",
                        itemsPerRun: 1, itemName: "panels", runs: runs) {
            replication += 1
            return (try? simulator.simulate(replication: replication, seed: 1).panel.outcome[0]) ?? .nan
        }
    }

    /// Placebo draws per replication in W6p.
    static let w6pPlaceboDraws = 199

    /// The experiment spec of the Monte Carlo workloads: 1000 replications of the paper scenario ×
    /// (TWFE, event study e+0, CS, SA, BJS) with city CR1, and a placebo test with `placeboDraws`
    /// draws inside each replication when positive. `bench` writes W6p's to its data directory as
    /// `monte-carlo.yaml`, which `scripts/device/scaling.sh` runs at other thread counts.
    static func monteCarloSpec(placeboDraws: Int) -> String {
        var yaml = """
        experiment: bench
        data: {scenario: paper}
        methods:
          - {estimator: twfe, inference: cr1, target: att}
          - {estimator: event, term: "e+0", inference: cr1, target: "e+0"}
          - {estimator: cs, term: att, inference: cr1, target: att}
          - {estimator: sa, term: att, inference: cr1, target: att}
          - {estimator: bjs, term: att, inference: cr1, target: att}

        """
        if placeboDraws > 0 { yaml += "  - {estimator: twfe, inference: placebo, permutations: \(placeboDraws), target: att}\n" }
        return yaml + "replications: 1000\nseed: 7\n"
    }

    /// The runner of ``monteCarloSpec(placeboDraws:)`` timed end to end, records written to a file.
    static func monteCarloWorkload(name: String, placeboDraws: Int, threads: Int?, runs: Int) -> Workload {
        guard let spec = try? ExperimentSpec.parse(monteCarloSpec(placeboDraws: placeboDraws), source: "bench"),
              let source = try? ScenarioSource(conditions: spec.conditions, seed: spec.seed),
              let methods = try? spec.methods.map({ try $0.evaluator(unitName: "city") }) else { fatalError("bench spec") }
        let runner = MonteCarloRunner(source: source, methods: methods,
                                      replications: 1000, alpha: 0.05)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didlab-bench-\(name).csv").path
        let description = "1000 replications, paper scenario x (TWFE, event study, CS, SA, BJS)"
            + (placeboDraws > 0 ? " + \(placeboDraws)-draw placebo each" : "") + (threads == 1 ? ", 1 thread" : "")
        return Workload(name: name, description: description, itemsPerRun: 1000, itemName: "replications", runs: runs) {
            guard let (file, _) = try? RecordFile.open(path: path, resume: false, methodsPerTask: spec.methods.count),
                  let records = try? runner.run(file: file, existing: [], threads: threads) else { return .nan }
            return records[0].estimate
        }
    }

    /// `didlab diagnose` of the paper panel with province as level: the default methods (9, with
    /// 199-draw randomization and bootstrap tests), both sources, 6 effects, 100 replications
    /// (the 500-replication target is 5 times one run).
    static func diagnoseWorkload(data: BenchData, runs: Int) throws -> Workload {
        let panel = try Panel.load(csv: data.path(.paper), spec: PanelSpec(outcome: "y", unit: "city", time: "year",
                                                                         treatment: .cohort("cohort"),
                                                                         clusterColumns: ["province"]))
        var options = Diagnosis.Options()
        options.replications = 100
        options.effects = [0.004, 0.008, 0.012, 0.016, 0.02, 0.024]
        options.seed = 7
        let tasks = 100 * 7 * 2
        return Workload(name: "W9", description: "diagnose 282 x 14, province level, default 9 methods, both sources, "
                            + "100 replications x 7 effects (0 + 6); the 500-replication run is 5 x this",
                        itemsPerRun: Double(tasks), itemName: "replications", runs: runs) {
            guard let report = try? Diagnosis.run(panel: panel, cluster: "city", level: "province", options: options,
                                                  directory: nil, description: "bench", resume: false) else { return .nan }
            return report.sources[0].methods[0].size.rejection
        }
    }

    /// One fit of `id` (overall ATT, CR1 by city) on the 1,000,000-row panel, with the memory it
    /// adds over the loaded panel against the regression data (y and D, 16 MB), as W7.
    static func millionWorkload(name: String, id: String, runs: Int) throws -> Workload {
        let panel = try BenchData.millionPanel()
        let entry = try EstimatorRegistry.require(id)
        var settings = EstimatorSettings(variance: .cluster(panel.unitName))
        settings.effect = "att"
        let estimator = try entry.make(settings)
        let bytes = Double(panel.observationCount * 2 * MemoryLayout<Double>.size)
        return Workload(name: name, description: "\(id) overall ATT + CR1 by city, 50,000 x 20 (1,000,000 rows, "
                            + "10 cohorts, 190 cells), no covariates", itemsPerRun: 1, itemName: "fits", runs: runs,
                        dataBytes: bytes) {
            (try? estimator.fit(panel).effectEstimate(named: "att")?.estimate) ?? .nan
        }
    }

    /// Reading a 100,000 × 10 numeric CSV and parsing every field.
    static func csvWorkload(path: String, runs: Int) -> Workload {
        return Workload(name: "CSV", description: "read + parse every field, 100,000 x 10 numeric CSV (17 digits)",
                        itemsPerRun: 1_000_000, itemName: "fields", runs: runs) {
            guard let table = try? CSVTable(contentsOfFile: path) else { return .nan }
            var sum = 0.0
            for column in 0..<table.columnCount {
                for row in 0..<table.rowCount { sum += table.double(row: row, column: column) ?? 0 }
            }
            return sum
        }
    }
}
