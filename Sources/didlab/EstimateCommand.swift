import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab estimate`: one estimator on one panel, reported like fixest/Stata.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate a DiD model on a panel (CSV).",
        discussion: """
        Methods:
          twfe   y ~ treat + X | unit + time, treat = 1{t >= first treated period}.
          event  leads and lags relative to adoption; reference period e-1
                 omitted; --leads K gives e-K..e-2 with e-K binning all earlier
                 event times, --lags L gives e+0..e+L with e+L binning all later
                 ones (default: every observed event time, no binning);
                 never-treated units carry no event-time dummies.
          cs     Callaway-Sant'Anna ATT(g,t) with simple, dynamic, group and
                 calendar aggregations (R did): --control never|notyet,
                 --base-period varying|universal, --estimation dr|reg|ipw with
                 --x; influence-function SEs clustered by --cluster; --bands B
                 adds multiplier-bootstrap uniform bands.
          sa     Sun-Abraham interaction-weighted event study (fixest sunab);
                 --control never (default) or last; all relative periods.
          bjs    Borusyak-Jaravel-Spiess imputation: overall ATT ("att"), event
                 times e+0..e+L with --lags L, pre-trend F test on --leads K
                 leads; conservative clustered SEs, normal p-values.
          bacon  Goodman-Bacon decomposition of the TWFE coefficient and the
                 de Chaisemartin-D'Haultfoeuille weights (balanced, no --x).
        Inference (fixest's defaults): cr1 clusters by --cluster (default: the
        unit), K excludes fixed effects nested in the cluster,
        G/(G-1)(n-1)/(n-K), t(G-1); hetero is HC1 n/(n-K); iid counts every
        fixed effect. --ssc reghdfe counts fixed effects by their exact rank.
        Rows with missing values in used columns are dropped and counted in
        the notes.
        """)

    @OptionGroup var panel: PanelOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Estimator: twfe, event, sa, bjs or bacon.")
    var method: MethodOption = .twfe

    @Option(help: "Control units: never (default), notyet (cs) or last (sa).")
    var control: ControlOption?

    @Option(help: "Callaway-Sant'Anna base period: varying (default) or universal.")
    var basePeriod: BasePeriodOption = .varying

    @Option(help: "Callaway-Sant'Anna estimator with covariates: dr (default), reg or ipw.")
    var estimation: CSEstimationOption = .dr

    @Option(help: "Callaway-Sant'Anna: multiplier-bootstrap draws for uniform bands (0 = none).")
    var bands: Int = 0

    @Option(help: "Seed of the multiplier bootstrap.")
    var seed: UInt64 = 1

    @Option(help: "Event study: number of pre-periods with a term (e-K..e-2; e-K binned).")
    var leads: Int?

    @Option(help: "Event study: number of post-periods with a term (e+0..e+L; e+L binned).")
    var lags: Int?

    @Option(help: "Variance: iid, hetero or cr1 (clustered by --cluster, default the unit).")
    var inference: InferenceOption = .cr1

    @Option(help: "Small-sample correction preset: fixest or reghdfe.")
    var ssc: CorrectionOption = .fixest

    @Option(help: "Confidence level of the intervals.")
    var level: Double = 0.95

    func validate() throws {
        guard level > 0 && level < 1 else { throw ValidationError("--level must be between 0 and 1, got \(level)") }
        if ![.event, .bjs].contains(method) && (leads != nil || lags != nil) {
            throw ValidationError("--leads and --lags apply only to --method event or bjs")
        }
        if method != .cs && (bands != 0 || basePeriod != .varying || estimation != .dr) {
            throw ValidationError("--bands, --base-period and --estimation apply only to --method cs")
        }
        if bands < 0 { throw ValidationError("--bands must be 0 or more, got \(bands)") }
        if let control {
            switch (method, control) {
            case (.sa, .never), (.sa, .last), (.cs, .never), (.cs, .notyet): break
            default:
                throw ValidationError("--control \(control.rawValue) does not apply to --method \(method.rawValue)")
            }
        }
    }

    func run() throws {
        let data = try panel.loadPanel()
        let variance: VarianceType
        switch inference {
        case .iid: variance = .iid
        case .hetero: variance = .hetero
        case .cr1: variance = .cluster(panel.clusterColumn)
        }
        let options = RegressionOptions(variance: variance, correction: ssc.correction)
        let estimate: Estimate
        switch method {
        case .twfe: estimate = try TwoWayFixedEffects(options: options).estimate(data)
        case .event: estimate = try EventStudy(leads: leads, lags: lags, options: options).estimate(data)
        case .cs:
            let options = CallawaySantAnnaOptions(
                controlGroup: control == .notyet ? .notYetTreated : .neverTreated,
                basePeriod: basePeriod == .universal ? .universal : .varying,
                estimationMethod: CallawaySantAnnaOptions.EstimationMethod(rawValue: estimation.rawValue) ?? .doublyRobust,
                cluster: panel.cluster)
            let result = try CallawaySantAnna(options: options).estimate(data)
            let bootstrap = bands > 0 ? MultiplierBootstrap(replications: bands, seed: seed, level: level) : nil
            try emit(CallawaySantAnnaReport(result, level: level, bootstrap: bootstrap).render(output.format.format),
                     to: output.out)
            return
        case .sa:
            estimate = try SunAbraham(control: control == .last ? .lastTreated : .neverTreated, options: options)
                .estimate(data)
        case .bjs:
            guard inference == .cr1 else {
                throw ValidationError("--method bjs reports the conservative clustered variance of BJS; use --inference cr1")
            }
            estimate = try ImputationEstimator(horizons: lags.map { .list(Array(0...max($0, 0))) } ?? .none,
                                               preTrendLeads: leads ?? 0, variance: variance).estimate(data)
        case .bacon:
            guard panel.x.isEmpty else {
                throw ValidationError("--method bacon decomposes the TWFE coefficient without covariates; drop --x")
            }
            let decomposition = try BaconDecomposition().decompose(data)
            let weights = try TWFEWeights(panel: data)
            try emit(BaconReport(decomposition, weights: weights, periodLabels: data.periodLabels)
                        .render(output.format.format), to: output.out)
            return
        }
        try emit(EstimateReport(estimate, level: level).render(output.format.format), to: output.out)
    }
}

/// Prints to standard output, or writes the file atomically when `--out` is given.
func emit(_ text: String, to path: String?) throws {
    if let path {
        try AtomicFile.write(text, to: path)
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
