import Foundation
import Testing

/// `didlab estimate --method cs` on the edge-case fixtures, as a user runs it. Oracle for the
/// numbers: `Tests/Fixtures/cs_edge_reference.json` (csdid 0.4.3, R did 2.5.1's port; see
/// `scripts/reference/make_cs_edge_reference.py`), read back from JSON output written with 17
/// significant digits, so the library's 1e-8 parity carries over.
@Suite("didlab estimate --method cs: failed cells and unbalanced panels")
struct CallawaySantAnnaCLITests {
    static let separation = ["estimate", CLI.fixture("cs_separation.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                             "--cohort", "cohort", "--x", "x", "--method", "cs"]
    static let unbalanced = ["estimate", CLI.fixture("mpdta_unbalanced.csv"), "--y", "lemp", "--unit", "countyreal",
                             "--time", "year", "--cohort", "first.treat", "--method", "cs"]

    static func expected(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("cs_edge_reference.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        let found = try #require(cases.first { $0["name"] as? String == name })
        return try #require(found["expected"] as? [String: Any])
    }

    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func simple(_ object: [String: Any]) throws -> Double {
        let aggregates = try #require(object["aggregates"] as? [String: Any])
        return try #require((aggregates["simple"] as? [String: Any])?["estimate"] as? Double)
    }

    @Test("a separating covariate stops the run by default, naming the cells and the flag")
    func failedCellsStop() throws {
        let result = try CLI.run(Self.separation)
        #expect(result.status == 1 && result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.hasPrefix("didlab: error: Callaway-Sant'Anna: 7 of 15 ATT(g,t) cannot be estimated: ATT(2004,2002)"))
        #expect(result.stderr.contains("add --drop-failed-cells"))
    }

    @Test("--drop-failed-cells: failed cells in JSON with reasons, aggregations as csdid's na_rm")
    func failedCellsDropped() throws {
        let result = try CLI.run(Self.separation + ["--drop-failed-cells", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try Self.json(result)
        #expect(object["failed_cells"] as? String == "drop")
        let cells = try #require(object["att_gt"] as? [[String: Any]])
        let failed = cells.filter { $0["estimable"] as? Bool == false }
        #expect(failed.count == 7)
        #expect(failed.allSatisfy { $0["estimate"] is NSNull && ($0["reason"] as? String)?.hasPrefix("overlap fails") == true })
        let expected = try Self.expected("separation_dr")
        let want = try #require((expected["simple"] as? [String: Any])?["estimate"] as? Double)
        #expect(abs(try Self.simple(object) - want) < 1e-8)
        let notes = try #require(object["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("7 of 15 ATT(g,t) not estimable, left out of every aggregation") })
        let table = try CLI.run(Self.separation + ["--drop-failed-cells"])
        #expect(table.stdout.contains("Not estimable (left out of the aggregations below):"))
        #expect(table.stdout.contains("ATT(2004,2004)          NA") || table.stdout.contains("not estimable"))
    }

    @Test("unbalanced panels: balanced by default with a note, or --unbalanced allow; both as csdid")
    func unbalancedModes() throws {
        for (mode, name, units) in [(nil, "unbalanced_balance", 391), ("allow", "unbalanced_allow", 500)] {
            let result = try CLI.run(Self.unbalanced + ["--format", "json"] + (mode.map { ["--unbalanced", $0] } ?? []))
            #expect(result.status == 0, "\(result.stderr)")
            let object = try Self.json(result)
            #expect(object["n_units"] as? Int == units)
            #expect(object["unbalanced_panel"] as? String == (mode ?? "balance"))
            let want = try #require((try Self.expected(name)["simple"] as? [String: Any])?["estimate"] as? Double)
            #expect(abs(try Self.simple(object) - want) < 1e-8, "\(name)")
        }
        let balanced = try CLI.run(Self.unbalanced)
        #expect(balanced.stdout.contains("Note: Dropped 109 units not observed in every period to balance the panel"))
        let allowed = try CLI.run(Self.unbalanced + ["--unbalanced", "allow"])
        #expect(allowed.stdout.contains("Units x periods: 500 x 5 (unbalanced)"))
    }

    @Test("--unbalanced allow with --x is refused with a one-line error; the flags are CS-only")
    func refusals() throws {
        let covariate = try CLI.run(Self.unbalanced + ["--unbalanced", "allow", "--x", "lpop"])
        #expect(covariate.status == 1)
        #expect(covariate.stderr.contains("not implemented") && covariate.stderr.contains("--unbalanced balance"))
        let wrongMethod = try CLI.run(Self.unbalanced.dropLast(2) + ["--drop-failed-cells"])
        #expect(wrongMethod.status == 1 && wrongMethod.stderr.contains("applies only to --method cs"))
    }
}
