import Foundation
import Testing

/// `didlab bench` as a user runs it (the same suite as `didlab-bench`).
@Suite("didlab bench")
struct BenchCLITests {
    /// A quick W1 run writes its panel to --data-dir, reports JSON in the DESIGN.md shape with a
    /// positive median, and (debug build here) warns that timings are meaningless.
    @Test func quickWorkloadReportsJSON() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["bench", "--quick", "--only", "W1", "--format", "json", "--data-dir", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let workloads = try #require(report["workloads"] as? [[String: Any]])
        #expect(workloads.map { $0["name"] as? String } == ["W1"])
        let didlab = try #require(workloads.first?["didlab"] as? [String: Any])
        #expect((didlab["median"] as? Double ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("manifest.json").path))
        #if DEBUG
        #expect(result.stderr.contains("DEBUG build"))
        #endif
    }

    @Test func badFormatIsOneLineExitOne() throws {
        let result = try CLI.run(["bench", "--format", "xml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--format must be table or json"))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
