import Foundation
import Testing

/// Golden JSON files: the `--format json` contract of every subcommand, pinned on mpdta (and the
/// fixtures named in ``GoldenCases``), so that a changed field, key order, type or number is a
/// failing test that names the JSON path, and a deliberate change is a reviewable diff.
///
/// Oracle: the goldens in `Tests/Fixtures/Goldens/`, written by this suite from the built binary
/// (`UPDATE_GOLDENS=1 swift test --filter Golden`, or `scripts/update-goldens.sh`). The numbers in
/// them are checked against reference implementations by the parity suites, not here: this
/// suite pins the contract (keys, order, types, strings) and that numbers do not move.
@Suite("golden JSON")
struct GoldenTests {
    @Test("output matches its golden", arguments: GoldenCases.all)
    func matchesGolden(_ golden: GoldenCase) throws {
        let produced = try GoldenStore.produced(golden)
        if GoldenStore.updating {
            try GoldenStore.write(produced.rendered(), to: GoldenStore.path(golden))
            return
        }
        let expected = try GoldenStore.golden(golden)
        if let difference = produced.firstDifference(from: expected) {
            Issue.record("\(golden.name).json: \(difference) (UPDATE_GOLDENS=1 swift test --filter Golden rewrites the goldens)")
        }
    }

    /// Every golden file belongs to a case (a removed case must take its golden with it).
    @Test func noOrphanGoldens() throws {
        let names = Set(GoldenCases.all.map { $0.name + ".json" })
        let files = try FileManager.default.contentsOfDirectory(atPath: GoldenStore.directory).filter { $0.hasSuffix(".json") }
        #expect(Set(files).subtracting(names).isEmpty, "golden files without a case")
    }

    /// Documentation/JSON.md is what ``GoldenDoc`` makes of the goldens and the field table.
    @Test func documentationIsCurrent() throws {
        let documents = try GoldenCases.all.map { ($0, try GoldenStore.updating ? GoldenStore.produced($0) : GoldenStore.golden($0)) }
        let text = try GoldenDoc.render(documents, meanings: GoldenDoc.loadMeanings())
        if GoldenStore.updating {
            try GoldenStore.write(text, to: GoldenDoc.documentPath)
            return
        }
        let current = (try? String(contentsOfFile: GoldenDoc.documentPath, encoding: .utf8)) ?? ""
        #expect(current == text, "Documentation/JSON.md is out of date with the goldens: UPDATE_GOLDENS=1 swift test --filter Golden")
    }

    /// The comparison itself: key order, types and the tolerance (oracle: hand-written documents).
    @Test func comparisonNamesTheFirstDifference() throws {
        let golden = try GoldenJSON.parse(#"{"a": 1, "b": [{"c": 0.5}], "d": "x"}"#)
        #expect(try GoldenJSON.parse(#"{"a": 1, "b": [{"c": 0.50000000000001}], "d": "x"}"#).firstDifference(from: golden) == nil)
        #expect(try GoldenJSON.parse(#"{"a": 1, "b": [{"c": 0.5001}], "d": "x"}"#).firstDifference(from: golden)?
            .hasPrefix("$.b[0].c: 0.5001") == true)
        #expect(try GoldenJSON.parse(#"{"a": 1.0, "b": [{"c": 0.5}], "d": "x"}"#).firstDifference(from: golden)?
            .contains("$.a: 1.0 is number") == true)
        #expect(try GoldenJSON.parse(#"{"b": [{"c": 0.5}], "a": 1, "d": "x"}"#).firstDifference(from: golden)?
            .contains("order changed") == true)
        #expect(try GoldenJSON.parse(#"{"a": 1, "b": [{"c": 0.5}], "d": "x", "e": null}"#).firstDifference(from: golden)?
            .contains("new key \"e\"") == true)
        let masked = try GoldenJSON.parse(#"{"t": {"median": 2.5, "runs": 3}}"#).masked([GoldenMask("t")])
        #expect(masked == (try GoldenJSON.parse(#"{"t": {"median": "<number>", "runs": "<integer>"}}"#)))
        let text = "{\n  \"s\": \"a\\\"b\\u0001/\",\n  \"n\": [1, 2.5e-07, null],\n  \"o\": {}\n}\n"
        let document = try GoldenJSON.parse(text)
        #expect(try GoldenJSON.parse(document.rendered()) == document)
        #expect(document.rendered().hasSuffix("\"n\": [1, 2.5e-07, null],\n  \"o\": {}\n}\n"))
    }
}

/// Runs the cases and reads and writes the golden files.
enum GoldenStore {
    /// `UPDATE_GOLDENS=1`: rewrite the goldens and Documentation/JSON.md instead of comparing.
    static let updating = ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1"

    static let directory = CLI.fixture("Goldens")

    static func path(_ golden: GoldenCase) -> String { directory + "/" + golden.name + ".json" }

    static func golden(_ golden: GoldenCase) throws -> GoldenJSON {
        try GoldenJSON.parse(try String(contentsOfFile: path(golden), encoding: .utf8))
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Outputs already produced in this process (update mode runs each command once for both
    /// the golden and the documentation).
    final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var documents: [String: GoldenJSON] = [:]
    }
    static let cache = Cache()

    /// The case's JSON as the binary prints it now, paths replaced and volatile fields masked.
    static func produced(_ golden: GoldenCase) throws -> GoldenJSON {
        if let cached = cache.lock.withLock({ cache.documents[golden.name] }) { return cached }
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for input in golden.inputs { _ = try CLI.write(input.text, named: input.name, in: directory) }
        let result = try CLI.run(golden.arguments.map { $0.replacingOccurrences(of: "$D", with: directory.path) })
        guard result.status == 0 else {
            throw GoldenFailure("\(golden.name): exit \(result.status): \(result.stderr)")
        }
        var text = result.stdout
        if let file = golden.file { text = try String(contentsOfFile: directory.path + "/" + file, encoding: .utf8) }
        text = text.replacingOccurrences(of: CLI.fixtures, with: "<fixtures>")
            .replacingOccurrences(of: directory.path, with: "<tmp>")
        // Every document begins with the build stamp (`didlab`), which changes with each commit.
        let document = try GoldenJSON.parse(text).masked((golden.masks + ["didlab"]).map(GoldenMask.init))
        cache.lock.withLock { cache.documents[golden.name] = document }
        return document
    }
}

struct GoldenFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
