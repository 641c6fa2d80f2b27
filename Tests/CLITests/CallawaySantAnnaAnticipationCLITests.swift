import Foundation
import Testing

/// `didlab estimate --method cs --anticipation K`. Oracle: `Tests/Fixtures/cs_anticipation_reference.json`
/// (csdid 0.4.3 `ATTgt(..., anticipation=1)`, scripts/reference/make_cs_anticipation_reference.py); 1e-8 as
/// the library's parity test (the JSON carries 17 significant digits).
@Suite("didlab estimate --anticipation")
struct CallawaySantAnnaAnticipationCLITests {
    static let mpdta = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                        "--cohort", "first.treat", "--method", "cs"]

    @Test("JSON: the anticipation used and the simple aggregation of csdid")
    func json() throws {
        let result = try CLI.run(Self.mpdta + ["--control", "notyet", "--anticipation", "1", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["anticipation"] as? Int == 1)
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("cs_anticipation_reference.json")))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(reference["cases"] as? [[String: Any]])
        let golden = try #require(cases.first { $0["name"] as? String == "mpdta_notyet_varying_a1" })
        let simple = try #require(((golden["csdid"] as? [String: Any])?["simple"] as? [String: Any]))
        let aggregates = try #require(object["aggregates"] as? [String: Any])
        let ours = try #require(aggregates["simple"] as? [String: Any])
        let estimate = try #require(ours["estimate"] as? Double), se = try #require(ours["std_error"] as? Double)
        #expect(abs(estimate - (simple["estimate"] as? Double ?? .nan)) <= 1e-8)
        #expect(abs(se - (simple["std_error"] as? Double ?? .nan)) <= 1e-8)
    }

    @Test("bad values: one line naming --anticipation, exit 1")
    func badInput() throws {
        let cases: [([String], String)] = [
            (Self.mpdta + ["--anticipation", "-1"], "--anticipation must be a whole number >= 0"),
            (Self.mpdta + ["--anticipation", "4"], "(--anticipation)"),
            (["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
              "--cohort", "first.treat", "--anticipation", "1"], "--anticipation applies only to --method cs"),
        ]
        // Years doubled (2003 → 4006): consecutive periods two units apart, where R did's anticipation
        // (time units) and ours (periods) would differ.
        let lines = try String(contentsOfFile: CLI.fixture("mpdta.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let year = try #require(header.firstIndex(of: "year")), cohort = try #require(header.firstIndex(of: "first.treat"))
        let doubled = [String(lines[0])] + lines.dropFirst().map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[year] = String(2 * (Int(fields[year]) ?? 0))
            fields[cohort] = String(2 * (Int(fields[cohort]) ?? 0))
            return fields.joined(separator: ",")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mpdta-doubled-\(UUID().uuidString).csv").path
        try (doubled.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spaced = ["estimate", path, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat",
                      "--method", "cs", "--anticipation", "1"]
        for (arguments, message) in cases + [(spaced, "steps from 4006 to 4008")] {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }
}
