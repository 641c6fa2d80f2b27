import Foundation
import Testing

/// The bad-input matrix (issue 12): CSV data, command-line flags and YAML specs across estimate,
/// placebo, mediate, simulate, run and merge. Oracle: the error contract of the house rules —
/// exit status 1 (not a signal, within the timeout), nothing on stdout, exactly one line on
/// stderr starting `didlab: error:` that names the file (with line) or the flag or the spec key
/// path and the offending value, and no file left behind in the case's directory (the working
/// directory and every --out/--draws/--plot/--truth target inside it; hidden `.tmp-*` included).
/// BadInputCLITests holds the single cases of the foundation issue; none is repeated here.
@Suite("bad-input matrix")
struct BadInputMatrixTests {
    @Test("bad input exits 1 with one line naming the problem", arguments: BadInputMatrixTests.cases)
    func badInput(_ badCase: BadInputCase) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try MatrixRunner.create(badCase.entries, in: directory)
        let before = MatrixRunner.contents(of: directory)
        let arguments = badCase.arguments.map { $0.replacingOccurrences(of: "$D", with: directory.path) }
        let result = try MatrixRunner.run(arguments, in: directory)
        let what = "[\(badCase.name)] \(result.summary)"

        let (timedOut, signalled, status) = (result.timedOut, result.signalled, result.status)
        let (stdoutIsEmpty, stderr) = (result.stdout.isEmpty, result.stderr)
        #expect(!timedOut, "no answer within \(MatrixRunner.timeout) s: \(what)")
        #expect(!signalled, "crashed: \(what)")
        #expect(status == 1, "exit status: \(what)")
        #expect(stdoutIsEmpty, "stdout not empty: \(what)")
        let lineCount = stderr.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lineCount == 1 && stderr.hasSuffix("\n"), "exactly one line on stderr: \(what)")
        #expect(stderr.hasPrefix("didlab: error: "), "prefix: \(what)")
        for fragment in badCase.fragments.map({ $0.replacing("$D", with: directory.path) }) {
            let found = fragment.matches(stderr)
            #expect(found, "expected \(fragment): \(what)")
        }
        for text in badCase.forbidden + Self.neverShown {
            let shown = stderr.contains(text)
            #expect(!shown, "must not say '\(text)': \(what)")
        }
        let left = MatrixRunner.contents(of: directory).subtracting(before)
        let nothingLeft = left.isEmpty
        #expect(nothingLeft, "files left behind: \(left.sorted()): \(what)")
    }

    /// Internals that must never reach a user.
    static let neverShown = ["NSCocoaErrorDomain", "Error Domain=", "Fatal error", "Swift/", "Optional("]

    // MARK: - The table

    static let cases: [BadInputCase] = csvCases + flagCases + outputCases + specCases + otherCommandCases

    static let data = "$D/data.csv"
    static let columns = ["--y", "lemp", "--unit", "city", "--time", "year"]
    static let estimate = ["estimate", data] + columns + ["--cohort", "cohort"]
    static let placebo = ["placebo", data] + columns + ["--cohort", "cohort"]
    static let mediate = ["mediate", data] + columns + ["--cohort", "cohort"]
    static let basePanel = MatrixEntry.text("data.csv", MatrixFixture.panel())
    static func panel(_ text: String) -> MatrixEntry { .text("data.csv", text) }

    /// Values the panel reader must refuse, each naming file:line, the column and the value.
    static let csvCases: [BadInputCase] = [
        BadInputCase("csv: cohort -3e9 (outside Int32)", [panel(MatrixFixture.panel(city: "c", cohort: "-3e9"))], estimate,
                     expect: ["data.csv:10", "'cohort'", "-3e9"]),
        BadInputCase("csv: cohort 1e300", [panel(MatrixFixture.panel(city: "c", cohort: "1e300"))], estimate,
                     expect: ["data.csv:10", "'cohort'", "1e300"]),
        BadInputCase("csv: cohort 9e18", [panel(MatrixFixture.panel(city: "c", cohort: "9e18"))], estimate,
                     expect: ["data.csv:10", "'cohort'", "9e18"]),
        BadInputCase("csv: time -3e9 (outside Int32)", [panel(MatrixFixture.panel(row: 19) { $0.year = "-3e9" })], estimate,
                     expect: ["data.csv:21", "'year'", "-3e9"]),
        BadInputCase("csv: time 1e300", [panel(MatrixFixture.panel(row: 19) { $0.year = "1e300" })], estimate,
                     expect: ["data.csv:21", "'year'", "1e300"]),
        BadInputCase("csv: time 9e18, event study", [panel(MatrixFixture.panel(row: 19) { $0.year = "9e18" })],
                     estimate + ["--method", "event"], expect: ["data.csv:21", "'year'", "9e18"]),
        BadInputCase("csv: non-integer period 2012.5", [panel(MatrixFixture.panel(row: 19) { $0.year = "2012.5" })], estimate,
                     expect: ["data.csv:21", "'year'", "2012.5"]),
        BadInputCase("csv: string periods t1,t2,t10 ordered as text",
                     [panel(MatrixFixture.panel(periods: ["t1", "t2", "t10", "t11"]))], estimate,
                     expect: ["data.csv", "year", .any("'t1", "'t2")]),
        BadInputCase("csv: quarter labels Q42010..Q32011 ordered as text",
                     [panel(MatrixFixture.panel(periods: ["Q42010", "Q12011", "Q22011", "Q32011"]))], estimate,
                     expect: ["data.csv", "year", .any("Q42010", "Q12011", "Q22011", "Q32011")]),
        BadInputCase("csv: 2011 and 2011.0 for one unit are a duplicate row",
                     [panel(MatrixFixture.panel() + "a,2011.0,2012,0,1.2,0.1,0,east,0.7\n")], estimate,
                     expect: ["data.csv:22", "unit 'a'", "2011"]),
        BadInputCase("csv: off-grid cohort 2011.5 on an annual grid", [panel(MatrixFixture.panel(city: "c", cohort: "2011.5"))],
                     estimate, expect: ["data.csv:10", "'cohort'", "2011.5"]),
        BadInputCase("csv: absurd cohort 1 gives > 1000 event-time terms", [panel(MatrixFixture.panel(city: "c", cohort: "1"))],
                     estimate + ["--method", "event"], expect: [.any("event time", "event-time"), .any("1000", "1,000")]),
        BadInputCase("csv: UTF-16 LE with BOM", [.file("data.csv", MatrixFixture.utf16(MatrixFixture.panel(), bigEndian: false))],
                     estimate, expect: ["data.csv", "UTF-16"], forbid: ["field"]),
        BadInputCase("csv: UTF-16 BE with BOM", [.file("data.csv", MatrixFixture.utf16(MatrixFixture.panel(), bigEndian: true))],
                     estimate, expect: ["data.csv", "UTF-16"], forbid: ["field"]),
        BadInputCase("csv: quoted value with a newline is echoed on one line",
                     [panel(MatrixFixture.panel(row: 8) { $0.lemp = "\"1.1\nabc\"" })], estimate,
                     expect: ["data.csv:10", "'lemp'", "abc"]),
        BadInputCase("csv: header names a column twice", [panel(MatrixFixture.panel().replacingOccurrences(of: ",m1\n", with: ",lemp\n"))],
                     estimate, expect: ["data.csv:1", "lemp", .any("twice", "duplicate", "more than once")]),
        BadInputCase("csv: non-number cohort", [panel(MatrixFixture.panel(city: "c", cohort: "soon"))], estimate,
                     expect: ["data.csv:10", "'cohort'", "'soon'"]),
        BadInputCase("csv: data path is a directory", [.directory("dir.csv")],
                     ["estimate", "$D/dir.csv"] + columns + ["--cohort", "cohort"], expect: ["dir.csv", "directory"]),
        BadInputCase("csv: unsupported extension", [.text("data.tsv", MatrixFixture.panel())],
                     ["estimate", "$D/data.tsv"] + columns + ["--cohort", "cohort"], expect: ["data.tsv", "csv"]),
        BadInputCase("roles: --x lemp --y lemp", [basePanel], estimate + ["--x", "lemp"], expect: ["lemp", "--x", "--y"]),
        BadInputCase("roles: --cluster is the outcome", [basePanel], estimate + ["--cluster", "lemp"],
                     expect: ["lemp", "--cluster", "--y"]),
        BadInputCase("roles: --cohort is the outcome", [basePanel], ["estimate", data] + columns + ["--cohort", "lemp"],
                     expect: ["lemp", "--cohort", "--y"]),
        BadInputCase("roles: --unit is the --time column", [basePanel],
                     ["estimate", data, "--y", "lemp", "--unit", "year", "--time", "year", "--cohort", "cohort"],
                     expect: ["year", "--unit", "--time"]),
        BadInputCase("roles: covariate collinear with the treatment", [basePanel], estimate + ["--x", "dpost"],
                     expect: ["dpost", "collinear", "treat"]),
        BadInputCase("mediate: duplicate (unit, time) rows", [panel(MatrixFixture.panel() + "b,2011,2013,0,1.3,0.2,0,east,0.6\n")],
                     mediate + ["--m", "m1"], expect: ["data.csv:22", "unit 'b'", "2011"]),
        BadInputCase("placebo: missing --y column", [basePanel],
                     ["placebo", data, "--y", "nosuch", "--unit", "city", "--time", "year", "--cohort", "cohort",
                      "--permutations", "19"], expect: ["data.csv", "'nosuch'", "--y"]),
        BadInputCase("mediate: missing --x column", [basePanel], mediate + ["--m", "m1", "--x", "nosuch"],
                     expect: ["data.csv", "'nosuch'", "--x"]),
    ]

    /// Flag values, each naming the flag and the value; a negative number is a value, not a
    /// missing one.
    static let flagCases: [BadInputCase] = [
        BadInputCase("placebo: --permutations 1e18 refused up front", [.text("data.csv", MatrixFixture.largePanel)],
                     ["placebo", data] + columns + ["--cohort", "cohort", "--permutations", "1000000000000000000"],
                     expect: ["--permutations", "memory"]),
        BadInputCase("placebo: --permutations 1e9 refused up front", [.text("data.csv", MatrixFixture.largePanel)],
                     ["placebo", data] + columns + ["--cohort", "cohort", "--permutations", "1000000000"],
                     expect: ["--permutations", "memory"]),
        BadInputCase("estimate --by: --permutations 1e18 refused up front",
                     [panel(MatrixFixture.panel { rows in for k in 4..<8 { rows[k].region = "west" } })],
                     estimate + ["--by", "region", "--permutations", "1000000000000000000"],
                     expect: ["--permutations", "memory"]),
        BadInputCase("placebo: --permutations abc", [basePanel], placebo + ["--permutations", "abc"],
                     expect: ["--permutations", "'abc'"]),
        BadInputCase("placebo: --memory lots", [basePanel], placebo + ["--permutations", "19", "--memory", "lots"],
                     expect: ["--memory", "lots"]),
        BadInputCase("placebo: --memory -5GB", [basePanel], placebo + ["--permutations", "19", "--memory", "-5GB"],
                     expect: ["--memory", "-5GB"], forbid: ["Missing value"]),
        BadInputCase("placebo: --memory 12XB", [basePanel], placebo + ["--permutations", "19", "--memory", "12XB"],
                     expect: ["--memory", "12XB"]),
        BadInputCase("estimate: --threads 0", [basePanel], estimate + ["--threads", "0"], expect: ["--threads", "0"]),
        BadInputCase("placebo: --threads -1", [basePanel], placebo + ["--permutations", "19", "--threads", "-1"],
                     expect: ["--threads", "-1"], forbid: ["Missing value"]),
        BadInputCase("mediate: --threads -1", [basePanel], mediate + ["--m", "m1", "--threads", "-1"],
                     expect: ["--threads", "-1"], forbid: ["Missing value"]),
        BadInputCase("run: --threads -1", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--threads", "-1"],
                     expect: ["--threads", "-1"], forbid: ["Missing value"]),
        BadInputCase("estimate: --leads -1", [basePanel], estimate + ["--method", "event", "--leads", "-1"],
                     expect: ["--leads", "-1"], forbid: ["Missing value"]),
        BadInputCase("placebo: --leads -1", [basePanel], placebo + ["--permutations", "19", "--method", "event", "--leads", "-1"],
                     expect: ["--leads", "-1"], forbid: ["Missing value"]),
        BadInputCase("estimate: --lags abc", [basePanel], estimate + ["--method", "event", "--lags", "abc"],
                     expect: ["--lags", "'abc'"]),
        BadInputCase("estimate: --plot x.png (the figure is SVG)", [basePanel], estimate + ["--method", "event", "--plot", "$D/x.png"],
                     expect: ["--plot writes SVG", "ending in .svg", "x.png'"]),
        BadInputCase("placebo: --plot p.PDF (the figure is SVG)", [basePanel], placebo + ["--permutations", "19", "--plot", "$D/p.PDF"],
                     expect: ["--plot writes SVG", "ending in .svg", "p.PDF'"]),
        BadInputCase("diagnose: --plot x.png (the figure is SVG)", [basePanel],
                     ["diagnose", data] + columns + ["--cohort", "cohort", "--plot", "$D/x.png"],
                     expect: ["--plot writes SVG", "ending in .svg", "x.png'"]),
        BadInputCase("estimate: dcdh --lags Int.max (overflowed)", [basePanel],
                     estimate + ["--method", "dcdh", "--lags", "9223372036854775807"],
                     expect: ["--lags", "9223372036854775807", "10000"]),
        BadInputCase("estimate: conley --lag Int.max (overflowed)", [basePanel],
                     estimate + ["--inference", "conley", "--cutoff", "100", "--coords", "x1,m1", "--lag", "9223372036854775807"],
                     expect: ["9223372036854775807", "10000"]),
        BadInputCase("placebo: --cluster A+B names two-way clustering", [basePanel],
                     placebo + ["--permutations", "19", "--cluster", "city+region"],
                     expect: ["city+region", "two-way"]),
        BadInputCase("estimate: --conf-level 1.5", [basePanel], estimate + ["--conf-level", "1.5"], expect: ["--conf-level", "1.5"]),
        BadInputCase("mediate: --conf-level 1.5", [basePanel], mediate + ["--m", "m1", "--conf-level", "1.5"], expect: ["--conf-level", "1.5"]),
        BadInputCase("mediate: --alpha 2", [basePanel], mediate + ["--m", "m1", "--alpha", "2"], expect: ["--alpha", "2"]),
        BadInputCase("estimate: --seed -1", [basePanel], estimate + ["--seed", "-1"], expect: ["--seed", "-1"],
                     forbid: ["Missing value"]),
        BadInputCase("estimate: --seed 2^64 overflows", [basePanel], estimate + ["--seed", "18446744073709551616"],
                     expect: ["--seed", "18446744073709551616"]),
        BadInputCase("run: --seed 9223372036854775808 blames the flag", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--seed", "9223372036854775808"],
                     expect: ["--seed", "9223372036854775808"], forbid: ["spec.yaml"]),
        BadInputCase("run: --seed -1", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--seed", "-1"],
                     expect: ["--seed", "-1"], forbid: ["Missing value"]),
        BadInputCase("estimate: --reps 0 (wcb)", [basePanel], estimate + ["--inference", "wcb", "--reps", "0"],
                     expect: ["--reps", "0"]),
        BadInputCase("mediate: --reps abc", [basePanel], mediate + ["--m", "m1", "--reps", "abc"], expect: ["--reps", "'abc'"]),
        BadInputCase("estimate: --bands --reps -1 (cs)", [basePanel], estimate + ["--method", "cs", "--bands", "--reps", "-1"],
                     expect: ["--reps", "-1"], forbid: ["Missing value"]),
        BadInputCase("estimate: --weights nosuch (wcb)", [basePanel], estimate + ["--inference", "wcb", "--weights", "nosuch"],
                     expect: ["--weights", "nosuch"]),
        BadInputCase("estimate: --format xml", [basePanel], estimate + ["--format", "xml"], expect: ["--format", "xml"]),
        BadInputCase("placebo: --scheme shuffle", [basePanel], placebo + ["--permutations", "19", "--scheme", "shuffle"],
                     expect: ["--scheme", "shuffle"]),
        BadInputCase("placebo: --method magic", [basePanel], placebo + ["--permutations", "19", "--method", "magic"],
                     expect: ["--method", "magic"]),
        BadInputCase("placebo: --method bacon", [basePanel], placebo + ["--permutations", "19", "--method", "bacon"],
                     expect: ["--method bacon"]),
        BadInputCase("placebo: --shift 0", [basePanel], placebo + ["--scheme", "timing", "--shift", "0"],
                     expect: ["--shift", "0"]),
        BadInputCase("placebo: --strata and --level the same column", [basePanel],
                     placebo + ["--permutations", "19", "--strata", "region", "--level", "region"],
                     expect: ["--strata", "--level", "region"]),
        BadInputCase("placebo: --term e+99 not in the model", [basePanel],
                     placebo + ["--permutations", "19", "--method", "event", "--term", "e+99"], expect: ["--term", "e+99"]),
        BadInputCase("mediate: --m names the outcome among others", [basePanel], mediate + ["--m", "m1,lemp"],
                     expect: ["--m", "lemp", "--y"]),
        BadInputCase("mediate: --inference wcb", [basePanel], mediate + ["--m", "m1", "--inference", "wcb"],
                     expect: ["--inference", "wcb"]),
        BadInputCase("simulate: --replication -1", [], ["simulate", "--scenario", "paper", "--out", "$D/p.csv", "--replication", "-1"],
                     expect: ["--replication", "-1"], forbid: ["Missing value"]),
        BadInputCase("simulate: --seed abc", [], ["simulate", "--scenario", "paper", "--out", "$D/p.csv", "--seed", "abc"],
                     expect: ["--seed", "'abc'"]),
        BadInputCase("simulate: --scenario nosuch names the flag", [], ["simulate", "--scenario", "nosuch", "--out", "$D/p.csv"],
                     expect: ["--scenario", "nosuch"]),
        BadInputCase("run: --shard 0/3", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--shard", "0/3"], expect: ["--shard", "0/3"]),
        BadInputCase("run: --replications 1", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--replications", "1"], expect: ["--replications", "1"]),
        BadInputCase("run: --replications 1e12 refused up front", [.text("spec.yaml", MatrixFixture.experiment())],
                     ["run", "$D/spec.yaml", "--out", "$D/out", "--replications", "1000000000000"],
                     expect: ["--replications", "1000000000000"]),
    ]

    /// Output paths that cannot be written: the path and the operating system's reason, nothing
    /// half written.
    static let outputCases: [BadInputCase] = [
        BadInputCase("estimate: --out /proc/x.json", [basePanel], estimate + ["--out", "/proc/x.json"],
                     expect: ["/proc/x.json", .osReason]),
        BadInputCase("estimate: --out /nonexistent/dir/x.json", [basePanel], estimate + ["--out", "/nonexistent/dir/x.json"],
                     expect: ["/nonexistent/dir/x.json", "no such file or directory"]),
        BadInputCase("estimate: --out is a directory", [basePanel, .directory("outdir")], estimate + ["--out", "$D/outdir"],
                     expect: ["$D/outdir", "directory"]),
        BadInputCase("placebo: --out /nonexistent/dir/x.json", [basePanel],
                     placebo + ["--permutations", "19", "--out", "/nonexistent/dir/x.json"],
                     expect: ["/nonexistent/dir/x.json", "no such file or directory"]),
        BadInputCase("placebo: --draws /nonexistent/dir/draws.csv, report to --out", [basePanel],
                     placebo + ["--permutations", "19", "--out", "$D/report.txt", "--draws", "/nonexistent/dir/draws.csv"],
                     expect: ["/nonexistent/dir/draws.csv", "no such file or directory"]),
        BadInputCase("placebo: --plot /proc/p.svg, draws to a good path", [basePanel],
                     placebo + ["--permutations", "19", "--draws", "$D/draws.csv", "--plot", "/proc/p.svg"],
                     expect: ["/proc/p.svg", .osReason]),
        BadInputCase("mediate: --out /proc/x.json", [basePanel], mediate + ["--m", "m1", "--reps", "0", "--out", "/proc/x.json"],
                     expect: ["/proc/x.json", .osReason]),
        BadInputCase("simulate: --out /nonexistent/dir/p.csv", [],
                     ["simulate", "--scenario", "paper", "--out", "/nonexistent/dir/p.csv"],
                     expect: ["/nonexistent/dir/p.csv", "no such file or directory"]),
        BadInputCase("simulate: --truth /proc/t.json leaves no panel behind", [],
                     ["simulate", "--scenario", "paper", "--out", "$D/p.csv", "--truth", "/proc/t.json"],
                     expect: ["/proc/t.json", .osReason]),
        BadInputCase("run: --out under a file", [.text("spec.yaml", MatrixFixture.experiment()), .text("file", "x")],
                     ["run", "$D/spec.yaml", "--out", "$D/file/out"], expect: ["$D/file", .osReason]),
    ]

    /// Experiment specs (`run SPEC`) and scenario specs (`simulate --spec`): the file, the key
    /// path and the value.
    static let specCases: [BadInputCase] = {
        func run(_ name: String, _ text: String, expect: [Fragment], forbid: [String] = []) -> BadInputCase {
            BadInputCase("run spec: " + name, [.text("spec.yaml", text)], ["run", "$D/spec.yaml", "--out", "$D/out"],
                         expect: ["spec.yaml"] + expect, forbid: forbid)
        }
        func simulate(_ name: String, _ text: String, expect: [Fragment]) -> BadInputCase {
            BadInputCase("simulate spec: " + name, [.text("scenario.yaml", text)],
                         ["simulate", "--spec", "$D/scenario.yaml", "--out", "$D/p.csv"], expect: ["scenario.yaml"] + expect)
        }
        let experiment = MatrixFixture.experiment()
        return [
            run("replications: 1000000000000", MatrixFixture.experiment(replications: "1000000000000"),
                expect: ["replications", "1000000000000"]),
            run("YAML nested 5,000 deep", MatrixFixture.experiment(extra: MatrixFixture.deeplyNested(key: "aims", depth: 5000)),
                expect: [.any("nest", "deep", "depth")]),
            run("alias bomb", MatrixFixture.experiment(extra: MatrixFixture.aliasBomb(key: "aims")), expect: ["alias"]),
            run("target: nosuch", MatrixFixture.experiment(method: "{name: TWFE, estimator: twfe, inference: cr1, target: nosuch}"),
                expect: ["methods[0].target", "nosuch"]),
            run("unknown performance measure", MatrixFixture.experiment(extra: "performance: [bias, nosuchmeasure]"),
                expect: ["performance", "nosuchmeasure"]),
            run("unknown key methods[0].estimatr",
                MatrixFixture.experiment(method: "{name: TWFE, estimatr: twfe, inference: cr1, target: att}"),
                expect: ["methods[0].estimatr"]),
            run("unknown key data.scnario", experiment.replacingOccurrences(of: "{scenario: paper}", with: "{scnario: paper}"),
                expect: ["data.scnario"]),
            run("unknown estimator", MatrixFixture.experiment(method: "{name: M, estimator: magic, inference: cr1, target: att}"),
                expect: ["methods[0].estimator", "magic"]),
            run("unknown inference", MatrixFixture.experiment(method: "{name: M, estimator: twfe, inference: cr4, target: att}"),
                expect: ["methods[0].inference", "cr4"]),
            run("cr2 on an estimator without it", MatrixFixture.experiment(method: "{name: M, estimator: cs, inference: cr2, target: att}"),
                expect: ["methods[0].inference", "cs takes"]),
            run("unknown scenario", experiment.replacingOccurrences(of: "{scenario: paper}", with: "{scenario: nosuch}"),
                expect: ["data.scenario", "nosuch"]),
            run("missing data.spec file", experiment.replacingOccurrences(of: "{scenario: paper}", with: "{spec: gone.yaml}"),
                expect: ["data.spec", "gone.yaml"]),
            run("string for replications", MatrixFixture.experiment(replications: "many"), expect: ["replications", "many"]),
            run("string for methods[0].permutations",
                MatrixFixture.experiment(method: "{name: P, estimator: twfe, inference: placebo, permutations: lots, target: att}"),
                expect: ["methods[0].permutations", "lots"]),
            run("string for alpha", MatrixFixture.experiment(extra: "alpha: high"), expect: ["alpha", "high"]),
            run("string in data.grid", experiment.replacingOccurrences(of: "{scenario: paper}",
                                                                      with: "{scenario: paper, grid: {errors.rho: [0.1, high]}}"),
                expect: ["data.grid.errors.rho", "high"]),
            run("negative seed", experiment.replacingOccurrences(of: "seed: 1", with: "seed: -3"), expect: ["seed", "-3"]),
            run("methods is a mapping", experiment.replacingOccurrences(of: "methods:\n  - ", with: "methods: "),
                expect: ["methods"]),
            run("empty file", "", expect: ["empty"]),
            run("not a mapping", "- twfe\n- cs\n", expect: ["mapping"]),
            run("YAML syntax error on line 4", "experiment: matrix\ndata:\n  scenario: paper\n seed: 1\n",
                expect: [.any("spec.yaml:4", "line 4", "4:2")]),
            simulate("YAML nested 5,000 deep", MatrixFixture.deeplyNested(key: "description", depth: 5000),
                     expect: [.any("nest", "deep", "depth", "description")]),
            simulate("alias bomb", MatrixFixture.aliasBomb(key: "description"), expect: [.any("alias", "description")]),
            simulate("empty file", "", expect: ["empty"]),
            simulate("not a mapping", "- paper\n", expect: ["mapping"]),
            simulate("string for errors.rho", "errors:\n  rho: high\n", expect: ["errors.rho", "high"]),
            simulate("unknown key calendar.fujianYaer", "calendar:\n  fujianYaer: 2017\n", expect: ["calendar.fujianYaer"]),
            simulate("YAML syntax error on line 3", "errors:\n  rho: 0.5\n bad: 1\n", expect: [.any("scenario.yaml:3", "line 3", "3:2")]),
        ]
    }()

    /// Missing files and other commands.
    static let otherCommandCases: [BadInputCase] = [
        BadInputCase("run: missing spec file", [], ["run", "$D/missing.yaml", "--out", "$D/out"],
                     expect: ["missing.yaml", "no such file"]),
        BadInputCase("simulate: missing --spec file", [], ["simulate", "--spec", "$D/missing.yaml", "--out", "$D/p.csv"],
                     expect: ["missing.yaml", "no such file"]),
        BadInputCase("merge: a file, not a directory", [basePanel], ["merge", "$D/data.csv"],
                     expect: ["data.csv", "not a directory"]),
        BadInputCase("merge: a missing directory", [], ["merge", "$D/nosuchdir"], expect: ["nosuchdir", .any("no such", "does not exist")]),
        BadInputCase("merge: a directory without records", [.directory("emptyrun")], ["merge", "$D/emptyrun"],
                     expect: ["emptyrun", .any("manifest", "records")], forbid: ["--resume"]),
    ]
}

// MARK: - Not errors, but never silently wrong

extension BadInputMatrixTests {
    /// A numerically hopeless input may be refused (exit 1, one line) or answered with the
    /// statistic omitted and a note; what it may never do is print nan or inf (outside a note)
    /// and exit 0. Oracle: that rule.
    struct PathologyCase: Sendable, CustomTestStringConvertible {
        let name: String
        let csv: String
        let arguments: [String]
        /// A word the note must contain when the command succeeds (besides "note").
        let noteMentions: String?
        var testDescription: String { name }
    }

    static let pathologyCases: [PathologyCase] = {
        let constant = MatrixFixture.panel { rows in for k in rows.indices { rows[k].lemp = "1.5" } }
        let outcome = { (value: String) in MatrixFixture.panel(row: 8) { $0.lemp = value } }
        return [
            PathologyCase(name: "constant outcome, twfe", csv: constant, arguments: estimate, noteMentions: nil),
            PathologyCase(name: "constant outcome, twfe json", csv: constant, arguments: estimate + ["--format", "json"],
                          noteMentions: nil),
            PathologyCase(name: "constant outcome, event", csv: constant, arguments: estimate + ["--method", "event"],
                          noteMentions: nil),
            PathologyCase(name: "constant outcome, placebo", csv: constant, arguments: placebo + ["--permutations", "19"],
                          noteMentions: nil),
            PathologyCase(name: "constant outcome, mediate", csv: constant, arguments: mediate + ["--m", "m1", "--reps", "9"],
                          noteMentions: nil),
            PathologyCase(name: "outcome 1e300, twfe", csv: outcome("1e300"), arguments: estimate, noteMentions: nil),
            PathologyCase(name: "outcome 1e300, twfe json", csv: outcome("1e300"), arguments: estimate + ["--format", "json"],
                          noteMentions: nil),
            PathologyCase(name: "outcome Inf, twfe", csv: outcome("Inf"), arguments: estimate, noteMentions: nil),
            PathologyCase(name: "outcome -Inf, twfe", csv: outcome("-Inf"), arguments: estimate, noteMentions: nil),
            PathologyCase(name: "outcome NaN, twfe", csv: outcome("NaN"), arguments: estimate, noteMentions: nil),
            PathologyCase(name: "cohort NaN is not silently never treated", csv: MatrixFixture.panel(city: "a", cohort: "NaN"),
                          arguments: estimate, noteMentions: "NaN"),
        ]
    }()

    @Test("never a printed nan/inf with exit 0", arguments: BadInputMatrixTests.pathologyCases)
    func noSilentNaN(_ pathology: PathologyCase) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try CLI.write(pathology.csv, named: "data.csv", in: directory)
        let arguments = pathology.arguments.map { $0.replacingOccurrences(of: "$D", with: directory.path) }
        let result = try MatrixRunner.run(arguments, in: directory)
        let what = "[\(pathology.name)] \(result.summary)"
        #expect(!result.timedOut && !result.signalled, "crashed or hung: \(what)")
        #expect(result.status == 0 || result.status == 1, "exit status: \(what)")
        if result.status == 1 {
            #expect(result.stdout.isEmpty, "stdout on error: \(what)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("didlab: error: "),
                    "one error line: \(what)")
        }
        guard result.status == 0 else { return }
        let (notes, body) = Self.notesAndBody(result.stdout)
        let bad = body.filter { Self.showsNonFinite($0) }
        #expect(bad.isEmpty, "nan/inf printed: \(bad.prefix(3)) [\(pathology.name)]")
        #expect(!notes.isEmpty, "exit 0 without a note: [\(pathology.name)] stdout: \(result.stdout.prefix(600))")
        if let word = pathology.noteMentions {
            #expect(notes.contains { $0.lowercased().contains(word.lowercased()) },
                    "a note mentions '\(word)': [\(pathology.name)] notes: \(notes)")
        }
    }

    /// The notes of a report and the rest of it. JSON (which cannot hold a bare NaN, so a report
    /// that prints one is read as text): the strings of every "notes" array, and every other
    /// value as text. A table: lines starting "Note", and the other lines.
    static func notesAndBody(_ stdout: String) -> (notes: [String], body: [String]) {
        if let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) {
            var notes: [String] = [], body: [String] = []
            func walk(_ value: Any, key: String?) {
                if let dictionary = value as? [String: Any] {
                    for (key, value) in dictionary { walk(value, key: key) }
                } else if let array = value as? [Any] {
                    for element in array { walk(element, key: key) }
                } else if key == "notes", let note = value as? String {
                    notes.append(note)
                } else {
                    body.append("\(key ?? ""): \(value)")
                }
            }
            walk(object, key: nil)
            return (notes, body)
        }
        let lines = stdout.split(separator: "\n").map(String.init)
        let isNote = { (line: String) in line.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("note") }
        return (lines.filter(isNote), lines.filter { !isNote($0) })
    }

    /// Whether a line shows nan or inf as a number (word-bounded, so "inference" is fine).
    static func showsNonFinite(_ line: String) -> Bool {
        line.range(of: #"(?i)(?<![A-Za-z])[-+]?(nan|inf|infinity)(?![A-Za-z])"#, options: .regularExpression) != nil
    }
}

// MARK: - Recognised dates are accepted and ordered by value

extension BadInputMatrixTests {
    /// Period labels that are dates: accepted, and ordered by date, not as text (2010m10 after
    /// 2010m9). Oracle: the event times of the base panel (a adopts in the third period, b in the
    /// fourth), which with value order are e-3, e-2, e+0, e+1 (e-1 the reference).
    @Test("recognised date periods are ordered by value", arguments: [
        ["2010-01-01", "2010-04-01", "2010-07-01", "2010-10-01"],
        ["2010-09", "2010-10", "2010-11", "2010-12"],
        ["2010q3", "2010q4", "2011q1", "2011q2"],
        ["2010q1", "2010q2", "2010q3", "2010q4"],
        ["2010m9", "2010m10", "2010m11", "2010m12"],
        ["2010m3", "2010m4", "2010m5", "2010m6"],
    ])
    func datePeriods(_ periods: [String]) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try CLI.write(MatrixFixture.panel(periods: periods), named: "data.csv", in: directory)
        let result = try CLI.run(["estimate", path] + Self.columns + ["--cohort", "cohort", "--method", "event", "--format", "json"])
        #expect(result.status == 0, "\(periods): \(result.stderr)")
        guard result.status == 0 else { return }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let terms = (object["coefficients"] as? [[String: Any]] ?? []).compactMap { $0["term"] as? String }
        #expect(object["n_periods"] as? Int == 4, "\(periods)")
        #expect(terms == ["e-3", "e-2", "e+0", "e+1"], "\(periods): event terms \(terms)")
    }
}

// MARK: - Too few treated clusters

extension BadInputMatrixTests {
    /// CR1 with one treated cluster is not an error, but the report must say that clustered
    /// inference rests on too few treated clusters and point to the wild bootstrap or placebo.
    /// Oracle: that promise, in the table's notes and in the JSON "notes".
    struct FewClustersCase: Sendable, CustomTestStringConvertible {
        let name: String
        let csv: String
        let extra: [String]
        var testDescription: String { name }
    }

    @Test("one treated cluster: a note pointing to wcb or placebo", arguments: [
        FewClustersCase(name: "one treated unit", csv: MatrixFixture.panel(city: "b", cohort: "0"), extra: []),
        FewClustersCase(name: "one treated cluster (region)", csv: MatrixFixture.panel(), extra: ["--cluster", "region"]),
    ])
    func fewTreatedClusters(_ few: FewClustersCase) throws {
        let (name, csv, extra) = (few.name, few.csv, few.extra)
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try CLI.write(csv, named: "data.csv", in: directory)
        let base = ["estimate", path] + Self.columns + ["--cohort", "cohort"] + extra
        func mentionsFewClusters(_ text: String) -> Bool {
            let lower = text.lowercased()
            return lower.contains("treated cluster") && (lower.contains("wcb") || lower.contains("placebo"))
        }

        let table = try CLI.run(base)
        #expect(table.status == 0, "[\(name)] \(table.stderr)")
        let notes = table.stdout.split(separator: "\n").filter { $0.lowercased().hasPrefix("note") }
        #expect(notes.contains { mentionsFewClusters(String($0)) }, "[\(name)] table notes: \(notes)")

        let json = try CLI.run(base + ["--format", "json"])
        #expect(json.status == 0, "[\(name)] \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let jsonNotes = object["notes"] as? [String] ?? []
        #expect(jsonNotes.contains { mentionsFewClusters($0) }, "[\(name)] json notes: \(jsonNotes)")
    }
}
