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
        if truth != nil { try files.write(TruthJSON.render(simulated, scenario: chosen.name) + "\n", to: truth) }
        try files.commit()
    }
}

/// The truth as ordered JSON (snake_case keys, shortest round-trip numbers).
enum TruthJSON {
    static func render(_ simulated: SimulatedPanel, scenario: String) -> String {
        let truth = simulated.truth
        var fields: [(String, JSONValue)] = [
            ("scenario", .string(scenario)),
            ("seed", simulated.seed <= UInt64(Int.max) ? .integer(Int(simulated.seed)) : .string(String(simulated.seed))),
            ("replication", .integer(simulated.replication)),
            ("scale", .string(truth.scale)),
            ("n_units", .integer(simulated.panel.unitCount)),
            ("n_periods", .integer(simulated.panel.periodCount)),
            ("n_provinces", .integer(simulated.geography.provinceCount)),
            ("treated_units", .integer(truth.treatedCities)),
            ("never_treated_units", .integer(truth.neverTreatedCities)),
            ("treated_provinces", .integer(truth.treatedProvinces)),
            ("treated_observations", .integer(truth.treatedObservations)),
            ("cohorts", .array(truth.cohorts.map { .object([("cohort", .integer($0.cohort)), ("units", .integer($0.cities))]) })),
            ("overall", .object([("observation_weighted", .finite(truth.overall)),
                                 ("cell_average", .finite(truth.cellAverage))])),
            ("att_gt", .array(truth.groupTime.map {
                .object([("group", .integer($0.cohort)), ("time", .integer($0.year)), ("att", .finite($0.att)),
                         ("n", .integer($0.observations))])
            })),
            ("event_time", .array(truth.eventTimes.map {
                .object([("event_time", .integer($0.eventTime)), ("att", .finite($0.att)), ("n", .integer($0.observations))])
            })),
            ("subgroups", .array(truth.subgroups.map {
                .object([("by", .string($0.dimension)), ("level", .string($0.level)), ("att", .finite($0.att)),
                         ("n", .integer($0.observations))])
            })),
            ("indirect", .array(truth.indirect.map {
                .object([("mediator", .string($0.mediator)), ("a", .finite($0.a)), ("b", .finite($0.b)),
                         ("effect", .finite($0.effect)), ("proportion_mediated", .finite($0.proportion))])
            })),
        ]
        if let spill = truth.spillover {
            fields.append(("spillover", .object([
                ("effect", .finite(spill.effect)), ("n", .integer(spill.observations)),
                ("exposed_never_treated_units", .integer(spill.exposedNeverTreatedCities)),
                ("never_treated_units", .integer(spill.neverTreatedCities)),
                ("radius_km", spill.radiusKm.map { .finite($0) } ?? .null),
            ])))
        } else {
            fields.append(("spillover", .null))
        }
        if let index = simulated.index {
            fields.append(("index_weights", .object(zip(simulated.indicatorNames, index.weights).map { ($0, .finite($1)) })))
        }
        return JSONValue.object(fields).rendered()
    }
}
