import ArgumentParser
import Foundation
import Lab

/// `didlab-bench`: throughput of DiDLab's kernels, median / min / max over repeated runs.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "didlab-bench",
        abstract: "Throughput benchmarks of DiDLab (build with -c release).")

    @Option(help: "Output format: table or json.")
    var format: String = "table"

    @Flag(help: "Few repetitions, for CI smoke runs.")
    var quick = false

    @Option(help: "Run only workloads whose name starts with this (e.g. W1).")
    var only: String?

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("""
        WARNING: this is a DEBUG build; timings are meaningless. Use:
          swift build -c release && .build/release/didlab-bench\n
        """.utf8))
        #endif
        let workloads = Workloads.all(quick: quick, only: only)
        var results: [WorkloadResult] = []
        for workload in workloads {
            let result = workload.measure()
            results.append(result)
            if format != "json" {
                FileHandle.standardError.write(Data("  \(result.summaryLine)\n".utf8))
            }
        }
        if let one = results.first(where: { $0.name == "W6-1t" }), let two = results.first(where: { $0.name == "W6" }) {
            FileHandle.standardError.write(Data(String(format: "  W8: parallel efficiency of W6, %.2fx with all cores vs 1 thread\n",
                                                       one.median / two.median).utf8))
        }
        if format == "json" {
            print(BenchReport.json(results).rendered())
        } else {
            print(BenchReport.table(results))
        }
    }
}
