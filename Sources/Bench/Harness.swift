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
    let body: () -> Double

    /// Times `runs` calls of `body` (after one warm-up); the returned value is kept live.
    func measure() -> WorkloadResult {
        var sink = body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            sink += body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        if sink.isNaN { FileHandle.standardError.write(Data("\(name): result is NaN\n".utf8)) }
        times.sort()
        return WorkloadResult(name: name, description: description, median: times[times.count / 2],
                              min: times[0], max: times[times.count - 1], runs: runs,
                              itemsPerRun: itemsPerRun, itemName: itemName)
    }
}

/// What a workload measured, in seconds per run.
struct WorkloadResult {
    let name: String
    let description: String
    let median: Double
    let min: Double
    let max: Double
    let runs: Int
    let itemsPerRun: Double
    let itemName: String

    var summaryLine: String {
        "\(name): median \(Self.time(median)) (min \(Self.time(min)), max \(Self.time(max)), \(runs) runs)"
    }

    static func time(_ seconds: Double) -> String {
        if seconds < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.2f s", seconds)
    }
}

/// Renders benchmark results.
enum BenchReport {
    static func machine() -> JSONValue {
        var uts = utsname()
        uname(&uts)
        let machine = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return .object([
            ("cores", .integer(ProcessInfo.processInfo.activeProcessorCount)),
            ("memory_gib", .number((Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824).rounded())),
            ("arch", .string(machine)),
            ("os", .string(ProcessInfo.processInfo.operatingSystemVersionString)),
        ])
    }

    static func json(_ results: [WorkloadResult]) -> JSONValue {
        .object([
            ("machine", machine()),
            ("workloads", .array(results.map { result in
                .object([
                    ("name", .string(result.name)),
                    ("description", .string(result.description)),
                    ("unit", .string("s")),
                    ("didlab", .object([("median", .number(result.median)), ("min", .number(result.min)),
                                        ("max", .number(result.max)), ("runs", .integer(result.runs))])),
                    ("throughput_per_s", .number(result.itemsPerRun / result.median)),
                    ("throughput_item", .string(result.itemName)),
                    ("peers", .array([])),
                ])
            })),
        ])
    }

    static func table(_ results: [WorkloadResult]) -> String {
        var rows = [["workload", "median", "min", "max", "runs", "throughput", "description"]]
        for r in results {
            rows.append([r.name, WorkloadResult.time(r.median), WorkloadResult.time(r.min), WorkloadResult.time(r.max),
                         String(r.runs), String(format: "%.3g %@/s", r.itemsPerRun / r.median, r.itemName),
                         r.description])
        }
        return Format.alignedColumns(rows, leftAligned: [0, 6])
    }
}
