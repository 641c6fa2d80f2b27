import Foundation

/// One method's result in one replication of one condition: the row of `records.csv`.
///
/// Numbers are written with Swift's shortest round-trip representation, so a summary computed
/// from records read back is bit-identical to one computed in memory, and a resumed or sharded
/// run reproduces a single run exactly.
public struct ReplicationRecord: Sendable, Equatable {
    /// Condition index (grid point).
    public var condition: Int
    /// Replication index within the condition.
    public var replication: Int
    /// Method index in the spec.
    public var method: Int
    /// Point estimate (NaN when the method failed).
    public var estimate: Double
    /// Standard error (NaN when not available).
    public var standardError: Double
    /// Confidence interval (NaN when not available, e.g. permutation inference).
    public var confLow: Double
    public var confHigh: Double
    /// p-value of H0: effect = 0.
    public var pValue: Double
    /// True value of the method's estimand in this replication.
    public var truth: Double
    /// The 64-bit key of the replication's data stream, to replay a failure.
    public var streamKey: UInt64
    /// Empty when the method succeeded, else the error message.
    public var failure: String

    /// Column names of `records.csv`.
    public static let header = "condition,replication,method,estimate,std_error,conf_low,conf_high,p_value,truth,stream_key,failure"

    /// Creates a record.
    public init(condition: Int, replication: Int, method: Int, estimate: Double, standardError: Double,
                confLow: Double, confHigh: Double, pValue: Double, truth: Double, streamKey: UInt64, failure: String) {
        self.condition = condition
        self.replication = replication
        self.method = method
        self.estimate = estimate
        self.standardError = standardError
        self.confLow = confLow
        self.confHigh = confHigh
        self.pValue = pValue
        self.truth = truth
        self.streamKey = streamKey
        self.failure = failure
    }

    /// The CSV line (without a line break).
    public var csvLine: String {
        func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "" }
        let message = failure.isEmpty ? "" : "\"" + failure.replacingOccurrences(of: "\"", with: "\"\"")
            .replacingOccurrences(of: "\n", with: " ") + "\""
        return "\(condition),\(replication),\(method),\(number(estimate)),\(number(standardError)),"
            + "\(number(confLow)),\(number(confHigh)),\(number(pValue)),\(number(truth)),\(streamKey),\(message)"
    }

    /// Parses a line written by ``csvLine``; nil when it is malformed (e.g. cut by a crash).
    public init?(csvLine line: Substring) {
        var fields: [Substring] = []
        var rest = line
        for _ in 0..<10 {
            guard let comma = rest.firstIndex(of: ",") else { return nil }
            fields.append(rest[..<comma])
            rest = rest[rest.index(after: comma)...]
        }
        var message = String(rest)
        if message.hasPrefix("\"") {
            guard message.count >= 2, message.hasSuffix("\"") else { return nil }
            message = String(message.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        func number(_ field: Substring) -> Double? { field.isEmpty ? .nan : Double(field) }
        guard let condition = Int(fields[0]), let replication = Int(fields[1]), let method = Int(fields[2]),
              let estimate = number(fields[3]), let se = number(fields[4]), let low = number(fields[5]),
              let high = number(fields[6]), let p = number(fields[7]), let truth = number(fields[8]),
              let key = UInt64(fields[9]) else { return nil }
        self.init(condition: condition, replication: replication, method: method, estimate: estimate,
                  standardError: se, confLow: low, confHigh: high, pValue: p, truth: truth, streamKey: key,
                  failure: message)
    }
}

/// Appends records to `records.csv` in chunks and reads them back for `--resume` and `merge`.
///
/// Each chunk is one `write` followed by `fsync`, so a killed run loses at most the chunk in
/// flight; a torn last line is detected (it lacks its line break or does not parse) and cut
/// off on resume.
public final class RecordFile {
    /// Path of the file.
    public let path: String
    let handle: FileHandle

    /// Opens `path` for appending, creating it with the header if needed. With `resume`, keeps
    /// the complete tasks already there (a task is `methodsPerTask` consecutive records of one
    /// condition and replication), cutting a torn line or a task cut short; without, starts afresh.
    /// - Returns: the records already present (empty without `resume`).
    public static func open(path: String, resume: Bool, methodsPerTask: Int = 1) throws -> (RecordFile, [ReplicationRecord]) {
        let manager = FileManager.default
        var existing: [ReplicationRecord] = []
        if resume, manager.fileExists(atPath: path) {
            let (records, ends) = try readWithOffsets(path: path)
            // Keep the longest prefix that ends on a complete task.
            var keep = 0, run = 0
            for (k, record) in records.enumerated() {
                if k > 0, records[k - 1].condition == record.condition, records[k - 1].replication == record.replication {
                    run += 1
                } else {
                    run = 1
                }
                if run == methodsPerTask { keep = k + 1 }
            }
            existing = Array(records.prefix(keep))
            let validLength = keep == 0 ? ReplicationRecord.header.utf8.count + 1 : ends[keep - 1]
            let handle = try AtomicFile.naming(path) { try FileHandle(forWritingTo: URL(fileURLWithPath: path)) }
            try AtomicFile.naming(path) {
                try handle.truncate(atOffset: UInt64(validLength))
                try handle.seekToEnd()
            }
            return (RecordFile(path: path, handle: handle), existing)
        }
        guard manager.createFile(atPath: path, contents: Data((ReplicationRecord.header + "\n").utf8)) else {
            throw AtomicFile.WriteError(path: path, reason: "cannot create the records file (\(AtomicFile.systemReason()))")
        }
        let handle = try AtomicFile.naming(path) { try FileHandle(forWritingTo: URL(fileURLWithPath: path)) }
        try AtomicFile.naming(path) { try handle.seekToEnd() }
        return (RecordFile(path: path, handle: handle), existing)
    }

    init(path: String, handle: FileHandle) {
        self.path = path
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends records as one chunk and flushes it to disk.
    public func append(_ records: [ReplicationRecord]) throws {
        guard !records.isEmpty else { return }
        let text = records.map(\.csvLine).joined(separator: "\n") + "\n"
        try AtomicFile.naming(path) {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        }
    }

    /// Reads every complete record of a records file.
    /// - Returns: the records and the byte length of the valid prefix (header + complete lines).
    public static func read(path: String) throws -> ([ReplicationRecord], Int) {
        let (records, ends) = try readWithOffsets(path: path)
        return (records, ends.last ?? ReplicationRecord.header.utf8.count + 1)
    }

    /// Reads every complete record with the byte offset just past each one's line break.
    static func readWithOffsets(path: String) throws -> ([ReplicationRecord], [Int]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AtomicFile.WriteError(path: path, reason: "cannot read the records file")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix(ReplicationRecord.header + "\n") else {
            throw RunError.corruptRecords(path: path, line: 1, reason: "expected the header '\(ReplicationRecord.header)'")
        }
        var records: [ReplicationRecord] = []
        var ends: [Int] = []
        var validLength = ReplicationRecord.header.utf8.count + 1
        var lineNumber = 1
        var rest = text.utf8.dropFirst(validLength)
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            let line = Substring(rest[..<newline])
            guard let record = ReplicationRecord(csvLine: line) else {
                // A torn line followed by more data is corruption, not a crash artefact.
                if rest[rest.index(after: newline)...].isEmpty { break }
                throw RunError.corruptRecords(path: path, line: lineNumber, reason: "cannot parse '\(line.prefix(80))'")
            }
            records.append(record)
            validLength += line.utf8.count + 1
            ends.append(validLength)
            rest = rest[rest.index(after: newline)...]
        }
        return (records, ends)
    }
}

/// Errors of the Monte Carlo runner, each naming the file, field or flag.
public enum RunError: Error, Equatable, CustomStringConvertible {
    /// The spec file has a problem.
    case invalidSpec(path: String, field: String, reason: String)
    /// A records file cannot be parsed.
    case corruptRecords(path: String, line: Int, reason: String)
    /// `--resume` found records of another experiment.
    case manifestMismatch(path: String, reason: String)
    /// `merge` found missing or duplicated replications.
    case incompleteMerge(reason: String)
    /// A flag value is invalid.
    case invalidOption(String)

    /// One line.
    public var description: String {
        switch self {
        case let .invalidSpec(path, field, reason): return "\(path): field '\(field)': \(reason)"
        case let .corruptRecords(path, line, reason): return "\(path):\(line): \(reason)"
        case let .manifestMismatch(path, reason): return "\(path): \(reason); use a new output directory, or start afresh rather than resume"
        case .incompleteMerge(let reason): return "merge: \(reason)"
        case .invalidOption(let message): return message
        }
    }
}
