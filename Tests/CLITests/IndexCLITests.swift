import Foundation
import Testing

/// `didlab index` as a user runs it. Oracle for numbers: `Tests/Fixtures/entropy_index_reference.json`
/// (scripts/reference/make_entropy_index_reference.py: the entropy-weight steps by hand in numpy 2.5.5).
/// Tolerance 1e-12: the CSV carries shortest round-trip values, and the two computations differ only
/// in the order of O(1) floating-point sums (a few ulps).
@Suite("didlab index")
struct IndexCLITests {
    static let data = CLI.fixture("entropy_index.csv")

    static func reference(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("entropy_index_reference.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        return try #require(cases.first { $0["name"] as? String == name })
    }

    /// The last field of each data line (the index column appended), as numbers.
    static func lastColumn(_ csv: String) -> [Double?] {
        csv.split(separator: "\n").dropFirst().map { line in line.split(separator: ",").last.flatMap { Double($0) } }
    }

    @Test("pooled and per-year indices match the numpy reference; other fields pass through",
          arguments: [("pooled", ["--negative", "d"]),
                      ("year", ["--negative", "d", "--normalise", "year", "--time", "year"]),
                      ("year_shift001_two_negative", ["--negative", "b,d", "--normalise", "year", "--time", "year", "--shift", "0.01"])])
    func matchesReference(name: String, options: [String]) throws {
        let result = try CLI.run(["index", Self.data, "--indicators", "a,b,c,d", "--name", "nqpf"] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try String(contentsOfFile: Self.data, encoding: .utf8)
        let inputLines = input.split(separator: "\n"), outputLines = result.stdout.split(separator: "\n")
        #expect(outputLines.first == inputLines.first.map { $0 + ",nqpf" })
        for (out, line) in zip(outputLines.dropFirst(), inputLines.dropFirst()) { #expect(out.hasPrefix(line + ",")) }
        let reference = try Self.reference(name)
        let expected = try #require(reference["index"] as? [Double])
        let values = Self.lastColumn(result.stdout)
        #expect(values.count == expected.count)
        for (row, (value, want)) in zip(values, expected).enumerated() {
            #expect(value.map { abs($0 - want) <= 1e-12 } == true, "\(name) row \(row + 1): \(String(describing: value)) vs \(want)")
        }
        // Every choice is stated.
        #expect(result.stderr.contains("shift"))
        #expect(result.stderr.contains(name == "pooled" ? "normalisation pooled" : "normalisation by year"))
        #expect(result.stderr.contains("negative"))
    }

    @Test("--out and --report: atomic files, the report holds the reference weights")
    func files() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("with-index.csv").path
        let report = directory.appendingPathComponent("weights.json").path
        let result = try CLI.run(["index", Self.data, "--indicators", "a,b,c,d", "--negative", "d", "--out", out, "--report", report])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let csv = try String(contentsOfFile: out, encoding: .utf8)
        #expect(csv.hasPrefix("city,province,year,a,b,c,d,index\n"))
        let reportData = try Data(contentsOf: URL(fileURLWithPath: report))
        let json = try #require(try JSONSerialization.jsonObject(with: reportData) as? [String: Any])
        #expect(json["normalisation"] as? String == "pooled" && json["shift"] as? Double == 1e-4)
        let fit = try #require((json["fits"] as? [[String: Any]])?.first)
        let indicators = try #require(fit["indicators"] as? [[String: Any]])
        let pooled = try Self.reference("pooled")
        let golden = try #require((pooled["fits"] as? [[String: Any]])?.first?["weight"] as? [Double])
        for (indicator, want) in zip(indicators, golden) {
            #expect((indicator["weight"] as? Double).map { abs($0 - want) <= 1e-12 } == true)
        }
        #expect(indicators.map { $0["direction"] as? String } == ["positive", "positive", "positive", "negative"])
        // The column exists now: refused without --replace, replaced in place with it.
        let again = try CLI.run(["index", out, "--indicators", "a,b,c,d", "--negative", "d"])
        #expect(again.status == 1 && again.stderr.contains("column 'index' exists already") && again.stderr.contains("--replace"))
        let replaced = try CLI.run(["index", out, "--indicators", "a,b,c", "--replace", "--out", out])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let rewritten = try String(contentsOfFile: out, encoding: .utf8)
        #expect(rewritten.hasPrefix("city,province,year,a,b,c,d,index\n"))
        #expect(rewritten != csv)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("bad input: one line on stderr naming file, line and column; exit 1")
    func badInput() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try CLI.write("unit,year,a,b,flat\n1,2011,1,4,3\n2,2011,2,x,3\n3,2012,,2,3\n4,2012,5,1,3\n", named: "bad.csv", in: directory)
        let good = try CLI.write("unit,year,a,b,flat\n1,2011,1,4,3\n2,2011,2,2,3\n3,2012,4,2,3\n4,2012,5,1,7\n5,2013,1,1,1\n",
                                 named: "good.csv", in: directory)
        let cases: [([String], String)] = [
            (["index", text, "--indicators", "a,zz"], "no column 'zz' (an indicator)"),
            (["index", text, "--indicators", "b"], "bad.csv:3: column 'b' (an indicator) is 'x'; expected a number"),
            (["index", text, "--indicators", "a"], "bad.csv:4: column 'a' (an indicator) is blank or missing"),
            (["index", text, "--indicators", "flat"], "indicator 'flat' is 3 on every row"),
            (["index", good, "--indicators", "a,b,flat", "--normalise", "year", "--time", "year"], "period 2011"),
            (["index", good, "--indicators", "a,b", "--normalise", "year", "--time", "year"], "period 2013 has 1 row"),
            (["index", good, "--indicators", "a,b", "--normalise", "year", "--time", "when"], "no column 'when' (the time column)"),
            (["index", good, "--indicators", "a,b", "--normalise", "year"], "--normalise year needs --time"),
            (["index", good, "--indicators", "a,b", "--shift", "-0.5"], "--shift must be a finite number >= 0"),
            (["index", good, "--indicators", "a,b", "--negative", "c"], "'c' is named as a negative indicator but is not among"),
            (["index", good, "--indicators", "a,a"], "indicator 'a' is named twice"),
            (["index", good, "--indicators", "a,b", "--name", "flat"], "column 'flat' exists already"),
            (["index", good, "--indicators", "a,b", "--name", "a", "--replace"], "--name a: the column is an indicator"),
            (["index", directory.appendingPathComponent("none.csv").path, "--indicators", "a"], "none.csv: no such file"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
