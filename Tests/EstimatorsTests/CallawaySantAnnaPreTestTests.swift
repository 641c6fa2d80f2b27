import Foundation
import Testing
@testable import Estimators

/// R `did`'s pre-test of parallel trends (`att_gt`'s `W` and `Wpval`) through golden values from
/// `scripts/reference/make_cs_pretest_reference.py` → `Tests/Fixtures/cs_pretest_reference.json`:
/// - moderndid 0.4.1 `att_gt(..., anticipation=k, boot=False, cband=False).wald_stat` (R's cell rule,
///   t < g) for every unclustered case (mpdta: never and not-yet-treated controls, varying and universal
///   base period, anticipation 0 and 1; synthetic.csv);
/// - csdid 0.4.3 `ATTgt(..., clustervar='province').fit(bstrap=False).MP['W']` for the clustered cases
///   (moderndid reports no clustered pre-test). With anticipation 0 csdid and moderndid agree within
///   1.2e-14 (recorded in the fixture); with anticipation 1 csdid tests only t < g − 1 (not compared).
///
/// Tolerances: the statistic 1e-8 relative (the CS parity tolerance; the implementations differ in
/// summation order and the solver, Cholesky here, LU there); the p-value 1e-8 absolute against
/// `scipy.stats.chi2.sf(W, q)` of the reference W, and within 5e-6 of the reference's own p-value,
/// which R and both ports round to 5 decimals.
@Suite("Callaway-Sant'Anna pre-test of parallel trends")
struct CallawaySantAnnaPreTestTests {
    static let caseNames = ["mpdta_never_varying_a0", "mpdta_never_universal_a0", "mpdta_notyet_varying_a0",
                            "mpdta_notyet_universal_a0", "mpdta_never_varying_a1", "mpdta_never_universal_a1",
                            "mpdta_notyet_varying_a1", "mpdta_notyet_universal_a1", "synthetic_never_varying_a0",
                            "synthetic_treated_notyet_varying_a0_province", "synthetic_treated_notyet_universal_a0_province"]

    static func estimate(_ reference: [String: Any]) throws -> CallawaySantAnnaResult {
        let cluster = reference["cluster"] as? String
        let spec = PanelSpec(outcome: try #require(reference["y"] as? String), unit: try #require(reference["unit"] as? String),
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)),
                             clusterColumns: cluster.map { [$0] } ?? [])
        let panel = try Panel.load(csv: try CallawaySantAnnaReference.dataPath(reference), spec: spec)
        let control = try #require(reference["control"] as? String), base = try #require(reference["base_period"] as? String)
        let options = CallawaySantAnnaOptions(
            controlGroup: try #require(CallawaySantAnnaOptions.ControlGroup(rawValue: control)),
            basePeriod: try #require(CallawaySantAnnaOptions.BasePeriod(rawValue: base)),
            cluster: cluster, anticipation: try #require(reference["anticipation"] as? Int))
        return try CallawaySantAnna(options: options).estimate(panel)
    }

    @Test("W, q and the p-value match the reference", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try CallawaySantAnnaReference.referenceCase(caseName, in: "cs_pretest_reference.json")
        let source = try #require(reference["reference"] as? String)
        let expected = try #require(reference[source] as? [String: Any])
        let result = try Self.estimate(reference)
        let test = try #require(result.preTest, "\(caseName): the pre-test is reported")
        let statistic = try #require(expected["W"] as? Double)
        #expect(test.degreesOfFreedom == expected["q"] as? Int, "\(caseName): q")
        #expect(abs(test.statistic - statistic) <= 1e-8 * statistic, "\(caseName): W \(test.statistic) vs \(statistic)")
        let unrounded = try #require(expected["p_value_unrounded"] as? Double)
        let rounded = try #require(expected["Wpval"] as? Double)
        #expect(abs(test.pValue - unrounded) <= 1e-8, "\(caseName): p")
        #expect(abs(test.pValue - rounded) <= 5e-6, "\(caseName): rounded p")
        // The tested cells are the reference's pre-treatment cells with a usable standard error.
        let cells = try #require(expected["pre_cells"] as? [[String: Any]])
        let usable = cells.filter { ($0["std_error"] as? Double).map { $0.isFinite && $0 > CallawaySantAnnaPreTest.smallestStandardError } ?? false }
        #expect(test.cells.map { Int(result.periodLabel(result.groupTime[$0].time)) } == usable.map { $0["time"] as? Int },
                "\(caseName): tested cells")
        print("CS pre-test \(caseName) [\(source)]: W \(test.statistic) (reference \(statistic), rel. Δ "
              + "\(abs(test.statistic - statistic) / statistic)), q \(test.degreesOfFreedom), p \(test.pValue)")
    }

    /// Oracle: csdid 0.4.3 reports no pre-test (singular covariance) for 12 pre cells clustered in 12
    /// provinces — the cluster sums of an influence function add to 0, so the rank is at most G − 1.
    @Test func singularClusteredCovarianceIsNotReported() throws {
        let reference = try CallawaySantAnnaReference.referenceCase("synthetic_never_varying_a0_province",
                                                                    in: "cs_pretest_reference.json")
        let csdid = try #require(reference["csdid"] as? [String: Any])
        #expect(csdid["W"] is NSNull)
        let result = try Self.estimate(reference)
        #expect(result.preTest == nil)
        #expect(result.notes.contains { $0.contains("is singular") })
    }

    /// Oracle: definition — with every cohort treated from the second period there is no t < g cell,
    /// so no test, and a note says so.
    @Test func noPreTreatmentCellIsNoted() throws {
        var rows = ["unit,time,cohort,y"]
        for unit in 1...6 {
            for time in 1...3 { rows.append("\(unit),\(time),\(unit <= 3 ? 2 : 0),\(Double(unit * time % 5) + 0.1 * Double(time))") }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cs-pretest-\(ProcessInfo.processInfo.processIdentifier).csv").path
        try rows.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let panel = try Panel.load(csv: path, spec: PanelSpec(outcome: "y", unit: "unit", time: "time", treatment: .cohort("cohort")))
        let result = try CallawaySantAnna().estimate(panel)
        #expect(result.preTest == nil)
        #expect(result.notes.contains { $0.contains("No pre-treatment ATT(g,t)") })
    }
}
