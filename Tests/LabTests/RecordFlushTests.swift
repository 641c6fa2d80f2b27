import Foundation
import Testing
@testable import Lab

/// A method that takes a fixed wall-clock time: a stand-in for a slow estimator.
struct SlowMethod: MethodEvaluator {
    let seconds: Double
    var estimatorName: String { "slow" }
    var inferenceName: String { "none" }
    var target: String { "att" }
    func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        Thread.sleep(forTimeInterval: seconds)
        return MethodResult(estimate: 0, standardError: 1, confLow: -1, confHigh: 1, pValue: 1)
    }
}

/// Records reach the disk about every `flushInterval` seconds whatever the methods cost, so a
/// killed run loses about that much work (issue 12, class 16). Oracle: the number of appends
/// (one progress call per flushed block) for tasks of known duration.
@Suite("record flushing")
struct RecordFlushTests {
    @Test func slowMethodsFlushAboutEverySecondNotEveryBlock() throws {
        // 24 tasks of 50 ms on one worker take 1.2 s. With blocks of up to 256 tasks they would be
        // flushed once, at the end; with a 0.2 s interval they are flushed every ~4 tasks.
        let runner = MonteCarloRunner(source: ToySource(seed: 3, effects: [0]), methods: [SlowMethod(seconds: 0.05)],
                                      replications: 24, alpha: 0.05)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flush-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (file, existing) = try RecordFile.open(path: path, resume: false, methodsPerTask: 1)
        let flushes = FlushCounter()
        let records = try runner.run(file: file, existing: existing, threads: 1, blockSize: 256, flushInterval: 0.2) { _, _ in
            flushes.count += 1
        }
        #expect(records.count == 24)
        // The first block holds one task (one worker); then ~4 tasks per 0.2 s: at least 5 flushes
        // even on a slow machine, and at most 24 (one per task).
        #expect(flushes.count >= 5, "flushed \(flushes.count) times")
        #expect(flushes.count <= 24)
        let (reread, _) = try RecordFile.read(path: path)
        #expect(reread.count == 24)
    }
}

final class FlushCounter: @unchecked Sendable {
    var count = 0
}
