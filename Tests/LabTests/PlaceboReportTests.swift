import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Estimators
@testable import Lab

/// Numbers read back through Foundation's JSON parser, which on Linux is not correctly rounded
/// (observed: 1 ulp off): compare to 1e-15 relative.
func sameNumber(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= 1e-15 * max(abs(b), 1e-300)
}

/// Reports of a placebo result. Oracles: the JSON contract of DESIGN.md (field names, and the
/// numbers equal to the result's), the CSV's own definition (one row per draw, t = b/se), and
/// an XML parser for the SVG.
@Suite("placebo reports")
struct PlaceboReportTests {
    static func result() throws -> PlaceboResult {
        let panel = try LabFixtures.mpdta()
        return try PlaceboTest(permutations: 199, seed: 5, threads: 2)
            .run(on: panel, statistic: TWFEPlaceboStatistic(cluster: "countyreal"))
    }

    @Test("JSON carries the contract fields with the result's numbers")
    func json() throws {
        let result = try Self.result()
        let text = PlaceboReport(result, method: "twfe").json().rendered()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let observed = try #require(object["observed"] as? [String: Double])
        #expect(sameNumber(observed["estimate"], result.observed.estimate))
        #expect(sameNumber(observed["std_error"], result.observed.standardError))
        #expect(sameNumber(observed["statistic"], result.observed.statistic))
        #expect(object["permutations"] as? Int == 199)
        #expect(object["seed"] as? String == "5")
        #expect(sameNumber(object["p_value"] as? Double, result.pValue))
        #expect(sameNumber(object["p_value_studentized"] as? Double, result.pValueStudentized))
        let placebo = try #require(object["placebo"] as? [String: Double])
        #expect(Set(placebo.keys) == ["mean", "sd", "q025", "q975"])
        #expect(sameNumber(placebo["mean"], result.summary.mean))
        #expect((object["scheme"] as? [String: Any])?["name"] as? String == "cohorts")
        #expect(object["exact"] as? Bool == false)
    }

    @Test("draws CSV has every draw and the table names the p-values")
    func drawsAndTable() throws {
        let result = try Self.result()
        let report = PlaceboReport(result, method: "twfe")
        let lines = report.drawsCSV().split(separator: "\n")
        #expect(lines.count == 200)
        #expect(lines[0] == "draw,estimate,std_error,statistic")
        let fields = lines[1].split(separator: ",").map { Double($0)! }
        #expect(fields[1] == result.estimates[0] && fields[2] == result.standardErrors[0])
        #expect(fields[3] == result.estimates[0] / result.standardErrors[0])
        let table = report.table()
        #expect(table.contains("p (coef)") && table.contains("p (t)") && table.contains("(1+c)/(1+R)"))
    }

    @Test("SVG is well-formed and marks the observed estimate with its p-value")
    func svg() throws {
        let result = try Self.result()
        let svg = PlaceboPlot(result).svg()
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "XML error: \(String(describing: parser.parserError))")
        #expect(svg.contains("observed = "))
        #expect(svg.contains("p = \(Format.pValue(result.pValue)) (coef)"))
        #expect(svg.contains("<polyline"))  // kernel density
        #expect(svg.contains("placebo coefficient"))
        // Oracle: the 1-2-5 rule by hand — span 0.059 → step 0.01, six ticks, labelled to 2 decimals.
        let ticks = PlotTicks.nice(-0.031, 0.028)
        let expected = [-0.03, -0.02, -0.01, 0, 0.01, 0.02]
        #expect(ticks.count == expected.count && zip(ticks, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(ticks)")
        #expect(ticks.map { PlotTicks.label($0, step: ticks) } == ["-0.03", "-0.02", "-0.01", "0.00", "0.01", "0.02"])
    }
}
