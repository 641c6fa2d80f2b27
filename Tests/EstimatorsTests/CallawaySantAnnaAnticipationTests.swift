import Foundation
import Testing
@testable import Estimators

/// R `did`'s `anticipation = k` through golden values from csdid 0.4.3 and diff-diff 3.13.0
/// (`scripts/reference/make_cs_anticipation_reference.py` → `Tests/Fixtures/cs_anticipation_reference.json`):
/// `ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first.treat', control_group, anticipation=k)
/// .fit(est_method='dr', base_period, bstrap=False)` and `.aggte(typec, bstrap=False, cband=False)` on mpdta.
/// R did's `compute.att_gt` takes a short difference (base t − 1) for every cell before g — inside the
/// anticipation window g − k ≤ t < g too — and the long base g − 1 − k from g on. csdid 0.4.3 uses the
/// long base inside the window, diff-diff the short one; the two agree for k = 1 (where both bases
/// are g − 2). So for k ≥ 2 under the varying base the window cells t = g − k + 1 … g − 1 and the
/// dynamic aggregation's e = −k + 1 … −1 are checked against diff-diff, everything else against
/// csdid (diff-diff's own aggregations count t ≥ g − k as post-treatment, so its overall numbers are
/// not used). Tolerance 1e-8 absolute, as the other CS parity tests.
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
        let expected = try Self.expected(reference)
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

    /// csdid's values, with R did's short-difference window cells (k ≥ 2, varying base) and the
    /// dynamic aggregation's window event times taken from diff-diff.
    static func expected(_ reference: [String: Any]) throws -> [String: Any] {
        var expected = try #require(reference["csdid"] as? [String: Any])
        let k = try #require(reference["anticipation"] as? Int)
        guard k >= 2, reference["base_period"] as? String == "varying" else { return expected }
        let short = try #require(reference["diff_diff"] as? [String: Any])
        let shortCells = try #require(short["att_gt"] as? [[String: Any]])
        func isWindow(_ cell: [String: Any]) -> Bool {
            guard let g = cell["group"] as? Int, let t = cell["time"] as? Int else { return false }
            return t >= g - k + 1 && t <= g - 1
        }
        let cells = try #require(expected["att_gt"] as? [[String: Any]]).map { cell -> [String: Any] in
            guard isWindow(cell) else { return cell }
            return shortCells.first { $0["group"] as? Int == cell["group"] as? Int && $0["time"] as? Int == cell["time"] as? Int } ?? cell
        }
        expected["att_gt"] = cells
        var dynamic = try #require(expected["dynamic"] as? [String: Any])
        let shortParts = try #require((short["dynamic"] as? [String: Any])?["by"] as? [[String: Any]])
        dynamic["by"] = try #require(dynamic["by"] as? [[String: Any]]).map { part -> [String: Any] in
            guard let e = part["key"] as? Int, e >= -k + 1, e <= -1 else { return part }
            return shortParts.first { $0["key"] as? Int == e } ?? part
        }
        expected["dynamic"] = dynamic
        return expected
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
        // More periods than the panel has (here beyond Int32, which once trapped) is refused too.
        #expect(throws: CallawaySantAnnaError.invalidAnticipation(3_000_000_000, periodCount: 5, firstCohort: nil)) {
            try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: 3_000_000_000)).estimate(panel)
        }
        // k = 3: only cohort 2007 keeps a base period (2003).
        let three = try CallawaySantAnna(options: CallawaySantAnnaOptions(anticipation: 3)).estimate(panel)
        #expect(Set(three.groupTime.map { result in three.periodLabel(result.group) }) == ["2007"])
    }
}
