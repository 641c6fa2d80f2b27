import Estimators
import Foundation

/// `didlab diagnose`: is this design trustworthy on this panel? A Monte Carlo of the user's own
/// design from two sources, placebo laws on the real outcome (``PlaceboLaws``) and the lab's model
/// calibrated to it (``CalibratedModel``), for every method: size, power, MDE, bias, coverage, and a
/// verdict.
///
/// Flow: the sources are prepared; the δ = 0 conditions run first (they are the size, and their
/// estimates' spread sets the automatic effect grid); then the other effects run with the same
/// draws. Records go through ``MonteCarloRunner`` into `records.csv` (resumable, bit-identical for
/// any thread count), and the report is reduced from them in a fixed order.
public enum Diagnosis {
    /// What to run.
    public struct Options: Sendable {
        /// The sources (default both).
        public var sources: [SourceKind] = [.placeboLaws, .model]
        /// Effects in outcome units (nil: automatic).
        public var effects: [Double]?
        /// The methods (nil: ``DiagnosisMethod/defaults(cluster:level:levelAssignable:)``).
        public var methods: [String]?
        /// Replications per source and effect.
        public var replications = 500
        /// Master seed of every stream.
        public var seed: UInt64 = 1
        /// Worker threads (nil: all cores); never changes a result.
        public var threads: Int?
        /// Test level.
        public var alpha = 0.05
        /// Target power of the MDE.
        public var power = 0.8
        /// Placebo draws of randomization methods and bootstrap draws of wild bootstrap methods.
        public var permutations = 199, reps = 199
        /// The placebo-laws sample (nil: never-treated units when there are enough).
        public var sample: PlaceboLaws.Sample?
        /// Overrides of the calibrated model.
        public var overrides = CalibratedModel.Overrides()
        /// How the effect is laid on the treated cells (default constant).
        public var profile = EffectProfile.constant
        /// The command line that asked for the diagnosis, recorded in the manifest for the HTML
        /// report (nil: not recorded). Not part of the diagnosis's identity.
        public var commandLine: String?
        /// Creates the defaults.
        public init() {}
    }

    /// A source of replications.
    public enum SourceKind: String, Sendable, CaseIterable {
        case placeboLaws = "placebo-laws"
        case model
    }

    /// Number of automatic effects.
    public static let automaticEffectCount = 6

    /// Runs the diagnosis of `panel` (whose clusterings hold `cluster` and `level`).
    /// - Parameters:
    ///   - directory: where `manifest.json` and `records.csv` go (nil: a temporary directory, removed).
    ///   - description: the inputs in words, for the manifest (a resumed run must match it).
    /// - Throws: ``DiagnosisError`` when no source can run, ``InvalidParameter`` for bad methods or
    ///   effects, ``RunError`` and I/O errors for the directory.
    public static func run(panel: Panel, cluster: String, level: String?, options: Options, directory: String?,
                           description: String, resume: Bool,
                           progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> DiagnosisReport {
        var notes = panel.notes.map { "data: " + $0 }   // rows dropped or kept with a caveat when the panel was read
        var sources: [DiagnosisSource.Source] = []
        var failures: [String] = []
        var calibration: CalibratedModel?
        var laws: PlaceboLaws?
        for kind in options.sources {
            do {
                switch kind {
                case .placeboLaws:
                    let made = try PlaceboLaws(panel: panel, sample: options.sample, level: level)
                    laws = made
                    sources.append(.placeboLaws(made))
                case .model:
                    let made = try CalibratedModel(panel: panel, level: level, overrides: options.overrides)
                    calibration = made
                    sources.append(.model(made))
                }
            } catch let error as DiagnosisError {
                failures.append(error.description)
                notes.append(error.description + " (source skipped)")
            }
        }
        guard !sources.isEmpty else { throw DiagnosisError.noSource(failures) }
        let levelAssignable = level.map { name in
            panel.clusterings[name]?.unitCluster.map { PlaceboLaws.constant(panel.adoptionPeriod, within: $0) } ?? false
        } ?? false
        let hasNeverTreated = panel.adoptionPeriod.contains(Panel.neverTreated)
        let texts = options.methods ?? DiagnosisMethod.defaults(cluster: cluster, level: level, levelAssignable: levelAssignable,
                                                                periods: panel.periodCount, hasNeverTreated: hasNeverTreated)
        guard !texts.isEmpty else { throw InvalidParameter(.estimator, nil, "expected at least one method") }
        // The verdict joins a method's lines across sources by its name.
        if let repeated = texts.first(where: { text in texts.filter { $0 == text }.count > 1 }) {
            throw InvalidParameter(.estimator, repeated.quotedForMessage, "is named twice; expected each method once")
        }
        let methods = try texts.map {
            try DiagnosisMethod(parsing: $0, unitName: panel.unitName, alpha: options.alpha,
                                permutations: options.permutations, reps: options.reps)
        }
        for method in methods {
            if case .estimator(_, .placebo(let level?, _)) = method.spec.analysis,
               let groups = panel.clusterings[level]?.unitCluster, !PlaceboLaws.constant(panel.adoptionPeriod, within: groups) {
                throw InvalidParameter(.estimator, method.name.quotedForMessage, "the real adoption varies within '\(level)' "
                                       + "groups, so whole groups cannot swap dates; permute units (placebo) instead")
            }
            for (_, column) in method.spec.clusterColumns + method.spec.dataColumns where panel.clusterings[column] == nil {
                throw InvalidParameter(.estimator, method.name.quotedForMessage, "the column '\(column)' is not in the panel; "
                                       + "expected one of " + panel.clusterings.keys.sorted().joined(separator: ", "))
            }
        }
        if let effects = options.effects {
            guard !effects.isEmpty, effects.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw InvalidParameter(.effects, effects.map { String($0) }.joined(separator: ","), "expected positive effects")
            }
        }
        // The records file.
        let temporary = directory == nil
        let path = directory ?? (NSTemporaryDirectory() + "didlab-diagnose-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw AtomicFile.WriteError(path: path, reason: "exists and is not a directory")
        }
        try AtomicFile.createDirectory(path)
        let lock = try DirectoryLock(directory: path)
        defer { lock.release() }
        let manifest = Manifest(experiment: "diagnose", specText: description, replications: options.replications,
                                seed: options.seed, command: options.commandLine, kind: Manifest.diagnosisKind)
        let manifestPath = path + "/manifest.json"
        let recordsPath = path + "/records.csv"
        if FileManager.default.fileExists(atPath: recordsPath) {
            guard resume else {
                throw InvalidParameter(.outputDirectory, path, "already holds the records of a diagnosis (\(recordsPath)); "
                                       + "resume to continue it, or choose another output directory", remedies: [.resume])
            }
            if FileManager.default.fileExists(atPath: manifestPath), try Manifest.read(path: manifestPath) != manifest {
                throw RunError.manifestMismatch(path: manifestPath, reason: "records there belong to another diagnosis "
                                                + "(data, options, seed or replication count)")
            }
        }
        try AtomicFile.write(manifest.json().rendered() + "\n", to: manifestPath)
        let (file, existing) = try RecordFile.open(path: recordsPath, resume: resume, methodsPerTask: methods.count)
        let evaluators = methods.map(\.evaluator)
        // δ = 0 first.
        let pilot = DiagnosisSource(sources: sources, effects: [0], seed: options.seed, profile: options.profile)
        var records = try MonteCarloRunner(source: pilot, methods: evaluators, replications: options.replications,
                                           alpha: options.alpha)
            .run(file: file, existing: existing.filter { $0.condition < sources.count }, threads: options.threads,
                 progress: progress)
        let effects = [0] + (options.effects ?? automaticEffects(records: records, methods: methods, alpha: options.alpha))
        let full = DiagnosisSource(sources: sources, effects: effects, seed: options.seed, profile: options.profile)
        records = try MonteCarloRunner(source: full, methods: evaluators, replications: options.replications,
                                       alpha: options.alpha)
            .run(file: file, existing: records + existing.filter { $0.condition >= sources.count },
                 threads: options.threads, progress: progress)
        let report = DiagnosisReport(panel: panel, cluster: cluster, level: level, laws: laws, model: calibration,
                                     source: full, methods: methods, records: records, options: options, notes: notes)
        // Every method failed everywhere: there is no diagnosis to print.
        if report.sources.allSatisfy({ $0.methods.allSatisfy { !$0.size.rejection.isFinite } }) {
            let reason = report.sources.flatMap(\.methods).compactMap(\.failureReason).first ?? "no replication gave a result"
            throw DiagnosisError.noResult(reason)
        }
        return report
    }

    /// Effects up to about 0.99 power for the least precise method: `(z_{1−α/2} + z_{0.99})` times
    /// the largest SD of any effect test's estimates at δ = 0, in ``automaticEffectCount`` equal
    /// steps, each rounded to 3 significant digits.
    static func automaticEffects(records: [ReplicationRecord], methods: [DiagnosisMethod], alpha: Double) -> [Double] {
        var spread = 0.0
        for (m, method) in methods.enumerated() where !method.isPreTest {
            var byCondition: [Int: [Double]] = [:]
            for record in records where record.method == m && record.failure.isEmpty && record.estimate.isFinite {
                byCondition[record.condition, default: []].append(record.estimate)
            }
            for values in byCondition.values where values.count > 1 {
                let mean = values.reduce(0, +) / Double(values.count)
                let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
                spread = max(spread, sd)
            }
        }
        if !(spread > 0) { spread = 1 }
        let z = Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: .infinity)
            + Distributions.tQuantile(0.99, degreesOfFreedom: .infinity)
        let top = z * spread
        return (1...automaticEffectCount).map { k in
            let value = top * Double(k) / Double(automaticEffectCount)
            return Double(String(format: "%.3g", value)) ?? value
        }
    }
}
