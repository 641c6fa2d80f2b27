import Testing
@testable import Estimators

/// The shared draw loop of the permutation tests and bootstraps.
@Suite("resampling loop")
struct ResamplingLoopTests {
    /// A draw's value: its index and the next two words of its block's stream (a typed result).
    struct Draw: Equatable {
        let index: Int
        let first: UInt32, second: UInt32
    }

    /// Oracle: the serial definition in the type's documentation — block `k` reseeds one stream from
    /// `key(seed, k, purpose)` and its draws take words from it in order. Any worker count and
    /// chunking gives exactly those values (draws 0..<75 in blocks of 16: the last block is partial).
    @Test func equalsTheSerialDefinitionForAnyWorkerCount() {
        let count = 75, perStream = 16, seed: UInt64 = 42
        var serial: [Draw] = []
        var copy = RandomStream(key: 0)
        for draw in 0..<count {
            if draw % perStream == 0 {
                copy.reseed(key: RandomStream.key(seed: seed, replication: UInt64(draw / perStream),
                                                  purpose: RandomStream.Purpose.bootstrap.rawValue))
            }
            serial.append(Draw(index: draw, first: copy.nextWord(), second: copy.nextWord()))
        }
        for workers in [1, 2, 3, 8] {
            for blocksPerChunk in [1, 2] {
                let loop = ResamplingLoop(count: count, drawsPerStream: perStream, seed: seed, purpose: .bootstrap,
                                          workers: workers, blocksPerChunk: blocksPerChunk)
                let mapped = loop.map(makeWorkspace: { () }) { _, stream, draw in
                    Draw(index: draw, first: stream.nextWord(), second: stream.nextWord())
                }
                #expect(mapped == serial, "workers \(workers), blocks per chunk \(blocksPerChunk)")
                let blocked = loop.run(width: 2, initial: UInt32(0), makeWorkspace: { () }) { _, stream, draws, out in
                    for k in 0..<draws.count {
                        out[2 * k] = stream.nextWord()
                        out[2 * k + 1] = stream.nextWord()
                    }
                }
                #expect(blocked == serial.flatMap { [$0.first, $0.second] }, "workers \(workers)")
            }
        }
    }

    /// Oracle: counting. Every draw reports progress once; the last report is (count, count).
    @Test func reportsEveryDraw() {
        let loop = ResamplingLoop(count: 40, drawsPerStream: 16, seed: 1, purpose: .permutation, workers: 1)
        let reports = Reports()
        _ = loop.map(makeWorkspace: { () }, progress: { done, total in reports.add(done, total) }) { _, _, draw in draw }
        #expect(reports.values == [16, 32, 40].map { [$0, 40] })
    }

    /// `ParallelLoop.map` of a non-trivial type (an array per task) initializes every slot once.
    @Test func parallelMapOfArrays() {
        let values = ParallelLoop.map(count: 50, workers: 3, chunkSize: 4, makeState: { () }) { _, i in
            [Int](repeating: i, count: i % 5)
        }
        #expect(values == (0..<50).map { [Int](repeating: $0, count: $0 % 5) })
    }
}

/// Progress reports, in arrival order (one worker, so the order is the draw order).
final class Reports: @unchecked Sendable {
    var values: [[Int]] = []
    func add(_ done: Int, _ total: Int) { values.append([done, total]) }
}
