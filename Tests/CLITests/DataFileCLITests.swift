import Foundation
import Testing

/// Stata, SPSS (and SAS) data files wherever a CSV is accepted (issue 17). Oracle: the same
/// command on the CSV of the same data (`scripts/reference/make-dta-fixtures.py` writes both):
/// the outputs must be identical byte for byte, since the files hold the same doubles and the
/// same groups (value labels on the .dta, their text in the CSV).
@Suite("data files: .dta and .sav as CSV")
struct DataFileCLITests {
    static let mpdta = ["--y", "lemp", "--unit", "countyreal", "--time", "year"]

    func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    @Test("estimate on panel.dta gives the numbers of the CSV (twfe, event, cs; .dta 118 and 113, .sav)", arguments: [
        ["--format", "json"],
        ["--method", "event", "--leads", "3", "--lags", "3", "--format", "json"],
        ["--method", "cs", "--format", "json"],
    ])
    func estimateSameAsCSV(options: [String]) throws {
        let csv = try run(["estimate", CLI.fixture("mpdta.csv")] + Self.mpdta + ["--cohort", "first.treat"] + options)
        #expect(csv.contains("\"estimate\""))
        for file in ["mpdta.dta", "mpdta_v8.dta", "mpdta.sav"] {
            let typed = try run(["estimate", CLI.fixture(file)] + Self.mpdta + ["--cohort", "first_treat"] + options)
            #expect(typed == csv, "\(file) \(options)")
        }
    }

    @Test("missing values (., .a, .b) drop the rows an empty CSV cell drops, with the same notes")
    func missingValues() throws {
        let arguments = Self.mpdta + ["--cohort", "first_treat", "--x", "lpop", "--format", "json"]
        let csv = try run(["estimate", CLI.fixture("mpdta_missing.csv")] + arguments)
        let typed = try run(["estimate", CLI.fixture("mpdta_missing.dta")] + arguments)
        #expect(typed == csv)
        #expect(try run(["estimate", CLI.fixture("mpdta_missing.sav")] + arguments) == csv)
        #expect(typed.contains("rows dropped for missing values") && typed.contains("with a missing cohort"))
    }

    @Test("--by a labelled region shows the labels; string unit ids work; same output as the CSV")
    func valueLabelsAsGroups() throws {
        let arguments = ["--y", "lemp", "--unit", "county", "--time", "year", "--cohort", "first_treat",
                         "--by", "region", "--permutations", "99"]
        let typed = try run(["estimate", CLI.fixture("mpdta_regions.dta")] + arguments)
        for region in ["East", "West", "North", "South"] {
            #expect(typed.contains("\n\(region) "), "\(region) in:\n\(typed)")
        }
        #expect(typed == (try run(["estimate", CLI.fixture("mpdta_regions.csv")] + arguments)))
    }

    /// Oracle: the fixtures' own data (`make-dta-fixtures.py`, pyreadstat 1.3.8): regions_spaces.dta
    /// labels its four regions "East", " East", "North", "South"; regions_user_missing.sav declares
    /// county "c8001" (five rows) user-missing.
    @Test("labels equal once trimmed stay two clusters; SPSS user-missing strings drop their rows")
    func trimmedLabelsAndUserMissingStrings() throws {
        let arguments = ["--y", "lemp", "--unit", "county", "--time", "year", "--cohort", "first_treat"]
        let clustered = try run(["estimate", CLI.fixture("regions_spaces.dta")] + arguments + ["--cluster", "region"])
        #expect(clustered.contains("Clustered (region), 4 clusters"), "\(clustered)")
        let missing = try run(["estimate", CLI.fixture("regions_user_missing.sav")] + arguments)
        #expect(missing.contains("5 rows dropped for missing values in used columns"), "\(missing)")
    }

    @Test("placebo and run specs read .dta too")
    func placeboAndRun() throws {
        let placebo = ["placebo"] + Self.mpdta + ["--permutations", "49", "--format", "json"]
        let placeboCSV = try run(placebo.prefix(1) + [CLI.fixture("mpdta.csv")] + placebo.dropFirst() + ["--cohort", "first.treat"])
        let placeboDTA = try run(placebo.prefix(1) + [CLI.fixture("mpdta.dta")] + placebo.dropFirst() + ["--cohort", "first_treat"])
        #expect(placeboDTA == placeboCSV)

        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func spec(_ file: String, cohort: String) -> String {
            """
            experiment: dta-check
            aims: the same placebo laws on a .dta and a .csv
            data: {panel: \(CLI.fixture(file)), y: lemp, unit: countyreal, time: year, cohort: \(cohort), source: placebo-laws, effects: [0.0]}
            estimands: {att: the constant effect}
            methods:
              - {name: TWFE CR1, estimator: twfe, inference: cr1, target: att}
            performance: [bias, rejection]
            replications: 20
            seed: 7
            alpha: 0.05

            """
        }
        var reports: [String] = []
        for (file, cohort) in [("mpdta.csv", "first.treat"), ("mpdta.dta", "first_treat")] {
            let path = try CLI.write(spec(file, cohort: cohort), named: "spec-\(file).yaml", in: directory)
            let out = directory.appendingPathComponent("out-\(file)").path
            _ = try run(["run", path, "--threads", "1", "--out", out, "--format", "json"])
            reports.append(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/results.csv")), as: UTF8.self))
        }
        #expect(reports[0] == reports[1] && !reports[0].isEmpty)
    }

    @Test("index reads a .dta and writes the CSV with the same index values")
    func index() throws {
        let fromCSV = try run(["index", CLI.fixture("mpdta.csv"), "--indicators", "lpop,lemp"])
        let fromDTA = try run(["index", CLI.fixture("mpdta.dta"), "--indicators", "lpop,lemp"])
        let last = { (text: String) in text.split(separator: "\n").map { $0.split(separator: ",").last ?? "" } }
        #expect(last(fromCSV).dropFirst() == last(fromDTA).dropFirst() && last(fromDTA).count == 2501)
        // The output is CSV: a .dta name for it is refused before anything is written.
        try expectError(["index", CLI.fixture("mpdta.dta"), "--indicators", "lpop", "--out", "/tmp/never-written.dta"],
                        contains: ["--out /tmp/never-written.dta", "written as CSV"])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.dta"))
    }

    func expectError(_ arguments: [String], contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 1 && result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "'\(fragment)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test("bad .dta input: one line naming the file (and variable), exit 1")
    func badInput() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("mpdta.dta")))
        let truncated = directory.appendingPathComponent("truncated.dta")
        try bytes.prefix(20_000).write(to: truncated)
        let cohort = ["--cohort", "first_treat"]
        try expectError(["estimate", truncated.path] + Self.mpdta + cohort,
                        contains: ["truncated.dta: cannot read the .dta file:", "truncated"])
        try expectError(["estimate", CLI.fixture("mpdta.dta"), "--y", "lemp", "--unit", "city", "--time", "year"] + cohort,
                        contains: ["mpdta.dta: variable 'city' (from --unit) is not in the file", "countyreal"])
        try expectError(["estimate", CLI.fixture("mpdta_regions.dta"), "--y", "county", "--unit", "countyreal",
                         "--time", "year"] + cohort,
                        contains: ["mpdta_regions.dta: variable 'county' (from --y) is a string variable in the .dta file"])
        let text = try CLI.write("year,y\n2001,1\n", named: "text.dta", in: directory)
        try expectError(["estimate", text] + Self.mpdta + cohort, contains: ["text.dta: cannot read the .dta file"])
        try expectError(["estimate", directory.appendingPathComponent("none.dta").path] + Self.mpdta + cohort,
                        contains: ["none.dta: no such file"])
    }
}
