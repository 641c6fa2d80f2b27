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

    /// `body(&state, i)` for every `i` in `0..<count`, in parallel; element `i` of the result is
    /// task `i`'s value, whatever worker ran it. `makeState` builds each worker's private state
    /// (its workspace) once.
    public static func map<State, T>(count: Int, workers requested: Int? = nil, chunkSize: Int = 16,
                                     makeState: @Sendable () -> State,
                                     _ body: @Sendable (inout State, Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let output = base  // each task initializes only its own slot
            schedule(count: count, workers: requested, chunkSize: chunkSize, makeState: makeState) { state, task in
                (output + task).initialize(to: body(&state, task))
            }
            initialized = count
        }
    }

    /// Runs `body(&state, i, &out)` for every `i` in `0..<count`, where `out` is slot `i` of the
    /// result (`width` values per task, each `initial` until the task writes it).
    /// - Returns: `count × width` values, task-major.
    public static func map<State, T>(count: Int, width: Int, initial: T, workers requested: Int? = nil,
                                     chunkSize: Int = 16, makeState: @Sendable () -> State,
                                     _ body: @Sendable (inout State, Int, UnsafeMutableBufferPointer<T>) -> Void)
        -> [T] {
        var results = [T](repeating: initial, count: count * width)
        guard count > 0 else { return results }
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer  // each task writes only its own slots
            schedule(count: count, workers: requested, chunkSize: chunkSize, makeState: makeState) { state, task in
                body(&state, task, UnsafeMutableBufferPointer(rebasing: output[(task * width)..<((task + 1) * width)]))
            }
        }
        return results
    }

    /// ``map(count:width:initial:workers:chunkSize:makeState:_:)`` for `Double` results, NaN until written.
    public static func run<State>(count: Int, width: Int = 1, workers requested: Int? = nil,
                                  chunkSize: Int = 16,
                                  makeState: @Sendable () -> State,
                                  _ body: @Sendable (inout State, Int, UnsafeMutableBufferPointer<Double>) -> Void)
        -> [Double] {
        map(count: count, width: width, initial: Double.nan, workers: requested, chunkSize: chunkSize,
            makeState: makeState, body)
    }

    /// The static schedule: worker `w` of `W` runs chunks `w, w + W, …` of `chunkSize` tasks, in order.
    static func schedule<State>(count: Int, workers requested: Int?, chunkSize: Int,
                                makeState: @Sendable () -> State, _ task: @Sendable (inout State, Int) -> Void) {
        let chunks = (count + chunkSize - 1) / chunkSize
        let workers = min(workerCount(requested: requested), chunks)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var state = makeState()
            var chunk = worker
            while chunk < chunks {
                let start = chunk * chunkSize
                for index in start..<min(start + chunkSize, count) { task(&state, index) }
                chunk += workers
            }
        }
    }
}
