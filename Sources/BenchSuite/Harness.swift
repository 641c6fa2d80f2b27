import Foundation
import Lab

/// One benchmark workload: a setup done once, and a body timed repeatedly.
struct Workload {
    let name: String
    let description: String
    /// Work items per run (e.g. 1000 permutations), for throughput.
    let itemsPerRun: Double
    let itemName: String
    let runs: Int
    /// Bytes of the data the body reads; when set, peak resident memory is measured (W7).
    var dataBytes: Double? = nil
    let body: () -> Double

    /// Times `runs` calls of `body` (after one warm-up); the returned value is kept live.
    func measure() -> WorkloadResult {
        let resetPeak = dataBytes != nil && Memory.resetPeak()
        let before = dataBytes != nil ? Memory.resident() : nil
        var sink = body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            sink += body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        if sink.isNaN { FileHandle.standardError.write(Data("\(name): result is NaN\n".utf8)) }
        let memory = dataBytes.map { bytes in
            MemoryUse(before: before.map { $0 / Memory.mebibyte },
                      peak: resetPeak ? Memory.peakSinceReset().map { $0 / Memory.mebibyte } : nil,
                      processMax: Memory.processMaxRSS() / Memory.mebibyte, data: bytes / Memory.mebibyte)
        }
        return WorkloadResult(workload: self, timing: Timing(sortingTimes: times), memory: memory)
    }
}

/// Seconds per run of a workload over `runs` timed runs: DiDLab's own, and each peer's as
/// `scripts/bench-peers.py` prints them (the same four JSON keys).
struct Timing: Decodable {
    let median: Double
    let min: Double
    let max: Double
    let runs: Int

    init(sortingTimes times: [Double]) {
        let sorted = times.sorted()
        (median, min, max, runs) = (sorted[sorted.count / 2], sorted[0], sorted[sorted.count - 1], sorted.count)
    }

    /// Median, min and max as `WorkloadResult.time` writes them, then the number of runs.
    var cells: [String] { [WorkloadResult.time(median), WorkloadResult.time(min), WorkloadResult.time(max), String(runs)] }

    /// `median`, `min`, `max` (null when not finite) and `runs`, in that order.
    var jsonFields: [(String, JSONValue)] {
        [("median", .finite(median)), ("min", .finite(min)), ("max", .finite(max)), ("runs", .integer(runs))]
    }
}

/// What a workload measured, in seconds per run.
struct WorkloadResult {
    let workload: Workload
    let timing: Timing
    var memory: MemoryUse? = nil

    var name: String { workload.name }

    var summaryLine: String {
        "\(name): median \(Self.time(timing.median)) (min \(Self.time(timing.min)), max \(Self.time(timing.max)), "
            + "\(timing.runs) runs)" + (memory.map { "; " + $0.summary } ?? "")
    }

    static func time(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "n/a" }
        if seconds < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.2f s", seconds)
    }
}
