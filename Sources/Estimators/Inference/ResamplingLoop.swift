import Synchronization

/// The draw loop shared by every resampling procedure: placebo and subgroup permutations, the
/// wild cluster bootstrap, the multiplier bootstrap and the pairs bootstrap.
///
/// **Streams.** Draws `0..<count` come in blocks of ``drawsPerStream`` consecutive draws; block
/// `k` (draws `k·s ..< (k+1)·s`) reseeds its worker's stream from
/// `RandomStream.key(seed, replication: k, purpose)` and takes its draws from it in order. A draw
/// therefore depends only on (seed, its index), never on the worker or the thread count. (One
/// stream per draw, `s = 1`, is the simplest; seeding the full mt19937 state costs ~1.5 µs, so
/// the cheap procedures share a stream among 16 or 64 draws.) Exact enumerations draw nothing
/// and pass `seeded: false`.
///
/// **Parallelism.** Blocks run through ``ParallelLoop`` (static chunks of ``blocksPerChunk``
/// blocks); each worker builds its own workspace once and owns one stream. Draw `d` writes only
/// its own slots of the result, so results are bit-identical for any thread count.
public struct ResamplingLoop: Sendable {
    /// Number of draws.
    public let count: Int
    /// Draws per random stream (the block length `s`).
    public let drawsPerStream: Int
    /// Master seed of the block streams.
    public let seed: UInt64
    /// Purpose of the block streams.
    public let purpose: RandomStream.Purpose
    /// Whether block streams are seeded (false for exact enumerations).
    public let seeded: Bool
    /// Worker threads.
    public let workers: Int
    /// Blocks handed to a worker at a time.
    public let blocksPerChunk: Int

    /// A loop of `count` draws; `workers` nil means all cores.
    public init(count: Int, drawsPerStream: Int, seed: UInt64, purpose: RandomStream.Purpose, seeded: Bool = true,
                workers: Int?, blocksPerChunk: Int = 1) {
        self.count = count
        self.drawsPerStream = drawsPerStream
        self.seed = seed
        self.purpose = purpose
        self.seeded = seeded
        self.workers = max(1, workers ?? ResamplingLoop.processorCount)
        self.blocksPerChunk = blocksPerChunk
    }

    /// The active processor count, read once per process: Foundation reads it from the kernel
    /// and cgroup files on every call (tens of µs), which a 1000-draw placebo test would otherwise
    /// pay on every run.
    static let processorCount = ParallelLoop.workerCount(requested: nil)

    /// Number of blocks (streams).
    public var blockCount: Int { (count + drawsPerStream - 1) / drawsPerStream }

    /// One value per draw: `body(&workspace, stream, d)` for every draw `d`, in draw order within
    /// its block; element `d` of the result is draw `d`'s value.
    ///
    /// - Parameter progress: called after every block from worker threads with (done, total).
    public func map<Workspace, Draw>(makeWorkspace: @Sendable () -> Workspace,
                                     progress: (@Sendable (Int, Int) -> Void)? = nil,
                                     _ body: @Sendable (inout Workspace, borrowing RandomStream, Int) -> Draw)
        -> [Draw] {
        guard count > 0 else { return [] }
        return [Draw](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let output = base  // each draw initializes only its own slot
            blocks(makeWorkspace: makeWorkspace, progress: progress) { workspace, stream, draws in
                for draw in draws { (output + draw).initialize(to: body(&workspace, stream, draw)) }
            }
            initialized = count
        }
    }

    /// `width` values per draw, written a block at a time: `body(&workspace, stream, draws, out)`
    /// fills `out`, the `draws.count × width` slots of the block's draws (draw-major, each
    /// `initial` until written).
    /// - Parameter progress: called after every block from worker threads with (done, total).
    /// - Returns: `count × width` values, draw-major.
    public func run<Workspace, Draw>(width: Int = 1, initial: Draw, makeWorkspace: @Sendable () -> Workspace,
                                     progress: (@Sendable (Int, Int) -> Void)? = nil,
                                     _ body: @Sendable (inout Workspace, borrowing RandomStream, Range<Int>,
                                                        UnsafeMutableBufferPointer<Draw>) -> Void) -> [Draw] {
        var results = [Draw](repeating: initial, count: count * width)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer  // each block writes only its own slots
            blocks(makeWorkspace: makeWorkspace, progress: progress) { workspace, stream, draws in
                body(&workspace, stream, draws,
                     UnsafeMutableBufferPointer(rebasing: output[(draws.lowerBound * width)..<(draws.upperBound * width)]))
            }
        }
        return results
    }

    /// Runs `body(&workspace, stream, draws)` for every block, its stream seeded.
    func blocks<Workspace>(makeWorkspace: @Sendable () -> Workspace, progress: (@Sendable (Int, Int) -> Void)?,
                           _ body: @Sendable (inout Workspace, borrowing RandomStream, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let counter = progress.map { ProgressCounter(total: count, report: $0) }
        let loop = self
        ParallelLoop.schedule(count: blockCount, workers: workers, chunkSize: blocksPerChunk,
                              makeState: { BlockWorker(makeWorkspace()) }) { worker, block in
            if loop.seeded {
                worker.stream.reseed(key: RandomStream.key(seed: loop.seed, replication: UInt64(block),
                                                           purpose: loop.purpose.rawValue))
            }
            let first = block * loop.drawsPerStream
            let draws = first..<min(first + loop.drawsPerStream, loop.count)
            body(&worker.workspace, worker.stream, draws)
            counter?.advance(by: draws.count)
        }
    }
}

/// One worker of a ``ResamplingLoop``: its stream and its workspace.
final class BlockWorker<Workspace> {
    var stream = RandomStream(key: 0)
    var workspace: Workspace

    init(_ workspace: Workspace) { self.workspace = workspace }
}

/// Counts finished draws across workers and reports after every block.
final class ProgressCounter: Sendable {
    let done = Atomic<Int>(0)
    let total: Int
    let report: @Sendable (Int, Int) -> Void

    init(total: Int, report: @escaping @Sendable (Int, Int) -> Void) {
        self.total = total
        self.report = report
    }

    @inline(__always)
    func advance(by count: Int) {
        let value = done.add(count, ordering: .relaxed).newValue
        report(value, total)
    }
}
