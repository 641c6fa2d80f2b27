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
        Inference (fixest's defaults): cr1 clusters by --cluster (default: the
        unit), K excludes fixed effects nested in the cluster,
        G/(G-1)(n-1)/(n-K), t(G-1); hetero is HC1 n/(n-K); iid counts every
        fixed effect. --ssc reghdfe counts fixed effects by their exact rank.
        Rows with missing values in used columns are dropped and counted in
        the notes.
        """)

    @OptionGroup var panel: PanelOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Estimator: twfe or event.")
    var method: MethodOption = .twfe

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
        if method != .event && (leads != nil || lags != nil) {
            throw ValidationError("--leads and --lags apply only to --method event")
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
