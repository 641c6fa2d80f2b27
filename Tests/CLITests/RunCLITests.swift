import Foundation
import Testing

/// `didlab run` and `merge` as a user runs them. Oracles: the single uninterrupted run (the
/// report must be byte-identical after a SIGKILL + --resume, across thread counts, and after
/// merging shards) and the file system (no finished record recomputed).
@Suite("didlab run", .serialized)
struct RunCLITests {
    static let spec = """
    experiment: cli-test
    data: {scenario: paper, grid: {effects.att: [0.0, 0.01]}}
    methods:
      - {name: TWFE, estimator: twfe, inference: cr1, target: att}
      - {name: TWFE placebo, estimator: twfe, inference: placebo, permutations: 19, target: att}
    replications: 60
    seed: 11

    """

    func specFile(in directory: URL) throws -> String { try CLI.write(Self.spec, named: "spec.yaml", in: directory) }

    func results(_ directory: URL) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("results.json"), encoding: .utf8)
    }

    /// Exit status 1 with `fragment` on stderr.
    func expectRefusal(_ result: CLIResult, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func threadsDoNotChangeTheReport() throws {
        let base = try CLI.temporaryDirectory()
        let spec = try specFile(in: base)
        var reports: [String] = []
        for threads in [1, 2, 8] {
            let out = base.appendingPathComponent("t\(threads)")
            let result = try CLI.run(["run", spec, "--threads", "\(threads)", "--out", out.path, "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            reports.append(try results(out))
        }
        #expect(reports[0] == reports[1] && reports[1] == reports[2])
    }

    @Test func shardsMergeToTheSingleRun() throws {
        let base = try CLI.temporaryDirectory()
        let spec = try specFile(in: base)
        let single = base.appendingPathComponent("single")
        #expect(try CLI.run(["run", spec, "--out", single.path]).status == 0)
        for count in [3, 7] {
            var directories: [String] = []
            for index in 1...count {
                let out = base.appendingPathComponent("s\(count)-\(index)")
                let result = try CLI.run(["run", spec, "--shard", "\(index)/\(count)", "--out", out.path])
                #expect(result.status == 0, "\(result.stderr)")
                directories.append(out.path)
            }
            let merged = base.appendingPathComponent("merged\(count)")
            let result = try CLI.run(["merge"] + directories + ["--out", merged.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try results(merged) == results(single), "\(count) shards")
        }
        // A missing shard is refused.
        expectRefusal(try CLI.run(["merge", base.appendingPathComponent("s3-1").path]), mentioning: "missing")
    }

    @Test func killedRunResumesToTheSameReportWithoutRecomputing() throws {
        let base = try CLI.temporaryDirectory()
        // A longer run (more replications) killed part-way.
        let bigSpec = try CLI.write(Self.spec.replacingOccurrences(of: "replications: 60", with: "replications: 1500"),
                                    named: "big.yaml", in: base)
        let out = base.appendingPathComponent("killed")
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["run", bigSpec, "--out", out.path, "--threads", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let records = out.appendingPathComponent("records.csv").path
        // Wait until some records are on disk, then SIGKILL.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let size = try? FileManager.default.attributesOfItem(atPath: records)[.size] as? Int, size > 20_000 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = try String(contentsOfFile: records, encoding: .utf8)
        #expect(before.split(separator: "\n").count > 10, "some records were written before the kill")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results.json").path))

        let resumed = try CLI.run(["run", bigSpec, "--out", out.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try String(contentsOfFile: records, encoding: .utf8)
        // Every record finished before the kill is still there, byte for byte, in the same place
        // (the last two lines may belong to a task cut short, which is recomputed).
        let kept = before.components(separatedBy: "\n").dropLast().dropLast().joined(separator: "\n")
        #expect(after.hasPrefix(kept), "finished records are kept, not recomputed")
        #expect(resumed.stdout.contains("resumed"))

        // And the resumed report equals an uninterrupted run of the same spec.
        let clean = base.appendingPathComponent("clean")
        #expect(try CLI.run(["run", bigSpec, "--out", clean.path]).status == 0)
        #expect(try results(out) == results(clean))
    }

    @Test func existingRecordsNeedResume() throws {
        let base = try CLI.temporaryDirectory()
        let spec = try specFile(in: base)
        let out = base.appendingPathComponent("o")
        #expect(try CLI.run(["run", spec, "--out", out.path]).status == 0)
        expectRefusal(try CLI.run(["run", spec, "--out", out.path]), mentioning: "--resume")
        let other = try CLI.write(Self.spec.replacingOccurrences(of: "seed: 11", with: "seed: 12"), named: "other.yaml", in: base)
        expectRefusal(try CLI.run(["run", other, "--out", out.path, "--resume"]), mentioning: "manifest.json")
    }

    @Test func badSpecIsOneLineExitOne() throws {
        let base = try CLI.temporaryDirectory()
        let spec = try CLI.write(Self.spec.replacingOccurrences(of: "seed: 11", with: "seed: 11\nrepetitions: 3"),
                                 named: "bad.yaml", in: base)
        let result = try CLI.run(["run", spec, "--out", base.appendingPathComponent("x").path])
        expectRefusal(result, mentioning: "bad.yaml: field 'repetitions'")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// A `--plot` directory under a regular file is refused before any computation, with the
    /// operating system's reason (not a Foundation error dump).
    @Test func plotUnderAFileIsRefusedBeforeTheRun() throws {
        let base = try CLI.temporaryDirectory()
        let spec = try specFile(in: base)
        let file = try CLI.write("x", named: "afile", in: base)
        let out = base.appendingPathComponent("o")
        let result = try CLI.run(["run", spec, "--out", out.path, "--plot", file + "/figs"])
        expectRefusal(result, mentioning: "afile/figs: cannot write: Not a directory (\(file) exists and is not a directory)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "the run started before the refusal")
    }
}
