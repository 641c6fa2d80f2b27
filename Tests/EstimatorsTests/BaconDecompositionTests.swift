import Foundation
import Testing
@testable import Estimators

/// Goodman-Bacon (2021) decomposition. Oracles: (1) the decomposition identity — weights sum to
/// one and `Σ s β̂` equals the TWFE coefficient from the regression core, to 1e-12 (rounding of
/// sums of ~10 terms); (2) diff-diff 3.13.0 `bacon_decompose(df, outcome="Y", unit="U",
/// time="T", first_treat="G", weights="exact")` golden values from
/// `scripts/reference/make_robust_reference.py`, every 2×2 estimate and weight to 1e-10
/// (diff-diff normalises by Σ numerators, we by V̂^D: they agree to rounding); (3) a hand
/// computation on a noise-free three-cohort toy panel.
@Suite("Goodman-Bacon decomposition")
struct BaconDecompositionTests {
    @Test("components and weights match diff-diff; they add up to TWFE", arguments: ["mpdta_bacon", "synthetic_bacon"])
    func matchesDiffDiff(name: String) throws {
        let (reference, panel) = try RobustReference.load("bacon", name)
        let result = try BaconDecomposition().decompose(panel)
        let expected = try #require(reference["comparisons"] as? [[String: Any]])
        #expect(result.comparisons.count == expected.count, "\(name): number of comparisons")
        for row in expected {
            let type = try #require(row["type"] as? String)
            let treated = String(try #require(row["treated"] as? Int))
            let controlCode = try #require(row["control"] as? Int)
            let control = controlCode == 0 ? "never" : String(controlCode)
            let match = try #require(result.comparisons.first {
                $0.type.rawValue == type && $0.treatedLabel == treated && $0.controlLabel == control
            }, "\(name): \(type) \(treated) vs \(control) missing")
            #expect(relativeDifference(match.estimate, try #require(row["estimate"] as? Double)) < 1e-10, "\(name) \(type) \(treated)/\(control): estimate")
            #expect(relativeDifference(match.weight, try #require(row["weight"] as? Double)) < 1e-10, "\(name) \(type) \(treated)/\(control): weight")
        }
        let twfe = try #require(reference["twfe"] as? Double)
        #expect(relativeDifference(result.twfeCoefficient, twfe) < 1e-10, "\(name): TWFE")
        #expect(abs(result.weightSum - 1) < 1e-12, "\(name): Σ s = \(result.weightSum)")
        #expect(abs(result.weightedSum - result.twfeCoefficient) < 1e-12, "\(name): Σ s β = \(result.weightedSum) vs \(result.twfeCoefficient)")
        let byType = BaconResult.ComparisonType.allCases.reduce(0) { $0 + result.weight(of: $1) }
        #expect(abs(byType - 1) < 1e-12)
    }

    /// Toy panel: 6 units × 6 periods, cohorts at period index 2 (2 units) and 4 (1 unit), 3 never
    /// treated; y = unit + period effects + a cohort-specific effect, no noise. Hand computation:
    /// n = (2/6, 1/6, 3/6), D̄ = (4/6, 2/6); each 2×2 is a difference of group-period means.
    @Test("three-group toy panel by hand")
    func toyPanelByHand() throws {
        let effect: [Int32: Double] = [2: 1.0, 4: 3.0]
        let panel = try BaconToyPanel.make(adoption: [2, 2, 4, .max, .max, .max], periods: 6) { unit, t, g in
            Double(unit) * 0.5 + Double(t * t) * 0.1 + (t >= Int(g) && g != .max ? (effect[g] ?? 0) * Double(t - Int(g) + 1) : 0)
        }
        let result = try BaconDecomposition().decompose(panel)
        // Effects by cohort and event time: cohort 2 gets 1·(e+1), cohort 4 gets 3·(e+1).
        // Early (2) vs never: post t=2..5 mean of 1,2,3,4 = 2.5; pre 0.
        let treatedVsNever2 = try #require(result.comparisons.first { $0.type == .treatedVsNever && $0.treatedLabel == "3" })
        #expect(abs(treatedVsNever2.estimate - 2.5) < 1e-12)
        // Late (4) vs never: post t=4,5 → 3, 6 → 4.5.
        let treatedVsNever4 = try #require(result.comparisons.first { $0.type == .treatedVsNever && $0.treatedLabel == "5" })
        #expect(abs(treatedVsNever4.estimate - 4.5) < 1e-12)
        // Early vs late, window t<4: cohort 2's post t=2,3 → 1.5, late untreated → 1.5.
        let early = try #require(result.comparisons.first { $0.type == .earlierVsLater })
        #expect(abs(early.estimate - 1.5) < 1e-12)
        // Late vs early, window t≥2: late post (t=4,5) 4.5 − pre 0; early post (3+4)/2 − pre (1+2)/2 = 2 → 2.5.
        let late = try #require(result.comparisons.first { $0.type == .laterVsEarlier })
        #expect(abs(late.estimate - 2.5) < 1e-12)
        // Weights (eqs. 10e–g numerators) / V̂^D.
        let n2 = 2.0 / 6, n4 = 1.0 / 6, nU = 3.0 / 6, d2 = 4.0 / 6, d4 = 2.0 / 6
        func pairShare(_ a: Double, _ b: Double) -> Double { let s = a / (a + b); return s * (1 - s) }
        let s2U = (n2 + nU) * (n2 + nU) * pairShare(n2, nU) * d2 * (1 - d2)
        let s4U = (n4 + nU) * (n4 + nU) * pairShare(n4, nU) * d4 * (1 - d4)
        let sEarly = pow((n2 + n4) * (1 - d4), 2) * pairShare(n2, n4) * (d2 - d4) / (1 - d4) * (1 - d2) / (1 - d4)
        let sLate = pow((n2 + n4) * d2, 2) * pairShare(n2, n4) * (d4 / d2) * (d2 - d4) / d2
        let total = s2U + s4U + sEarly + sLate
        #expect(abs(treatedVsNever2.weight - s2U / total) < 1e-12)
        #expect(abs(treatedVsNever4.weight - s4U / total) < 1e-12)
        #expect(abs(early.weight - sEarly / total) < 1e-12)
        #expect(abs(late.weight - sLate / total) < 1e-12)
        #expect(abs(result.treatmentVariance - total) < 1e-12, "Theorem 1: V̂^D = Σ numerators")
        #expect(abs(result.weightedSum - result.twfeCoefficient) < 1e-12)
    }

    @Test("bad input: unbalanced panel, covariates, no variation")
    func badInput() throws {
        let unbalanced = try Panel.load(csv: Fixtures.path("synthetic_unbalanced.csv"),
                                        spec: PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort")))
        #expect(throws: HeterogeneityRobustError.unbalancedPanel(method: "bacon", observations: unbalanced.observationCount,
                                                              units: unbalanced.unitCount, periods: unbalanced.periodCount)) {
            try BaconDecomposition().decompose(unbalanced)
        }
        let withCovariates = try Panel.load(csv: Fixtures.path("synthetic.csv"),
                                            spec: PanelSpec(outcome: "y", unit: "unit", time: "year",
                                                            treatment: .cohort("cohort"), covariates: ["x1"]))
        #expect(throws: HeterogeneityRobustError.covariatesNotSupported(method: "bacon", covariates: ["x1"])) {
            try BaconDecomposition().decompose(withCovariates)
        }
        let never = try BaconToyPanel.make(adoption: [.max, .max, .max], periods: 4) { unit, t, _ in Double(unit + t) }
        #expect(throws: HeterogeneityRobustError.noTreatmentVariation(method: "bacon")) {
            try BaconDecomposition().decompose(never)
        }
        let message = HeterogeneityRobustError.unbalancedPanel(method: "bacon", observations: 5, units: 2, periods: 3).description
        #expect(message.contains("unbalanced") && message.contains("2 units × 3 periods = 6"))
    }
}

/// Small balanced panels built in memory for the Bacon and TWFE-weights tests.
enum BaconToyPanel {
    /// `adoption[i]` is unit i's adoption period index (`Int32.max` = never); periods are labelled
    /// 1…T (so adoption index g has label g + 1); `outcome(unit, t, g)`.
    static func make(adoption: [Int32], periods: Int, outcome: (Int, Int, Int32) -> Double) throws -> Panel {
        var units: [Int32] = [], times: [Int32] = [], y: [Double] = []
        for (unit, g) in adoption.enumerated() {
            for t in 0..<periods {
                units.append(Int32(unit)); times.append(Int32(t)); y.append(outcome(unit, t, g))
            }
        }
        return try Panel(unitIndex: units, periodIndex: times, unitCount: adoption.count, periodCount: periods,
                         outcomeName: "y", outcome: y, adoptionPeriod: adoption,
                         periodValues: (0..<periods).map { Double($0 + 1) })
    }
}
