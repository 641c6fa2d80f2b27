import ArgumentParser
import Estimators
import Foundation
import Lab
import Synchronization

/// `didlab placebo`: randomization inference by placebo assignments of the policy.
struct PlaceboCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placebo",
        abstract: "Placebo (randomization-inference) test of a DiD estimate, valid under staggered adoption.",
        discussion: """
        Schemes:
          cohorts  permute adoption dates across units (or --level groups),
                   keeping every cohort's size (per --strata stratum). Default.
          random   the genre's pseudo-treated units: as many as were treated,
                   drawn at random (per stratum), each with an adoption period
                   drawn uniformly from the sample periods after the first.
          timing   fake timing: adoption moved --shift K periods earlier,
                   treated observations from the real adoption on dropped;
                   one estimate, t-test p.
        Statistics: the coefficient (RI-beta, "p_value") and its CR1 t statistic
        clustered by --cluster (RI-t, "p_value_studentized").
        p = (1 + c)/(1 + R) by default, c/R with --pvalue ritest; c counts
        |T*| >= |T| - 1e-7*|T|. When a design has at most R distinct assignments
        they are all enumerated (exact p = c/M). Draw r uses random stream
        (seed, floor(r/16)): results are identical for any --threads.
        """)

    @OptionGroup var panel: PanelOptions

    @OptionGroup var memory: MemoryOption

    @Option(help: ArgumentHelp("Estimator: twfe (the treat coefficient), event (mean of post-period terms, or --term), "
                               + "or any estimator with placebo inference ("
                               + EstimatorRegistry.entries.filter { $0.inference.contains(.placebo) }.map(\.id)
                                   .joined(separator: ", ") + "; their overall ATT)."))
    var method: EstimatorEntry = EstimatorRegistry.standard

    @Option(parsing: .unconditional, help: "Number of placebo draws R (not used by --scheme timing).")
    var permutations: Int?

    @Option(help: "Assignment scheme: cohorts, random or timing.")
    var scheme: SchemeOption = .cohorts

    @Option(help: "Permute within the strata of this column (constant within units).")
    var strata: String?

    @Option(help: "Assign whole groups of this column (e.g. province): their units share one adoption date.")
    var level: String?

    @Option(parsing: .unconditional, help: "--scheme timing: move every adoption K periods earlier.")
    var shift: Int?

    @OptionGroup var streams: StreamOptions

    @Option(help: "p-value rule: add-one ((1+c)/(1+R)) or ritest (c/R).")
    var pvalue: PValueConvention = .includeObserved

    @Option(help: "Alternative: two-sided, greater or less.")
    var alternative: PlaceboAlternative = .twoSided

    @Option(help: "Output format: table or json.")
    var format: TableOrJSON = .table

    @OptionGroup var files: PlaceboFileOptions

    @OptionGroup var window: WindowOptions

    @Option(help: "Event study: test this term (e.g. e+2) instead of the mean of the post-period terms.")
    var term: String?

    @Option(help: "Small-sample correction preset: fixest or reghdfe.")
    var ssc: CorrectionOption = .fixest

    @Option(help: "Evaluation path: automatic, general or reestimate (for checks; results agree to ~1e-13).")
    var path: PlaceboPath = .automatic

    func validate() throws {
        try SVGFileName.check(files.plot)
        if scheme == .timing {
            guard let shift else { throw ValidationError("--scheme timing needs --shift K (periods to move adoption earlier)") }
            guard shift >= 1 else { throw ValidationError("--shift must be at least 1, got \(shift)") }
            if strata != nil || level != nil { throw ValidationError("--strata and --level do not apply to --scheme timing") }
        } else {
            if shift != nil { throw ValidationError("--shift applies only to --scheme timing") }
            guard let permutations else { throw ValidationError("--permutations R is required (e.g. --permutations 1000)") }
            guard permutations >= 1 else { throw ValidationError("--permutations must be at least 1, got \(permutations)") }
        }
        // The event study's statistic reads the window and the term; so does the re-estimating
        // statistic of any estimator without a specialised one that takes a window (did2s).
        let windowed = method.id == "event" || (method.takesEventWindow && method.placeboReadsAllSettings)
        if !windowed && (window.leads != nil || window.lags != nil || term != nil) {
            throw ValidationError("--leads, --lags and --term apply only to --method "
                                  + EstimatorRegistry.entries.filter { $0.id == "event" || ($0.takesEventWindow && $0.placeboReadsAllSettings) }
                                      .map(\.id).joined(separator: " or "))
        }
        guard method.inference.contains(.placebo) else {
            throw ValidationError("--method \(method.id) has no statistic to permute; use "
                                  + EstimatorRegistry.entries.filter { $0.inference.contains(.placebo) }.map(\.id)
                                      .joined(separator: ", "))
        }
        do {
            try method.check(settings)
        } catch let error as InvalidParameter {
            throw ValidationError("--method \(method.id): " + Flags.message(for: error))
        }
        if let strata, strata == level { throw ValidationError("--strata and --level name the same column '\(strata)'") }
    }

    /// The estimator's settings: CR1 by the cluster column for the studentized statistic.
    var settings: EstimatorSettings {
        var settings = EstimatorSettings(variance: .cluster(panel.clusterColumn))
        settings.correction = ssc.correction
        settings.cluster = panel.cluster
        settings.leads = window.leads
        settings.lags = window.lags
        settings.effect = term
        return settings
    }

    /// Bytes kept per placebo draw: estimate and standard error, and the sorted copies the
    /// report and plot take for quantiles.
    static let bytesPerDraw = 48.0

    func run() throws {
        try memory.check(permutations, bytesPerItem: Self.bytesPerDraw, what: "placebo draws (48 bytes each, measured 44)",
                         flag: "--permutations")
        let (draws, plot, out) = (files.draws, files.plot, files.out)
        let outputs = try OutputFiles([draws, plot, out])
        let data = try panel.loadPanel(extraColumns: [strata, level].compactMap { $0 })
        let statistic = try method.placeboStatistic(settings)
        let placeboScheme: PlaceboScheme
        switch scheme {
        case .cohorts: placeboScheme = .cohorts
        case .random: placeboScheme = .randomTiming
        case .timing: placeboScheme = .timingShift(periods: shift ?? 1)
        }
        let test = PlaceboTest(design: PlaceboDesign(scheme: placeboScheme, strata: strata, level: level),
                               permutations: permutations ?? 1, seed: streams.seed, threads: streams.threads,
                               convention: pvalue, alternative: alternative, path: path)
        let progress = TerminalProgress.makeIfInteractive()
        var callback: (@Sendable (Int, Int) -> Void)?
        if let progress { callback = { done, total in progress.update(done, total) } }
        let result: PlaceboResult
        do {
            result = try test.run(on: data, statistic: statistic, progress: callback)
        } catch PlaceboError.observedFailed(let message) where term != nil && message.contains("term") {
            throw ValidationError("--term \(term ?? ""): \(message)")
        }
        progress?.finish()
        let report = PlaceboReport(result, method: method.id)
        if let writer = outputs.writer(draws) { try report.writeDrawsCSV { try writer.write($0) } }
        try outputs.write(PlaceboPlot(result).svg(), to: plot)
        let text = format == .json ? report.json().stamped().rendered() + "\n" : report.table()
        if out == nil { FileHandle.standardOutput.write(Data(text.utf8)) } else { try outputs.write(text, to: out) }
        try outputs.commit()
    }
}

/// Progress with an ETA on standard error, only when it is a terminal.
final class TerminalProgress: Sendable {
    struct State { var last = 0.0; var shown = false }
    let start = Date()
    let state = Mutex(State())

    static func makeIfInteractive() -> TerminalProgress? { isatty(2) == 1 ? TerminalProgress() : nil }

    func update(_ done: Int, _ total: Int) {
        let elapsed = Date().timeIntervalSince(start)
        state.withLock { state in
            guard elapsed - state.last >= 0.1 || (done == total && state.shown) else { return }
            guard elapsed >= 0.3 || state.shown else { return }  // quick runs stay silent
            state.last = elapsed
            state.shown = true
            let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
            let line = String(format: "\rplacebo: %d/%d draws (%3.0f%%), ETA %.1f s ", done, total,
                              100 * Double(done) / Double(max(total, 1)), eta)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        state.withLock { state in
            if state.shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}

/// `--scheme` spellings.
enum SchemeOption: String, ExpressibleByArgument, CaseIterable {
    case cohorts, random, timing
}
