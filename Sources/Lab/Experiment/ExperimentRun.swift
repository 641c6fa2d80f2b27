import Estimators
import Foundation

/// Runs an experiment into a directory, resumably, and merges shards.
///
/// Directory layout: `manifest.json` (the spec text, replications, seed; a resumed run or a
/// merge must match it), `records.csv` (or `records-shard-I-of-N.csv`), and, when the run is
/// complete, `results.json`, `results.csv` and `results.md`.
public enum ExperimentRun {
    /// What a run produced.
    public struct Outcome: Sendable {
        /// The summary of every record of this run (or shard).
        public var summary: RunSummary
        /// Records written by this invocation (0 when everything was already done).
        public var computed: Int
        /// Records already present (resumed).
        public var resumed: Int
    }

    /// Runs `spec` (whose source text is `specText`) into `directory`; `commandLine`, when given,
    /// is recorded in the manifest for the HTML report.
    /// - Throws: ``RunError`` for a mismatched manifest, existing records without `resume`,
    ///   spec problems, or I/O failures.
    public static func run(spec: ExperimentSpec, specText: String, directory: String, threads: Int?,
                           shard: MonteCarloRunner.Shard = .all, resume: Bool, memory: MemoryBudget = .default,
                           commandLine: String? = nil, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        try checkMemory(spec: spec, threads: threads, budget: memory)
        let (source, unitName) = try spec.replicationSource()
        try checkTargets(spec: spec, source: source)
        _ = try spec.sizeAdjustedPairs(conditionNames: (0..<source.conditionCount).map(source.conditionName))
        let manager = FileManager.default
        try AtomicFile.createDirectory(directory)
        let lock = try DirectoryLock(directory: directory)
        defer { lock.release() }
        let manifestPath = directory + "/manifest.json"
        // A spec on a real panel names its file relative to the spec's directory: the manifest keeps
        // that directory, so a merge finds the same file.
        let manifest = Manifest(experiment: spec.name, specText: specText, replications: spec.replications, seed: spec.seed,
                                specDirectory: spec.panelData == nil ? nil : spec.directory, command: commandLine)
        let recordsPath = directory + "/" + recordFileName(shard)
        if manager.fileExists(atPath: manifestPath) {
            let existing = try Manifest.read(path: manifestPath)
            if existing != manifest {
                if resume {
                    throw RunError.manifestMismatch(path: manifestPath,
                                                    reason: "records there belong to another spec, seed or replication count")
                }
            }
        }
        if !resume && manager.fileExists(atPath: recordsPath) {
            throw InvalidParameter(.outputDirectory, directory, "already holds the records of a run (\(recordsPath)); "
                                   + "resume to continue that run, or choose another output directory",
                                   remedies: [.resume])
        }
        try AtomicFile.write(manifest.json().rendered() + "\n", to: manifestPath)
        let methods = try spec.methods.map { try $0.evaluator(unitName: unitName) }
        let runner = MonteCarloRunner(source: source, methods: methods, replications: spec.replications, alpha: spec.alpha)
        let (file, existing) = try RecordFile.open(path: recordsPath, resume: resume, methodsPerTask: methods.count)
        let records = try runner.run(file: file, existing: existing, shard: shard, threads: threads, progress: progress)
        let summary = try summarise(spec: spec, source: source, methods: methods, records: records)
        if shard == .all { try writeReports(summary, to: directory) }
        return Outcome(summary: summary, computed: records.count - existing.count, resumed: existing.count)
    }

    /// `runs/EXPERIMENT-HASH`, with HASH the first 8 hex digits of the spec text's FNV-1a hash:
    /// the same spec always maps to the same directory, a changed spec to a new one.
    public static func defaultDirectory(experiment: String, specText: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in specText.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return "runs/\(experiment)-" + String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(8))
    }

    /// `records.csv`, or `records-shard-I-of-N.csv` (1-based I) for a shard.
    public static func recordFileName(_ shard: MonteCarloRunner.Shard) -> String {
        shard == .all ? "records.csv" : "records-shard-\(shard.index + 1)-of-\(shard.count).csv"
    }

    static func summarise(spec: ExperimentSpec, source: any ReplicationSource, methods: [any MethodEvaluator],
                          records: [ReplicationRecord]) throws -> RunSummary {
        let conditions = 0..<source.conditionCount
        // Design sizes on each condition's first panel (the design, not the draw, sets them).
        let designSizes = conditions.map { c -> [Double?] in
            guard let panel = try? source.replicate(condition: c, replication: 0).panel else { return methods.map { _ in nil } }
            return methods.map { $0.designSize(alpha: spec.alpha, on: panel)?.value }
        }
        let names = conditions.map(source.conditionName)
        var summary = RunSummary(experiment: spec.name, replications: spec.replications, seed: spec.seed, alpha: spec.alpha,
                   conditionNames: names, conditionParameters: conditions.map(source.conditionParameters),
                   methods: zip(spec.methods, methods).map { ($0.name, $1.estimatorName, $1.inferenceName, $1.target) },
                   records: records, designSizes: designSizes,
                   testOnlyMethods: Set(methods.indices.filter { methods[$0].reportsTestOnly }),
                   sizeAdjustedPairs: try spec.sizeAdjustedPairs(conditionNames: names),
                   preTrendMethods: Set(methods.indices.filter { methods[$0].isPreTrendTest }))
        summary.dataNotes = source.dataNotes
        return summary
    }

    /// Writes `results.json`, `results.csv` and `results.md` as one set: all three are written in
    /// full to temporary files first and renamed only when every one succeeded, so a failure
    /// (disk full, an interrupt) leaves the previous set, never a mix.
    public static func writeReports(_ summary: RunSummary, to directory: String) throws {
        let report = RunReport(summary)
        let files = [("results.json", report.json().stamped().rendered() + "\n"), ("results.csv", report.csv()),
                     ("results.md", report.markdown() + BuildInfo.markdownFooter)]
        var writers: [AtomicFile.Writer] = []
        for (name, text) in files {
            let writer = try AtomicFile.Writer(path: directory + "/" + name)
            writers.append(writer)
            try writer.write(text)
            try writer.flush()
        }
        for writer in writers { try writer.commit() }
    }

    /// Checks that the columns a method names exist in the simulated data: the clustering of
    /// its inference (`cr1:COL`, `placebo:COL`, `wcb:COL`), its subgroup column (`by`), its
    /// mediator and its coordinates. A typo would otherwise fail every replication.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming the method's field.
    static func checkColumns(spec: ExperimentSpec, data: ReplicationData, condition: String) throws {
        // The time column counts for interactions such as province^year (Panel.clustering(named:)).
        let clusterings = (data.panel.clusterings.keys + [data.panel.timeName]).sorted()
        let columns = data.columns.keys.sorted()
        func require(_ name: String?, in available: [String], field: String) throws {
            guard let name, !available.contains(name) else { return }
            throw RunError.invalidSpec(path: spec.source, field: field,
                                       reason: "'\(name)' is not a column of condition '\(condition)'; expected one of "
                                           + available.joined(separator: ", "))
        }
        for (k, method) in spec.methods.enumerated() {
            for (key, name) in method.clusterColumns { try require(name, in: clusterings, field: "methods[\(k)].\(key)") }
            for (key, name) in method.dataColumns { try require(name, in: columns, field: "methods[\(k)].\(key)") }
        }
    }

    /// Bytes a run keeps per record: the record itself in memory and its task bookkeeping.
    static let bytesPerRecord = 256.0
    /// Bytes a placebo test inside a replication keeps per draw, per worker thread.
    static let bytesPerInnerDraw = 48.0

    /// Refuses runs whose records, or whose per-replication placebo and bootstrap draws, exceed
    /// the memory budget.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming `replications` or the method.
    static func checkMemory(spec: ExperimentSpec, threads: Int?, budget: MemoryBudget) throws {
        let tasks = spec.replications.multipliedReportingOverflow(by: max(spec.conditionCount, 1))
        let records = tasks.partialValue.multipliedReportingOverflow(by: max(spec.methods.count, 1))
        let count = tasks.overflow || records.overflow ? Int.max : records.partialValue
        do {
            try budget.check(count: count, bytesPerItem: bytesPerRecord, what: "replication records (\(Int(bytesPerRecord)) bytes each)",
                             role: "\(spec.replications) replications × \(spec.conditionCount) conditions × "
                                + "\(spec.methods.count) methods")
        } catch let error as MemoryBudgetError {
            throw RunError.invalidSpec(path: spec.source, field: "replications", reason: error.description)
        }
        let workers = Double(ParallelLoop.workerCount(requested: threads))
        for (k, method) in spec.methods.enumerated() {
            for (field, draws) in [("permutations", method.permutations), ("reps", method.reps)] {
                do {
                    try budget.check(count: draws, bytesPerItem: bytesPerInnerDraw * workers,
                                     what: "draws of every worker thread", role: "the number of draws")
                } catch let error as MemoryBudgetError {
                    throw RunError.invalidSpec(path: spec.source, field: "methods[\(k)].\(field)", reason: error.description)
                }
            }
        }
    }

    /// Checks that every method's target is an estimand of every condition (from the truth of
    /// replication 0, which names the same estimands as every other replication).
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming `methods[k].target` and the
    ///   estimands there are.
    static func checkTargets(spec: ExperimentSpec, source: any ReplicationSource) throws {
        for condition in 0..<source.conditionCount {
            let data = try source.replicate(condition: condition, replication: 0)
            try checkColumns(spec: spec, data: data, condition: source.conditionName(condition))
            let truth = data.truth
            for (k, method) in spec.methods.enumerated() where truth[method.target] == nil {
                let known = truth.keys.sorted()
                throw RunError.invalidSpec(
                    path: spec.source, field: "methods[\(k)].target",
                    reason: "'\(method.target)' is not an estimand of condition '\(source.conditionName(condition))'; "
                        + "expected one of " + known.prefix(30).joined(separator: ", ") + (known.count > 30 ? ", …" : ""))
            }
        }
    }

    /// Merges the records of shard directories (or of one directory holding every shard file)
    /// into one summary, bit-identical to a single run.
    /// - Throws: ``RunError/incompleteMerge(reason:)`` when replications are missing or duplicated,
    ///   or when the directories come from different specs.
    public static func merge(directories: [String]) throws -> (RunSummary, ExperimentSpec) {
        guard let first = directories.first else { throw RunError.incompleteMerge(reason: "no directory given") }
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                throw RunError.incompleteMerge(reason: "\(directory): no such file or directory")
            }
            guard isDirectory.boolValue else {
                throw RunError.incompleteMerge(reason: "\(directory): not a directory; expected the output directory of a run")
            }
            guard FileManager.default.fileExists(atPath: directory + "/manifest.json") else {
                throw RunError.incompleteMerge(reason: "\(directory): holds no run (no manifest.json); "
                                               + "expected the output directory of a run")
            }
        }
        let manifest = try Manifest.read(path: first + "/manifest.json")
        var records: [ReplicationRecord] = []
        for directory in directories {
            let other = try Manifest.read(path: directory + "/manifest.json")
            guard other == manifest else {
                throw RunError.incompleteMerge(reason: "\(directory) holds another experiment than \(first) (spec, seed or "
                                               + "replication count): only the shard directories of one run merge")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("records") && $0.hasSuffix(".csv") }.sorted()
            for file in files { records += try RecordFile.read(path: directory + "/" + file).0 }
        }
        var spec = try ExperimentSpec.parse(manifest.specText, source: first + "/manifest.json",
                                            directory: manifest.specDirectory ?? ".")
        spec.replications = manifest.replications  // the run's overrides, applied to the typed spec
        spec.seed = manifest.seed
        try checkComplete(records, spec: spec)
        let (source, unitName) = try spec.replicationSource()
        let methods = try spec.methods.map { try $0.evaluator(unitName: unitName) }
        return (try summarise(spec: spec, source: source, methods: methods, records: records), spec)
    }
}

/// What a results directory holds, so that resumes and merges only combine like with like.
struct Manifest: Equatable {
    var experiment: String
    var specText: String
    var replications: Int
    var seed: UInt64
    /// The spec's directory, for specs on a real panel (nil otherwise, and not written).
    var specDirectory: String? = nil
    /// The command line of the invocation that last wrote the directory (`didlab run …`), shown
    /// by `didlab report`. Not part of the identity: shards and resumes run other command lines.
    var command: String? = nil
    /// What wrote the directory, written as `"kind"`: "diagnosis" for `didlab diagnose`; nil (not
    /// written) for a run, and in manifests older than the field. Not part of the identity, so a
    /// diagnosis begun before the field existed still resumes.
    var kind: String? = nil

    /// The ``kind`` of a diagnosis's manifest.
    static let diagnosisKind = "diagnosis"

    static func == (lhs: Manifest, rhs: Manifest) -> Bool {
        (lhs.experiment, lhs.specText, lhs.replications, lhs.seed, lhs.specDirectory)
            == (rhs.experiment, rhs.specText, rhs.replications, rhs.seed, rhs.specDirectory)
    }

    /// The manifest as written, stamped with the build that wrote it (not compared on resume).
    func json() -> JSONValue {
        JSONValue.object([("experiment", .string(experiment)), ("replications", .integer(replications)),
                          ("seed", .string(String(seed))), ("spec", .string(specText))]
                         + (specDirectory.map { [("spec_directory", JSONValue.string($0))] } ?? [])
                         + (command.map { [("command", JSONValue.string($0))] } ?? [])
                         + (kind.map { [("kind", JSONValue.string($0))] } ?? [])).stamped()
    }

    static func read(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let experiment = object["experiment"] as? String, let spec = object["spec"] as? String,
              let replications = object["replications"] as? Int, let seedText = object["seed"] as? String,
              let seed = UInt64(seedText) else {
            throw RunError.manifestMismatch(path: path, reason: "missing or unreadable manifest")
        }
        return Manifest(experiment: experiment, specText: spec, replications: replications, seed: seed,
                        specDirectory: object["spec_directory"] as? String, command: object["command"] as? String,
                        kind: object["kind"] as? String)
    }
}
