import ArgumentParser
import Foundation
import Lab

/// The options and the run of the benchmark suite, shared by `didlab-bench` and `didlab bench`:
/// throughput of DiDLab's kernels, median / min / max over repeated runs, with the Python peers
/// side by side (`--peers`) on the same data files.
public struct BenchOptions: ParsableArguments {
    /// The help text both commands show.
    public static let discussion = "Build with scripts/build-release.sh (release, for this CPU). "
        + "The panels are written to --data-dir (CSV files and manifest.json, with W6p's spec as monte-carlo.yaml) by the code of `didlab simulate`, "
        + "and read back as `didlab estimate` reads them. With --peers, scripts/bench-peers.py then times the "
        + "same workloads with the Python peers on the same files, in the venv $DIDLAB_PEERS_VENV (default "
        + "/opt/didlab-peers-venv; create it with scripts/bench/setup-peers-venv.sh), and each peer's ratio "
        + "to DiDLab (peer median / DiDLab median) is reported."

    /// The configuration of a command that runs the suite (`didlab bench`, `didlab-bench`): one
    /// abstract and one help text for both.
    public static func configuration(commandName: String) -> CommandConfiguration {
        CommandConfiguration(commandName: commandName,
                             abstract: "Throughput benchmarks of DiDLab, with the Python peers side by side (--peers).",
                             discussion: discussion, version: commandName == "bench" ? "" : BuildInfo.line)
    }

    /// Parsed by ArgumentParser.
    public init() {}

    @Option(help: "Output format: table or json.")
    public var format: String = "table"

    @Flag(help: "Few repetitions, for CI smoke runs.")
    public var quick = false

    @Option(help: "Run only workloads whose name starts with this (e.g. W1).")
    public var only: String?

    @Option(help: "Directory for the data files the workloads and peers read (default: a temporary directory).")
    public var dataDir: String?

    @Flag(help: "Also run the Python peers (scripts/bench-peers.py) and report ratios.")
    public var peers = false

    @Option(help: "Path of bench-peers.py (default: scripts/bench-peers.py in the working directory or above the executable).")
    public var peersScript: String?

    @Flag(help: "Write the data files and manifest.json to --data-dir, then exit.")
    public var dataOnly = false

    /// Checks the options.
    public func validate() throws {
        guard format == "table" || format == "json" else { throw ValidationError("--format must be table or json, got \(format)") }
    }

    /// Runs the selected workloads (and the peers), printing the report to standard output.
    public func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("""
        WARNING: this is a DEBUG build; timings are meaningless. Use:
          scripts/build-release.sh && .build/release/didlab bench\n
        """.utf8))
        #endif
        let directory = dataDir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("didlab-bench-data")
        let names = Workloads.names(quick: quick, only: only)
        // The paper panel is always written: the peers of W3–W6 read it even when DiDLab runs none of them.
        let files = Set(names.map(BenchData.File.needed(by:))).union([.paper])
        let data: BenchData
        do { data = try BenchData.write(files, to: directory) } catch {
            throw ValidationError("cannot write the benchmark data to \(directory): \(error)")
        }
        // W6p's experiment spec, beside the data: scripts/device/scaling.sh runs it with `didlab run`.
        let specPath = (directory as NSString).appendingPathComponent("monte-carlo.yaml")
        do { try AtomicFile.write(Workloads.monteCarloSpec(placeboDraws: Workloads.w6pPlaceboDraws), to: specPath) } catch {
            throw ValidationError("cannot write \(specPath): \(error)")
        }
        if dataOnly {
            print(directory)
            return
        }
        let workloads = try Workloads.all(quick: quick, only: only, data: data)
        var results: [WorkloadResult] = []
        for workload in workloads {
            let result = workload.measure()
            results.append(result)
            FileHandle.standardError.write(Data("  \(result.summaryLine)\n".utf8))
        }
        if let one = results.first(where: { $0.name == "W6-1t" }), let two = results.first(where: { $0.name == "W6" }) {
            FileHandle.standardError.write(Data(String(format: "  W8: parallel efficiency of W6, %.2fx with all cores vs 1 thread\n",
                                                       one.timing.median / two.timing.median).utf8))
        }
        var report: PeersReport?
        var status = "not requested (use --peers)"
        if peers {
            report = PeerRunner.run(dataDirectory: directory, script: peersScript, quick: quick, only: only)
            status = report == nil ? "requested but not run (see stderr)" : "ran"
        }
        if format == "json" {
            print(BenchReport.json(results, data: data, peers: report, peersStatus: status).stamped().rendered())
        } else {
            print(BenchReport.table(results), terminator: "")
            if let report {
                print("")
                print(BenchReport.sideBySide(results, peers: report), terminator: "")
            }
            if let memory = results.first(where: { $0.memory != nil }) {
                print("\n\(memory.name) memory: \(memory.memory?.summary ?? "")")
            }
            print("\ndata: \(directory) (manifest.json says how to rewrite each file with didlab simulate)")
        }
    }
}
