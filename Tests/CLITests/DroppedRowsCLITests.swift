import Foundation
import Testing

/// Rows the reader drops (missing values) are counted in every command's notes, not only
/// `estimate`'s: `placebo` and `diagnose` on the same file say so too.
///
/// Oracle: Tests/Fixtures/mpdta_missing.csv, whose empty cells are counted in
/// scripts/reference/make-dta-fixtures.py (lemp on every 37th and 53rd row, lpop on every 101st):
/// 114 rows lack lemp, and `estimate` on the file prints the same count.
@Suite("dropped rows are reported by every command")
struct DroppedRowsCLITests {
    static let panel = [CLI.fixture("mpdta_missing.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                        "--cohort", "first_treat"]
    static let note = "114 rows dropped for missing values in used columns"

    @Test func placeboAndEstimateCountTheSameRows() throws {
        let estimate = try CLI.run(["estimate"] + Self.panel + ["--format", "json"])
        #expect(estimate.status == 0, "\(estimate.stderr)")
        #expect(estimate.stdout.contains(Self.note))
        for scheme in [["--permutations", "19"], ["--scheme", "timing", "--shift", "1"]] {
            let placebo = try CLI.run(["placebo"] + Self.panel + scheme + ["--format", "json"])
            #expect(placebo.status == 0, "\(scheme): \(placebo.stderr)")
            #expect(placebo.stdout.contains(Self.note), "\(scheme)")
        }
    }

    @Test func diagnoseCountsThem() throws {
        let result = try CLI.run(["diagnose"] + Self.panel + ["--methods", "twfe cr1", "--replications", "10",
                                                              "--effects", "0.05", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("data: " + Self.note))
    }

    /// A run spec on the file (`data.panel`) carries them into results.json (`data_notes`),
    /// results.md and the table.
    @Test func aRunOnThePanelCountsThem() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try CLI.write("""
            experiment: missing-panel
            aims: a run on a panel with missing values
            data:
              panel: \(CLI.fixture("mpdta_missing.csv"))
              y: lemp
              unit: countyreal
              time: year
              cohort: first_treat
              source: placebo-laws
              effects: [0.0, 0.05]
            methods:
              - {name: TWFE, estimator: twfe, inference: cr1, target: att}
            replications: 4
            seed: 3
            """, named: "spec.yaml", in: directory)
        let out = directory.path + "/out"
        let result = try CLI.run(["run", spec, "--out", out, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Note: data: " + Self.note))
        let json = try String(contentsOfFile: out + "/results.json", encoding: .utf8)
        #expect(json.contains("\"data_notes\": [\"" + Self.note))
        let markdown = try String(contentsOfFile: out + "/results.md", encoding: .utf8)
        #expect(markdown.contains("- data: " + Self.note))
    }
}
