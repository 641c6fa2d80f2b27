import Foundation
import Testing

/// `didlab --version` and the build stamp every JSON output and written report carries.
///
/// Oracle: the format documented in `BuildInfo` (Sources/Lab/BuildInfo.swift) and Documentation/
/// JSON.md; the commit must be what `git rev-parse` can name (40 hex digits) or `unknown`.
@Suite("version and build stamp")
struct VersionCLITests {
    static var linePattern: Regex<(Substring, Substring, Substring, Substring?, Substring, Substring)> { #/^didlab (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}|unknown)(\+modified)?, (debug|release), CPU: ((?:native|named|portable(?: x86-64-v3)?)(?:, (?:AVX-512|AVX2|SSE2))?)\)$/# }

    @Test func versionPrintsOneLine() throws {
        for arguments in [["--version"], ["run", "--version"], ["estimate", "--version"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let line = result.stdout.trimmingCharacters(in: .newlines)
            #expect(line.wholeMatch(of: Self.linePattern) != nil, "\(arguments): '\(line)'")
        }
    }

    /// The JSON stamp names the same version, commit and build as `--version`.
    @Test func jsonOutputBeginsWithTheStamp() throws {
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .newlines)
        let match = try #require(version.wholeMatch(of: Self.linePattern))
        let result = try CLI.run(["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal",
                                  "--time", "year", "--cohort", "first.treat", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\n  \"didlab\": {\n    \"version\": \"\(match.1)\""))
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stamp = try #require(object["didlab"] as? [String: Any])
        let commit = try #require(stamp["commit"] as? String)
        #expect(commit == "unknown" ? match.2 == "unknown" : commit.hasPrefix(String(match.2)) && commit.count == 40)
        #expect(stamp["modified"] as? Bool == (match.3 != nil))
        #expect(stamp["build"] as? String == String(match.4))
        #expect(stamp["cpu_target"] as? String == String(match.5))
    }

    /// A run's written reports name the build: results.json and manifest.json begin with the
    /// stamp, results.md ends with the `--version` line.
    @Test func writtenReportsNameTheBuild() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .newlines)
        let spec = try CLI.write("""
            experiment: stamp
            aims: the build stamp of written reports
            data:
              scenario: bdm
            estimands: {att: no effect}
            methods:
              - {name: CR1, estimator: twfe, inference: cr1, target: att}
            performance: [rejection]
            replications: 4
            seed: 7
            alpha: 0.05
            """, named: "stamp.yaml", in: directory)
        let out = directory.path + "/out"
        let result = try CLI.run(["run", spec, "--out", out, "--threads", "1"])

        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOfFile: out + "/results.md", encoding: .utf8)
        #expect(markdown.hasSuffix("\n---\nProduced by \(version).\n"))
        for file in ["results.json", "manifest.json"] {
            let text = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(text.hasPrefix("{\n  \"didlab\": {"), "\(file)")
        }
    }
}
