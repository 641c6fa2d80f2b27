import Estimators
import Foundation

/// Runs conditions × replications in parallel, deterministically, appending records in chunks.
///
/// Replication r of condition c draws its panel from the source's stream (seed, c, r) and runs
/// every method on that same panel. Tasks run in blocks through ``ParallelLoop``; after each
/// block its records are appended (in task order) to `records.csv` and flushed. Blocks are sized
/// to take about a second, so a killed run loses about a second of work (or one task, when a
/// single task takes longer), and `--resume` recomputes nothing already written. Summaries are
/// computed from records sorted by (condition, replication, method), so results are
/// bit-identical for any thread count, sharding or resumption.
public struct MonteCarloRunner: Sendable {
    /// The data.
    public let source: any ReplicationSource
    /// The methods, in spec order.
    public let methods: [any MethodEvaluator]
    /// Replications per condition.
    public let replications: Int
    /// Test level.
    public let alpha: Double

    /// Creates a runner.
    public init(source: any ReplicationSource, methods: [any MethodEvaluator], replications: Int, alpha: Double) {
        self.source = source
        self.methods = methods
        self.replications = replications
        self.alpha = alpha
    }

    /// A deterministic subset of replications: those with `r % count == index`.
    public struct Shard: Sendable, Equatable {
        public var index: Int
        public var count: Int
        /// The whole run.
        public static let all = Shard(index: 0, count: 1)
        /// Creates a shard; `0 <= index < count`.
        public init(index: Int, count: Int) { self.index = index; self.count = count }
        /// Parses "I/N" with 1-based I as on the command line (`--shard 2/3`).
        public init?(parsing text: String) {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
            self.init(index: i - 1, count: n)
        }
        func contains(_ replication: Int) -> Bool { replication % count == index }
    }

    /// Runs the tasks of `shard` not already in `done`, appending to `file`.
    /// - Parameters:
    ///   - progress: called after each block with (finished, total).
    /// - Returns: every record of this shard (old and new).
    public func run(file: RecordFile, existing: [ReplicationRecord], shard: Shard = .all, threads: Int? = nil,
                    blockSize: Int = 256, flushInterval: Double = 1.0, progress: (Int, Int) -> Void = { _, _ in }) throws -> [ReplicationRecord] {
        var done = Set<Int>()
        var perTask: [Int: Int] = [:]
        for record in existing { perTask[record.condition * replications + record.replication, default: 0] += 1 }
        for (task, count) in perTask where count == methods.count { done.insert(task) }
        // Records of incomplete tasks (cut mid-task) are dropped and recomputed.
        var records = existing.filter { done.contains($0.condition * replications + $0.replication) }
        var tasks: [(condition: Int, replication: Int)] = []
        for condition in 0..<source.conditionCount {
            for replication in 0..<replications where shard.contains(replication)
                && !done.contains(condition * replications + replication) {
                tasks.append((condition, replication))
            }
        }
        let total = tasks.count + done.count
        var finished = done.count
        let width = methods.count * 6
        // Blocks are sized to take about `flushInterval` seconds (at most `blockSize` tasks), so a
        // kill loses about that much work however slow the methods are: the first block holds one
        // task per worker, later ones are sized from the time per task so far.
        let workers = ParallelLoop.workerCount(requested: threads)
        var size = min(blockSize, workers)
        var start = 0
        while start < tasks.count {
            let blockStart = DispatchTime.now().uptimeNanoseconds
            let block = Array(tasks[start..<min(start + size, tasks.count)])
            let source = self.source, methods = self.methods, alpha = self.alpha
            let failures = FailureLog(count: block.count * methods.count)
            let values = ParallelLoop.run(count: block.count, width: width, workers: threads, chunkSize: 4,
                                          makeState: { () }) { _, index, out in
                let task = block[index]
                let key = source.streamKey(condition: task.condition, replication: task.replication)
                let data: ReplicationData
                do {
                    data = try source.replicate(condition: task.condition, replication: task.replication)
                } catch {
                    for m in 0..<methods.count { failures.set(index * methods.count + m, "data: \(error)") }
                    return
                }
                for (m, method) in methods.enumerated() {
                    let base = m * 6
                    out[base + 5] = data.truth[method.target] ?? .nan
                    do {
                        let result = try method.evaluate(data, streamKey: key, alpha: alpha)
                        out[base] = result.estimate
                        out[base + 1] = result.standardError
                        out[base + 2] = result.confLow
                        out[base + 3] = result.confHigh
                        out[base + 4] = result.pValue
                    } catch {
                        failures.set(index * methods.count + m, "\(error)")
                    }
                }
            }
            var chunk: [ReplicationRecord] = []
            for (index, task) in block.enumerated() {
                let key = source.streamKey(condition: task.condition, replication: task.replication)
                for m in 0..<methods.count {
                    let base = index * width + m * 6
                    let failure = failures.get(index * methods.count + m)
                    chunk.append(ReplicationRecord(condition: task.condition, replication: task.replication, method: m,
                                                   estimate: failure.isEmpty ? values[base] : .nan,
                                                   standardError: values[base + 1], confLow: values[base + 2],
                                                   confHigh: values[base + 3], pValue: values[base + 4],
                                                   truth: values[base + 5], streamKey: key, failure: failure))
                }
            }
            try file.append(chunk)
            records += chunk
            finished += block.count
            progress(finished, total)
            start += block.count
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - blockStart) / 1e9
            let perTask = seconds / Double(block.count)
            size = perTask > 0 ? max(workers, min(blockSize, Int(flushInterval / perTask))) : blockSize
        }
        return records
    }
}

/// Failure messages written by parallel tasks into their own slots (raw storage, so that
/// writes to distinct slots never touch shared array bookkeeping).
final class FailureLog: @unchecked Sendable {
    // Each slot is written by exactly one task, then read after the parallel loop: no race.
    private let storage: UnsafeMutableBufferPointer<String>
    init(count: Int) {
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: "")
    }
    deinit {
        storage.deinitialize()
        storage.deallocate()
    }
    func set(_ slot: Int, _ message: String) { storage[slot] = message }
    func get(_ slot: Int) -> String { storage[slot] }
}
