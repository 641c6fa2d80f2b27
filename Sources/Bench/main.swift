import ArgumentParser
import BenchSuite
import Lab

/// `didlab-bench`: the benchmark suite as its own executable (the same as `didlab bench`).
struct DidlabBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "didlab-bench",
        abstract: "Throughput benchmarks of DiDLab, with the Python peers side by side (same as `didlab bench`).",
        discussion: BenchOptions.discussion)

    @OptionGroup var options: BenchOptions

    func run() throws { try options.run() }
}

AllocatorTuning.keepFreedMemory()
DidlabBench.main()
