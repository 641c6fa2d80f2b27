import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab mediate`: three-step mediation with unit and period fixed effects.
struct MediateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediate",
        abstract: "Three-step mediation (Baron-Kenny / Wen et al. 2004) in the fixed-effects DiD design.",
        discussion: """
        Steps, each with unit and period fixed effects, the --x controls and the same variance:
          1  Y ~ treat + X          total effect c
          2  M ~ treat + X          a (the effect of the policy on the mediator)
          3  Y ~ treat + M + X      direct effect c' and b
        Reported per mediator: indirect effect a*b (= c - c'), proportion mediated a*b/c, the
        Sobel test (delta-method SE sqrt(b^2 s_a^2 + a^2 s_b^2), normal p-value), the joint-
        significance test (a and b both significant at --alpha; p = max(p_a, p_b)) and a pairs
        cluster bootstrap of a*b: --reps draws resampling --cluster clusters (default the unit)
        with replacement, percentile interval, SD as SE. Draw b uses random stream (seed, b,
        bootstrap): results do not depend on --threads. Several mediators are analysed one at a
        time. All steps use the same rows (rows missing any used column are dropped).
        Caution (Jiang 2022): the DiD design identifies c and a, not b and c' -- the mediator is
        itself an outcome of the policy, and any unobserved cause of M and Y biases step 3.
        """)

    @OptionGroup var panel: PanelOptions
    @OptionGroup var memory: MemoryOption

    @Option(help: "Mediator columns, comma separated.", transform: columnList)
    var m: [String] = []

    @Option(parsing: .unconditional, help: "Bootstrap draws of a*b (0 = no bootstrap).")
    var reps: Int = 999

    @OptionGroup var streams: StreamOptions

    @Option(help: "Variance of the steps: iid, hetero or cr1 (clustered by --cluster, default the unit).")
    var inference: InferenceSpec.Family = .cr1

    @Option(help: "Small-sample correction preset: fixest or reghdfe.")
    var ssc: CorrectionOption = .fixest

    @Option(parsing: .unconditional, help: "Level of the joint-significance test.")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Confidence level of the intervals.")
    var confLevel: Double = 0.95

    @Option(help: "Output format: table or json.")
    var format: TableOrJSON = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var out: String?

    func validate() throws {
        guard !m.isEmpty else { throw ValidationError("--m COL[,COL...] is required: the mediator column(s)") }
        guard reps >= 0 else { throw ValidationError("--reps must be at least 0 (0 = no bootstrap), got \(reps)") }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1, got \(alpha)") }
        guard confLevel > 0 && confLevel < 1 else {
            throw ValidationError("--conf-level must be between 0 and 1, got \(confLevel)")
        }
    }

    func run() throws {
        try memory.check(reps, bytesPerItem: 48, what: "bootstrap draws", flag: "--reps")
        let files = try OutputFiles([out])
        let (data, columns) = try panel.loadPanel(numericColumns: m, flag: "--m", parameter: .mediators)
        let variance: VarianceType
        if inference == .iid {
            variance = .iid
        } else if inference == .hetero {
            variance = .hetero
        } else if inference == .cr1 {
            variance = .cluster(panel.clusterColumn)
        } else {
            throw ValidationError("--inference \(inference.rawValue) is not available in mediate; use iid, hetero or cr1")
        }
        let mediation = Mediation(options: RegressionOptions(variance: variance, correction: ssc.correction),
                                  bootstrap: PairsBootstrapOptions(replications: reps, seed: streams.seed, threads: streams.threads),
                                  alpha: alpha, level: confLevel)
        var result = try mediation.estimate(data, mediators: zip(m, columns).map { MediatorColumn(name: $0, values: $1) })
        if case .cluster(let name) = variance { result.notes += ClusterAdequacy.notes(panel: data, clustering: name) }
        try emit(MediationReport(result).render(format == .json ? .json : .table), to: out, files: files)
    }
}
