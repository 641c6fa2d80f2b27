import Estimators
import Foundation
import Lab
import Sim

/// The data files that the Swift workloads and the Python peers (`scripts/bench-peers.py`) both
/// read, in one directory described by `manifest.json`.
///
/// Panels are written by the same code as `didlab simulate` (``SimulatedPanel/csv()``), so each
/// file is byte-identical to the one that `reproduce` (in the manifest) writes, and the Swift side
/// loads them back with ``Panel/load(csv:spec:)``, the reader of `didlab estimate`.
struct BenchData {
    /// One file of the data directory.
    enum File: String, CaseIterable {
        /// `didlab simulate --scenario paper --seed 1`: 282 cities × 14 years (W1–W5, and the template of W6's peers).
        case paper
        /// 30,000 cities × 20 years from the paper design on a flat geography (W7).
        case large
        /// 100,000 × 10 numeric CSV (CSV ingest).
        case numeric

        var fileName: String {
            switch self {
            case .paper: "paper-seed\(BenchData.paperSeed).csv"
            case .large: "large-30000x20-seed\(BenchData.largeSeed).csv"
            case .numeric: "numeric-100000x10.csv"
            }
        }

        /// The file a workload reads (the paper panel for every workload that reads none itself,
        /// since the peers of W6 use it as their template).
        static func needed(by workload: String) -> File {
            if workload.hasPrefix("W7") { return .large }
            if workload.hasPrefix("CSV") { return .numeric }
            return .paper
        }
    }

    static let paperSeed: UInt64 = 1
    static let largeSeed: UInt64 = 2
    static let largeScenarioFile = "large-scenario.yaml"
    /// The four regressors besides treatment: the paper design's two controls and two mediators.
    static let covariates = ["ln_gdp_pc", "industry_share", "green_innovation", "industry_structure"]
    static let numericRows = 100_000, numericColumns = 10

    /// The directory holding the files.
    let directory: String

    func path(_ file: File) -> String { (directory as NSString).appendingPathComponent(file.fileName) }

    /// The 30,000 × 20 scenario: the paper design (errors, covariates, mediators, ATT) on a flat
    /// geography of 300 equal provinces, 2003–2022, with 8% of cities adopting in 2013 and 5% in
    /// 2014 (the paper's 13% treated in two cohorts).
    static func largeScenario() throws -> Scenario {
        var scenario = try Scenario.preset(named: "paper")
        scenario.name = "bench-large"
        scenario.description = "paper design, 30,000 cities x 20 years (2003-2022), flat geography, cohorts 2013 (8%) and 2014 (5%)"
        scenario.geography.kind = .flat
        scenario.geography.cityCount = 30_000
        scenario.geography.provinceCount = 300
        scenario.calendar.kind = .staggered
        scenario.calendar.firstYear = 2003
        scenario.calendar.lastYear = 2022
        scenario.calendar.cohorts = [Scenario.Cohort(year: 2013, share: 0.08), Scenario.Cohort(year: 2014, share: 0.05)]
        return scenario
    }

    /// Sun–Abraham at scale (SA-1M, BJS-1M): the paper design on 50,000 cities × 20 years (2003–2022), flat
    /// geography of 500 provinces, ten cohorts 2008–2017 of 5% each (half the cities never
    /// treated): 1,000,000 rows and 190 cohort × relative-period cells.
    static func millionScenario() throws -> Scenario {
        var scenario = try largeScenario()
        scenario.name = "bench-million"
        scenario.description = "paper design, 50,000 cities x 20 years (2003-2022), flat geography, ten 5% cohorts 2008-2017"
        scenario.geography.cityCount = 50_000
        scenario.geography.provinceCount = 500
        scenario.calendar.cohorts = (2008...2017).map { Scenario.Cohort(year: $0, share: 0.05) }
        return scenario
    }

    /// The SA-1M and BJS-1M panel, simulated in memory (not written: the workloads time the estimators, not a
    /// 90 MB CSV read), without covariates.
    static func millionPanel() throws -> Panel {
        let simulated = try Simulator(try millionScenario()).simulate(replication: 0, seed: largeSeed)
        return try simulated.panel.separatingCovariates(simulated.panel.covariateNames).panel
    }

    /// Creates the directory and writes `files` (always rewritten: the content is deterministic) and the manifest.
    static func write(_ files: Set<File>, to directory: String) throws -> BenchData {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = BenchData(directory: directory)
        for file in File.allCases where files.contains(file) {
            switch file {
            case .paper:
                let simulated = try Simulator(preset: "paper").simulate(replication: 0, seed: paperSeed)
                try AtomicFile.write(simulated.csv(), to: data.path(.paper))
            case .large:
                let scenario = try largeScenario()
                try AtomicFile.write(try scenario.yaml(), to: (directory as NSString).appendingPathComponent(largeScenarioFile))
                let simulated = try Simulator(scenario).simulate(replication: 0, seed: largeSeed)
                try AtomicFile.write(simulated.csv(), to: data.path(.large))
            case .numeric:
                try AtomicFile.write(numericCSV(rows: numericRows, columns: numericColumns), to: data.path(.numeric))
            }
        }
        try AtomicFile.write(manifest(files).stamped().rendered() + "\n", to: (directory as NSString).appendingPathComponent("manifest.json"))
        return data
    }

    /// Loads a panel file as `didlab estimate FILE --y y --unit city --time year --cohort cohort --x …` does
    /// (without `--x` when `covariates` is false).
    func panel(_ file: File, covariates: Bool = true) throws -> Panel {
        let spec = PanelSpec(outcome: "y", unit: "city", time: "year", treatment: .cohort("cohort"),
                             covariates: covariates ? BenchData.covariates : [])
        return try Panel.load(csv: path(file), spec: spec)
    }

    /// What the directory holds, for `scripts/bench-peers.py`.
    static func manifest(_ files: Set<File>) -> JSONValue {
        func panelEntry(_ file: File, units: Int, periods: Int, reproduce: String) -> JSONValue {
            .object([
                ("path", .string(file.fileName)), ("units", .integer(units)), ("periods", .integer(periods)),
                ("y", .string("y")), ("unit", .string("city")), ("time", .string("year")),
                ("cohort", .string("cohort")), ("treat", .string("treat")),
                ("x", .array(covariates.map(JSONValue.string))), ("cluster", .string("city")),
                ("reproduce", .string(reproduce)),
            ])
        }
        var entries: [(String, JSONValue)] = []
        for file in File.allCases where files.contains(file) {
            switch file {
            case .paper:
                entries.append(("paper", panelEntry(.paper, units: 282, periods: 14,
                    reproduce: "didlab simulate --scenario paper --seed \(paperSeed) --out \(File.paper.fileName)")))
            case .large:
                entries.append(("large", panelEntry(.large, units: 30_000, periods: 20,
                    reproduce: "didlab simulate --spec \(largeScenarioFile) --seed \(largeSeed) --out \(File.large.fileName)")))
            case .numeric:
                entries.append(("numeric", .object([("path", .string(File.numeric.fileName)),
                                                    ("rows", .integer(numericRows)), ("columns", .integer(numericColumns))])))
            }
        }
        return .object([("generator", .string("didlab-bench")), ("files", .object(entries))])
    }

    /// A numeric CSV with a header `c1,…,cK` and normal draws × 100 in shortest round-trip form.
    static func numericCSV(rows: Int, columns: Int) -> String {
        let stream = RandomStream(seed: 3, replication: 0, purpose: .other)
        var text = (1...columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        text.reserveCapacity(rows * columns * 20)
        for _ in 0..<rows {
            for column in 0..<columns {
                if column > 0 { text += "," }
                text += String(stream.normal() * 100)
            }
            text += "\n"
        }
        return text
    }
}
