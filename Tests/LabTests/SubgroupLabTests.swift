import Foundation
import Testing
import Estimators
import Sim
@testable import Lab

/// The subgroup report and Monte Carlo method, on Sim's `paper-heterogeneous` design (effects ×1.5
/// in the east; the simulated panel carries the `region` clustering).
@Suite("subgroup heterogeneity: report and runner method")
struct SubgroupLabTests {
    /// Oracle: the report must carry the result's own numbers and parse as JSON.
    @Test("JSON and table carry the groups, the Wald test and the permutation test")
    func report() throws {
        let panel = try WildBootstrapLabTests.simulated("paper-heterogeneous").panel
        let result = try SubgroupHeterogeneity(column: "region", options: RegressionOptions(variance: .cluster("city")),
                                               permutations: 99, seed: 4, threads: 2).estimate(panel)
        let text = SubgroupReport(result).render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "subgroup" && object["by"] as? String == "region")
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["group"] as? String } == result.groups.map(\.label))
        let east = try #require(groups.first { $0["group"] as? String == "east" })
        let interaction = try #require(east["interaction"] as? [String: Any])
        let eastEffect = try #require(result.effect(of: "east")?.estimate)
        #expect(abs((interaction["estimate"] as? Double ?? .nan) - eastEffect) <= 1e-15 * abs(eastEffect))
        #expect(east["split_sample"] is [String: Any])
        let wald = try #require(object["test_equal_effects"] as? [String: Any])
        #expect(abs((wald["p_value"] as? Double ?? .nan) - result.wald.pValue) <= 1e-15 * result.wald.pValue)
        #expect(wald["df2"] as? Double == 281)
        let permutation = try #require(object["permutation"] as? [String: Any])
        #expect(permutation["statistic"] as? String == "range" && permutation["permutations"] as? Int == 99)
        #expect(abs((permutation["p_value"] as? Double ?? .nan) - (result.permutation?.pValue ?? 0)) <= 1e-15)
        let table = SubgroupReport(result).render(.table)
        #expect(table.contains("Subgroup heterogeneity by region") && table.contains("Equal effects (Wald): F(2, 281)"))
        #expect(SubgroupReport(result).render(.csv).split(separator: "\n").count == 1 + result.groups.count)
    }

    /// Oracle: ``SubgroupHeterogeneity`` itself (the method must report its numbers), and replay
    /// from the stream key.
    @Test("each statistic of the method reads the analysis")
    func method() throws {
        let data = try WildBootstrapLabTests.simulated("paper-heterogeneous")
        let analysis = try SubgroupHeterogeneity(column: "region", options: RegressionOptions(variance: .cluster("city")),
                                                 permutations: 0).estimate(data.panel)
        let east = try SubgroupMethod(column: "region", statistic: .effect("east"), variance: .cluster("city"),
                                      target: "att:region=east").evaluate(data, streamKey: 1, alpha: 0.05)
        #expect(east.estimate == analysis.effect(of: "east")?.estimate)
        #expect(east.standardError == analysis.effect(of: "east")?.standardError)
        #expect(data.truth["att:region=east"] != nil)
        let difference = try SubgroupMethod(column: "region", statistic: .difference("east", "west"),
                                            variance: .cluster("city"), target: "zero").evaluate(data, streamKey: 1, alpha: 0.05)
        #expect(difference.estimate == analysis.difference("east", "west")?.estimate)
        let wald = try SubgroupMethod(column: "region", statistic: .equalEffects, variance: .cluster("city"),
                                      target: "zero").evaluate(data, streamKey: 1, alpha: 0.05)
        #expect(wald.pValue == analysis.wald.pValue)
        let permutation = SubgroupMethod(column: "region", statistic: .permutation(studentized: false),
                                         variance: .cluster("city"), permutations: 49, target: "zero")
        let first = try permutation.evaluate(data, streamKey: 8, alpha: 0.05)
        let again = try permutation.evaluate(data, streamKey: 8, alpha: 0.05)
        #expect(first.pValue == again.pValue && first.pValue > 0 && first.pValue <= 1)
        #expect(permutation.inferenceName == "permutation:treated" && wald.pValue.isFinite)
        #expect(SubgroupMethod(column: "region", statistic: .equalEffects, variance: .cluster("city"), target: "zero")
            .inferenceName == "wald-cr1:city")
        #expect(throws: SubgroupError.self) {
            try SubgroupMethod(column: "region", statistic: .effect("north"), variance: .cluster("city"), target: "zero")
                .evaluate(data, streamKey: 1, alpha: 0.05)
        }
    }
}
