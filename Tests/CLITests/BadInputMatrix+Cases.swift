import Foundation
import Testing

// The fixtures, the case type and the process runner of BadInputMatrixTests.

/// One expected piece of an error message; any of `alternatives` may appear (case-insensitive).
struct Fragment: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    let alternatives: [String]

    init(stringLiteral value: String) { alternatives = [value] }
    init(alternatives: [String]) { self.alternatives = alternatives }

    /// Any one of `options`.
    static func any(_ options: String...) -> Fragment { Fragment(alternatives: options) }

    /// The usual wordings of an operating-system error for a path that cannot be written.
    static let osReason = Fragment.any("no such file or directory", "permission denied", "read-only file system",
                                       "not permitted", "is a directory", "not a directory")

    func replacing(_ placeholder: String, with value: String) -> Fragment {
        Fragment(alternatives: alternatives.map { $0.replacingOccurrences(of: placeholder, with: value) })
    }

    func matches(_ text: String) -> Bool {
        let lower = text.lowercased()
        return alternatives.contains { lower.contains($0.lowercased()) }
    }

    var description: String { alternatives.map { "'\($0)'" }.joined(separator: " or ") }
}

/// Something a case puts in its temporary directory before running.
enum MatrixEntry: Sendable {
    case file(String, Data)
    case directory(String)

    static func text(_ name: String, _ text: String) -> MatrixEntry { .file(name, Data(text.utf8)) }
}

/// One bad input: the files, the command line (`$D` stands for the case's temporary directory,
/// which is also the working directory), the fragments the one-line error must contain and the
/// text it must not contain.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    let name: String
    let entries: [MatrixEntry]
    let arguments: [String]
    let fragments: [Fragment]
    let forbidden: [String]

    init(_ name: String, _ entries: [MatrixEntry], _ arguments: [String], expect fragments: [Fragment],
         forbid forbidden: [String] = []) {
        self.name = name
        self.entries = entries
        self.arguments = arguments
        self.fragments = fragments
        self.forbidden = forbidden
    }

    var testDescription: String { name }
}

/// What a run of the binary did: its exit status and output (`result.status`, `.stdout`,
/// `.stderr` read through to ``CLIResult``), how it ended and how long it took.
@dynamicMemberLookup
struct MatrixResult {
    let output: CLIResult
    /// True when the process ended by a signal (a trap, a segfault, or our kill after the timeout).
    let signalled: Bool
    let timedOut: Bool
    let seconds: Double

    subscript<Value>(dynamicMember keyPath: KeyPath<CLIResult, Value>) -> Value { output[keyPath: keyPath] }

    /// A one-line account for failure messages.
    var summary: String {
        let how = timedOut ? "killed after timeout" : signalled ? "signal \(output.status)" : "exit \(output.status)"
        let raw = output.stderr.split(separator: "\n").first.map(String.init) ?? "(nothing on stderr)"
        // Control characters (a UTF-16 file echoed back holds NULs) would garble the test log.
        let firstLine = String(String.UnicodeScalarView(raw.unicodeScalars.map { $0.value < 0x20 ? "?" : $0 }))
        return "\(how) in \(String(format: "%.1f", seconds)) s; stderr: \(firstLine)"
    }
}

enum MatrixRunner {
    /// Every run is killed after this many seconds: a refusal must come "up front".
    static let timeout: Double = 20
    /// Virtual-memory cap of the child (KiB), so a runaway allocation fails instead of swapping
    /// the shared build machine.
    static let memoryLimitKiB = 2_000_000

    /// Runs `didlab arguments…` in `directory` with no standard input, a memory cap and a
    /// timeout; crash backtraces are turned off so a trap ends quickly.
    static func run(_ arguments: [String], in directory: URL, timeout: Double = timeout) throws -> MatrixResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `exec` keeps the pid, so a signal that ends didlab ends the process we wait for.
        process.arguments = ["-c", "ulimit -v \(memoryLimitKiB) 2>/dev/null; exec \"$0\" \"$@\"", CLI.executable.path]
            + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let group = DispatchGroup()
        let buffers = OutputBuffers()
        DispatchQueue.global().async(group: group) { buffers.setOut(out.fileHandleForReading.readDataToEndOfFile()) }
        DispatchQueue.global().async(group: group) { buffers.setErr(err.fileHandleForReading.readDataToEndOfFile()) }
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        let (outData, errData) = buffers.contents
        let output = CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                               stderr: String(decoding: errData, as: UTF8.self))
        return MatrixResult(output: output, signalled: process.terminationReason == .uncaughtSignal,
                            timedOut: timedOut, seconds: Date().timeIntervalSince(start))
    }

    /// Every path under `directory`, hidden files included, relative to it.
    static func contents(of directory: URL) -> Set<String> {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var paths = Set<String>()
        while let path = enumerator.nextObject() as? String { paths.insert(path) }
        return paths
    }

    /// Creates `entries` in `directory`.
    static func create(_ entries: [MatrixEntry], in directory: URL) throws {
        for entry in entries {
            switch entry {
            case .file(let name, let data): try data.write(to: directory.appendingPathComponent(name))
            case .directory(let name):
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(name),
                                                        withIntermediateDirectories: true)
            }
        }
    }
}

/// Output collected from the two pipes on background threads.
final class OutputBuffers: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func setOut(_ data: Data) { lock.lock(); out = data; lock.unlock() }
    func setErr(_ data: Data) { lock.lock(); err = data; lock.unlock() }
    var contents: (Data, Data) { lock.lock(); defer { lock.unlock() }; return (out, err) }
}

/// The small inputs of the matrix.
enum MatrixFixture {
    /// One row of the base panel, as text fields.
    struct Row {
        var city, year, cohort, treat, lemp, x1, dpost, region, m1: String
        var line: String { [city, year, cohort, treat, lemp, x1, dpost, region, m1].joined(separator: ",") }
    }

    static let header = "city,year,cohort,treat,lemp,x1,dpost,region,m1"

    /// Five cities 2010-2013: a adopts in 2012, b in 2013, c, d, e never. Data row k is on file
    /// line k + 2 (a: lines 2-5, b: 6-9, c: 10-13, d: 14-17, e: 18-21). `dpost` equals the
    /// treatment indicator; `region` is east for a, b (the treated), west for c, d, north for e.
    static var rows: [Row] {
        let cities: [(String, String, String)] = [("a", "2012", "east"), ("b", "2013", "east"), ("c", "0", "west"),
                                                  ("d", "0", "west"), ("e", "0", "north")]
        var rows: [Row] = []
        for (u, (city, cohort, region)) in cities.enumerated() {
            for (t, year) in (2010...2013).enumerated() {
                let treated = cohort != "0" && year >= Int(cohort) ?? 0
                let lemp = 1.0 + 0.1 * Double(u) + 0.15 * Double(t) + Double((u * 7 + t * 3) % 5) * 0.03 + (treated ? 0.8 : 0)
                let x1 = Double((u * 5 + t * 11) % 9) / 10
                let m1 = 0.4 + 0.05 * Double(t) + Double((u + 2 * t) % 3) * 0.1 + (treated ? 0.5 : 0)
                rows.append(Row(city: city, year: "\(year)", cohort: cohort, treat: treated ? "1" : "0",
                                lemp: format(lemp), x1: format(x1), dpost: treated ? "1" : "0", region: region,
                                m1: format(m1)))
            }
        }
        return rows
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }

    /// The base panel as CSV text after `edit`.
    static func panel(_ edit: (inout [Row]) -> Void = { _ in }) -> String {
        var rows = rows
        edit(&rows)
        return ([header] + rows.map(\.line)).joined(separator: "\n") + "\n"
    }

    /// The base panel with every row of `city` given `cohort`.
    static func panel(city: String, cohort: String) -> String {
        panel { rows in for k in rows.indices where rows[k].city == city { rows[k].cohort = cohort } }
    }

    /// The base panel with data row `index` (0-based; file line index + 2) changed.
    static func panel(row index: Int, _ change: (inout Row) -> Void) -> String {
        panel { rows in change(&rows[index]) }
    }

    /// The base panel with its periods renamed (2010...2013 → `periods`), cohorts too.
    static func panel(periods: [String]) -> String {
        panel { rows in
            for k in rows.indices {
                let rename = { (year: String) -> String in Int(year).map { periods[$0 - 2010] } ?? year }
                rows[k].year = rename(rows[k].year)
                if rows[k].cohort != "0" { rows[k].cohort = rename(rows[k].cohort) }
            }
        }
    }

    /// Forty units over three periods, cohorts of five in periods 2 and 3: more distinct placebo
    /// assignments (40!/(5!·5!·30!) ≈ 2e11) than any permutation count asked for, so nothing is
    /// enumerated and R draws really are R.
    static var largePanel: String {
        var lines = ["city,year,cohort,lemp"]
        for unit in 1...40 {
            let cohort = unit <= 5 ? 2 : unit <= 10 ? 3 : 0
            for year in 1...3 {
                let value = Double((unit * 13 + year * 7) % 17) / 10 + (cohort != 0 && year >= cohort ? 0.5 : 0)
                lines.append("u\(unit),\(year),\(cohort),\(format(value))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A valid experiment spec; `method` is the one method line.
    static func experiment(method: String = "{name: TWFE, estimator: twfe, inference: cr1, target: att}",
                           extra: String = "", replications: String = "2") -> String {
        """
        experiment: matrix
        data: {scenario: paper}
        methods:
          - \(method)
        replications: \(replications)
        seed: 1
        \(extra)
        """
    }

    /// `key: [[[…]]]` nested `depth` deep (valid YAML).
    static func deeplyNested(key: String, depth: Int) -> String {
        "\(key): " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    }

    /// A billion-laughs document: ten levels of ten aliases (10^10 leaves once expanded), under `key`.
    static func aliasBomb(key: String) -> String {
        var items = ["&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1..<10 {
            items.append("&l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return "\(key): [" + items.joined(separator: ", ") + "]\n"
    }

    /// `text` in UTF-16 with a byte-order mark.
    static func utf16(_ text: String, bigEndian: Bool) -> Data {
        var data = Data(bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE])
        for unit in text.utf16 {
            let bytes = bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            data.append(contentsOf: bytes)
        }
        return data
    }
}
