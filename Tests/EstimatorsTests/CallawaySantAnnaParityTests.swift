import Foundation
import Testing
@testable import Estimators

/// Parity with R `did` (`att_gt` + `aggte`, analytic standard errors) through golden values from
/// csdid 0.4.3, the Python port tracking R did 2.5.1, cross-checked against moderndid 0.4.1
/// (agreement ≤ 7e-16 in every case) and diff-diff 3.13.0 where it follows the same
/// conventions (`scripts/reference/make_cs_reference.py` → `Tests/Fixtures/cs_reference.json`).
/// Calls: `ATTgt(yname, tname, idname, gname, data, control_group, xformla, clustervar)
/// .fit(est_method, base_period, bstrap=False)`, `.aggte(typec, bstrap=False, cband=False)`.
/// Tolerance 1e-8 absolute (the target): the implementations differ only in summation
/// order, the least-squares solver (normal equations here, QR there) and the logit's stopping
/// rule (Newton to 1e-11 here, statsmodels' deviance tolerance 1e-8 there).
@Suite("Callaway-Sant'Anna parity with R did")
struct CallawaySantAnnaParityTests {
    typealias Reference = CallawaySantAnnaReference

    static let caseNames = [
        "mpdta_never_varying", "mpdta_notyet_varying", "mpdta_never_universal", "mpdta_notyet_universal",
        "mpdta_lpop_reg", "mpdta_lpop_ipw", "mpdta_lpop_dr", "mpdta_lpop_dr_notyet",
        "synthetic_x1_reg", "synthetic_x1_ipw", "synthetic_x1_dr", "synthetic_x1_dr_notyet",
        "synthetic_x1_dr_universal", "synthetic_province", "mpdta_treated_only_notyet",
    ]

    @Test("every ATT(g,t) and aggregation matches csdid/R did within 1e-8", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try Reference.referenceCase(caseName, in: "cs_reference.json")
        let expected = try #require(reference["expected"] as? [String: Any])
        let result = try Reference.estimate(reference)
        let comparison = Reference.Comparison(label: caseName)
        let cells = try #require(expected["att_gt"] as? [[String: Any]])
        #expect(result.groupTime.count == cells.count, "\(caseName): number of ATT(g,t)")
        for (cell, want) in zip(result.groupTime, cells) {
            #expect(Int(result.periodLabel(cell.group)) == want["group"] as? Int, "\(caseName): cell group")
            #expect(Int(result.periodLabel(cell.time)) == want["time"] as? Int, "\(caseName): cell time")
            comparison.check("ATT(\(result.periodLabel(cell.group)),\(result.periodLabel(cell.time)))",
                  .init(estimate: cell.estimate, standardError: cell.standardError), want)
        }
        try Reference.checkAggregations(result, expected, kinds: CallawaySantAnnaResult.AggregationKind.allCases,
                                        comparison: comparison)
        print("CS parity \(caseName): max |Δ| estimate \(comparison.worstEstimate), std. error \(comparison.worstStandardError)")
    }

    @Test("aggte(min_e = -2, max_e = 1) matches csdid/R did within 1e-8",
          arguments: ["mpdta_never_varying", "mpdta_lpop_dr", "synthetic_x1_dr_notyet"])
    func windowMatchesReference(caseName: String) throws {
        let reference = try Reference.referenceCase(caseName, in: "cs_reference.json")
        let windowed = try #require(reference["windowed"] as? [String: Any])
        let result = try Reference.estimate(reference, minEventTime: windowed["min_e"] as? Int,
                                       maxEventTime: windowed["max_e"] as? Int)
        try Reference.checkAggregations(result, windowed, kinds: [.simple, .dynamic, .group],
                                        comparison: Reference.Comparison(label: "\(caseName) windowed"))
    }
}
