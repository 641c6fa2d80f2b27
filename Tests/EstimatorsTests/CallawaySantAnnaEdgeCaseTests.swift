import Foundation
import Testing
@testable import Estimators

/// Cells that cannot be estimated, and unbalanced panels, against csdid 0.4.3 (the Python port
/// tracking R did 2.5.1; `scripts/reference/make_cs_edge_reference.py` →
/// `Tests/Fixtures/cs_edge_reference.json`, on the committed fixtures `cs_separation.csv` and
/// `mpdta_unbalanced.csv` that the same script writes).
///
/// Calls: `ATTgt(yname, tname, idname, gname, data, control_group, xformla,
/// allow_unbalanced_panel).fit(est_method, base_period, bstrap=False)` and `.aggte(typec,
/// bstrap=False, cband=False, na_rm)`. csdid returns NaN for a cell whose preliminary logit
/// reaches a propensity score of 0.999 (R did: NA, "overlap condition violated"), and its
/// `aggte(na_rm=True)` leaves those cells out; that is the oracle for the cells DiDLab names and
/// for its aggregations with ``CallawaySantAnnaOptions/FailedCellPolicy/dropFromAggregations``.
/// Tolerance 1e-8 absolute, as the balanced parity tests (`CallawaySantAnnaParityTests`):
/// only summation order, solvers and the logit's stopping rule differ.
@Suite("Callaway-Sant'Anna edge cases: failed cells and unbalanced panels, parity with csdid")
struct CallawaySantAnnaEdgeCaseTests {
    typealias Reference = CallawaySantAnnaReference

    static func referenceCase(_ name: String) throws -> [String: Any] {
        try Reference.referenceCase(name, in: "cs_edge_reference.json")
    }

    /// The csdid NaN cells as "ATT(g,t)" names.
    static func failedNames(_ expected: [String: Any]) throws -> [String] {
        let cells = try #require(expected["att_gt"] as? [[String: Any]])
        return cells.filter { !($0["estimate"] is Double) }.map { "ATT(\($0["group"] ?? ""),\($0["time"] ?? ""))" }
    }

    /// Every cell and aggregation of `result` against the reference, failed cells by name.
    static func compare(_ result: CallawaySantAnnaResult, _ expected: [String: Any], label: String) throws {
        let comparison = Reference.Comparison(label: label)
        let cells = try #require(expected["att_gt"] as? [[String: Any]])
        #expect(result.groupTime.count == cells.count, "\(label): number of ATT(g,t)")
        for (cell, want) in zip(result.groupTime, cells) {
            let name = "ATT(\(result.periodLabel(cell.group)),\(result.periodLabel(cell.time)))"
            #expect(Int(result.periodLabel(cell.group)) == want["group"] as? Int && Int(result.periodLabel(cell.time)) == want["time"] as? Int,
                    "\(label): cell order")
            if want["estimate"] is Double {
                #expect(cell.isEstimable, "\(label) \(name): csdid estimates it, DiDLab says \(cell.failure ?? "")")
                comparison.check(name, .init(estimate: cell.estimate, standardError: cell.standardError), want)
            } else {
                #expect(!cell.isEstimable && cell.estimate.isNaN && cell.standardError.isNaN, "\(label) \(name): csdid NaN")
            }
        }
        try Reference.checkAggregations(result, expected, kinds: CallawaySantAnnaResult.AggregationKind.allCases,
                                        comparison: comparison)
        print("CS edge parity \(label): max |Δ| \(max(comparison.worstEstimate, comparison.worstStandardError))")
    }

    /// Estimates the case `caseName` with the given policies and compares every cell and
    /// aggregation with its reference (``compare(_:_:label:)``).
    static func estimateAndCompare(_ caseName: String, unbalanced: CallawaySantAnnaOptions.UnbalancedPanelPolicy = .reject)
        throws -> CallawaySantAnnaResult {
        let reference = try referenceCase(caseName)
        let result = try Reference.estimate(reference, unbalanced: unbalanced)
        try compare(result, try #require(reference["expected"] as? [String: Any]), label: caseName)
        return result
    }

    @Test("a separating covariate: other cells and na.rm aggregations match csdid, failed cells are named",
          arguments: ["separation_dr", "separation_ipw", "separation_dr_notyet"])
    func separatedCellsDropped(caseName: String) throws {
        let reference = try Self.referenceCase(caseName)
        let expected = try #require(reference["expected"] as? [String: Any])
        let failed = try Self.failedNames(expected)
        #expect(!failed.isEmpty, "the fixture must separate some cells")
        let result = try Reference.estimate(reference, failedCells: .dropFromAggregations)
        try Self.compare(result, expected, label: caseName)
        let reasons = result.groupTime.filter { !$0.isEstimable }.compactMap(\.failure)
        #expect(reasons.allSatisfy { $0.hasPrefix("overlap fails") }, "\(reasons)")
        let note = try #require(result.notes.first { $0.contains("not estimable, left out of every aggregation") })
        for name in failed { #expect(note.contains(name), "\(name) in \(note)") }
        // Cohort 2004 fails in every post-treatment period under never-treated controls: it leaves
        // the group aggregation (csdid's na_rm group keys are 2003 and 2005).
        if caseName != "separation_dr_notyet" {
            #expect(result.notes.contains("Cohort 2004 has no estimable post-treatment ATT(g,t): left out of the group aggregation"))
        }
        #expect(result.notes.contains { $0.hasPrefix("Cohort 2005 has a single unit") })
    }

    @Test("by default the failed cells stop the estimate, every one named (R did's aggte without na.rm)")
    func separatedCellsRejected() throws {
        let reference = try Self.referenceCase("separation_dr")
        let expected = try #require(reference["expected"] as? [String: Any])
        // csdid/R did without na_rm: "Missing values at att_gt found. If you want to remove these, set `na_rm = True`."
        #expect((expected["without_na_rm"] as? String)?.hasPrefix("Missing values at att_gt found") == true)
        do {
            _ = try Reference.estimate(reference)
            Issue.record("expected cellsNotEstimable")
        } catch let CallawaySantAnnaError.cellsNotEstimable(cells, total) {
            let names = try Self.failedNames(expected)
            #expect(cells.map(\.name) == names)
            #expect(total == 15)
            let message = CallawaySantAnnaError.cellsNotEstimable(cells, total: total).description
            #expect(message.hasPrefix("Callaway-Sant'Anna: 7 of 15 ATT(g,t) cannot be estimated: " + names.joined(separator: ", ")
                                      + " (overlap fails: the covariates separate the cohort"))
            #expect(!message.contains("--"), "a library message names no flag")
        }
    }

    @Test("the outcome regression needs no propensity score: every cell is estimated, as csdid")
    func outcomeRegressionUnaffected() throws {
        let result = try Self.estimateAndCompare("separation_reg")
        #expect(result.groupTime.allSatisfy { $0.isEstimable })
    }

    @Test("unbalanced mpdta balanced by dropping incomplete units matches csdid (R did's default)",
          arguments: ["unbalanced_balance", "unbalanced_balance_lpop", "unbalanced_balance_notyet_universal"])
    func balanceMode(caseName: String) throws {
        let result = try Self.estimateAndCompare(caseName, unbalanced: .dropIncompleteUnits)
        let incomplete = try #require((Fixtures.json("cs_edge_reference.json")["fixtures"] as? [String: Any])?["mpdta_unbalanced.csv"] as? [String: Any])
        #expect(incomplete["incomplete_units"] as? Int == 109)
        #expect(result.unitCount == 391 && result.observationCount == 391 * 5)
        #expect(result.notes.contains("Dropped 109 units not observed in every period to balance the panel (as R did by default)"))
    }

    @Test("unbalanced mpdta estimated as repeated cross sections matches csdid (allow_unbalanced_panel = TRUE)",
          arguments: ["unbalanced_allow", "unbalanced_allow_notyet", "unbalanced_allow_universal"])
    func allowMode(caseName: String) throws {
        let result = try Self.estimateAndCompare(caseName, unbalanced: .allowUnbalanced)
        #expect(result.unitCount == 500 && result.observationCount == 2380)
        #expect(result.notes.contains { $0.hasPrefix("Unbalanced panel: 109 units not observed in every period kept") })
    }

    @Test("unbalanced panels: rejected by default; with covariates the repeated-cross-section mode refuses")
    func unbalancedRefusals() throws {
        #expect(throws: CallawaySantAnnaError.unbalancedPanel(unitsMissingPeriods: 109, periodCount: 5)) {
            try Reference.estimate(try Self.referenceCase("unbalanced_balance"))
        }
        // csdid estimates this case (its values are recorded in the reference for a future
        // implementation of DRDID's drdid_rc / reg_did_rc / std_ipw_did_rc); DiDLab refuses.
        #expect(throws: CallawaySantAnnaError.unbalancedWithCovariates(unitsMissingPeriods: 109)) {
            try Reference.estimate(try Self.referenceCase("unbalanced_allow_lpop"), unbalanced: .allowUnbalanced)
        }
    }

    @Test("allow on a balanced panel is the panel estimator (R did checks balance first)")
    func allowOnBalancedPanel() throws {
        // Oracle: the balanced estimate itself (R did switches allow_unbalanced_panel off when balanced).
        let panel = try Fixtures.mpdta()
        let panelEstimate = try CallawaySantAnna().estimate(panel)
        let allowed = try CallawaySantAnna(options: .init(unbalancedPanel: .allowUnbalanced)).estimate(panel)
        #expect(allowed.groupTime == panelEstimate.groupTime)
        #expect(!allowed.notes.contains { $0.hasPrefix("Unbalanced panel") })
    }

    /// A two-period panel: `treatedX` for the cohort adopting in period 1, `controlX` for the
    /// never-treated units, as covariate columns (constant over time); outcomes from a fixed rule.
    static func twoPeriodPanel(treatedX: [[Double]], controlX: [[Double]]) throws -> Panel {
        let rows = treatedX + controlX
        var units: [Int32] = [], periods: [Int32] = [], y: [Double] = []
        var x = [[Double]](repeating: [], count: rows[0].count)
        for (i, row) in rows.enumerated() {
            for t in 0..<2 {
                units.append(Int32(i)); periods.append(Int32(t))
                y.append(Double(i % 5) * 0.3 + Double(t) * (1 + 0.1 * Double(i % 3)) + (i < treatedX.count && t == 1 ? 0.5 : 0))
                for k in row.indices { x[k].append(row[k]) }
            }
        }
        return try Panel(unitIndex: units, periodIndex: periods, unitCount: rows.count, periodCount: 2, outcomeName: "y",
                         outcome: y, covariateNames: (0..<x.count).map { "x\($0 + 1)" }, covariates: x,
                         adoptionPeriod: treatedX.map { _ in Int32(1) } + controlX.map { _ in Panel.neverTreated },
                         periodLabels: ["2000", "2001"], periodValues: [2000, 2001])
    }

    @Test("near separation (largest propensity score in [0.99, 0.999)) is estimated and noted")
    func nearSeparationNoted() throws {
        // Oracle for the score: statsmodels 0.15.0 GLM(Binomial) on the same 16 units gives a largest
        // fitted probability of 0.9952933413692638 (R did estimates such a cell; its cut-off is 0.999).
        let panel = try Self.twoPeriodPanel(treatedX: [[2], [3], [7], [0]],
                                            controlX: [[-1.5], [-1], [-0.5], [0], [0.5], [1], [-0.2], [0.2], [2.5], [-1.2],
                                                       [0.8], [-0.8]])
        let result = try CallawaySantAnna().estimate(panel)
        #expect(result.groupTime.allSatisfy { $0.isEstimable })
        #expect(result.notes.contains("Cohort 2001: near separation in 1 of its 1 ATT(g,t) (propensity scores up to 0.9952; "
                                      + "R did drops a cell from 0.999 on): ATT(2001,2001); those estimates rest on few comparison units"))
    }

    @Test("quasi-complete separation (a comparison-only region) is not estimable, with its reason; reg is unaffected")
    func quasiSeparation() throws {
        // x1 = 1 only for comparison units: the logit's coefficient on x1 diverges to −∞ while the
        // largest score stays interior, so no maximum-likelihood estimate exists. R's glm stops
        // after 25 iterations with a warning and R did goes on with that fit (csdid 0.4.3 returns
        // ATT 0.48755, SE 0.04368 on this panel with no separation warning); DiDLab reports the
        // cell as not estimable instead (a deliberate divergence).
        let panel = try Self.twoPeriodPanel(
            treatedX: [[0, 0.3], [0, -0.4], [0, 1.1], [0, 0.2], [0, -0.9], [0, 0.6]],
            controlX: [[1, 0.1], [1, -0.5], [1, 0.7], [1, 1.3], [0, 0.5], [0, -0.3], [0, 0.9], [0, -1.2], [0, 0.0],
                       [0, 0.4], [0, -0.7], [0, 1.5]])
        do {
            _ = try CallawaySantAnna().estimate(panel)
            Issue.record("expected cellsNotEstimable")
        } catch let CallawaySantAnnaError.cellsNotEstimable(cells, total) {
            #expect(total == 1 && cells.count == 1)
            #expect(cells.first?.reason.hasPrefix("the propensity-score logit has no maximum-likelihood estimate: quasi-complete") == true)
            // Every cell failed: the error says so (no "leave them out" advice).
            #expect(CallawaySantAnnaError.cellsNotEstimable(cells, total: total).description.hasPrefix("Callaway-Sant'Anna: no ATT(g,t) can be estimated"))
        }
        let regression = try CallawaySantAnna(options: .init(estimationMethod: .outcomeRegression)).estimate(panel)
        #expect(regression.groupTime[0].isEstimable)
    }
}
