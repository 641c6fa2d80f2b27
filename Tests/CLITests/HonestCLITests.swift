import Foundation
import Testing

/// `didlab estimate --method event --honest …`: output shape and bad input. Oracle: the contract in
/// issue 14 (each bound as a number in the JSON `honest` object; one-line errors naming the flag).
@Suite("honest CLI")
struct HonestCLITests {
    let base = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                "--cohort", "first.treat"]

    func expectError(_ arguments: [String], naming flag: String, _ fragment: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try CLI.run(base + arguments)
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(flag) && result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func jsonHasEveryBound() throws {
        let result = try CLI.run(base + ["--method", "event", "--honest", "sd:0,0.01,0.02", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["coefficients"] as? [Any])?.count == 7)
        let honest = try #require(object["honest"] as? [String: Any])
        #expect(honest["target"] as? String == "first")
        let bounds = try #require(honest["bounds"] as? [[String: Any]])
        #expect(bounds.map { $0["bound"] as? Double } == [0, 0.01, 0.02])
        #expect(bounds.allSatisfy { $0["lower"] is Double && $0["upper"] is Double && $0["method"] as? String == "FLCI" })
        #expect((honest["original"] as? [String: Any])?["lower"] is Double)
        #expect((honest["breakdown"] as? [String: Any])?.keys.contains("value") == true)
    }

    @Test func tableShowsBoundsAndBreakdown() throws {
        let result = try CLI.run(base + ["--method", "event", "--honest", "rm:1", "--honest-target", "average"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("HonestDiD") && result.stdout.contains("C-LF") && result.stdout.contains("Breakdown Mbar:"))
        #expect(result.stdout.contains("target average"))
    }

    @Test func badInput() throws {
        try expectError(["--honest", "rm:1"], naming: "--honest", "--method event")
        try expectError(["--method", "event", "--honest", "rm:1,x"], naming: "--honest", "not a number")
        try expectError(["--method", "event", "--honest", "zz:1"], naming: "--honest", "expected rm:")
        try expectError(["--method", "event", "--honest", "sd:-0.01"], naming: "--honest", "negative")
        try expectError(["--method", "event", "--honest", "rm:1", "--leads", "1"], naming: "--honest", "no pre-period")
        try expectError(["--method", "event", "--honest", "rm:1", "--honest-target", "e+9"], naming: "--honest", "e+9")
        try expectError(["--method", "event", "--honest-target", "average"], naming: "--honest-target", "only with --honest")
        try expectError(["--method", "event", "--honest", "rm:1", "--format", "csv"], naming: "--honest", "table or json")
    }
}
