import Foundation
import Testing
@testable import Estimators

/// R `did`'s `anticipation = k` through golden values from csdid 0.4.3
/// (`scripts/reference/make_cs_anticipation_reference.py` → `Tests/Fixtures/cs_anticipation_reference.json`):
/// `ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first.treat', control_group, anticipation=k)
/// .fit(est_method='dr', base_period, bstrap=False)` and `.aggte(typec, bstrap=False, cband=False)` on mpdta.
/// diff-diff 3.13.0 agrees on every cell with t ≥ g and every universal-base cell (recorded in the
/// fixture); it differs by convention on anticipation-window cells with k ≥ 2 and on the aggregations
/// (it counts t ≥ g − k as post-treatment). Tolerance 1e-8 absolute, as the other CS parity tests.
@Suite("Callaway-Sant'Anna anticipation")
struct CallawaySantAnnaAnticipationTests {
    typealias Reference = CallawaySantAnnaReference

    static let caseNames = ["mpdta_never_varying_a1", "mpdta_notyet_varying_a1", "mpdta_never_universal_a1",
                            "mpdta_notyet_universal_a1", "mpdta_never_varying_a2"]

    static func panel() throws -> Panel {
        try Panel.load(csv: Fixtures.path("mpdta.csv"),
                       spec: PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first.treat")))
    }

    @Test("ATT(g,t), simple and dynamic aggregations match csdid within 1e-8", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try Reference.referenceCase(caseName, in: "cs_anticipation_reference.json")
        let expected = try #require(reference["csdid"] as? [String: Any])
        let control = try #require(reference["control"] as? String), base = try #require(reference["base_period"] as? String)
        let options = CallawaySantAnnaOptions(controlGroup: try #require(.init(rawValue: control)),
                                              basePeriod: try #require(.init(rawValue: base)),
                                              anticipation: try #require(reference["anticipation"] as? Int))
        let result = try CallawaySantAnna(options: options).estimate(try Self.panel())
        let comparison = Reference.Comparison(label: caseName)
        let cells = try #require(expected["att_gt"] as? [[String: Any]])
        #expect(result.groupTime.count == cells.count, "\(caseName): number of ATT(g,t)")
        for (cell, want) in zip(result.groupTime, cells) {
            #expect(Int(result.periodLabel(cell.group)) == want["group"] as? Int, "\(caseName): cell group")
            #expect(Int(result.periodLabel(cell.time)) == want["time"] as? Int, "\(caseName): cell time")
            comparison.check("ATT(\(result.periodLabel(cell.group)),\(result.periodLabel(cell.time)))",
                             .init(estimate: cell.estimate, standardError: cell.standardError), want)
        }
        try Reference.checkAggregations(result, expected, kinds: [.simple, .dynamic], comparison: comparison)
        #expect(result.notes.contains { $0.contains("accounting for anticipation") }, "\(caseName): the 2004 cohort's drop is noted")
        print("CS anticipation \(caseName): max |Δ| estimate \(comparison.worstEstimate), std. error \(comparison.worstStandardError)")
    }

    /// Oracle: definition — anticipation 0 is the default (bit-identical results).
    @Test func zeroIsTheDefault() throws {
        let panel = try Self.panel()
        let plain = try CallawaySantAnna().estimate(panel)
        let zero = try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: 0)).estimate(panel)
        #expect(plain.groupTime.map(\.estimate) == zero.groupTime.map(\.estimate))
        #expect(plain.simple.overall.standardError == zero.simple.overall.standardError)
    }

    /// Oracle: definition — a negative count, or one that leaves no cohort a base period before its
    /// anticipation starts (mpdta: cohorts 2004, 2006, 2007 in 2003–2007; k = 3 leaves none), is refused.
    @Test func refusesInvalidAnticipation() throws {
        let panel = try Self.panel()
        #expect(throws: CallawaySantAnnaError.invalidAnticipation(-1, periodCount: 5, firstCohort: nil)) {
            try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: -1)).estimate(panel)
        }
        #expect(throws: CallawaySantAnnaError.invalidAnticipation(4, periodCount: 5, firstCohort: "2004")) {
            try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: 4)).estimate(panel)
        }
        // k = 3: only cohort 2007 keeps a base period (2003).
        let three = try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: 3)).estimate(panel)
        #expect(Set(three.groupTime.map { result in three.periodLabel(result.group) }) == ["2007"])
    }
}
