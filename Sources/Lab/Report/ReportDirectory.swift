import Foundation

/// `didlab report DIR`: the HTML page of a `run` or `diagnose` output directory, rebuilt from
/// what the directory holds, never from its Markdown.
///
/// A run directory's summary is reduced again from its records, as ``ExperimentRun/merge(directories:)``
/// does (so shard directories given together make one page); a diagnosis is decoded from its
/// `diagnosis.json` (``JSONInput``). The same page is written by `run --html` and `diagnose --html`.
public enum ReportDirectory {
    /// A directory that holds no finished run or diagnosis.
    public struct ReportError: Error, CustomStringConvertible {
        /// The directory or file.
        public let path: String
        /// What is wrong, and what was expected.
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// What a directory holds.
    public enum Kind: Sendable, Equatable {
        /// The output of `didlab run` (or of `merge`).
        case run
        /// The output of `didlab diagnose --out`.
        case diagnosis
    }

    /// The report page of `directories` (one diagnosis, or one run, or the shard directories of one run).
    /// - Parameter runFigures: the figures of a run's summary (default: ``RunFigures``' bias,
    ///   coverage and, for an effect grid, power figures).
    /// - Throws: ``ReportError`` for a missing, foreign or unfinished directory; ``RunError`` for
    ///   corrupt records or shards of different runs.
    public static func report(directories: [String],
                              runFigures: (RunSummary) -> [ReportFigure] = { RunFigures($0).figures }) throws -> HTMLReport {
        guard let first = directories.first else { throw ReportError(path: "report", reason: "no directory given") }
        var kinds: [Kind] = []
        var manifests: [Manifest] = []
        for directory in directories {
            let (kind, manifest) = try inspect(directory)
            kinds.append(kind)
            manifests.append(manifest)
        }
        if let diagnosis = kinds.firstIndex(of: .diagnosis) {
            guard directories.count == 1 else {
                throw ReportError(path: directories[diagnosis], reason: "a diagnosis makes a report on its own; give its "
                                  + "directory alone")
            }
            return try diagnosisReport(directory: first, manifest: manifests[0])
        }
        // Shards of one run record the same experiment; anything else is another run, not a shard.
        if let other = manifests.indices.first(where: { manifests[$0] != manifests[0] }) {
            throw ReportError(path: directories[other], reason: "holds another experiment than \(first) (spec, seed or "
                              + "replication count); a report combines only the shard directories of one run")
        }
        let summary: RunSummary, spec: ExperimentSpec
        do {
            (summary, spec) = try ExperimentRun.merge(directories: directories)
        } catch RunError.incompleteMerge(let reason) {
            throw ReportError(path: first, reason: "the run is not finished (\(reason.replacingOccurrences(of: "; run the missing shards (or resume them) first", with: ""))); "
                              + "resume it (didlab run SPEC --out DIR --resume) or give every shard's directory")
        }
        let provenance = HTMLReport.Provenance(
            commandLine: manifests.compactMap(\.command).first.map { manifests.count > 1 ? $0 + "   (and the other shards)" : $0 },
            build: buildStamp(directory: first, files: ["manifest.json", "results.json"]),
            facts: [("experiment", manifests[0].experiment), ("replications", String(manifests[0].replications)),
                    ("seed", String(manifests[0].seed)), ("directory", directories.joined(separator: ", "))],
            input: (title: "Experiment spec, as recorded in manifest.json", text: manifests[0].specText))
        return HTMLReport(run: summary, aims: spec.aims, figures: runFigures(summary), provenance: provenance)
    }

    /// Writes the page to `path` atomically (a temporary file renamed into place).
    public static func write(_ report: HTMLReport, to path: String) throws {
        try AtomicFile.write(report.html(), to: path)
    }

    /// Which kind of directory `directory` is, with its manifest.
    static func inspect(_ directory: String) throws -> (Kind, Manifest) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ReportError(path: directory, reason: "no such directory; expected the output directory of didlab run or "
                              + "didlab diagnose --out")
        }
        guard isDirectory.boolValue else {
            throw ReportError(path: directory, reason: "not a directory; expected the output directory of didlab run or "
                              + "didlab diagnose --out")
        }
        let manifestPath = directory + "/manifest.json"
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw ReportError(path: directory, reason: "holds no run or diagnosis (no manifest.json); expected the output "
                              + "directory of didlab run or didlab diagnose --out")
        }
        let manifest: Manifest
        do {
            manifest = try Manifest.read(path: manifestPath)
        } catch {
            throw ReportError(path: manifestPath, reason: "unreadable; expected the manifest of a didlab run or diagnosis "
                              + "(experiment, spec, replications, seed)")
        }
        return (kind(of: manifest, in: directory), manifest)
    }

    /// The keys of the inputs `didlab diagnose` records in its manifest, one `key: value` line each.
    static let diagnosisInputKeys: Set<String> = ["data", "y", "unit", "time", "treat", "cohort", "x", "cluster", "level",
                                                  "source", "effects", "methods", "alpha", "power", "permutations", "reps",
                                                  "sample", "set", "profile"]

    /// A run or a diagnosis: the manifest's `kind` when it records one; else (a manifest written
    /// before the field) the files the directory holds (diagnosis.json, or a run's results.json);
    /// else the recorded input itself: a diagnosis records only `key: value` lines of its inputs,
    /// while a run records its spec, which has an `experiment` key no diagnosis input has. The
    /// experiment's name decides nothing: a run may be called `diagnose`.
    static func kind(of manifest: Manifest, in directory: String) -> Kind {
        if let kind = manifest.kind { return kind == Manifest.diagnosisKind ? .diagnosis : .run }
        if FileManager.default.fileExists(atPath: directory + "/diagnosis.json") { return .diagnosis }
        if FileManager.default.fileExists(atPath: directory + "/results.json") { return .run }
        let keys = manifest.specText.split(separator: "\n").map { line in line.prefix { $0 != ":" } }
        let isDiagnosis = manifest.experiment == "diagnose" && keys.contains("power")
            && keys.allSatisfy { diagnosisInputKeys.contains(String($0)) }
        return isDiagnosis ? .diagnosis : .run
    }

    static func diagnosisReport(directory: String, manifest: Manifest) throws -> HTMLReport {
        let path = directory + "/diagnosis.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError(path: directory, reason: "the diagnosis is not finished (no diagnosis.json); finish it with "
                              + "didlab diagnose … --out DIR --resume")
        }
        let report: DiagnosisReport
        do {
            report = try JSONInput.decode(DiagnosisReport.self, from: String(decoding: data, as: UTF8.self))
        } catch {
            throw ReportError(path: path, reason: "not a diagnosis written by didlab diagnose: \(describe(error))")
        }
        // The inputs, as diagnose records them: one `key: value` line each.
        let inputs = manifest.specText.split(separator: "\n").map { line -> (String, String) in
            guard let colon = line.firstIndex(of: ":") else { return (String(line), "") }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard let power = inputs.first(where: { $0.0 == "power" }).flatMap({ Double($0.1) }), power > 0, power < 1 else {
            throw ReportError(path: directory + "/manifest.json", reason: "the diagnosis's inputs name no target power "
                              + "(a line 'power: P'); expected the manifest written by didlab diagnose")
        }
        let figure = DiagnosisPlot(report, power: power).figure
        let provenance = HTMLReport.Provenance(
            commandLine: manifest.command,
            build: buildStamp(directory: directory, files: ["manifest.json", "diagnosis.json"]),
            facts: [("replications", String(manifest.replications)), ("seed", String(manifest.seed)), ("directory", directory)],
            input: nil)
        return HTMLReport(diagnosis: report, power: power, inputs: inputs, figures: [figure], provenance: provenance)
    }

    /// The build-info stamp: the `didlab` object of the first of `files` (in `directory`) that has one.
    static func buildStamp(directory: String, files: [String]) -> JSONValue? {
        for file in files {
            guard let data = FileManager.default.contents(atPath: directory + "/" + file),
                  let json = try? JSONValue(parsing: String(decoding: data, as: UTF8.self)),
                  let stamp = json["didlab"] else { continue }
            return stamp
        }
        return nil
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? JSONInput.DecodeError { return error.description }
        if case DecodingError.dataCorrupted(let context) = error {
            return TreeDecoder.path(context.codingPath) + ": " + context.debugDescription
        }
        return "\(error)"
    }
}
