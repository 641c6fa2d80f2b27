import Foundation
import Testing

/// One pinned command: its arguments, where its JSON lands, and what in it is volatile.
///
/// `$D` in an argument is a fresh temporary directory. The produced text has the fixtures
/// directory replaced by `<fixtures>` and the temporary directory by `<tmp>` before it is parsed,
/// so a golden holds no machine's paths.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    /// File name of the golden, without `.json`.
    let name: String
    /// Section of Documentation/JSON.md the output's fields are listed under.
    let section: GoldenSection
    /// The `didlab` arguments.
    let arguments: [String]
    /// A file under `$D` holding the JSON (nil: standard output).
    var file: String? = nil
    /// Volatile fields: compared by type only (see ``GoldenMask``).
    var masks: [String] = []
    /// Files to create in `$D` first (name, text).
    var inputs: [(name: String, text: String)] = []

    var testDescription: String { name }
}

/// The shapes of JSON the CLI prints, one section each in Documentation/JSON.md.
enum GoldenSection: String, CaseIterable, Sendable {
    case estimate = "estimate"
    case estimateCS = "estimate --method cs"
    case estimateBacon = "estimate --method bacon"
    case estimateDCDH = "estimate --method dcdh"
    case estimateSDID = "estimate --method sdid"
    case estimateWCB = "estimate --inference wcb"
    case estimateBy = "estimate --by"
    case estimateByDimensions = "estimate --by COL1,COL2"
    case placebo = "placebo"
    case mediate = "mediate"
    case truth = "simulate --truth"
    case run = "run (results.json)"
    case diagnose = "diagnose"
    case bench = "bench"

    /// One line on what the section covers.
    var summary: String {
        switch self {
        case .estimate: return "`didlab estimate --format json` for `--method twfe`, `event`, `sa`, `bjs`, `did2s`, `stacked`, `rings` and `rings-2s` (with any variance: CR1, CR2, CR3, two-way, Conley): the DESIGN.md estimate object."
        case .estimateCS: return "`didlab estimate --method cs --format json`: Callaway–Sant'Anna group-time effects and their aggregations (R did)."
        case .estimateBacon: return "`didlab estimate --method bacon --format json`: the Goodman-Bacon decomposition and the de Chaisemartin–D'Haultfœuille weights."
        case .estimateDCDH: return "`didlab estimate --method dcdh --format json`: de Chaisemartin–D'Haultfœuille effects of switching on (`e+K`), placebos (`e-K`) and the average total effect (`att`), as R did_multiplegt_dyn."
        case .estimateSDID: return "`didlab estimate --method sdid --format json`: synthetic DiD (R synthdid; Stata sdid's cohort weighting when adoption is staggered): the ATT, each cohort's estimate with its unit and time weights, and the standard error of the chosen variance method."
        case .estimateWCB: return "`didlab estimate --inference wcb --format json`: the estimate object with wild-cluster-bootstrap p-values and intervals."
        case .estimateBy: return "`didlab estimate --by COL --format json`: subgroup heterogeneity (interaction model, split samples, tests of equal effects)."
        case .estimateByDimensions: return "`didlab estimate --by COL1,COL2,… --format json`: each subgroup dimension as `--by COL` prints it, then the family of tests of equal effects with Holm and Romano–Wolf (min-P step-down, joint permutation draws) adjusted p-values."
        case .placebo: return "`didlab placebo --format json`: randomization inference by placebo assignments."
        case .mediate: return "`didlab mediate --format json`: three-step mediation with unit and period fixed effects."
        case .truth: return "`didlab simulate --truth FILE`: the true effects of a simulated panel."
        case .run: return "`results.json` written by `didlab run` (and `merge`): performance measures with their MCSE per condition and method."
        case .diagnose: return "`didlab diagnose --format json`: size, power (raw and size-adjusted), MDE, bias and coverage of each method on placebo laws and the calibrated model, with the calibration and the verdict."
        case .bench: return "`didlab bench --format json`: timings (volatile: masked in the goldens), workload names and the machine."
        }
    }
}

/// The pinned commands. mpdta (Callaway & Sant'Anna 2021, `Tests/Fixtures/mpdta.csv`) wherever it
/// serves; it has no unit-level group column and no mediator, so `--by` and `mediate` use
/// `synthetic.csv` (the fixture of their own CLI tests), `--by COL1,COL2` `dimensions.csv` (60 units of
/// `synthetic.csv` with two unit-level columns, `scripts/reference/make_dimensions_fixture.py`) and the
/// rings `spillover.csv` (coordinates).
/// Random draws use small counts and fixed seeds; multi-threaded commands run with `--threads 1`
/// where the output names the thread count.
enum GoldenCases {
    static let mpdta = [CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                        "--cohort", "first.treat"]
    static let estimate = ["estimate"] + mpdta + ["--format", "json"]
    static let synthetic = [CLI.fixture("synthetic.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                            "--cohort", "cohort"]
    static let spillover = ["estimate", CLI.fixture("spillover.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                            "--cohort", "cohort", "--coords", "coord_x,coord_y", "--rings", "50,100", "--format", "json"]
    static let placebo = ["placebo"] + mpdta + ["--format", "json", "--threads", "1"]
    static let mediate = ["mediate"] + synthetic + ["--format", "json", "--threads", "1"]

    static let spec = """
    experiment: golden-run
    data: {scenario: paper, grid: {effects.att: [0.0, 0.01]}}
    methods:
      - {name: TWFE, estimator: twfe, inference: cr1, target: att}
      - {name: TWFE iid, estimator: twfe, inference: iid, target: att}
      - {name: Event study e+0, estimator: event, term: "e+0", inference: cr1, target: "e+0"}
      - {name: TWFE placebo, estimator: twfe, inference: placebo, permutations: 9, target: att}
      - {name: Pre-trend F, estimator: pretrend, leads: 3, lags: 3, inference: cr1, target: zero}
    replications: 6
    seed: 11

    """

    static let scenario = """
    name: golden-small
    geography: {kind: flat, cityCount: 30, provinceCount: 5}
    calendar: {kind: random-dates, firstYear: 2010, lastYear: 2016, treatedShare: 0.5, adoptionYearRange: [2012, 2014]}
    effects: {att: 0.2, dynamicSlope: 0.05}

    """

    static let all: [GoldenCase] = [
        // estimate: each method × each inference it takes.
        GoldenCase(name: "estimate-twfe-iid", section: .estimate, arguments: estimate + ["--inference", "iid"]),
        GoldenCase(name: "estimate-twfe-hetero", section: .estimate, arguments: estimate + ["--inference", "hetero"]),
        GoldenCase(name: "estimate-twfe-cr1", section: .estimate, arguments: estimate + ["--cluster", "countyreal"]),
        GoldenCase(name: "estimate-twfe-cr2", section: .estimate,
                   arguments: estimate + ["--inference", "cr2", "--cluster", "countyreal"]),
        GoldenCase(name: "estimate-twfe-cr1-x", section: .estimate,
                   arguments: estimate + ["--cluster", "countyreal", "--x", "lpop", "--ssc", "reghdfe"]),
        GoldenCase(name: "estimate-event-iid", section: .estimate, arguments: estimate + ["--method", "event", "--inference", "iid"]),
        GoldenCase(name: "estimate-event-hetero", section: .estimate,
                   arguments: estimate + ["--method", "event", "--inference", "hetero", "--leads", "2", "--lags", "2"]),
        GoldenCase(name: "estimate-event-cr1", section: .estimate,
                   arguments: estimate + ["--method", "event", "--cluster", "countyreal", "--conf-level", "0.9"]),
        GoldenCase(name: "estimate-event-honest-sd", section: .estimate,
                   arguments: estimate + ["--method", "event", "--cluster", "countyreal", "--honest", "sd:0,0.01,0.02"]),
        GoldenCase(name: "estimate-event-honest-rm", section: .estimate,
                   arguments: estimate + ["--method", "event", "--cluster", "countyreal", "--honest", "rm:0.5,1",
                                          "--honest-target", "average"]),
        GoldenCase(name: "estimate-sa-iid", section: .estimate, arguments: estimate + ["--method", "sa", "--inference", "iid"]),
        GoldenCase(name: "estimate-sa-hetero", section: .estimate,
                   arguments: estimate + ["--method", "sa", "--inference", "hetero", "--control", "last"]),
        GoldenCase(name: "estimate-sa-cr1", section: .estimate, arguments: estimate + ["--method", "sa", "--cluster", "countyreal"]),
        GoldenCase(name: "estimate-bjs-cr1", section: .estimate,
                   arguments: estimate + ["--method", "bjs", "--cluster", "countyreal", "--leads", "2", "--lags", "3"]),
        GoldenCase(name: "estimate-did2s-cr1", section: .estimate, arguments: estimate + ["--method", "did2s"]),
        GoldenCase(name: "estimate-did2s-event", section: .estimate,
                   arguments: estimate + ["--method", "did2s", "--leads", "3", "--lags", "2"]),
        GoldenCase(name: "estimate-rings-iid", section: .estimate, arguments: spillover + ["--method", "rings", "--inference", "iid"]),
        GoldenCase(name: "estimate-rings-2s-cr1", section: .estimate,
                   arguments: spillover + ["--method", "rings-2s", "--cluster", "unit"]),
        GoldenCase(name: "estimate-cs-never", section: .estimateCS, arguments: estimate + ["--method", "cs"]),
        GoldenCase(name: "estimate-cs-notyet-x", section: .estimateCS,
                   arguments: estimate + ["--method", "cs", "--control", "notyet", "--x", "lpop", "--base-period", "universal"]),
        GoldenCase(name: "estimate-cs-bands", section: .estimateCS,
                   arguments: estimate + ["--method", "cs", "--bands", "--reps", "99", "--seed", "7", "--threads", "1"]),
        GoldenCase(name: "estimate-bacon", section: .estimateBacon, arguments: estimate + ["--method", "bacon"]),
        GoldenCase(name: "estimate-stacked", section: .estimate, arguments: estimate + ["--method", "stacked", "--leads", "2", "--lags", "1"]),
        GoldenCase(name: "estimate-event-cr3", section: .estimate,
                   arguments: estimate + ["--method", "event", "--leads", "2", "--lags", "1", "--inference", "cr3"]),
        GoldenCase(name: "estimate-twfe-twoway", section: .estimate, arguments: estimate + ["--cluster", "countyreal+year"]),
        GoldenCase(name: "estimate-twfe-conley", section: .estimate,
                   arguments: ["estimate", CLI.fixture("spillover.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                               "--cohort", "cohort", "--latlon", "lat,lon", "--inference", "conley", "--cutoff", "300",
                               "--lag", "2", "--format", "json"]),
        GoldenCase(name: "estimate-sdid", section: .estimateSDID,
                   arguments: ["estimate", CLI.fixture("california_prop99.csv"), "--y", "packs", "--unit", "state",
                               "--time", "year", "--cohort", "cohort", "--method", "sdid", "--sdid-variance", "placebo",
                               "--reps", "19", "--seed", "5", "--threads", "1", "--format", "json"]),
        GoldenCase(name: "estimate-dcdh", section: .estimateDCDH, arguments: estimate + ["--method", "dcdh", "--leads", "3", "--lags", "2"]),
        GoldenCase(name: "estimate-twfe-wcb", section: .estimateWCB,
                   arguments: estimate + ["--inference", "wcb", "--cluster", "countyreal", "--reps", "99", "--seed", "3",
                                          "--threads", "1"]),
        GoldenCase(name: "estimate-event-wcb", section: .estimateWCB,
                   arguments: estimate + ["--method", "event", "--leads", "2", "--lags", "1", "--inference", "wcb",
                                          "--cluster", "countyreal", "--reps", "49", "--weights", "webb", "--seed", "3",
                                          "--threads", "1"]),
        GoldenCase(name: "estimate-twfe-by", section: .estimateBy,
                   arguments: ["estimate"] + synthetic + ["--by", "province", "--permutations", "49", "--seed", "5",
                                                          "--threads", "1", "--format", "json"]),
        GoldenCase(name: "estimate-twfe-by-dimensions", section: .estimateByDimensions,
                   arguments: ["estimate", CLI.fixture("dimensions.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                               "--cohort", "cohort", "--by", "region,coastal", "--permutations", "49", "--seed", "5",
                               "--threads", "1", "--format", "json"]),
        // diagnose: both sources on synthetic.csv (province as level), small counts.
        GoldenCase(name: "diagnose-synthetic", section: .diagnose,
                   arguments: ["diagnose"] + synthetic + ["--level", "province", "--replications", "12", "--effects", "0.5,1",
                                                          "--permutations", "9", "--reps", "9", "--seed", "5",
                                                          "--threads", "1", "--format", "json"]),
        // placebo: two schemes and methods, the fake-timing test, and a seed above Int64.max.
        GoldenCase(name: "placebo-twfe-cohorts", section: .placebo, arguments: placebo + ["--permutations", "99", "--seed", "42"]),
        GoldenCase(name: "placebo-event-random", section: .placebo,
                   arguments: placebo + ["--method", "event", "--scheme", "random", "--permutations", "49", "--term", "e+1",
                                         "--seed", "18446744073709551615"]),
        GoldenCase(name: "placebo-twfe-timing", section: .placebo, arguments: placebo + ["--scheme", "timing", "--shift", "1"]),
        // mediate: one mediator with a bootstrap, two without.
        GoldenCase(name: "mediate-one", section: .mediate, arguments: mediate + ["--m", "x1", "--x", "x2", "--reps", "49", "--seed", "9"]),
        GoldenCase(name: "mediate-two", section: .mediate, arguments: mediate + ["--m", "x1,x2", "--reps", "0", "--inference", "hetero"]),
        // simulate --truth: a preset with spillovers, and a small spec.
        GoldenCase(name: "simulate-truth-paper-spillover", section: .truth,
                   arguments: ["simulate", "--scenario", "paper-spillover", "--seed", "1", "--out", "$D/panel.csv", "--truth", "$D/truth.json"],
                   file: "truth.json"),
        GoldenCase(name: "simulate-truth-spec", section: .truth,
                   arguments: ["simulate", "--spec", "$D/scenario.yaml", "--seed", "2", "--out", "$D/panel.csv", "--truth", "$D/truth.json"],
                   file: "truth.json", inputs: [("scenario.yaml", scenario)]),
        // run: a small grid, few replications.
        GoldenCase(name: "run-results", section: .run,
                   arguments: ["run", "$D/spec.yaml", "--out", "$D/out", "--threads", "1", "--format", "json"],
                   file: "out/results.json", inputs: [("spec.yaml", spec)]),
        // bench: structure and workload names; every number and the machine are volatile.
        GoldenCase(name: "bench", section: .bench,
                   arguments: ["bench", "--quick", "--only", "W1", "--format", "json", "--data-dir", "$D"],
                   masks: ["machine", "workloads[*].didlab", "workloads[*].throughput_per_s", "workloads[*].memory"]),
    ]
}
