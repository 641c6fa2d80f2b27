import Foundation
import Lab

/// Resident memory of this process, for the peak-memory figure of W7.
///
/// The peak during a workload is Linux's `VmHWM` (resident high-water mark) after resetting it
/// by writing `5` to `/proc/self/clear_refs` just before the workload. `getrusage`'s `ru_maxrss`
/// is the process's all-time peak (it also keeps the peaks that exiting Dispatch worker threads
/// recorded), so it is reported beside it and used alone where `/proc` is not available.
enum Memory {
    static let mebibyte = 1_048_576.0

    /// Resets the resident high-water mark; false when the kernel does not allow it.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// Current resident set size (`VmRSS`), in bytes.
    static func resident() -> Double? { statusField("VmRSS:") }

    /// Resident high-water mark since the last ``resetPeak()`` (`VmHWM`), in bytes.
    static func peakSinceReset() -> Double? { statusField("VmHWM:") }

    /// The process's all-time maximum resident set size (`getrusage` `ru_maxrss`), in bytes.
    static func processMaxRSS() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) * 1024
    }

    /// A `kB` field of `/proc/self/status`, in bytes.
    static func statusField(_ name: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let fields = line.dropFirst(name.count).split { $0 == " " || $0 == "\t" }
            if let kilobytes = fields.first.flatMap({ Double($0) }) { return kilobytes * 1024 }
        }
        return nil
    }
}

/// Memory figures of one workload, in MiB.
struct MemoryUse {
    /// Resident memory just before the timed runs (the loaded panel included).
    let before: Double?
    /// Peak resident memory during the warm-up and timed runs (nil when the peak could not be reset).
    let peak: Double?
    /// The process's all-time peak (`getrusage`) after the runs.
    let processMax: Double
    /// The regression data the fit reads: observations × (outcome, treatment, covariates) × 8 bytes.
    let data: Double

    func json() -> JSONValue {
        .object([("rss_before_mib", .finite(before)), ("peak_rss_mib", .finite(peak)),
                 ("peak_increase_mib", .finite(increase)), ("process_max_rss_mib", .finite(processMax)),
                 ("data_mib", .finite(data))])
    }

    /// How far the runs raised resident memory above `before`.
    var increase: Double? {
        guard let before, let peak else { return nil }
        return peak - before
    }

    var summary: String {
        func mib(_ value: Double?) -> String { value.map { String(format: "%.1f MiB", $0) } ?? "n/a" }
        return "peak RSS \(mib(peak)) during the runs, +\(mib(increase)) over the \(mib(before)) before "
            + "(process max \(mib(processMax))); regression data \(mib(data))"
    }
}
