import Foundation
import Testing
import Estimators
@testable import Lab

/// The Bacon/TWFE-weights report. Oracle: the typed results it renders (numbers are written
/// with 17 significant digits; Foundation's JSON parser on Linux may round the last bit, hence
/// 1e-15), and the field names of the documented JSON shape.
@Suite("Bacon report")
struct BaconReportTests {
    @Test("JSON carries the comparisons, totals and weights; the table names them")
    func renders() throws {
        let panel = try LabFixtures.mpdta()
        let result = try BaconDecomposition().decompose(panel)
        let weights = try TWFEWeights(panel: panel)
        let report = BaconReport(result, weights: weights, periodLabels: panel.periodLabels)
        let text = report.render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "bacon")
        #expect(object["n_obs"] as? Int == 2500)
        #expect(abs((object["twfe"] as? Double ?? 0) - result.twfeCoefficient) < 1e-15)
        let comparisons = try #require(object["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == result.comparisons.count)
        #expect(abs((comparisons.first?["weight"] as? Double ?? 0) - (result.comparisons.first?.weight ?? 1)) < 1e-15)
        #expect(Set(comparisons.compactMap { $0["type"] as? String }) == ["treated_vs_never", "earlier_vs_later", "later_vs_earlier"])
        let dcdh = try #require(object["twfe_weights"] as? [String: Any])
        #expect(dcdh["negative_count"] as? Int == weights.negativeCount)
        #expect((dcdh["cells"] as? [Any])?.count == weights.cells.count)
        let table = report.render(.table)
        #expect(table.contains("Goodman-Bacon decomposition"))
        #expect(table.contains("later_vs_earlier"))
        #expect(table.contains("\(weights.negativeCount) negative"))
        #expect(report.render(.csv).hasPrefix("type,treated,control,first_period,last_period,estimate,weight\n"))
        #expect(report.render(.latex).contains("\\begin{tabular}"))
    }
}
