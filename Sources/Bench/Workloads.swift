import Estimators
import Sim
import Foundation
import Lab

/// The benchmark workloads of DiDLab.
enum Workloads {
    /// The workloads whose name starts with `prefix` (all when nil); panels are built only for those.
    static func all(quick: Bool, only prefix: String? = nil) -> [Workload] {
        factories(quick: quick).filter { prefix == nil || $0.name.hasPrefix(prefix ?? "") }.map { $0.make() }
    }

    static func factories(quick: Bool) -> [(name: String, make: () -> Workload)] {
        let scale = quick ? 0.05 : 1.0
        func runs(_ full: Int) -> Int { max(3, Int(Double(full) * scale)) }
        return [
            ("W1", { fitWorkload(name: "W1", units: 282, periods: 14, runs: runs(2000), seed: 1) }),
            ("W2", { placeboWorkload(runs: runs(200)) }),
            ("W6", { monteCarloWorkload(name: "W6", placeboDraws: 0, threads: nil, runs: runs(10)) }),
            ("W6p", { monteCarloWorkload(name: "W6p", placeboDraws: 199, threads: nil, runs: runs(5)) }),
            ("W6-1t", { monteCarloWorkload(name: "W6-1t", placeboDraws: 0, threads: 1, runs: runs(10)) }),
            ("W7", { fitWorkload(name: "W7", units: 30_000, periods: 20, runs: runs(40), seed: 2) }),
            ("SIM", { simulationWorkload(runs: runs(2000)) }),
            ("CSV", { csvWorkload(runs: runs(20)) }),
        ]
    }

    /// One TWFE + CR1 fit with 4 covariates on a balanced city panel.
    static func fitWorkload(name: String, units: Int, periods: Int, runs: Int, seed: UInt64) -> Workload {
        let panel = BenchPanels.cityPanel(units: units, periods: periods, covariates: 4, seed: seed)
        let twfe = TwoWayFixedEffects(options: RegressionOptions(variance: .cluster(panel.unitName)))
        return Workload(name: name, description: "one TWFE + CR1 fit, \(Format.thousands(units)) x \(periods), 4 covariates",
                        itemsPerRun: 1, itemName: "fits", runs: runs) {
            (try? twfe.estimate(panel).coefficients[0]) ?? .nan
        }
    }

    /// 1000 cohort-permutation placebo draws of W1 (RI-β and RI-t), all cores.
    static func placeboWorkload(runs: Int) -> Workload {
        let panel = BenchPanels.cityPanel(units: 282, periods: 14, covariates: 4, seed: 1)
        let test = PlaceboTest(permutations: 1000, seed: 1)
        let statistic = TWFEPlaceboStatistic(cluster: panel.unitName)
        return Workload(name: "W2", description: "1000 cohort-permutation placebo draws of W1 (RI-beta and RI-t)",
                        itemsPerRun: 1000, itemName: "draws", runs: runs) {
            (try? test.run(on: panel, statistic: statistic).pValue) ?? .nan
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

    /// 1000 replications of the paper scenario × (TWFE, event study e+0) with city CR1, and
    /// optionally a placebo test with `placeboDraws` draws inside each replication.
    static func monteCarloWorkload(name: String, placeboDraws: Int, threads: Int?, runs: Int) -> Workload {
        var yaml = """
        experiment: bench
        data: {scenario: paper}
        methods:
          - {estimator: twfe, inference: cr1, target: att}
          - {estimator: event, term: "e+0", inference: cr1, target: "e+0"}

        """
        if placeboDraws > 0 { yaml += "  - {estimator: twfe, inference: placebo, permutations: \(placeboDraws), target: att}\n" }
        yaml += "replications: 1000\nseed: 7\n"
        guard let spec = try? ExperimentSpec.parse(yaml, source: "bench"),
              let source = try? ScenarioSource(conditions: spec.conditions, seed: spec.seed) else { fatalError("bench spec") }
        let runner = MonteCarloRunner(source: source, methods: spec.methods.map { $0.evaluator(unitName: "city") },
                                      replications: 1000, alpha: 0.05)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didlab-bench-\(name).csv").path
        let description = "1000 replications, paper scenario x (TWFE, event study) CR1"
            + (placeboDraws > 0 ? " + \(placeboDraws)-draw placebo each" : "") + (threads == 1 ? ", 1 thread" : "")
        return Workload(name: name, description: description, itemsPerRun: 1000, itemName: "replications", runs: runs) {
            guard let (file, _) = try? RecordFile.open(path: path, resume: false, methodsPerTask: spec.methods.count),
                  let records = try? runner.run(file: file, existing: [], threads: threads) else { return .nan }
            return records[0].estimate
        }
    }

    /// Reading a 100,000 × 10 numeric CSV and parsing every field.
    static func csvWorkload(runs: Int) -> Workload {
        let path = BenchPanels.numericCSV(rows: 100_000, columns: 10)
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

/// Panels for the benchmarks, built from DiDLab's random streams (fixed seeds).
enum BenchPanels {
    /// A balanced city panel with the pilot-like cohort structure (13% treated in two cohorts),
    /// unit and year effects, covariates correlated with the unit effect and AR(1) noise.
    static func cityPanel(units: Int, periods: Int, covariates: Int, seed: UInt64) -> Panel {
        let stream = RandomStream(seed: seed, replication: 0, purpose: .data)
        let n = units * periods
        var unitIndex = [Int32](repeating: 0, count: n), periodIndex = [Int32](repeating: 0, count: n)
        var outcome = [Double](repeating: 0, count: n)
        var xs = [[Double]](repeating: [Double](repeating: 0, count: n), count: covariates)
        var adoption = [Int32](repeating: Panel.neverTreated, count: units)
        let treated = max(2, units * 37 / 282)
        for unit in 0..<treated { adoption[unit] = unit < treated * 2 / 3 ? 4 : 5 }
        for unit in 0..<units {
            let effect = 0.1 + 0.05 * stream.normal()
            var noise = 0.0
            for t in 0..<periods {
                let row = unit * periods + t
                unitIndex[row] = Int32(unit)
                periodIndex[row] = Int32(t)
                noise = 0.8 * noise + 0.012 * stream.normal()
                var y = effect + 0.005 * Double(t) + noise + (t >= Int(adoption[unit]) ? 0.01 : 0)
                for k in 0..<covariates {
                    let x = effect + stream.normal()
                    xs[k][row] = x
                    y += 0.01 * x
                }
                outcome[row] = y
            }
        }
        // Rows are generated sorted and unique, so this cannot throw.
        return (try? Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: units, periodCount: periods,
                           outcomeName: "y", outcome: outcome, covariateNames: (1...max(covariates, 1)).prefix(covariates).map { "x\($0)" },
                           covariates: xs, adoptionPeriod: adoption, unitName: "city", timeName: "year"))
            ?? { fatalError("bench panel") }()
    }

    /// Writes a numeric CSV to a temporary file once and returns its path.
    static func numericCSV(rows: Int, columns: Int) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didlab-bench-\(rows)x\(columns).csv").path
        if FileManager.default.fileExists(atPath: path) { return path }
        let stream = RandomStream(seed: 3, replication: 0, purpose: .other)
        var text = (1...columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        text.reserveCapacity(rows * columns * 20)
        for _ in 0..<rows {
            text += (0..<columns).map { _ in String(stream.normal() * 100) }.joined(separator: ",") + "\n"
        }
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
