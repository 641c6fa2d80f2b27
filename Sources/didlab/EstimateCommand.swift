import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab estimate`: one estimator on one panel, reported like fixest/Stata.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate a DiD model on a panel (CSV, Stata .dta, SPSS .sav or SAS .sas7bdat).",
        discussion: "Methods (--method):\n" + EstimatorRegistry.entries.map { entry in
            "  \(entry.id)\n" + wrap(entry.summary + " Accepts: " + accepted(entry), indent: 7)
        }.joined(separator: "\n") + """


        Callaway-Sant'Anna: --control never|notyet, --base-period varying|universal,
        --anticipation K (R did's anticipation: base period g-1-K from g on,
        not-yet-treated controls first treated after max(t, base)+K),
        --estimation dr|reg|ipw with --x; --bands adds multiplier-bootstrap uniform
        bands from --reps draws. An ATT(g,t) that cannot be estimated stops the run,
        naming every such cell, unless --drop-failed-cells; --unbalanced balance|allow.
        Sun-Abraham: --control never (default) or last. Event study and BJS:
        --leads K, --lags L. Stacked: --leads K and --lags L are the event window
        g-K..g+L of each cohort's sub-experiment (default 1 and 1), --control notyet
        (default) or never. Rings: --rings d1,d2,... with --coords X,Y (plane) or
        --latlon LAT,LON (km).
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
        left out with a note. --by COL1,COL2,...: each dimension, then its
        permutation p-value of the F with Holm and Romano-Wolf (min-P
        step-down on the same permutation draws across the dimensions)
        adjusted p-values.
        """)

    @OptionGroup var panel: PanelOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var spillover: RingOptions
    @OptionGroup var memory: MemoryOption
    @OptionGroup var plotting: EventPlotOptions

    @Option(help: ArgumentHelp("Estimator: " + EstimatorRegistry.entries.map(\.id).joined(separator: ", ") + "."))
    var method: EstimatorEntry = EstimatorRegistry.standard

    @Option(help: "Control units: never (default), notyet (cs) or last (sa).")
    var control: ComparisonGroup?

    @Option(help: "Callaway-Sant'Anna base period: varying (default) or universal.")
    var basePeriod: CallawaySantAnnaOptions.BasePeriod?

    @Option(help: "Callaway-Sant'Anna estimator with covariates: dr (default), reg or ipw.")
    var estimation: CallawaySantAnnaOptions.EstimationMethod?

    @Option(parsing: .unconditional, help: "Callaway-Sant'Anna: periods of anticipation before adoption (R did's anticipation; default 0).")
    var anticipation: Int?

    @Flag(help: "Callaway-Sant'Anna: multiplier-bootstrap uniform bands from --reps draws (default 999).")
    var bands = false

    @Option(help: ArgumentHelp(
        "Callaway-Sant'Anna on an unbalanced panel: balance (default) or allow.",
        discussion: "balance drops the units not observed in every period, counted in the notes (R did's default). "
            + "allow keeps them: each ATT(g,t) uses the units observed in its two periods as repeated cross "
            + "sections, influence functions summed by unit (R did's allow_unbalanced_panel = TRUE); not with --x. "
            + "reject refuses an unbalanced panel."))
    var unbalanced: CallawaySantAnnaOptions.UnbalancedPanelPolicy?

    @Flag(help: ArgumentHelp(
        "Callaway-Sant'Anna: leave ATT(g,t) that cannot be estimated out of the aggregations, with a note.",
        discussion: "Such cells (a propensity-score logit that separates, a singular regression, no comparison "
            + "units) are reported as not estimable with their reason (R did's aggte na.rm = TRUE). Without it the "
            + "run stops and names them: leaving cells out changes what the aggregations average over."))
    var dropFailedCells = false

    @OptionGroup var streams: StreamOptions
    @OptionGroup var window: WindowOptions

    @Option(help: "Variance: iid, hetero, cr1 (clustered by --cluster, default the unit; --cluster A+B clusters two ways), cr2 (Bell-McCaffrey CR2 with Satterthwaite df per coefficient, as R clubSandwich), cr3 (leave-one-cluster-out jackknife, (G-1)/G sum (b_-g - b)(b_-g - b)', t(G-1)), twoway (the same as cr1 with two terms, required), conley (spatial HAC: --cutoff, --coords or --latlon) or wcb (wild cluster bootstrap by --cluster).")
    var inference: InferenceSpec.Family?

    @OptionGroup var conley: ConleyOptions

    @Option(parsing: .unconditional, help: "Bootstrap draws B: --inference wcb (all 2^G sign vectors when 2^G <= B with Rademacher weights) or --bands (default 999).")
    var reps: Int?

    @OptionGroup var wild: WildBootstrapOptions

    @OptionGroup var honest: HonestOptions

    @Option(help: ArgumentHelp(
        "Synthetic DiD standard errors: automatic (default: jackknife, or placebo with one treated unit), jackknife, placebo or bootstrap.",
        discussion: "placebo and bootstrap take --reps draws (default 200), draw b from stream (--seed, b)."))
    var sdidVariance: SyntheticDiD.VarianceMethod?

    @Option(help: "Subgroup heterogeneity by this unit-level column (e.g. region), or several, comma-separated, with adjusted p-values.")
    var by: String?

    @Option(parsing: .unconditional, help: "--by: permutations of the group labels for the test of equal effects (0 = none).")
    var permutations: Int?

    @Option(help: "--by: permute labels among treated units (treated, default) or all units.")
    var scope: SubgroupPermutationScope?

    @Option(help: "Small-sample correction preset: fixest or reghdfe.")
    var ssc: CorrectionOption = .fixest

    @Option(parsing: .unconditional, help: "Confidence level of the intervals.")
    var confLevel: Double = 0.95

    /// The inference asked for (cr1 by default; two-way when `--cluster` names two terms).
    var inferenceFamily: InferenceSpec.Family {
        if panel.clusterTerms.count == 2 && (inference == nil || inference == .cr1) { return .twoway }
        return inference ?? .cr1
    }

    /// The analytic variance of the inference asked for.
    var variance: VarianceType {
        switch inferenceFamily {
        case .iid: return .iid
        case .hetero: return .hetero
        case .twoway:
            let terms = panel.clusterTerms
            return .twoWayCluster(terms[0], terms.count > 1 ? terms[1] : terms[0])
        case .conley: return conley.conleyKernel.map { .conley($0) } ?? .iid  // checked in validate()
        case .cr2: return .cr2(panel.clusterColumn)
        case .cr3: return .cr3(panel.clusterColumn)
        default: return .cluster(panel.clusterColumn)
        }
    }

    /// The inference spec checked against the estimator's registry entry.
    var inferenceSpec: InferenceSpec? {
        switch inferenceFamily {
        case .twoway:
            let terms = panel.clusterTerms
            return .twoWayCluster(first: terms[0], second: terms.count > 1 ? terms[1] : terms[0])
        case .conley: return conley.conleyKernel.map { .conley($0) }
        default: return inference.map(Self.spec(of:))
        }
    }

    /// The typed settings of the estimator.
    var settings: EstimatorSettings {
        var settings = EstimatorSettings(variance: variance)
        settings.correction = ssc.correction
        settings.control = control
        settings.leads = window.leads
        settings.lags = window.lags
        settings.cluster = panel.cluster
        settings.basePeriod = basePeriod ?? .varying
        settings.estimationMethod = estimation ?? .doublyRobust
        settings.unbalancedPanel = unbalanced ?? .dropIncompleteUnits
        settings.failedCells = dropFailedCells ? .dropFromAggregations : .reject
        settings.anticipation = anticipation ?? 0
        settings.ringEdges = spillover.rings
        settings.emptyRings = spillover.emptyRings
        settings.syntheticDiD = SyntheticDiD(variance: sdidVariance ?? .automatic, replications: reps ?? 200,
                                             seed: streams.seed, threads: streams.threads)
        return settings
    }

    func validate() throws {
        guard confLevel > 0 && confLevel < 1 else {
            throw ValidationError("--conf-level must be between 0 and 1, got \(confLevel)")
        }
        let onlyCS = [("--bands", bands), ("--base-period", basePeriod != nil), ("--estimation", estimation != nil),
                      ("--unbalanced", unbalanced != nil), ("--drop-failed-cells", dropFailedCells),
                      ("--anticipation", anticipation != nil)]
        if method.id != "cs", let (flag, _) = onlyCS.first(where: \.1) {
            throw ValidationError("\(flag) applies only to --method cs")
        }
        if let anticipation, anticipation < 0 {
            throw ValidationError("--anticipation must be a whole number >= 0, got \(anticipation)")
        }
        try validateMultiwayAndSpatial()
        try spillover.validate(ringsMethod: method.needsCoordinates, conley: inferenceFamily == .conley)
        if inference == .placebo { throw ValidationError("--inference placebo: use didlab placebo for randomization inference") }
        do {
            try method.check(settings, inference: inferenceSpec)
        } catch let error as InvalidParameter {
            throw ValidationError("--method \(method.id): " + Flags.message(for: error))
        }
        if !method.acceptsCovariates && !panel.x.isEmpty {
            throw ValidationError("--method \(method.id) takes no covariates; drop --x")
        }
        if inferenceFamily != .wcb && wild.isGiven {
            throw ValidationError("--weights, --bootstrap and --ties apply only to --inference wcb")
        }
        if sdidVariance != nil && method.id != "sdid" { throw ValidationError("--sdid-variance applies only to --method sdid") }
        if method.id == "sdid", inferenceFamily == .cr3, let sdidVariance, sdidVariance != .jackknife {
            throw ValidationError("--inference cr3 with --method sdid is the unit jackknife; it contradicts --sdid-variance "
                                  + sdidVariance.rawValue)
        }
        if inferenceFamily != .wcb && !bands && reps != nil && method.id != "sdid" {
            throw ValidationError("--reps applies only to --inference wcb, --bands or --method sdid")
        }
        if let reps, reps < 1 { throw ValidationError("--reps must be at least 1, got \(reps)") }
        if let reps, reps < 2, method.id == "sdid" {
            throw ValidationError("--reps must be at least 2 for --method sdid (a standard deviation of the draws), got \(reps)")
        }
        if by == nil && (permutations != nil || scope != nil) {
            throw ValidationError("--permutations and --scope apply only to --by")
        }
        if by != nil && method.id != "twfe" { throw ValidationError("--by applies to --method twfe") }
        if by != nil && inferenceFamily == .wcb { throw ValidationError("--by cannot be combined with --inference wcb") }
        if by != nil && (inferenceFamily == .cr2 || inferenceFamily == .cr3) {
            throw ValidationError("--by cannot be combined with --inference \(inferenceFamily.rawValue); use iid, hetero or cr1")
        }
        if let permutations, permutations < 0 { throw ValidationError("--permutations must be at least 0, got \(permutations)") }
        try validateDimensions()
        try honest.check(method: method.id, inference: inferenceFamily, format: output.format, by: by)
        try validatePlot()
    }

    /// A representative spec of a family, for checking what an estimator accepts.
    static func spec(of family: InferenceSpec.Family) -> InferenceSpec {
        switch family {
        case .iid: return .iid
        case .hetero: return .hetero
        case .cr1: return .cr1(cluster: nil)
        case .cr2: return .cr2(cluster: nil)
        case .cr3: return .cr3(cluster: nil)
        case .wcb: return .wildBootstrap(.init())
        case .placebo: return .placebo(level: nil, studentized: false)
        case .twoway: return .twoWayCluster(first: "A", second: "B")
        case .conley: return .conley(.representative)
        }
    }

    /// Checks `--cluster A+B` (two-way) and `--inference conley`'s options.
    func validateMultiwayAndSpatial() throws {
        let terms = panel.clusterTerms
        if terms.count > 2 {
            throw ValidationError("--cluster: expected one or two cluster terms (A, A^B, A+B), got \(terms.count)")
        }
        for term in terms where term.isEmpty || term.split(separator: "^", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--cluster: expected column names such as city, province^year or city+province, got '\(panel.clusterColumn)'")
        }
        if terms.count == 2 && terms[0] == terms[1] {
            throw ValidationError("--cluster: the two cluster terms are the same ('\(terms[0])'); expected two different clusterings")
        }
        if terms.count == 2 && !method.inference.contains(.twoway) {
            throw ValidationError("--cluster \(panel.clusterColumn): two-way clustering is a variance of twfe, event and sa; "
                                  + "--method \(method.id) takes one clustering (a column or A^B)")
        }
        if terms.count == 2 && inferenceFamily != .twoway {
            throw ValidationError("--cluster \(panel.clusterColumn) (two-way clustering) applies to --inference cr1 or twoway, "
                                  + "not \(inferenceFamily.rawValue)")
        }
        if inferenceFamily == .twoway && terms.count != 2 {
            throw ValidationError("--inference twoway needs two cluster terms, e.g. --cluster city+province^year")
        }
        try conley.validate(conley: inferenceFamily == .conley)
    }

    func run() throws {
        // Draws kept in memory: the wild bootstrap keeps its statistics (80 bytes a draw measured
        // on mpdta), the subgroup permutation test its draws (40), the multiplier bootstrap every
        // effect of every draw (8 bytes each, for up to 256 effects).
        try memory.check(inferenceFamily == .wcb ? reps : nil, bytesPerItem: 96, what: "bootstrap draws", flag: "--reps")
        try memory.check(permutations, bytesPerItem: 40, what: "permutation draws", flag: "--permutations")
        try memory.check(bands ? reps ?? 999 : nil, bytesPerItem: 8 * 256, what: "multiplier-bootstrap draws", flag: "--reps")
        let files = try OutputFiles([output.out, plotting.plot])
        var settings = self.settings
        let data: Panel
        if method.needsCoordinates || inferenceFamily == .conley {  // loads the coordinate columns with the panel
            let (loaded, coordinates) = try spillover.loadPanel(panel)
            data = loaded
            settings.coordinates = coordinates
        } else {
            data = try panel.loadPanel(extraColumns: byColumns)
        }
        let text: String
        if byColumns.count > 1 {
            text = try subgroupDimensions(data, settings: settings)
        } else if let by {
            var result = try SubgroupHeterogeneity(column: by, options: settings.regressionOptions,
                                                   permutations: permutations ?? 999, scope: scope ?? .treatedUnits,
                                                   seed: streams.seed, threads: streams.threads).estimate(data)
            if inferenceFamily == .cr1 { result.notes += ClusterAdequacy.notes(panel: data, clustering: panel.clusterColumn) }
            text = SubgroupReport(result, level: confLevel).render(output.format)
        } else if inferenceFamily == .wcb {
            let wild = WildClusterBootstrap(cluster: panel.clusterColumn, replications: reps ?? 999,
                                            weights: wild.weights ?? .rademacher, imposeNull: wild.bootstrap != .wcu,
                                            level: confLevel, ties: wild.ties ?? .count, seed: streams.seed, threads: streams.threads,
                                            correction: ssc.correction)
            text = BootstrapReport(try wild.run(on: data, model: try method.bootstrapModel(settings))).render(output.format)
        } else {
            let result: any EstimatorOutput
            do {
                result = try method.make(settings).fit(data)
            } catch let error as CallawaySantAnnaError {
                throw ValidationError(error.commandLineMessage)
            }
            let bootstrap = bands ? MultiplierBootstrap(replications: reps ?? 999, seed: streams.seed, level: confLevel) : nil
            if plotting.plot != nil {
                try files.write(try eventStudyFigure(primary: result, data: data, bootstrap: bootstrap), to: plotting.plot)
            }
            if let estimate = result as? Estimate,
               let honestText = try honest.report(estimate, panel: data, level: confLevel, format: output.format) {
                text = honestText
            } else {
                text = try EstimatorReports.render(result, panel: data, level: confLevel, bootstrap: bootstrap,
                                                   format: output.format)
            }
        }
        try emit(text, to: output.out, files: files)
        try files.commit()
    }
}

/// What an estimator accepts, from its registry entry: "--inference iid|cr1; --control never|last; --leads/--lags".
func accepted(_ entry: EstimatorEntry) -> String {
    let analytic = entry.inference.filter { $0 != .placebo }
    var parts = ["--inference " + (analytic.isEmpty ? "none" : analytic.map(\.rawValue).joined(separator: "|"))]
    if entry.inference.contains(.placebo) { parts.append("didlab placebo") }
    if !entry.controls.isEmpty { parts.append("--control " + entry.controls.map(\.rawValue).joined(separator: "|")) }
    if entry.takesEventWindow { parts.append("--leads/--lags") }
    if !entry.acceptsCovariates { parts.append("no --x") }
    return parts.joined(separator: "; ") + "."
}

/// Wraps `text` at 72 columns with `indent` spaces before each line.
func wrap(_ text: String, indent: Int) -> String {
    // The line's length is kept, not recounted: every command's help text is wrapped at startup
    // (ArgumentParser reads each subcommand's configuration), so this is on every run's path.
    var lines: [String] = [], line = "", length = 0
    for word in text.split(separator: " ") {
        let count = word.count
        if length > 0 && length + count + 1 > 72 - indent {
            lines.append(line)
            line = ""
            length = 0
        }
        if length > 0 { line += " "; length += 1 }
        line += word
        length += count
    }
    if !line.isEmpty { lines.append(line) }
    return lines.map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n")
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
