import Dispatch
import Foundation

/// Deterministic parallel loops over task indices with `DispatchQueue.concurrentPerform`.
///
/// Task `i` always runs with its own inputs (its random stream is derived from `i`, never from
/// the worker), and writes only slot `i` of a preallocated result array. Reductions then read
/// that array in index order, so output is bit-identical for any worker count. Tasks are
/// handed out in contiguous chunks (one atomic-free static schedule: worker `w` takes chunks
/// `w, w + W, …`) so that per-worker state (workspaces, RNGs) is built once per worker.
public enum ParallelLoop {
    /// Number of workers to use: `requested` if given (at least 1), else the active processor count.
    public static func workerCount(requested: Int?) -> Int {
        max(1, requested ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `body(&state, i, &out)` for every `i` in `0..<count`, where `out` is slot `i` of the
    /// result (`width` values per task). `makeState` builds each worker's private state once.
    /// - Returns: `count × width` values, task-major.
    public static func run<State>(count: Int, width: Int = 1, workers requested: Int? = nil,
                                  chunkSize: Int = 16,
                                  makeState: @Sendable () -> State,
                                  _ body: @Sendable (inout State, Int, UnsafeMutableBufferPointer<Double>) -> Void)
        -> [Double] {
        var results = [Double](repeating: .nan, count: count * width)
        guard count > 0 else { return results }
        let workers = min(workerCount(requested: requested), (count + chunkSize - 1) / chunkSize)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer  // each task writes only its own slots
            let chunks = (count + chunkSize - 1) / chunkSize
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var state = makeState()
                var chunk = worker
                while chunk < chunks {
                    let start = chunk * chunkSize
                    for task in start..<min(start + chunkSize, count) {
                        let slot = UnsafeMutableBufferPointer(rebasing: output[(task * width)..<((task + 1) * width)])
                        body(&state, task, slot)
                    }
                    chunk += workers
                }
            }
        }
        return results
    }
}
