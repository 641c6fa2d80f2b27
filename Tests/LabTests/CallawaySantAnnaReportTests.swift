import Foundation
import Testing
@testable import Estimators
@testable import Lab

/// Reports of a Callaway & Sant'Anna result. Oracles: the JSON contract of DESIGN.md (field
/// names; numbers equal to the result's, read back through Foundation's parser to 1e-15), the
/// CSV's own definition (one row per reported effect), and the table/LaTeX layouts.
@Suite("Callaway-Sant'Anna reports")
struct CallawaySantAnnaReportTests {
    static func result(base: CallawaySantAnnaOptions.BasePeriod = .varying) throws -> CallawaySantAnnaResult {
        let panel = try LabFixtures.mpdta()
        return try CallawaySantAnna(options: .init(basePeriod: base)).estimate(panel)
    }

    @Test("JSON carries the contract fields with the result's numbers")
    func json() throws {
        let result = try Self.result()
        let text = CallawaySantAnnaReport(result).render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "cs")
        #expect(object["n_obs"] as? Int == 2500 && object["n_units"] as? Int == 500 && object["n_periods"] as? Int == 5)
        #expect(object["control_group"] as? String == "never" && object["base_period"] as? String == "varying")
        #expect(object["est_method"] as? String == "dr" && object["inference"] as? String == "analytic")
        let cells = try #require(object["att_gt"] as? [[String: Any]])
        #expect(cells.count == result.groupTime.count)
        for (cell, json) in zip(result.groupTime, cells) {
            #expect(json["group"] as? Int == Int(result.periodLabel(cell.group)))
            #expect(json["time"] as? Int == Int(result.periodLabel(cell.time)))
            #expect(sameNumber(json["estimate"] as? Double, cell.estimate))
            #expect(sameNumber(json["std_error"] as? Double, cell.standardError))
        }
        let aggregates = try #require(object["aggregates"] as? [String: Any])
        let simple = try #require(aggregates["simple"] as? [String: Any])
        #expect(simple["term"] as? String == "att")
        #expect(sameNumber(simple["estimate"] as? Double, result.simple.overall.estimate))
        #expect(sameNumber(simple["std_error"] as? Double, result.simple.overall.standardError))
        #expect(sameNumber(simple["p_value"] as? Double, result.simple.overall.pValue))
        for key in ["statistic", "conf_low", "conf_high"] { #expect(simple[key] is Double, "simple.\(key)") }
        let dynamic = try #require(aggregates["dynamic"] as? [[String: Any]])
        #expect(dynamic.compactMap { $0["event_time"] as? Int } == result.dynamic.keys)
        #expect(dynamic.first?["term"] as? String == "e-3")
        let group = try #require(aggregates["group"] as? [[String: Any]])
        #expect(group.compactMap { $0["group"] as? Int } == [2004, 2006, 2007])
        let calendar = try #require(aggregates["calendar"] as? [[String: Any]])
        #expect(calendar.compactMap { $0["time"] as? Int } == [2004, 2005, 2006, 2007])
        for key in ["dynamic_overall", "group_overall", "calendar_overall"] {
            #expect(aggregates[key] is [String: Any], "\(key)")
        }
        let groupOverall = try #require(aggregates["group_overall"] as? [String: Any])
        #expect(sameNumber(groupOverall["estimate"] as? Double, result.group.overall.estimate))
    }

    @Test("a bootstrap adds uniform bands and critical values; reference cells are null")
    func bootstrapBands() throws {
        let result = try Self.result(base: .universal)
        let report = CallawaySantAnnaReport(result, bootstrap: MultiplierBootstrap(replications: 199, seed: 9))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        #expect(object["inference"] as? String == "multiplier bootstrap" && object["reps"] as? Int == 199)
        let aggregates = try #require(object["aggregates"] as? [String: Any])
        let critical = try #require(aggregates["critical_values"] as? [String: Any])
        let dynamicCritical = try #require(critical["dynamic"] as? Double)
        let dynamic = try #require(aggregates["dynamic"] as? [[String: Any]])
        for entry in dynamic where entry["event_time"] as? Int == -1 {
            #expect(entry["std_error"] is NSNull && entry["band_low"] is NSNull)
        }
        let band = result.bootstrap(.aggregation(.dynamic), MultiplierBootstrap(replications: 199, seed: 9))
        #expect(sameNumber(dynamicCritical, band.criticalValue))
        let first = try #require(dynamic.first)
        #expect(sameNumber(first["band_low"] as? Double,
                           result.dynamic.effects[0].estimate - band.criticalValue * band.standardErrors[0]))
    }

    @Test("CSV has one row per effect; table and LaTeX show every part")
    func textFormats() throws {
        let result = try Self.result()
        let report = CallawaySantAnnaReport(result)
        let lines = report.csv().split(separator: "\n")
        let expectedRows = result.groupTime.count + 1 + result.dynamic.keys.count + 1 + result.group.keys.count + 1
            + result.calendar.keys.count + 1
        #expect(lines.count == 1 + expectedRows)
        #expect(lines[0].hasPrefix("section,term,group,time,event_time,estimate,std_error"))
        #expect(lines.contains { $0.hasPrefix("simple,att,,,,") })
        let table = report.table()
        #expect(table.contains("Overall ATT (simple aggregation):"))
        #expect(table.contains("ATT(2004,2005)") && table.contains("g=2007") && table.contains("t=2006") && table.contains("e+3"))
        let latex = report.latex()
        #expect(latex.contains("\\begin{tabular}{lc}") && latex.contains("\\end{tabular}"))
        #expect(latex.contains("ATT (simple)") && latex.contains("Mean over $e \\geq 0$"))
    }

    @Test("a cell that is not estimable: JSON says so with its reason and null numbers, the table lists it")
    func failedCell() throws {
        // Oracle: the result's own failure (csdid parity of these cells is in CallawaySantAnnaEdgeCaseTests).
        let panel = try Panel.load(csv: LabFixtures.path("cs_separation.csv"),
                                   spec: PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                                                   covariates: ["x"]))
        let result = try CallawaySantAnna(options: .init(failedCells: .dropFromAggregations)).estimate(panel)
        let report = CallawaySantAnnaReport(result, bootstrap: MultiplierBootstrap(replications: 99, seed: 1))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        let cells = try #require(object["att_gt"] as? [[String: Any]])
        for (cell, json) in zip(result.groupTime, cells) {
            #expect(json["estimable"] as? Bool == cell.isEstimable)
            #expect(json["reason"] as? String == cell.failure)
            if !cell.isEstimable {
                #expect(json["estimate"] is NSNull && json["std_error"] is NSNull && json["band_low"] is NSNull)
            }
        }
        let table = report.table()
        #expect(table.contains("Not estimable (left out of the aggregations below):\n  ATT(2004,2002): overlap fails"))
        #expect(!table.lowercased().contains("nan"))
        let csv = report.csv()
        #expect(csv.contains("att_gt,\"ATT(2004,2002)\",2004,2002,-2,,,,,,,,") || csv.contains("att_gt,ATT(2004,2002),2004,2002,-2,,,,,,,,"))
    }
}
