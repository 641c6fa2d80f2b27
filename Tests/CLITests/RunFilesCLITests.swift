import Foundation
import Testing

/// Runs and files (issue 12, classes 14 and 15): a run directory is locked, temporary files never
/// outlive their writer (failure, interrupt, or a later run for ones a SIGKILL left). Oracles: the
/// lock taken by the test itself (flock), the directory listing, the exit status of a signal.
@Suite("runs and files")
struct RunFilesCLITests {
    static let spec = """
    experiment: lock-test
    data: {scenario: paper}
    methods:
      - {name: TWFE, estimator: twfe, inference: cr1, target: att}
    replications: 4
    seed: 3

    """

    @Test func aLockedRunDirectoryIsRefused() throws {
        let directory = try CLI.temporaryDirectory()
        let specPath = try CLI.write(Self.spec, named: "spec.yaml", in: directory)
        let out = directory.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // Another run holds the lock.
        let descriptor = open(out + "/.lock", O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let blocked = try CLI.run(["run", specPath, "--out", out])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("another didlab run is writing to this directory"), "\(blocked.stderr)")
        #expect(blocked.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out + "/records.csv"), "the blocked run wrote records")
        // Released: the run goes ahead.
        flock(descriptor, LOCK_UN)
        let free = try CLI.run(["run", specPath, "--out", out])
        #expect(free.status == 0, "\(free.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/results.json"))
    }

    @Test func staleTemporariesOfDeadProcessesAreRemovedByTheNextWriter() throws {
        let directory = try CLI.temporaryDirectory()
        // PID 2^22 + 1 exceeds Linux's largest pid_max, so no such process runs.
        let stale = directory.appendingPathComponent(".panel.csv.tmp-4194305-1").path
        try Data(repeating: 0, count: 1000).write(to: URL(fileURLWithPath: stale))
        let out = directory.appendingPathComponent("panel.csv").path
        let result = try CLI.run(["simulate", "--scenario", "paper", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["panel.csv"], "left: \(names)")
    }

    @Test func anInterruptedPlaceboLeavesNoFile() throws {
        let directory = try CLI.temporaryDirectory()
        let draws = directory.appendingPathComponent("draws.csv").path
        let report = directory.appendingPathComponent("report.json").path
        let process = Process()
        process.executableURL = CLI.executable
        // Callaway–Sant'Anna draws re-estimate every ATT(g,t): thousands take many seconds.
        process.arguments = ["placebo", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                             "--cohort", "first.treat", "--method", "cs", "--permutations", "200000", "--threads", "1",
                             "--draws", draws, "--out", report, "--format", "json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The output files are opened (as temporaries) before the first draw.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline,
              (try FileManager.default.contentsOfDirectory(atPath: directory.path)).allSatisfy({ !$0.contains(".tmp-") }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let during = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(during.contains { $0.hasPrefix(".draws.csv.tmp-") }, "no temporary seen: \(during)")
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + SIGTERM,
                "status \(process.terminationStatus)")
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(after.isEmpty, "left behind: \(after)")
    }
}
