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
                 adds multiplier-bootstrap uniform bands. An ATT(g,t) that
                 cannot be estimated (e.g. a covariate that separates a small
                 cohort) stops the run, naming every such cell, unless
                 --drop-failed-cells; --unbalanced balance|allow.
          sa     Sun-Abraham interaction-weighted event study (fixest sunab);
                 --control never (default) or last; all relative periods.
          bjs    Borusyak-Jaravel-Spiess imputation: overall ATT ("att"), event
                 times e+0..e+L with --lags L, pre-trend F test on --leads K
                 leads; conservative clustered SEs, normal p-values.
          bacon  Goodman-Bacon decomposition of the TWFE coefficient and the
                 de Chaisemartin-D'Haultfoeuille weights (balanced, no --x).
          rings  Butts (2021) spillover rings: y ~ treat + sum_j ring_j + X |
                 unit + time, ring_j = 1 for untreated observations whose nearest
                 adopted unit lies in band j of --rings d1,d2,... (distance from
                 --coords X,Y on a plane or --latlon LAT,LON in km); treat is
                 the direct effect, identified from the far controls.
          rings-2s  the same by Gardner's two-stage estimator (stage 1 on
                 untreated observations outside the rings) with its GMM
                 cluster-robust variance, for staggered adoption.
        Inference (fixest's defaults): cr1 clusters by --cluster (default: the
        unit), K excludes fixed effects nested in the cluster,
        G/(G-1)(n-1)/(n-K), t(G-1); hetero is HC1 n/(n-K); iid counts every
        fixed effect. --ssc reghdfe counts fixed effects by their exact rank.
        Rows with missing values in used columns are dropped and counted in
        the notes.
        wcb: the wild cluster bootstrap by --cluster (restricted, null imposed,
        by default; --bootstrap wcu for unrestricted), --reps B draws with
        --weights rademacher|webb|mammen, every 2^G sign vector when 2^G <= B
        (Rademacher); p = c/B with bootstrap statistics equal to |t| counted
        (--ties exclude: Stata boottest's rule); the interval inverts the
        bootstrap test. Draw b uses stream (--seed, floor(b/64)): results do
        not depend on --threads. Each draw costs O(G(k+T)) ("fast and wild").
        --by COL: subgroup heterogeneity by a unit-level column: split-sample
        TWFE per group, the interaction model (treat x group, common fixed
        effects) with a Wald F test of equal effects, and a permutation test
        of the difference (--permutations R relabellings among treated units,
        or --scope all; p = (1+c)/(1+R)). A group without treated units is
        left out with a note.
        """)

    @OptionGroup var panel: PanelOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var spillover: RingOptions
    @OptionGroup var memory: MemoryOption

    @Option(help: "Estimator: twfe, event, cs, sa, bjs, bacon, rings or rings-2s.")
    var method: MethodOption = .twfe

    @Option(help: "Control units: never (default), notyet (cs) or last (sa).")
    var control: ControlOption?

    @Option(help: "Callaway-Sant'Anna base period: varying (default) or universal.")
    var basePeriod: BasePeriodOption = .varying

    @Option(help: "Callaway-Sant'Anna estimator with covariates: dr (default), reg or ipw.")
    var estimation: CSEstimationOption = .dr

    @Option(parsing: .unconditional, help: "Callaway-Sant'Anna: multiplier-bootstrap draws for uniform bands (0 = none).")
    var bands: Int = 0

    @Option(help: ArgumentHelp(
        "Callaway-Sant'Anna on an unbalanced panel: balance (default) or allow.",
        discussion: "balance drops the units not observed in every period, counted in the notes (R did's default). "
            + "allow keeps them: each ATT(g,t) uses the units observed in its two periods as repeated cross "
            + "sections, influence functions summed by unit (R did's allow_unbalanced_panel = TRUE); not with --x."))
    var unbalanced: UnbalancedOption?

    @Flag(help: ArgumentHelp(
        "Callaway-Sant'Anna: leave ATT(g,t) that cannot be estimated out of the aggregations, with a note.",
        discussion: "Such cells (a propensity-score logit that separates, a singular regression, no comparison "
            + "units) are reported as not estimable with their reason (R did's aggte na.rm = TRUE). Without it the "
            + "run stops and names them: leaving cells out changes what the aggregations average over."))
    var dropFailedCells = false

    @Option(parsing: .unconditional, help: "Master seed of the wild bootstrap, permutation or multiplier-bootstrap streams.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Event study: number of pre-periods with a term (e-K..e-2; e-K binned).")
    var leads: Int?

    @Option(parsing: .unconditional, help: "Event study: number of post-periods with a term (e+0..e+L; e+L binned).")
    var lags: Int?

    @Option(help: "Variance: iid, hetero, cr1 (clustered by --cluster, default the unit) or wcb (wild cluster bootstrap by --cluster).")
    var inference: InferenceOption = .cr1

    @Option(parsing: .unconditional, help: "--inference wcb: bootstrap draws B (all 2^G sign vectors when 2^G <= B with Rademacher weights).")
    var reps: Int?

    @Option(help: "--inference wcb: weights rademacher, webb or mammen.")
    var weights: WeightsOption?

    @Option(help: "--inference wcb: wcr (null imposed, default) or wcu.")
    var bootstrap: BootstrapKindOption?

    @Option(help: "--inference wcb: bootstrap statistics equal to |t| are counted (count, default) or not (exclude, as boottest).")
    var ties: TiesOption?

    @Option(help: "Subgroup heterogeneity by this unit-level column (e.g. region).")
    var by: String?

    @Option(parsing: .unconditional, help: "--by: permutations of the group labels for the test of equal effects (0 = none).")
    var permutations: Int?

    @Option(help: "--by: permute labels among treated units (treated, default) or all units.")
    var scope: ScopeOption?

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Small-sample correction preset: fixest or reghdfe.")
    var ssc: CorrectionOption = .fixest

    @Option(parsing: .unconditional, help: "Confidence level of the intervals.")
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
        if method != .cs && (unbalanced != nil || dropFailedCells) {
            throw ValidationError("--unbalanced and --drop-failed-cells apply only to --method cs")
        }
        try spillover.validate(ringsMethod: method == .rings || method == .ringsTwoStage)
        if (method == .rings || method == .ringsTwoStage) && (inference == .wcb || by != nil) {
            throw ValidationError("--method \(method.rawValue) takes --inference iid, hetero or cr1, without --by")
        }
        if inference != .wcb && (reps != nil || weights != nil || bootstrap != nil || ties != nil) {
            throw ValidationError("--reps, --weights, --bootstrap and --ties apply only to --inference wcb")
        }
        if inference == .wcb && ![.twfe, .event].contains(method) {
            throw ValidationError("--inference wcb applies to --method twfe or event")
        }
        if let leads, leads < (method == .bjs ? 0 : 1) {
            throw ValidationError("--leads must be at least \(method == .bjs ? 0 : 1), got \(leads)")
        }
        if let lags, lags < 0 { throw ValidationError("--lags must be at least 0, got \(lags)") }
        if let reps, reps < 1 { throw ValidationError("--reps must be at least 1, got \(reps)") }
        if by == nil && (permutations != nil || scope != nil) {
            throw ValidationError("--permutations and --scope apply only to --by")
        }
        if by != nil && method != .twfe { throw ValidationError("--by applies to --method twfe") }
        if by != nil && inference == .wcb { throw ValidationError("--by cannot be combined with --inference wcb") }
        if let permutations, permutations < 0 { throw ValidationError("--permutations must be at least 0, got \(permutations)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let control {
            switch (method, control) {
            case (.sa, .never), (.sa, .last), (.cs, .never), (.cs, .notyet): break
            default:
                throw ValidationError("--control \(control.rawValue) does not apply to --method \(method.rawValue)")
            }
        }
    }

    func run() throws {
        // Draws kept in memory: the wild bootstrap keeps its statistics (80 bytes a draw measured
        // on mpdta), the subgroup permutation test its draws (40), the multiplier bootstrap every
        // effect of every draw (8 bytes each, for up to 256 effects).
        try memory.check(inference == .wcb ? reps : nil, bytesPerItem: 96, what: "bootstrap draws", flag: "--reps")
        try memory.check(permutations, bytesPerItem: 40, what: "permutation draws", flag: "--permutations")
        try memory.check(bands, bytesPerItem: 8 * 256, what: "multiplier-bootstrap draws", flag: "--bands")
        let files = try OutputFiles([output.out])
        let variance: VarianceType
        switch inference {
        case .iid: variance = .iid
        case .hetero: variance = .hetero
        case .cr1, .wcb: variance = .cluster(panel.clusterColumn)
        }
        let options = RegressionOptions(variance: variance, correction: ssc.correction)
        if method == .rings || method == .ringsTwoStage {  // loads the coordinate columns with the panel
            let estimate = try spillover.estimate(panel: panel, options: options,
                                                  stages: method == .rings ? .oneStage : .twoStage)
            try emit(EstimateReport(estimate, level: level).render(output.format.format), to: output.out, files: files)
            return
        }
        let data = try panel.loadPanel(extraColumns: by.map { [$0] } ?? [])
        if let by {
            var result = try SubgroupHeterogeneity(column: by, options: options, permutations: permutations ?? 999,
                                                   scope: (scope ?? .treated).scope, seed: seed, threads: threads)
                .estimate(data)
            if case .cluster(let name) = variance { result.notes += ClusterAdequacy.notes(panel: data, clustering: name) }
            try emit(SubgroupReport(result, level: level).render(output.format.format), to: output.out, files: files)
            return
        }
        if inference == .wcb {
            let wild = WildClusterBootstrap(cluster: panel.clusterColumn, replications: reps ?? 999,
                                            weights: (weights ?? .rademacher).weights, imposeNull: bootstrap != .wcu,
                                            level: level, ties: (ties ?? .count).rule, seed: seed, threads: threads,
                                            correction: ssc.correction)
            let model: BootstrapModel = method == .twfe ? .twfe : .eventStudy(leads: leads, lags: lags)
            try emit(BootstrapReport(try wild.run(on: data, model: model)).render(output.format.format), to: output.out, files: files)
            return
        }
        var estimate: Estimate
        switch method {
        case .twfe: estimate = try TwoWayFixedEffects(options: options).estimate(data)
        case .event: estimate = try EventStudy(leads: leads, lags: lags, options: options).estimate(data)
        case .cs:
            let options = CallawaySantAnnaOptions(
                controlGroup: control == .notyet ? .notYetTreated : .neverTreated,
                basePeriod: basePeriod == .universal ? .universal : .varying,
                estimationMethod: CallawaySantAnnaOptions.EstimationMethod(rawValue: estimation.rawValue) ?? .doublyRobust,
                cluster: panel.cluster,
                unbalancedPanel: unbalanced == .allow ? .allowUnbalanced : .dropIncompleteUnits,
                failedCells: dropFailedCells ? .dropFromAggregations : .reject)
            var result: CallawaySantAnnaResult
            do {
                result = try CallawaySantAnna(options: options).estimate(data)
            } catch let error as CallawaySantAnnaError {
                throw ValidationError(error.commandLineMessage)
            }
            result.notes += ClusterAdequacy.notes(panel: data, clustering: result.clusterName)
            let bootstrap = bands > 0 ? MultiplierBootstrap(replications: bands, seed: seed, level: level) : nil
            try emit(CallawaySantAnnaReport(result, level: level, bootstrap: bootstrap).render(output.format.format),
                     to: output.out, files: files)
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
                        .render(output.format.format), to: output.out, files: files)
            return
        case .rings, .ringsTwoStage:
            return  // estimated above
        }
        if case .cluster(let name) = estimate.variance.type {
            estimate.notes += ClusterAdequacy.notes(panel: data, clustering: name)
        }
        try emit(EstimateReport(estimate, level: level).render(output.format.format), to: output.out, files: files)
    }
}

/// Prints to standard output, or writes the file atomically when `--out` is given.
/// With `files` (opened before the work, so an unwritable path fails first), the text goes into
/// its writer and is committed.
func emit(_ text: String, to path: String?, files: OutputFiles? = nil) throws {
    if let path, let files, files.writer(path) != nil {
        try files.write(text, to: path)
        try files.commit()
    } else if let path {
        try AtomicFile.write(text, to: path)
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
