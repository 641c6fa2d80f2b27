import Foundation
import Testing

/// `didlab estimate --method sdid` as a user runs it. Oracle for numbers:
/// `Tests/Fixtures/sdid_reference.json` (synthdid-py 0.1.0, see scripts/reference/make_sdid_reference.py);
/// tolerance 1e-8 as in SyntheticDiDParityTests (JSON prints doubles exactly).
@Suite("didlab estimate --method sdid")
struct SyntheticDiDCLITests {
    static let columns = ["--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]

    /// mpdta's rows whose cohort is in `cohorts`, written to a temporary CSV.
    static func mpdta(cohorts: Set<String>, in directory: URL) throws -> String {
        let text = try String(contentsOfFile: CLI.fixture("mpdta.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let kept = lines.dropFirst().filter { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count > 4 && cohorts.contains(String(fields[4]))
        }
        return try CLI.write(([lines[0]] + kept).joined(separator: "\n") + "\n", named: "mpdta_subset.csv", in: directory)
    }

    static func reference(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("sdid_reference.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["cases"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    @Test func staggeredJSONMatchesSynthdidPy() throws {
        let directory = try CLI.temporaryDirectory()
        let path = try Self.mpdta(cohorts: ["0", "2006", "2007"], in: directory)
        let result = try CLI.run(["estimate", path] + Self.columns + ["--method", "sdid", "--sdid-variance", "jackknife",
                                                                       "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "sdid")
        #expect(object["variance"] as? String == "jackknife")
        let reference = try Self.reference("mpdta_staggered")
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        let att = try #require(coefficients.first { $0["term"] as? String == "att" })
        #expect(abs((att["estimate"] as? Double ?? .nan) - (reference["att"] as? Double ?? .nan)) < 1e-8)
        #expect(abs((att["std_error"] as? Double ?? .nan) - (reference["jackknife_se"] as? Double ?? .nan)) < 1e-8)
        let g2007 = try #require(coefficients.first { $0["term"] as? String == "g=2007" })
        #expect(g2007["group"] as? Int == 2007)
        let cohorts = try #require(object["cohorts"] as? [[String: Any]])
        #expect(cohorts.count == 2)
    }

    @Test func tableNamesTheVariance() throws {
        let directory = try CLI.temporaryDirectory()
        let path = try Self.mpdta(cohorts: ["0", "2006"], in: directory)
        let result = try CLI.run(["estimate", path] + Self.columns + ["--method", "sdid"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Synthetic DiD"))
        #expect(result.stdout.contains("jackknife"))
        #expect(result.stdout.contains("g=2006"))
    }

    /// Bad input: one line on stderr naming what is wrong, exit 1, nothing on stdout.
    @Test(arguments: [
        // mpdta's 2004 cohort has one pre-period (2003).
        (["mpdta"], ["2004", "1 pre-treatment period", "at least 2"]),
        (["unbalanced"], ["unbalanced", "every unit in every period"]),
        (["treated-only"], ["never-treated"]),
        (["covariates"], ["--x"]),
        (["other-method"], ["--sdid-variance", "--method sdid"]),
        (["bootstrap-one-draw"], ["--reps", "2"]),
    ])
    func badInputIsOneLine(_ name: [String], _ fragments: [String]) throws {
        let directory = try CLI.temporaryDirectory()
        var arguments: [String]
        switch name[0] {
        case "mpdta": arguments = ["estimate", CLI.fixture("mpdta.csv")] + Self.columns + ["--method", "sdid"]
        case "unbalanced": arguments = ["estimate", CLI.fixture("mpdta_unbalanced.csv")] + Self.columns + ["--method", "sdid"]
        case "treated-only":
            arguments = ["estimate", try Self.mpdta(cohorts: ["2006", "2007"], in: directory)] + Self.columns + ["--method", "sdid"]
        case "covariates":
            arguments = ["estimate", try Self.mpdta(cohorts: ["0", "2006"], in: directory)] + Self.columns
                + ["--method", "sdid", "--x", "lpop"]
        case "other-method":
            arguments = ["estimate", CLI.fixture("mpdta.csv")] + Self.columns + ["--sdid-variance", "placebo"]
        default:
            arguments = ["estimate", try Self.mpdta(cohorts: ["0", "2006"], in: directory)] + Self.columns
                + ["--method", "sdid", "--sdid-variance", "bootstrap", "--reps", "1"]
        }
        let result = try CLI.run(arguments)
        #expect(result.status == 1, "\(name): \(result.stdout)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        for fragment in fragments { #expect(result.stderr.contains(fragment), "\(name): \(result.stderr)") }
    }
}
