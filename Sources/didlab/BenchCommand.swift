import ArgumentParser
import BenchSuite

/// `didlab bench`: the throughput benchmarks (workloads W1–W8, simulation and CSV ingest), with
/// the Python peers side by side on the same files (`--peers`). The same suite as `didlab-bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput benchmarks, with the Python peers side by side (--peers).",
        discussion: BenchOptions.discussion)

    @OptionGroup var options: BenchOptions

    func run() throws { try options.run() }
}
