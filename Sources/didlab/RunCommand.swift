import ArgumentParser
import Estimators
import Foundation
import Lab

/// `didlab run`: a Monte Carlo experiment, resumable and shardable.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    func validate() throws {
        if html && shard != nil {
            throw ValidationError("--html needs the whole run, not a shard: merge the shards, then didlab report DIR...")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let replications, replications < 2 { throw ValidationError("--replications must be at least 2, got \(replications)") }
        if let seed, seed > UInt64(Int.max) {
            throw ValidationError("--seed must be at most \(Int.max) (a spec's seed is a signed 64-bit integer), got \(seed)")
        }
        if let shard, MonteCarloRunner.Shard(parsing: shard) == nil {
            throw ValidationError("--shard expects I/N with 1 <= I <= N, got '\(shard)'")
        }
    }

    func run() throws {
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
        let shard = shard.flatMap(MonteCarloRunner.Shard.init(parsing:)) ?? .all
        let outDirectory = out ?? ExperimentRun.defaultDirectory(experiment: experiment.name, specText: text)
        // Without --out the directory is named by the spec's content, so rerunning the same spec
        // reads a finished run back (or continues an interrupted one) instead of redoing it.
        let resume = self.resume || (out == nil && FileManager.default.fileExists(atPath: outDirectory + "/manifest.json"))
        let progress = ProgressLine(label: experiment.name)
        let start = Date()
        let outcome: ExperimentRun.Outcome
        do {
            outcome = try ExperimentRun.run(spec: experiment, specText: text, directory: outDirectory, threads: threads,
                                            shard: shard, resume: resume, memory: memory.budget,
                                            commandLine: Invocation.commandLine) { done, total in
                progress.update(done, total)
            }
        } catch RunError.invalidSpec(_, "replications", let reason) where replications != nil {
            throw ValidationError("--replications: \(reason)")
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        if html { try ReportDirectory.write(ReportDirectory.report(directories: [outDirectory]), to: outDirectory + "/report.html") }
        let report = RunReport(outcome.summary)
        if format == .json {
            print(report.json().rendered())
        } else {
            print(report.table())
            print("\(outcome.computed) records computed, \(outcome.resumed) resumed, in \(String(format: "%.2f", seconds)) s; "
                  + "reports in \(outDirectory)" + (shard == .all ? "" : " (shard \(shard.index + 1)/\(shard.count): merge with `didlab merge`)"))
        }
    }
}

/// `didlab merge`: combines shard directories into one report.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the records of shards into one report (bit-identical to a single run).")

    @Argument(help: "Run directories holding records of the same experiment.")
    var directories: [String]

    @Option(help: "Where to write results.json/csv/md (default: the first directory).")
    var out: String?

    @Option(help: "Output format on stdout: table or json.")
    var format: TableOrJSON = .table

    func run() throws {
        let (summary, _) = try ExperimentRun.merge(directories: directories)
        let target = out ?? directories[0]
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try ExperimentRun.writeReports(summary, to: target)
        let report = RunReport(summary)
        print(format == .json ? report.json().rendered() : report.table())
    }
}

/// A one-line progress display with ETA on stderr, shown only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    let label: String
    let enabled = isatty(2) == 1
    let start = Date()
    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "\r%@: %d/%d (%.0f%%), ETA %.0f s ", label, done, total, 100 * Double(done) / Double(total), eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
