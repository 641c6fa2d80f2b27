import Estimators
import Foundation

/// A run split across processes that share no file system (the ranks of an MPI job): part I of
/// N is shard I/N (``MonteCarloRunner/Shard``), computed by its own process into its own
/// directory `DIR/ranks/I-of-N` with ``ExperimentRun/run(spec:specText:directory:threads:shard:resume:memory:progress:)``
/// (resumable like any shard). One process then receives every part's records and writes the
/// run's `records.csv`, `manifest.json` and reports into `DIR` with ``ExperimentRun/writeGathered(spec:specText:records:directory:)``:
/// byte for byte what a single process writes, since records are reduced in (condition,
/// replication, method) order whichever process made them.
extension ExperimentRun {
    /// `DIR/ranks/I-of-N` (1-based I): where part `part` of a run split into `part.count` parts keeps
    /// its manifest and records.
    public static func partDirectory(_ directory: String, part: MonteCarloRunner.Shard) -> String {
        directory + "/ranks/\(part.index + 1)-of-\(part.count)"
    }

    /// Checks what running part `part` into ``partDirectory(_:part:)`` would refuse, before
    /// anything is written or computed: the spec (as ``run(spec:specText:directory:threads:shard:resume:memory:progress:)``
    /// checks it), records already in `directory` or in the part's directory without `resume`, a
    /// manifest of another spec with `resume`, and parts of the same run split another way
    /// (their records could not be combined with these: a part holds the replications r with
    /// r mod N = I-1).
    /// - Throws: ``RunError`` for the spec or a mismatched manifest, ``InvalidParameter`` naming
    ///   the output directory for records in the way or a split into another number of parts.
    public static func checkPart(spec: ExperimentSpec, specText: String, directory: String, part: MonteCarloRunner.Shard,
                                 resume: Bool, threads: Int?, memory: MemoryBudget = .default) throws {
        try checkMemory(spec: spec, threads: threads, budget: memory)
        let (source, _) = try spec.replicationSource()
        try checkTargets(spec: spec, source: source)
        _ = try spec.sizeAdjustedPairs(conditionNames: (0..<source.conditionCount).map(source.conditionName))
        let manifest = Manifest(experiment: spec.name, specText: specText, replications: spec.replications, seed: spec.seed,
                                specDirectory: spec.panelData == nil ? nil : spec.directory)
        let ranks = directory + "/ranks"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: ranks)) ?? []).sorted() {
            let fields = name.split(separator: "-")
            guard fields.count == 3, fields[1] == "of", Int(fields[0]) != nil, let count = Int(fields[2]) else { continue }
            if count != part.count {
                throw InvalidParameter(.outputDirectory, directory, "holds a run split into \(count) parts (\(ranks)/\(name)), "
                                       + "not \(part.count); continue it split into \(count) parts, or choose another output directory")
            }
        }
        try checkExisting(directory: directory, records: directory + "/records.csv", manifest: manifest, resume: resume,
                          named: directory)
        let partDirectory = partDirectory(directory, part: part)
        try checkExisting(directory: partDirectory, records: partDirectory + "/" + recordFileName(part), manifest: manifest,
                          resume: resume, named: directory)
    }

    /// What ``run(spec:specText:directory:threads:shard:resume:memory:progress:)`` refuses in a
    /// directory: another run's manifest when resuming, records when not.
    static func checkExisting(directory: String, records: String, manifest: Manifest, resume: Bool, named: String) throws {
        let manager = FileManager.default
        let manifestPath = directory + "/manifest.json"
        if resume, manager.fileExists(atPath: manifestPath), try Manifest.read(path: manifestPath) != manifest {
            throw RunError.manifestMismatch(path: manifestPath, reason: "records there belong to another spec, seed or replication count")
        }
        if !resume && manager.fileExists(atPath: records) {
            throw InvalidParameter(.outputDirectory, named, "already holds the records of a run (\(records)); "
                                   + "resume to continue that run, or choose another output directory",
                                   remedies: [.resume])
        }
    }

    /// Writes the run made of `records` (every part's, in any order) into `directory`: `records.csv`
    /// in (condition, replication, method) order, `manifest.json` and the reports, each as
    /// ``run(spec:specText:directory:threads:shard:resume:memory:progress:)`` writes them for
    /// the whole run in one process.
    /// - Returns: the run's summary.
    /// - Throws: ``RunError/incompleteMerge(reason:)`` when a record is missing or duplicated,
    ///   ``AtomicFile/WriteError`` when a file cannot be written.
    public static func writeGathered(spec: ExperimentSpec, specText: String, records: [ReplicationRecord],
                                     directory: String, commandLine: String? = nil) throws -> RunSummary {
        try AtomicFile.createDirectory(directory)
        let lock = try DirectoryLock(directory: directory)
        defer { lock.release() }
        try checkComplete(records, spec: spec)
        let sorted = records.sorted {
            ($0.condition, $0.replication, $0.method) < ($1.condition, $1.replication, $1.method)
        }
        let (source, unitName) = try spec.replicationSource()
        let methods = try spec.methods.map { try $0.evaluator(unitName: unitName) }
        let summary = try summarise(spec: spec, source: source, methods: methods, records: sorted)
        let manifest = Manifest(experiment: spec.name, specText: specText, replications: spec.replications, seed: spec.seed,
                                specDirectory: spec.panelData == nil ? nil : spec.directory, command: commandLine)
        try AtomicFile.write(manifest.json().rendered() + "\n", to: directory + "/manifest.json")
        var text = ReplicationRecord.header + "\n"
        text.reserveCapacity(sorted.count * 160)
        for record in sorted { text += record.csvLine + "\n" }
        try AtomicFile.write(text, to: directory + "/" + recordFileName(.all))
        try writeReports(summary, to: directory)
        return summary
    }

    /// Checks that `records` hold every (condition, replication, method) of `spec` exactly once.
    /// - Throws: ``RunError/incompleteMerge(reason:)`` naming a duplicate or the number missing.
    static func checkComplete(_ records: [ReplicationRecord], spec: ExperimentSpec) throws {
        let methodCount = spec.methods.count
        var seen = Set<Int>()
        for record in records {
            let key = (record.condition * spec.replications + record.replication) * methodCount + record.method
            guard seen.insert(key).inserted else {
                throw RunError.incompleteMerge(reason: "condition \(record.condition), replication \(record.replication), "
                                               + "method \(record.method) appears twice")
            }
        }
        let expected = spec.conditionCount * spec.replications * methodCount
        guard seen.count == expected else {
            throw RunError.incompleteMerge(reason: "\(expected - seen.count) of \(expected) records are missing; "
                                           + "run the missing shards (or resume them) first")
        }
    }
}
