import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab run`: a Monte Carlo experiment, resumable and shardable. `didlab-mpi run` parses the
/// same options (this type, as an option group) and runs the same plan on every MPI rank.
public struct RunCommand: ParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Monte Carlo experiment (default: the built-in paper-baseline).",
        discussion: """
        Records go to DIR/records.csv in chunks as replications finish; --resume continues an
        interrupted run without recomputing finished replications. --shard I/N runs replications
        r with r mod N = I-1; `didlab merge DIR...` combines shards into the single run's report.
        Reports: DIR/results.json, results.csv, results.md (and report.html with --html).
        """)

    @Argument(help: "Experiment spec (YAML). Default: the built-in paper-baseline.")
    var spec: String?

    @Option(parsing: .unconditional, help: "Override the spec's replications per condition.")
    var replications: Int?

    @Option(parsing: .unconditional, help: "Override the spec's seed (0 ... 9223372036854775807).")
    var seed: UInt64?

    @OptionGroup var memory: MemoryOption
    @OptionGroup var figures: RunPlotOption

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Run shard I of N (1-based), e.g. 2/3.")
    var shard: String?

    @Flag(help: "Continue the run recorded in --out, recomputing nothing finished (implied without --out).")
    var resume = false

    @Option(help: "Output directory (default: runs/EXPERIMENT-HASH, HASH from the spec text).")
    var out: String?

    @Option(help: "Output format on stdout: table or json.")
    var format: TableOrJSON = .table

    @Flag(help: "Also write DIR/report.html, the run's self-contained HTML report (as didlab report DIR).")
    var html = false

    /// Creates the command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// Refuses flag values out of range, naming the flag.
    public func validate() throws {
        if html && shard != nil {
            throw ValidationError("--html needs the whole run, not a shard: merge the shards, then didlab report DIR...")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let replications, replications < 2 { throw ValidationError("--replications must be at least 2, got \(replications)") }
        if let seed, seed > UInt64(Int.max) {
            throw ValidationError("--seed must be at most \(Int.max) (a spec's seed is a signed 64-bit integer), got \(seed)")
        }
        if shard != nil && figures.plot != nil {
            throw ValidationError("--plot draws the whole run; with --shard, plot the merged run: didlab merge DIR... --plot DIR")
        }
        if let shard, MonteCarloRunner.Shard(parsing: shard) == nil {
            throw ValidationError("--shard expects I/N with 1 <= I <= N, got '\(shard)'")
        }
    }

    /// Runs the plan in one process (or one `--shard`) and prints the report.
    public func run() throws {
        let plan = try self.plan()
        try figures.prepare()
        let progress = ProgressLine(label: plan.experiment.name)
        let start = Date()
        let outcome = try plan.run(directory: plan.directory, shard: plan.shard, resume: plan.resume, threads: threads) { done, total in
            progress.update(done, total)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        try plan.writeFigures(outcome.summary)
        try plan.writeHTMLIfAsked()
        plan.printReport(outcome.summary, footer: "\(outcome.computed) records computed, \(outcome.resumed) resumed, in \(String(format: "%.2f", seconds)) s; "
                         + "reports in \(plan.directory)" + (plan.shard == .all ? "" : " (shard \(plan.shard.index + 1)/\(plan.shard.count): merge with `didlab merge`)"))
    }

    /// What the options ask for: the spec read and overridden, the output directory, whether to resume.
    /// - Throws: `ValidationError` for a missing spec file, ``RunError`` for a bad spec.
    public func plan() throws -> RunPlan {
        var text = BuiltInExperiments.paperBaseline
        var source = "paper-baseline (built in)"
        var directory = "."
        if let spec {
            guard let data = FileManager.default.contents(atPath: spec) else { throw ValidationError("\(spec): no such file") }
            text = String(decoding: data, as: UTF8.self)
            source = (spec as NSString).lastPathComponent
            directory = (spec as NSString).deletingLastPathComponent
        }
        // Overrides are applied to the typed spec; the text the manifest records (and the default
        // directory's hash) notes them, so a run with other overrides is a different run.
        var experiment = try ExperimentSpec.parse(text, source: source, directory: directory.isEmpty ? "." : directory)
        var overrides: [String] = []
        if let replications {
            experiment.replications = replications
            overrides.append("replications: \(replications)")
        }
        if let seed {
            experiment.seed = seed
            overrides.append("seed: \(seed)")
        }
        if !overrides.isEmpty { text += "\n# didlab run overrides\n" + overrides.joined(separator: "\n") + "\n" }
        return RunPlan(experiment: experiment, specText: text,
                       directory: out ?? ExperimentRun.defaultDirectory(experiment: experiment.name, specText: text),
                       directoryIsDefault: out == nil, resumeRequested: resume,
                       shard: shard.flatMap(MonteCarloRunner.Shard.init(parsing:)) ?? .all, shardRequested: shard != nil,
                       threads: threads, memory: memory.budget, format: format, html: html, figures: figures,
                       replicationsOverridden: replications != nil)
    }
}

/// A `run` ready to go: what ``RunCommand/plan()`` read from the options.
public struct RunPlan {
    /// The spec with `--replications` and `--seed` applied.
    public var experiment: ExperimentSpec
    /// The spec's text with the overrides noted: what the manifest records.
    public var specText: String
    /// `--out`, else `runs/EXPERIMENT-HASH` (``ExperimentRun/defaultDirectory(experiment:specText:)``).
    public var directory: String
    /// True without `--out`: the directory is named by the spec's content.
    public var directoryIsDefault: Bool
    /// `--resume`.
    public var resumeRequested: Bool
    /// `--shard` (``MonteCarloRunner/Shard/all`` without it).
    public var shard: MonteCarloRunner.Shard
    /// Whether `--shard` was given.
    public var shardRequested: Bool
    /// `--threads` (nil: all cores).
    public var threads: Int?
    /// `--memory`, or its default.
    public var memory: MemoryBudget
    /// `--format`.
    public var format: TableOrJSON
    /// `--html`: write `DIR/report.html` once the whole run is in `DIR`.
    public var html: Bool
    /// `--plot DIR` (``writeFigures(_:)``).
    public var figures: RunPlotOption
    let replicationsOverridden: Bool

    /// Whether the run continues: with `--resume`, or without `--out` when the content-named
    /// directory already holds this run (`manifest.json`), so rerunning a spec reads a finished run
    /// back (or continues an interrupted one) instead of redoing it.
    public var resume: Bool { resumeRequested || (directoryIsDefault && Self.holdsRun(directory)) }

    /// Whether `directory` holds a run's `manifest.json`.
    public static func holdsRun(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/manifest.json")
    }

    /// Runs `shard` of the experiment into `directory` (``ExperimentRun/run(spec:specText:directory:threads:shard:resume:memory:progress:)``);
    /// a replication count the spec refuses is named as `--replications` when that flag set it.
    public func run(directory: String, shard: MonteCarloRunner.Shard, resume: Bool, threads: Int?,
                    progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> ExperimentRun.Outcome {
        do {
            return try ExperimentRun.run(spec: experiment, specText: specText, directory: directory, threads: threads,
                                         shard: shard, resume: resume, memory: memory,
                                         commandLine: Invocation.commandLine, progress: progress)
        } catch RunError.invalidSpec(_, "replications", let reason) where replicationsOverridden {
            throw ValidationError("--replications: \(reason)")
        }
    }

    /// With `--html`, writes `DIR/report.html` (as `didlab report DIR`) from the finished run in ``directory``.
    public func writeHTMLIfAsked() throws {
        guard html else { return }
        try ReportDirectory.write(ReportDirectory.report(directories: [directory]), to: directory + "/report.html")
    }

    /// Prints the report on stdout in `--format`: the JSON, or the table followed by `footer`.
    public func printReport(_ summary: RunSummary, footer: String) {
        let report = RunReport(summary)
        if format == .json {
            print(report.json().stamped().rendered())
        } else {
            print(report.table())
            print(footer)
        }
    }
}

/// `didlab merge`: combines shard directories into one report.
public struct MergeCommand: ParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the records of shards into one report (bit-identical to a single run).")

    @Argument(help: "Run directories holding records of the same experiment.")
    var directories: [String]
    @OptionGroup var figures: RunPlotOption

    @Option(help: "Where to write results.json/csv/md (default: the first directory).")
    var out: String?

    @Option(help: "Output format on stdout: table or json.")
    var format: TableOrJSON = .table

    /// Creates the command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// Merges and prints the report.
    public func run() throws {
        try figures.prepare()
        let (summary, _) = try ExperimentRun.merge(directories: directories)
        let target = out ?? directories[0]
        try AtomicFile.createDirectory(target)
        try ExperimentRun.writeReports(summary, to: target)
        try figures.write(summary)
        let report = RunReport(summary)
        print(format == .json ? report.json().stamped().rendered() : report.table())
    }
}

/// A one-line progress display with ETA on stderr, shown only when stderr is a terminal.
public final class ProgressLine: @unchecked Sendable {
    let label: String
    let enabled = isatty(2) == 1
    let start = Date()
    /// Creates the display; `label` starts the line.
    public init(label: String) { self.label = label }

    /// Shows `done` of `total`, with the time left at the pace so far.
    public func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "\r%@: %d/%d (%.0f%%), ETA %.0f s ", label, done, total, 100 * Double(done) / Double(total), eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the line.
    public func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
