import ArgumentParser
import BenchSuite

/// `didlab bench`: the throughput benchmarks (workloads W1–W8, simulation and CSV ingest), with
/// the Python peers side by side on the same files (`--peers`). The same suite as `didlab-bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = BenchOptions.configuration(commandName: "bench")
    @OptionGroup var options: BenchOptions
    func run() throws { try options.run() }
}
