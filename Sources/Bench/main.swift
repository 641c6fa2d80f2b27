import ArgumentParser
import BenchSuite
import Lab

/// `didlab-bench`: the benchmark suite as its own executable (the same as `didlab bench`).
struct DidlabBench: ParsableCommand {
    static let configuration = BenchOptions.configuration(commandName: "didlab-bench")
    @OptionGroup var options: BenchOptions
    func run() throws { try options.run() }
}

AllocatorTuning.keepFreedMemory()
DidlabBench.main()
