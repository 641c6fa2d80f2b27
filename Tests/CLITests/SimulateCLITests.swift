import Foundation
import Testing

/// `didlab simulate` as a user runs it: the binary, its files, stdout/stderr and exit code.
@Suite("didlab simulate")
struct SimulateCLITests {
    /// Oracle: the list of required built-in scenario names, one per line with a description.
    @Test func listsBuiltInScenarios() throws {
        let result = try CLI.run(["simulate", "--list"])
        #expect(result.status == 0, "\(result.stderr)")
        let names = result.stdout.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
        for name in ["paper", "paper-dynamic", "paper-heterogeneous", "paper-spillover", "paper-national-ets",
                     "paper-few-clusters", "bdm", "blw-1", "blw-6"] {
            #expect(names.contains(name), "\(name)")
        }
    }

    /// Oracle: determinism — the same seed twice gives byte-identical CSV and truth; another seed
    /// gives a different CSV; the CSV loads straight back into `didlab estimate`.
    @Test func sameSeedSameBytesAndLoadsIntoEstimate() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func simulate(_ tag: String, seed: String) throws -> (Data, Data) {
            let csv = directory.appendingPathComponent("\(tag).csv").path, json = directory.appendingPathComponent("\(tag).json").path
            let result = try CLI.run(["simulate", "--scenario", "paper", "--seed", seed, "--out", csv, "--truth", json])
            #expect(result.status == 0, "\(result.stderr)")
            return (try Data(contentsOf: URL(fileURLWithPath: csv)), try Data(contentsOf: URL(fileURLWithPath: json)))
        }
        let first = try simulate("a", seed: "7"), second = try simulate("b", seed: "7"), other = try simulate("c", seed: "8")
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.0 != other.0)
        let truth = try #require(try JSONSerialization.jsonObject(with: first.1) as? [String: Any])
        #expect(truth["treated_units"] as? Int == 37)
        let overall = try #require(truth["overall"] as? [String: Any])
        #expect(overall["observation_weighted"] as? Double == 0.01)

        let estimate = try CLI.run(["estimate", directory.appendingPathComponent("a.csv").path, "--y", "y", "--unit", "city",
                                    "--time", "year", "--cohort", "cohort", "--cluster", "province", "--format", "json"])
        #expect(estimate.status == 0, "\(estimate.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(estimate.stdout.utf8)) as? [String: Any])
        #expect(object["n_obs"] as? Int == 3948)
        #expect(object["n_clusters"] as? Int == 31)
    }

    /// Oracle: the error contract — one line on stderr naming the problem, exit status 1.
    @Test func errorsAreOneLineAndExitOne() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try CLI.write("errors:\n  rhoo: 0.5\n", named: "bad.yaml", in: directory)
        let cases: [([String], String)] = [
            (["simulate", "--scenario", "nope", "--out", directory.appendingPathComponent("x.csv").path], "nope"),
            (["simulate", "--spec", spec, "--out", directory.appendingPathComponent("x.csv").path], "errors.rhoo"),
            (["simulate", "--scenario", "paper"], "--out"),
        ]
        for (arguments, needle) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains(needle), "\(result.stderr)")
        }
    }

    /// Oracle: a YAML spec overrides the defaults it names (here ρ and the Fujian cohort).
    @Test func specFileIsUsed() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try CLI.write("name: mine\ncalendar:\n  fujianYear: 2017\nerrors:\n  rho: 0.3\n", named: "s.yaml", in: directory)
        let json = directory.appendingPathComponent("t.json").path
        let result = try CLI.run(["simulate", "--spec", spec, "--out", directory.appendingPathComponent("p.csv").path,
                                  "--truth", json])
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(truth["scenario"] as? String == "mine")
        #expect(truth["treated_units"] as? Int == 46)
    }
}
