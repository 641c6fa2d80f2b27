import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `didlab report DIR` and `--html` (issue 17). Oracles: Foundation's XML parser (the page is
/// well-formed, so every string from data was escaped), the numbers of the run's own results.json
/// formatted by hand as the tables print them (`%.5f` bias, `%.3f` rates, MCSE in parentheses),
/// the verdict strings of diagnosis.json, and byte equality of the two ways of writing the page.
@Suite("report CLI")
struct ReportCLITests {
    static let spec = """
    experiment: report-test
    aims: >
      Does the page escape <tags>, & and "quotes" in an aim?
    data: {scenario: paper}
    methods:
      - {name: TWFE <CR1>, estimator: twfe, inference: cr1, target: att}
    replications: 4
    seed: 5

    """

    /// Parses `html` as XML and returns the text of every table cell, or records the parse error.
    static func cells(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        final class Cells: NSObject, XMLParserDelegate {
            var cells: [String] = [], current: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "td" || name == "th" { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "td" || name == "th", let current { cells.append(current) }
                if name == "td" || name == "th" { current = nil }
            }
        }
        // The XML parser knows no DOCTYPE html entities; the page uses none.
        let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let delegate = Cells()
        parser.delegate = delegate
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))", sourceLocation: sourceLocation)
        return delegate.cells
    }

    func expectRefusal(_ result: CLIResult, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit status \(result.status)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "'\(fragment)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func aRunDirectoryMakesOneSelfContainedPageWithItsResults() throws {
        let directory = try CLI.temporaryDirectory()
        let specPath = try CLI.write(Self.spec, named: "spec.yaml", in: directory)
        let out = directory.appendingPathComponent("run").path
        let run = try CLI.run(["run", specPath, "--out", out, "--html"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try CLI.run(["report", out, "--out", out + "/again.html"])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        // run --html and didlab report write the same bytes (the page is a function of the directory).
        #expect(html == (try String(contentsOfFile: out + "/again.html", encoding: .utf8)))
        let cells = Self.cells(html)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
                                    as? [String: Any])
        let scenario = try #require((results["scenarios"] as? [[String: Any]])?.first)
        let result = try #require((scenario["results"] as? [[String: Any]])?.first)
        func number(_ key: String) throws -> Double { try #require(result[key] as? Double, "\(key)") }
        #expect(cells.contains("TWFE <CR1>"), "the method name, unescaped by the parser: \(cells)")
        #expect(cells.contains(String(format: "%.5f (%.5f)", try number("bias"), try number("bias_mcse"))), "bias: \(cells)")
        #expect(cells.contains(String(format: "%.3f (%.3f)", try number("coverage"), try number("coverage_mcse"))), "\(cells)")
        #expect(cells.contains(String(format: "%.3f (%.3f)", try number("rejection_rate"), try number("rejection_mcse"))))
        #expect(cells.contains(String(result["replications"] as? Int ?? -1)))
        for fragment in ["<html lang=\"en\">", "<th scope=\"col\">", "&lt;tags&gt;, &amp; and &quot;quotes&quot;",
                         "didlab run ", "--html", "experiment: report-test", "Written by didlab (<code>didlab report</code>, or "] {
            #expect(html.contains(fragment), "\(fragment)")
        }
        // Self-contained: nothing is loaded from elsewhere (the inline figures' SVG namespace is a name, not a load).
        #expect(html.contains("<svg role=\"img\""), "the run's figures are inline")
        let loaded = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for forbidden in ["<script", "<link", "src=", "http://", "https://", "@import", "url("] {
            #expect(!loaded.contains(forbidden), "\(forbidden)")
        }
    }

    @Test func aDiagnosisDirectoryShowsItsVerdictAndFigure() throws {
        let directory = try CLI.temporaryDirectory()
        let out = directory.appendingPathComponent("diag").path
        let result = try CLI.run(["diagnose", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                                  "--cohort", "first.treat", "--source", "model", "--methods", "twfe cr1",
                                  "--replications", "10", "--effects", "0.05,0.1", "--out", out, "--html", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // The manifest says what wrote the directory (not the experiment's name, which a run may share).
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")))
        #expect((manifest as? [String: Any])?["kind"] as? String == "diagnosis")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        _ = Self.cells(html)
        let diagnosis = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/diagnosis.json")))
                                      as? [String: Any])
        let verdict = try #require(diagnosis["verdict"] as? [[String: Any]])
        #expect(!verdict.isEmpty)
        for line in verdict {
            let finding = try #require(line["finding"] as? String)
            #expect(html.contains(finding.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                                    .replacingOccurrences(of: ">", with: "&gt;")), "\(finding)")
        }
        for fragment in ["<figure>", "<svg role=\"img\"", "<figcaption>", "Calibrated model", "didlab diagnose "] {
            #expect(html.contains(fragment), "\(fragment)")
        }
    }

    @Test func aDirectoryWithoutAFinishedRunOrDiagnosisIsRefusedInOneLine() throws {
        let directory = try CLI.temporaryDirectory()
        expectRefusal(try CLI.run(["report", directory.appendingPathComponent("absent").path]), mentioning: ["no such directory"])
        let file = try CLI.write("x", named: "file.txt", in: directory)
        expectRefusal(try CLI.run(["report", file]), mentioning: ["not a directory"])
        expectRefusal(try CLI.run(["report", directory.path]), mentioning: ["no manifest.json"])
        // A run cut short: records missing.
        let specPath = try CLI.write(Self.spec, named: "spec.yaml", in: directory)
        let out = directory.appendingPathComponent("run").path
        #expect(try CLI.run(["run", specPath, "--out", out]).status == 0)
        let records = try String(contentsOfFile: out + "/records.csv", encoding: .utf8).split(separator: "\n")
        try (records.dropLast(2).joined(separator: "\n") + "\n").write(toFile: out + "/records.csv", atomically: true, encoding: .utf8)
        expectRefusal(try CLI.run(["report", out]), mentioning: [out, "not finished", "records are missing"])
        #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))
        // A diagnosis cut short: no diagnosis.json.
        let diagnosis = directory.appendingPathComponent("diag")
        try FileManager.default.createDirectory(at: diagnosis, withIntermediateDirectories: true)
        _ = try CLI.write("{\"experiment\": \"diagnose\", \"replications\": 10, \"seed\": \"1\", \"spec\": \"data: a.csv\\npower: 0.8\"}",
                          named: "manifest.json", in: diagnosis)
        expectRefusal(try CLI.run(["report", diagnosis.path]), mentioning: ["no diagnosis.json"])
        _ = try CLI.write("{\"command\": \"diagnose\"}", named: "diagnosis.json", in: diagnosis)
        expectRefusal(try CLI.run(["report", diagnosis.path]), mentioning: ["diagnosis.json", "missing"])
        expectRefusal(try CLI.run(["diagnose", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                                   "--cohort", "first.treat", "--html"]), mentioning: ["--html needs --out"])
    }

    /// A run whose experiment is named `diagnose`, on a spec that begins with `data:`, is a run:
    /// finished (results.json), and cut short (its recorded spec is no diagnosis's inputs).
    @Test func aRunNamedDiagnoseIsARun() throws {
        let directory = try CLI.temporaryDirectory()
        let spec = try CLI.write("data: {scenario: paper}\nexperiment: diagnose\nmethods:\n"
                                 + "  - {name: TWFE, estimator: twfe, inference: cr1, target: att}\nreplications: 2\nseed: 5\n",
                                 named: "diag.yaml", in: directory)
        let out = directory.appendingPathComponent("dg").path
        let run = try CLI.run(["run", spec, "--out", out, "--html"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("experiment: diagnose"))
        try FileManager.default.removeItem(atPath: out + "/results.json")
        let records = try String(contentsOfFile: out + "/records.csv", encoding: .utf8).split(separator: "\n")
        try (records.dropLast().joined(separator: "\n") + "\n").write(toFile: out + "/records.csv", atomically: true, encoding: .utf8)
        expectRefusal(try CLI.run(["report", out]), mentioning: [out, "the run is not finished"])
    }

    /// Directories that do not make one report are refused naming the one at fault: a diagnosis
    /// beside a run, a run of another experiment beside a run (not a resume's advice).
    @Test func directoriesOfDifferentThingsAreRefusedNamingTheOddOne() throws {
        let directory = try CLI.temporaryDirectory()
        let specPath = try CLI.write(Self.spec, named: "spec.yaml", in: directory)
        let run1 = directory.appendingPathComponent("run1").path, run2 = directory.appendingPathComponent("run2").path
        #expect(try CLI.run(["run", specPath, "--out", run1]).status == 0)
        #expect(try CLI.run(["run", specPath, "--out", run2, "--seed", "6"]).status == 0)
        let diagnosis = directory.appendingPathComponent("diag")
        try FileManager.default.createDirectory(at: diagnosis, withIntermediateDirectories: true)
        _ = try CLI.write("{\"experiment\": \"diagnose\", \"kind\": \"diagnosis\", \"replications\": 10, \"seed\": \"1\", "
                          + "\"spec\": \"data: a.csv\\npower: 0.8\"}", named: "manifest.json", in: diagnosis)
        let mixed = try CLI.run(["report", run1, diagnosis.path])
        expectRefusal(mixed, mentioning: [diagnosis.path + ": a diagnosis makes a report on its own"])
        #expect(!mixed.stderr.contains(run1), "\(mixed.stderr)")
        let other = try CLI.run(["report", run1, run2])
        expectRefusal(other, mentioning: [run2 + ": holds another experiment than " + run1,
                                          "a report combines only the shard directories of one run"])
        #expect(!other.stderr.contains("resume"), "\(other.stderr)")
    }
}
