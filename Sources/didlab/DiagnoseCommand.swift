import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab diagnose`: a calibrated Monte Carlo verdict on the user's own panel.
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Is this design trustworthy on this panel? Size, power, MDE, bias and coverage of each method.",
        discussion: """
        Two sources of replications keep the real units, periods, cohorts, clusters
        and level groups:
          placebo-laws  the real outcome under placebo adoption calendars (the real
                        cohorts permuted across units, or whole --level groups), on
                        outcomes the real policy never touched (--sample never:
                        never-treated units; untreated: every unit's rows before its
                        adoption; all: every row, real effects leak in)
          model         the lab's DGP on the real design, errors calibrated from the
                        untreated residuals: AR(1) rho, the --level-period share and
                        unit scales (override with --set errors.rho=0.5 etc.)
        A constant effect is added to the treated cells. Methods (--methods, comma
        separated): ESTIMATOR [INFERENCE] [KEY=VALUE ...], e.g. "twfe cr1:province",
        "twfe wcb:province", "cs cr1 control=notyet", "pretrend cr1". A method holds
        its size when its rejection rate under no effect is at most its design size
        + 2 MCSE; the verdict recommends, among those, the smallest MDE.
        --out DIR writes manifest.json, records.csv (resumable with --resume),
        diagnosis.json, report.md and power.svg (and report.html with --html).
        """)

    @OptionGroup var panel: PanelOptions

    @OptionGroup var memory: MemoryOption

    @Option(help: "Level column whose groups share shocks and may be assigned whole (e.g. province).")
    var level: String?

    @Option(help: "Sources: placebo-laws, model or both.")
    var source: SourceOption = .both

    @Option(help: "Effects in outcome units, comma separated (default: 6 up to ~0.99 power).")
    var effects: String?

    @Option(help: "Methods, comma separated (default: see the discussion).")
    var methods: String?

    @Option(parsing: .unconditional, help: "Replications per source and effect.")
    var replications: Int = 500

    @OptionGroup var streams: StreamOptions

    @Option(parsing: .unconditional, help: "Test level.")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Target power of the MDE.")
    var power: Double = 0.8

    @Option(parsing: .unconditional, help: "Placebo draws of randomization-inference methods.")
    var permutations: Int = 199

    @Option(parsing: .unconditional, help: "Bootstrap draws of wild-bootstrap methods.")
    var reps: Int = 199

    @Option(help: "Effect profile: constant, or ramp (growing linearly with exposure; the ATT is still the effect).")
    var profile: EffectProfile = .constant

    @Option(help: "Placebo-laws sample: never, untreated or all (default: never-treated units when there are 10).")
    var sample: PlaceboLaws.Sample?

    @Option(name: .customLong("set"), help: "Override a calibrated value: errors.rho=V, errors.level_share=V, errors.sigma=V, errors.heteroskedastic=false.")
    var overrides: [String] = []

    @Option(help: "Output format: table, json or markdown.")
    var format: DiagnoseFormat = .table

    @Option(help: "Directory for the records and reports (resumable).")
    var out: String?

    @Flag(help: "Continue the diagnosis in --out.")
    var resume = false

    @Option(help: "Write the power-curve plot to this SVG file.")
    var plot: String?

    @Flag(help: "Also write DIR/report.html (needs --out DIR), the self-contained HTML report (as didlab report DIR).")
    var html = false

    func validate() throws {
        if let weights = panel.regressionWeights {
            throw ValidationError("--regression-weights \(weights): diagnose does not take regression weights (its placebo "
                                  + "laws and calibrated model are unweighted); use didlab estimate")
        }
        try SVGFileName.check(plot)
        guard replications >= 2 else { throw ValidationError("--replications must be at least 2, got \(replications)") }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1, got \(alpha)") }
        guard power > 0 && power < 1 else { throw ValidationError("--power must be between 0 and 1, got \(power)") }
        guard power > alpha else { throw ValidationError("--power must exceed --alpha (\(alpha)), got \(power)") }
        guard permutations >= 1 else { throw ValidationError("--permutations must be at least 1, got \(permutations)") }
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1, got \(reps)") }
        if resume && out == nil { throw ValidationError("--resume needs --out DIR (the diagnosis to continue)") }
        if html && out == nil { throw ValidationError("--html needs --out DIR (the page is DIR/report.html)") }
        _ = try effectValues()
        _ = try modelOverrides()
    }

    func effectValues() throws -> [Double]? {
        guard let effects else { return nil }
        let parts = columnList(effects)
        let values = parts.map { Double($0) }
        guard !parts.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite && $0! > 0 }) else {
            throw ValidationError("--effects expects positive numbers separated by commas, got '\(effects)'")
        }
        return Array(Set(values.compactMap { $0 })).sorted()
    }

    func modelOverrides() throws -> CalibratedModel.Overrides {
        var result = CalibratedModel.Overrides()
        for item in overrides {
            do { try result.set(item) } catch let error as InvalidParameter {
                throw ValidationError(Flags.message(for: error))
            }
        }
        return result
    }

    func run() throws {
        // Records of every (source, effect, replication, method) are kept in memory, and every
        // worker holds one replication's placebo and bootstrap draws.
        let methodCount = methods.map { $0.split(separator: ",").count } ?? 9
        let effectCount = (try effectValues()?.count ?? Diagnosis.automaticEffectCount) + 1
        let records = [replications, effectCount, source.kinds.count, methodCount]
            .reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        try memory.check(records, bytesPerItem: 256, what: "replication records (256 bytes each)",
                         flag: "--replications \(replications) × \(effectCount) effects × \(source.kinds.count) sources × "
                            + "\(methodCount) methods")
        let workers = Double(ParallelLoop.workerCount(requested: streams.threads))
        try memory.check(permutations, bytesPerItem: 48 * workers, what: "placebo draws of every worker", flag: "--permutations")
        try memory.check(reps, bytesPerItem: 96 * workers, what: "bootstrap draws of every worker", flag: "--reps")
        let outputs = try OutputFiles([plot])
        let items = methods.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let items, items.isEmpty { throw ValidationError("--methods expects at least one method, e.g. \"twfe cr1:province\"") }
        // The methods are checked, and the columns they cluster or permute by loaded, before the data.
        var methodColumns: [(item: String, column: String)] = []
        for item in items ?? [] {
            do {
                let method = try DiagnosisMethod(parsing: item, unitName: panel.unit, alpha: alpha, permutations: permutations,
                                                 reps: reps)
                methodColumns += (method.spec.clusterColumns + method.spec.dataColumns)
                    .filter { $0.column != panel.unit }.map { (item, $0.column) }
            } catch let error as InvalidParameter {
                throw ValidationError("--methods " + (error.value ?? "") + ": " + error.problem)
            }
        }
        let data: Panel
        do {
            data = try panel.loadPanel(extraColumns: ([level].compactMap { $0 } + methodColumns.map(\.column)))
        } catch PanelError.missingColumn(let file, let column, _, let available) where methodColumns.contains(where: { $0.column == column }) {
            let item = methodColumns.first { $0.column == column }?.item ?? ""
            throw ValidationError("--methods '\(item)': \(file) has no column '\(column)'; columns are: "
                                  + available.joined(separator: ", "))
        }
        var options = Diagnosis.Options()
        options.sources = source.kinds
        options.effects = try effectValues()
        options.methods = items
        options.replications = replications
        options.seed = streams.seed
        options.threads = streams.threads
        options.alpha = alpha
        options.power = power
        options.permutations = permutations
        options.reps = reps
        options.sample = sample
        options.overrides = try modelOverrides()
        options.profile = profile
        options.commandLine = Invocation.commandLine
        // What makes two diagnoses the same (a resumed run must match it); threads never matter.
        let description = ["data: \(panel.data)", "y: \(panel.y)", "unit: \(panel.unit)", "time: \(panel.time)",
                           "treat: \(panel.treat ?? "")", "cohort: \(panel.cohort ?? "")", "x: \(panel.x.joined(separator: ","))",
                           "cluster: \(panel.clusterColumn)", "level: \(level ?? "")", "source: \(source.rawValue)",
                           "effects: \(effects ?? "auto")", "methods: \(methods ?? "default")", "alpha: \(alpha)",
                           "power: \(power)", "permutations: \(permutations)", "reps: \(reps)",
                           "sample: \(sample?.rawValue ?? "auto")", "set: \(overrides.joined(separator: " "))",
                           "profile: \(profile.rawValue)"]
            .joined(separator: "\n")
        let progress = ProgressLine(label: "diagnose")
        let report: DiagnosisReport
        do {
            report = try Diagnosis.run(panel: data, cluster: panel.clusterColumn, level: level, options: options,
                                       directory: out, description: description, resume: resume) { done, total in
                progress.update(done, total)
            }
        } catch let error as InvalidParameter where error.parameter == .estimator {
            throw ValidationError("--methods " + (error.value.map { $0 + ": " } ?? "") + error.problem)
        }
        progress.finish()
        let json = JSONOutput.render(report)
        let svg = DiagnosisPlot(report, power: power).svg()
        if let out {
            let files = try OutputFiles(["diagnosis.json", "report.md", "power.svg"].map { out + "/" + $0 })
            try files.write(json, to: out + "/diagnosis.json")
            try files.write(report.markdown() + BuildInfo.markdownFooter, to: out + "/report.md")
            try files.write(svg, to: out + "/power.svg")
            try files.commit()
            if html { try ReportDirectory.write(ReportDirectory.report(directories: [out]), to: out + "/report.html") }
        }
        try outputs.write(svg, to: plot)
        try outputs.commit()
        let text: String
        switch format {
        case .table: text = report.table()
        case .json: text = json
        case .markdown: text = report.markdown()
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// `--source` spellings.
enum SourceOption: String, ExpressibleByArgument, CaseIterable {
    case placeboLaws = "placebo-laws", model, both

    var kinds: [Diagnosis.SourceKind] {
        switch self {
        case .placeboLaws: return [.placeboLaws]
        case .model: return [.model]
        case .both: return [.placeboLaws, .model]
        }
    }
}

/// `--format` of `diagnose`.
enum DiagnoseFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, markdown
}

extension PlaceboLaws.Sample: ExpressibleByArgument {}

extension EffectProfile: ExpressibleByArgument {}
