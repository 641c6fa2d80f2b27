import ArgumentParser
import Foundation
import Lab
import Sim

/// `didlab simulate`: one synthetic panel (and its truth) from a built-in or YAML scenario.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a synthetic city panel with known true effects.",
        discussion: """
        The CSV has one row per city-year: city, province, year, cohort (adoption year,
        0 = never), treat, the outcome, mediators, covariates, (indicators), region,
        resource, old_industrial, coord_x, coord_y. It loads straight back with
          didlab estimate panel.csv --y y --unit city --time year --cohort cohort
        The geography is fixed by the scenario; --seed and --replication choose the draws.
        The same scenario, seed and replication give byte-identical files.
        """)

    @Option(help: "Built-in scenario (see --list).")
    var scenario: String?

    @Option(help: "Scenario file (YAML); fields not given keep the defaults of the paper design.")
    var spec: String?

    @Option(parsing: .unconditional, help: "Run seed.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Replication number (which draw of the scenario under this seed).")
    var replication: Int = 0

    @Option(help: "Write the panel here (CSV, atomically).")
    var out: String?

    @Option(help: "Write the true effects here (JSON, atomically).")
    var truth: String?

    @Flag(help: "List the built-in scenarios and exit.")
    var list = false

    @Flag(help: "Print the scenario as YAML (every field) and exit.")
    var showSpec = false

    func validate() throws {
        if scenario != nil && spec != nil { throw ValidationError("give at most one of --scenario NAME or --spec FILE.yaml") }
        if replication < 0 { throw ValidationError("--replication must be ≥ 0, got \(replication)") }
        if !list && !showSpec && out == nil { throw ValidationError("missing --out FILE.csv (or use --list)") }
    }

    func run() throws {
        if list {
            let width = Scenario.presetNames.map(\.count).max() ?? 0
            let lines = Scenario.presets.map { $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }
            print(lines.joined(separator: "\n"))
            return
        }
        let chosen: Scenario
        if let spec {
            guard FileManager.default.fileExists(atPath: spec) else { throw ValidationError("\(spec): no such file") }
            chosen = try Scenario.load(yamlFile: spec)
        } else {
            do {
                chosen = try Scenario.preset(named: scenario ?? "paper")
            } catch let error as ScenarioError {
                throw ValidationError("--scenario: \(error)")
            }
        }
        if showSpec {
            print(try chosen.yaml(), terminator: "")
            return
        }
        let files = try OutputFiles([out, truth])
        let simulated = try Simulator(chosen).simulate(replication: replication, seed: seed)
        try files.write(simulated.csv(), to: out)
        if truth != nil {
            let report = TruthReport(simulated, scenario: chosen.name)
            try files.write(JSONOutput.render(report), to: truth)
        }
        try files.commit()
    }
}
