import Foundation
import Testing

/// `didlab diagnose` end to end: the README's command, its files, and bad input.
@Suite("diagnose CLI")
struct DiagnoseCLITests {
    let mpdta = ["diagnose", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat"]

    func expectError(_ result: CLIResult, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit code", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "nothing on stdout", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "'\(fragment)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// The README's command (fewer replications): a table with both sources, every default
    /// method and a verdict; `--out` writes the JSON, the Markdown report, the records and the
    /// plot, and the JSON has the contract's fields.
    @Test func readmeCommandPrintsAVerdictAndWritesItsFiles() throws {
        let directory = try CLI.temporaryDirectory()
        let out = directory.appendingPathComponent("diag").path
        let result = try CLI.run(mpdta + ["--replications", "20", "--permutations", "19", "--reps", "19", "--out", out,
                                          "--plot", directory.appendingPathComponent("p.svg").path])
        #expect(result.status == 0, "\(result.stderr)")
        for fragment in ["Source: placebo-laws", "Source: model", "twfe cr1:countyreal", "cs cr1:countyreal control=notyet",
                         "sa cr1:countyreal term=att", "bjs cr1:countyreal", "pretrend cr1:countyreal", "Verdict"] {
            #expect(result.stdout.contains(fragment), "\(fragment)")
        }
        for file in ["manifest.json", "records.csv", "diagnosis.json", "report.md", "power.svg"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let svg = try String(contentsOfFile: directory.appendingPathComponent("p.svg").path, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline"))
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/diagnosis.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["command"] as? String == "diagnose")
        let dataSection = try #require(json["data"] as? [String: Any])
        #expect(dataSection["n_units"] as? Int == 500)
        #expect(dataSection["n_periods"] as? Int == 5)
        #expect(json["calibration"] is [String: Any])
        let sources = try #require(json["sources"] as? [[String: Any]])
        #expect(sources.compactMap { $0["source"] as? String } == ["placebo-laws", "model"])
        let method = try #require((sources[0]["methods"] as? [[String: Any]])?.first)
        for key in ["name", "estimator", "inference", "size", "power", "mde", "bias", "coverage"] {
            #expect(method.keys.contains(key), "\(key)")
        }
        let size = try #require(method["size"] as? [String: Any])
        for key in ["rejection", "mcse", "wilson_low", "wilson_high", "design_size"] { #expect(size.keys.contains(key)) }
        let verdict = try #require(json["verdict"] as? [[String: Any]])
        #expect(verdict.first?.keys.contains("holds_size") == true)
        // A second run into the same directory needs --resume, and then recomputes nothing.
        let again = try CLI.run(mpdta + ["--replications", "20", "--permutations", "19", "--reps", "19", "--out", out])
        expectError(again, contains: ["--out", "--resume"])
        let resumed = try CLI.run(mpdta + ["--replications", "20", "--permutations", "19", "--reps", "19", "--out", out,
                                           "--resume", "--format", "json"])
        #expect(resumed.status == 0)
        #expect(resumed.stdout == String(decoding: data, as: UTF8.self))
    }

    @Test func badOverride() throws {
        expectError(try CLI.run(mpdta + ["--set", "errors.phi=0.3"]), contains: ["--set", "errors.phi=0.3", "errors.rho"])
        expectError(try CLI.run(mpdta + ["--set", "errors.rho=1.5"]), contains: ["--set", "-1 < rho < 1"])
    }

    @Test func badEffectsAndMethods() throws {
        expectError(try CLI.run(mpdta + ["--effects", "0.1,abc"]), contains: ["--effects", "positive numbers"])
        expectError(try CLI.run(mpdta + ["--methods", "twfe cr4"]), contains: ["--methods", "'twfe cr4'", "inference"])
        expectError(try CLI.run(mpdta + ["--methods", "mediation"]), contains: ["--methods", "mediation"])
        expectError(try CLI.run(mpdta + ["--methods", "twfe cr1,twfe cr1"]), contains: ["--methods", "named twice"])
        expectError(try CLI.run(mpdta + ["--resume"]), contains: ["--resume", "--out"])
        expectError(try CLI.run(mpdta + ["--reps", "100000000000"]), contains: ["--reps", "memory budget"])
        expectError(try CLI.run(mpdta + ["--replications", "9000000000000"]), contains: ["--replications", "memory budget"])
    }

    @Test func unknownLevelColumn() throws {
        expectError(try CLI.run(mpdta + ["--level", "province"]), contains: ["mpdta.csv", "'province'"])
    }
}
