import Foundation
import Testing

/// `estimate --plot`, `run --plot` and `merge --plot` as a user runs them. Oracles: the JSON the
/// same command prints (one point per event-time coefficient), the file system (which figures are
/// written), and the one-line refusals with exit code 1. The figures' geometry is checked in
/// LabTests (EventStudyPlotTests, RunFiguresTests).
@Suite("plots CLI")
struct PlotCLITests {
    let mpdta = [CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]

    func count(_ fragment: String, in text: String) -> Int { text.components(separatedBy: fragment).count - 1 }

    @Test("estimate --plot: one point per event-time coefficient of the JSON; the overlay has a legend entry per method")
    func eventStudy() throws {
        let directory = try CLI.temporaryDirectory()
        let plot = directory.appendingPathComponent("event.svg").path
        let result = try CLI.run(["estimate"] + mpdta + ["--method", "event", "--format", "json", "--plot", plot])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let terms = try #require(object["coefficients"] as? [[String: Any]]).filter { $0["event_time"] != nil }
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && count("class=\"estimate\"", in: svg) == terms.count && terms.count == 7)
        let overlay = directory.appendingPathComponent("overlay.svg").path
        let both = try CLI.run(["estimate"] + mpdta + ["--method", "event", "--lags", "3", "--plot", overlay,
                                                       "--plot-methods", "event,cs,sa,bjs"])
        #expect(both.status == 0, "\(both.stderr)")
        let text = try String(contentsOfFile: overlay, encoding: .utf8)
        for method in ["event", "cs", "sa", "bjs"] {
            #expect(count("(\(method)): ", in: text) == 1, "legend entry of \(method)")
            #expect(text.contains("data-series=\"\(method)\""), "points of \(method)")
        }
        // The standalone file names the series without a reference period (cs, bjs) and what each fitted.
        #expect(text.contains("class=\"note\">no omitted reference period for cs (") && text.contains("e ≥ 3 binned"))
    }

    @Test("estimate --plot refuses a method without event times, in one line naming the flag")
    func refusals() throws {
        let plot = try CLI.temporaryDirectory().appendingPathComponent("p.svg").path
        let cases: [([String], String)] = [
            (["--plot", plot], "--plot: --method twfe"),
            (["--method", "bjs", "--plot", plot], "--plot: --method bjs"),
            (["--method", "event", "--plot", plot, "--plot-methods", "event,bacon"], "--plot: --plot-methods bacon"),
            (["--method", "event", "--plot", plot, "--plot-methods", "event,nope"], "--plot-methods: unknown estimator 'nope'"),
            (["--method", "event", "--plot-methods", "cs"], "--plot-methods applies only with --plot"),
        ]
        for (arguments, fragment) in cases {
            let result = try CLI.run(["estimate"] + mpdta + arguments)
            #expect(result.status == 1 && result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: plot))
        }
    }

    @Test("run --plot DIR writes bias and coverage (power only with an effect grid); merge --plot draws the merged run")
    func runFigures() throws {
        let directory = try CLI.temporaryDirectory()
        /// A one-method spec on the paper scenario with an `effects.att` grid.
        func writeSpec(_ name: String, effects: String, replications: Int) throws -> String {
            let text = "experiment: \(name)\ndata: {scenario: paper, grid: {effects.att: [\(effects)]}}\n"
                + "methods: [{name: TWFE, estimator: twfe, inference: cr1, target: att}]\nreplications: \(replications)\nseed: 3\n"
            return try CLI.write(text, named: name + ".yaml", in: directory)
        }
        let spec = try writeSpec("plot-test", effects: "0.0, 0.01, 0.02", replications: 4)
        let figures = directory.appendingPathComponent("figures")
        let run = try CLI.run(["run", spec, "--out", directory.appendingPathComponent("run").path, "--plot", figures.path])
        #expect(run.status == 0, "\(run.stderr)")
        for name in ["bias", "coverage", "power"] {
            let svg = try String(contentsOf: figures.appendingPathComponent(name + ".svg"), encoding: .utf8)
            #expect(svg.hasPrefix("<svg"), "\(name)")
        }
        // Two effect values are no grid: no power figure.
        let pair = try writeSpec("plot-pair", effects: "0.0, 0.01", replications: 2)
        let shard = directory.appendingPathComponent("shard")
        #expect(try CLI.run(["run", pair, "--out", shard.path, "--shard", "1/2", "--plot", figures.path]).stderr
            .contains("--plot draws the whole run"))
        #expect(try CLI.run(["run", pair, "--out", shard.path, "--shard", "1/1"]).status == 0)
        let merged = directory.appendingPathComponent("merged")
        let merge = try CLI.run(["merge", shard.path, "--out", merged.path, "--plot", merged.path])
        #expect(merge.status == 0, "\(merge.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: merged.path).filter { $0.hasSuffix(".svg") }.sorted()
        #expect(files == ["bias.svg", "coverage.svg"])
    }
}
