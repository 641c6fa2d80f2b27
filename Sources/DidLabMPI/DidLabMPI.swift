import ArgumentParser
import Estimators
import Foundation
import Lab
import RunCLI

/// The `didlab-mpi` executable: `didlab run` across the ranks of an MPI job
/// (`mpirun -np N didlab-mpi run SPEC [options]`), Documentation/ScaleOut.md.
///
/// A separate executable rather than `didlab run --mpi`: the release `didlab` is carried to other
/// machines as one statically linked binary, and Open MPI links only dynamically (and needs its
/// runtime, `mpirun`, on the machine).
@main
struct DidLabMPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "didlab-mpi",
        abstract: "Run a DiDLab Monte Carlo experiment across the ranks of an MPI job (mpirun -np N didlab-mpi run SPEC).",
        version: BuildInfo.line,
        subcommands: [MPIRunCommand.self])

    static func main() {
        AllocatorTuning.keepFreedMemory()
        AtomicFile.installInterruptCleanup()
        let world: MPIWorld
        do {
            world = try MPIWorld.start()
        } catch {
            FileHandle.standardError.write(Data("didlab-mpi: error: \(error)\n".utf8))
            Foundation.exit(1)
        }
        MPIJob(world: world).run()
    }

    /// The one line an error prints, as `didlab` words it: ArgumentParser's first line, a library
    /// error with the flag in place of its role.
    static func line(for error: any Error) -> String {
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            return message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
        if let parameterError = error as? any ParameterError {
            return parameterError.subject.map { $0.message(naming: flag) } ?? parameterError.description
        }
        let message = message(for: error)
        if message.contains("Error Domain=") { return AtomicFile.systemReason(for: error) }  // a Foundation error
        return message.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// The flags of `run` that a library error can be about; any other role is named in words.
    static func flag(_ parameter: Parameter) -> String {
        switch parameter {
        case .outputDirectory: return "--out"
        case .resume: return "--resume"
        case .memory: return "--memory"
        case .threads: return "--threads"
        default: return parameter.role
        }
    }
}

/// `didlab-mpi run`: the options of `didlab run` (the same type, as an option group).
struct MPIRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Monte Carlo experiment across the ranks of an MPI job (default: the built-in paper-baseline).",
        discussion: """
        Rank r of N (0-based) runs the replications with replication mod N = r: shard r+1 of N, into \
        DIR/ranks/(r+1)-of-N, resumably, as `didlab run --shard` does. Rank 0 then gathers every rank's \
        records through MPI (ranks need not share a file system) and writes DIR/records.csv, \
        DIR/manifest.json and DIR/results.json, results.csv, results.md: byte-identical to `didlab run` \
        in one process. A killed job continues with the same command on the same number of ranks \
        (--resume with --out; without --out, by itself). --shard is refused: the ranks are the shards. \
        Threads per rank: --threads, else the node's cores divided by its ranks.
        """)

    @OptionGroup var options: RunCommand
}

/// One rank's part in `didlab-mpi run`: prepare, then compute its shard, then gather to rank 0.
struct MPIJob {
    let world: MPIWorld

    /// What a rank found when it parsed the command line and checked its part.
    enum Preparation {
        /// Ready to compute: the plan, this rank's part, and the resolved resume and thread count.
        case ready(RunPlan, part: MonteCarloRunner.Shard, resume: Bool, threads: Int)
        /// Nothing to run: `text` goes to stdout and the job exits with status 0 (`--help`).
        case done(String)
        /// The line to print, exit status 1.
        case failed(String)

        var status: Int32 {
            switch self {
            case .ready: return 0
            case .done: return 1
            case .failed: return 2
            }
        }
    }

    func run() -> Never {
        // Collective calls first: every rank reaches them whatever its command line says.
        let localSize: Int
        do { localSize = try world.localSize() } catch { fail(error) }
        let preparation = prepare(localRanks: localSize)
        // A bad command line or spec fails identically on every rank: one line from the first rank
        // that failed, named by its rank only when other ranks did not fail.
        let statuses: [Int32]
        do { statuses = try world.allGather(preparation.status) } catch { fail(error) }
        if let first = statuses.firstIndex(where: { $0 != 0 }) {
            switch preparation {
            case .done(let text):
                if world.rank == first { print(text) }
                world.finish()
                Foundation.exit(0)
            case .failed(let line) where world.rank == first:
                report(statuses.allSatisfy { $0 == 2 } ? line : rankPrefix + line)
                world.abort(1)
            default:
                world.finish()
                Foundation.exit(1)
            }
        }
        guard case let .ready(plan, part, resume, threads) = preparation else {
            fail(RunError.invalidOption("this rank agreed to run without a plan"))  // unreachable: status 0 is .ready
        }

        // Compute this rank's shard into its own directory, resumably.
        let start = Date()
        let progress = world.rank == 0 ? ProgressLine(label: "\(plan.experiment.name) (rank 0 of \(world.size))") : nil
        let partDirectory = ExperimentRun.partDirectory(plan.directory, part: part)
        let outcome: ExperimentRun.Outcome
        let records: [ReplicationRecord]
        do {
            outcome = try plan.run(directory: partDirectory, shard: part, resume: resume, threads: threads) { done, total in
                progress?.update(done, total)
            }
            progress?.finish()
            // The part's records as `didlab merge` reads them: from its records file.
            records = try RecordFile.read(path: partDirectory + "/" + ExperimentRun.recordFileName(part)).0
        } catch {
            fail(error)
        }

        // Gather every rank's records to rank 0 as records.csv lines, which round-trip exactly.
        var payload = "\(outcome.computed) \(outcome.resumed)\n"
        for record in records { payload += record.csvLine + "\n" }
        let gathered: [[UInt8]]?
        do { gathered = try world.gather(Array(payload.utf8)) } catch { fail(error) }
        if let gathered {
            do {
                var records: [ReplicationRecord] = []
                var computed = 0, resumed = 0
                for (rank, bytes) in gathered.enumerated() {
                    let (rankRecords, counts) = try Self.parse(bytes, rank: rank)
                    records += rankRecords
                    computed += counts.computed
                    resumed += counts.resumed
                }
                let summary = try ExperimentRun.writeGathered(spec: plan.experiment, specText: plan.specText,
                                                              records: records, directory: plan.directory,
                                                              commandLine: Invocation.commandLine + "   (on \(world.size) MPI "
                                                                + "rank\(world.size == 1 ? "" : "s"); a resume needs as many)")
                try plan.writeHTMLIfAsked()
                try plan.writeFigures(summary)
                let seconds = Date().timeIntervalSince(start)
                plan.printReport(summary, footer: "\(computed) records computed, \(resumed) resumed, in "
                                 + "\(String(format: "%.2f", seconds)) s on \(world.size) MPI rank\(world.size == 1 ? "" : "s"); reports in \(plan.directory)")
            } catch {
                fail(error)
            }
        }
        // The other ranks wait for rank 0's files, so that the job ends when the report exists.
        do { _ = try world.broadcast(0) } catch { fail(error) }
        world.finish()
        Foundation.exit(0)
    }

    /// Parses the command line and checks this rank's part (nothing is written yet).
    func prepare(localRanks: Int) -> Preparation {
        do {
            let command = try DidLabMPI.parseAsRoot()
            guard let run = command as? MPIRunCommand else {
                var root = command
                try root.run()  // the bare `didlab-mpi`: its help
                return .done(DidLabMPI.helpMessage())
            }
            let plan = try run.options.plan()
            if plan.shardRequested {
                throw ValidationError("--shard: didlab-mpi gives rank r of N the shard r+1/N itself; "
                                      + "run `didlab run --shard` without mpirun to run one shard")
            }
            let part = MonteCarloRunner.Shard(index: world.rank, count: world.size)
            // Without --out the directory is named by the spec's content: this rank continues what
            // it finds of this run there (its own part, on a machine without a shared file system).
            let resume = plan.resume || (plan.directoryIsDefault
                                         && RunPlan.holdsRun(ExperimentRun.partDirectory(plan.directory, part: part)))
            let threads = plan.threads ?? max(1, ParallelLoop.workerCount(requested: nil) / max(localRanks, 1))
            try ExperimentRun.checkPart(spec: plan.experiment, specText: plan.specText, directory: plan.directory, part: part,
                                        resume: resume, threads: threads, memory: plan.memory)
            // Rank 0 writes the figures: a --plot path that cannot hold them fails before the work.
            if world.rank == 0 { try plan.prepareFigures() }
            return .ready(plan, part: part, resume: resume, threads: threads)
        } catch {
            if DidLabMPI.exitCode(for: error) == .success { return .done(DidLabMPI.fullMessage(for: error)) }
            return .failed(DidLabMPI.line(for: error))
        }
    }

    /// One rank's payload: the line "COMPUTED RESUMED", then its records.csv lines.
    static func parse(_ bytes: [UInt8], rank: Int) throws -> ([ReplicationRecord], (computed: Int, resumed: Int)) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let counts = lines.first?.split(separator: " ").compactMap { Int($0) } ?? []
        guard counts.count == 2, lines.last == "" else {
            throw RunError.invalidOption("rank \(rank) sent a malformed record payload (\(bytes.count) bytes)")
        }
        var records: [ReplicationRecord] = []
        records.reserveCapacity(lines.count)
        for (k, line) in lines.dropFirst().dropLast().enumerated() {
            guard let record = ReplicationRecord(csvLine: line) else {
                throw RunError.invalidOption("rank \(rank) sent record line \(k + 1) that does not parse: '\(line.prefix(80))'")
            }
            records.append(record)
        }
        return (records, (counts[0], counts[1]))
    }

    var rankPrefix: String { "rank \(world.rank) of \(world.size): " }

    func report(_ line: String) {
        FileHandle.standardError.write(Data("didlab-mpi: error: \(line)\n".utf8))
    }

    /// A failure on this rank alone: one line naming the rank, then the whole job ends.
    func fail(_ error: any Error) -> Never {
        report(rankPrefix + DidLabMPI.line(for: error))
        world.abort(1)
    }
}
