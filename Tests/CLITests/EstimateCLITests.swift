import Foundation
import Testing

/// `didlab estimate` as a user runs it: the binary, its stdout/stderr and exit code.
/// Oracle for numbers: `Tests/Fixtures/reference.json` (pyfixest 0.60.0, see scripts/reference).
@Suite("didlab estimate")
struct EstimateCLITests {
    let mpdta = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat", "--cluster", "countyreal"]

    /// fixest on mpdta: D = −0.03654893667406441, CR1 SE 0.013265155429338867 (pyfixest 0.60.0,
    /// `feols('lemp ~ D | countyreal + year', vcov={'CRV1': 'countyreal'})`).
    static let coefficient = -0.03654893667406441
    static let standardError = 0.013265155429338867

    @Test func jsonMatchesFixest() throws {
        let result = try CLI.run(mpdta + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "twfe")
        #expect(object["n_obs"] as? Int == 2500)
        #expect(object["n_units"] as? Int == 500)
        #expect(object["n_periods"] as? Int == 5)
        #expect(object["n_clusters"] as? Int == 500)
        #expect(object["vcov"] as? String == "CR1")
        #expect(object["cluster"] as? String == "countyreal")
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        let treat = try #require(coefficients.first)
        #expect(treat["term"] as? String == "treat")
        let estimate = try #require(treat["estimate"] as? Double)
        let se = try #require(treat["std_error"] as? Double)
        #expect(abs(estimate - Self.coefficient) / abs(Self.coefficient) < 1e-8)
        #expect(abs(se - Self.standardError) / Self.standardError < 1e-8)
        for key in ["statistic", "p_value", "conf_low", "conf_high"] { #expect(treat[key] is Double, "\(key)") }
    }

    @Test func csvMatchesFixest() throws {
        let result = try CLI.run(mpdta + ["--format", "csv"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high")
        let fields = try #require(lines.dropFirst().first).split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields[0] == "treat")
        let estimate = try #require(Double(String(fields[2])))
        let se = try #require(Double(String(fields[3])))
        #expect(abs(estimate - Self.coefficient) / abs(Self.coefficient) < 1e-8)
        #expect(abs(se - Self.standardError) / Self.standardError < 1e-8)
    }

    @Test func tableAndLatexShowTheNumbers() throws {
        let table = try CLI.run(mpdta)
        #expect(table.status == 0)
        #expect(table.stdout.contains("-0.0365489"))   // six significant digits of the fixest estimate
        #expect(table.stdout.contains("0.0132652"))
        #expect(table.stdout.contains("Observations: 2,500"))
        #expect(table.stdout.contains("Clustered (countyreal), 500 clusters"))
        let latex = try CLI.run(mpdta + ["--format", "latex"])
        #expect(latex.status == 0)
        #expect(latex.stdout.contains("\\begin{tabular}"))
        #expect(latex.stdout.contains("-0.0365489"))
        #expect(latex.stdout.contains("(0.0132652)"))
    }

    @Test func eventStudyJSONHasEventTimes() throws {
        let result = try CLI.run(mpdta + ["--method", "event", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        #expect(coefficients.compactMap { $0["term"] as? String } == ["e-4", "e-3", "e-2", "e+0", "e+1", "e+2", "e+3"])
        #expect(coefficients.compactMap { $0["event_time"] as? Int } == [-4, -3, -2, 0, 1, 2, 3])
        // pyfixest 0.60.0 mpdta_event e+2: estimate −0.131794857754322, CR1 SE 0.028837407390067592.
        let e2 = try #require(coefficients.first { $0["term"] as? String == "e+2" })
        #expect(abs((e2["estimate"] as? Double ?? 0) + 0.131794857754322) < 1e-9)
        #expect(abs((e2["std_error"] as? Double ?? 0) - 0.028837407390067592) < 1e-10)
    }

    @Test func outWritesTheFileAndNothingToStdout() throws {
        let directory = try CLI.temporaryDirectory()
        let path = directory.appendingPathComponent("est.json").path
        let result = try CLI.run(mpdta + ["--format", "json", "--out", path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"method\": \"twfe\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["est.json"], "no temporary file left behind")
    }
}
