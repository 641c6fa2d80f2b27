import Foundation
import Testing

/// `didlab placebo` as a user runs it. Oracles: the JSON contract of DESIGN.md, the promise of
/// identical output for any --threads, and the one-line error messages with exit code 1.
@Suite("placebo CLI")
struct PlaceboCLITests {
    let mpdta = [CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat"]

    @Test("mpdta: JSON parses, exit 0, draws and plot written, identical for 1 and 2 threads")
    func mpdtaJSON() throws {
        let directory = try CLI.temporaryDirectory()
        let draws = directory.appendingPathComponent("draws.csv").path
        let plot = directory.appendingPathComponent("placebo.svg").path
        let one = try CLI.run(["placebo"] + mpdta + ["--permutations", "300", "--seed", "42", "--format", "json",
                                                     "--threads", "1", "--draws", draws, "--plot", plot])
        #expect(one.status == 0, "\(one.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        for key in ["observed", "permutations", "seed", "p_value", "p_value_studentized", "placebo"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["permutations"] as? Int == 300)
        let p = try #require(object["p_value"] as? Double)
        #expect(p > 0 && p <= 1)
        #expect(try String(contentsOfFile: draws, encoding: .utf8).split(separator: "\n").count == 301)
        #expect(try String(contentsOfFile: plot, encoding: .utf8).hasPrefix("<svg"))
        let two = try CLI.run(["placebo"] + mpdta + ["--permutations", "300", "--seed", "42", "--format", "json",
                                                     "--threads", "2"])
        #expect(two.stdout.replacingOccurrences(of: "\"threads\": 2", with: "\"threads\": 1") == one.stdout)
    }

    /// Oracle: `estimate --method did2s` with the same window (the observed statistic is the same
    /// fit), and the registry's rule that only re-estimating statistics read a window.
    @Test("did2s placebo tests an event-time term with its window; bjs's specialised statistic refuses one")
    func did2sEventTerm() throws {
        let placebo = try CLI.run(["placebo"] + mpdta + ["--method", "did2s", "--lags", "2", "--term", "e+1",
                                                         "--permutations", "19", "--format", "json"])
        #expect(placebo.status == 0, "\(placebo.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(placebo.stdout.utf8)) as? [String: Any])
        let observed = try #require((object["observed"] as? [String: Any])?["estimate"] as? Double)
        let estimate = try CLI.run(["estimate"] + mpdta + ["--method", "did2s", "--lags", "2", "--format", "json"])
        let fit = try #require(try JSONSerialization.jsonObject(with: Data(estimate.stdout.utf8)) as? [String: Any])
        let terms = try #require(fit["coefficients"] as? [[String: Any]])
        let e1 = try #require(terms.first { $0["term"] as? String == "e+1" }?["estimate"] as? Double)
        #expect(abs(observed - e1) <= 1e-12 * abs(e1), "placebo observed \(observed), estimate \(e1)")
        let refused = try CLI.run(["placebo"] + mpdta + ["--method", "bjs", "--lags", "2", "--permutations", "19"])
        #expect(refused.status == 1 && refused.stderr.contains("apply only to --method event or did2s"))
    }

    @Test("table output and the timing scheme")
    func tableAndTiming() throws {
        let table = try CLI.run(["placebo"] + mpdta + ["--permutations", "50"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Randomization inference"))
        let timing = try CLI.run(["placebo"] + mpdta + ["--scheme", "timing", "--shift", "1"])
        #expect(timing.status == 0, "\(timing.stderr)")
        #expect(timing.stdout.contains("fake timing"))
    }

    @Test("bad flag combinations and columns exit 1 with one line", arguments: [
        (["--permutations", "10", "--scheme", "timing"], "--shift"),
        (["--scheme", "cohorts"], "--permutations"),
        (["--permutations", "10", "--shift", "2"], "--shift applies only"),
        (["--permutations", "0"], "at least 1"),
        (["--permutations", "10", "--strata", "nosuch"], "nosuch"),
        (["--permutations", "10", "--threads", "0"], "--threads"),
        (["--permutations", "10", "--lags", "2"], "--method event"),
    ])
    func badInput(arguments: [String], fragment: String) throws {
        let result = try CLI.run(["placebo"] + mpdta + arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }
}
