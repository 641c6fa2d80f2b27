import Foundation
import Testing
@testable import Estimators

/// de Chaisemartin & D'Haultfœuille (2020) TWFE weights. Oracles: diff-diff 3.13.0
/// `twowayfeweights(df, outcome="Y", unit="U", time="T", treatment="D")` golden values from
/// `scripts/reference/make_robust_reference.py` (which also checks them against the closed form
/// `ε_it / Σ_{D=1} ε`, agreement 2e-16); Theorem 1 itself on a noise-free toy panel.
/// Tolerance 1e-10: two exact solves of the same regression, differing in summation order.
@Suite("TWFE weights (de Chaisemartin–D'Haultfœuille)")
struct BaconTWFEWeightsTests {
    @Test("weights, negative count and sum, σ_fe match diff-diff", arguments: ["mpdta_weights", "synthetic_weights"])
    func matchesDiffDiff(name: String) throws {
        let (reference, panel) = try RobustReference.load("twfe_weights", name)
        let weights = try TWFEWeights(panel: panel)
        #expect(weights.negativeCount == reference["negative_count"] as? Int, "\(name): negative count")
        #expect(weights.treatedCount == reference["treated_cells"] as? Int, "\(name): treated observations")
        #expect(abs(weights.negativeSum - (try #require(reference["negative_sum"] as? Double))) < 1e-10, "\(name): negative sum")
        #expect(abs(weights.positiveSum - (try #require(reference["positive_sum"] as? Double))) < 1e-10, "\(name): positive sum")
        #expect(relativeDifference(weights.twfeCoefficient, try #require(reference["beta_fe"] as? Double)) < 1e-10, "\(name): β")
        #expect(relativeDifference(weights.sigmaFE, try #require(reference["sigma_fe"] as? Double)) < 1e-10, "\(name): σ_fe")
        let cells = try #require(reference["cells"] as? [[String: Any]])
        #expect(weights.cells.count == cells.count)
        for cell in cells {
            let cohort = String(try #require(cell["cohort"] as? Int)), period = String(try #require(cell["period"] as? Int))
            let match = try #require(weights.cells.first { $0.cohortLabel == cohort && $0.periodLabel == period })
            #expect(match.units == cell["units"] as? Int)
            #expect(abs(match.weight - (try #require(cell["weight"] as? Double))) < 1e-12, "\(name) \(cohort)/\(period)")
        }
        #expect(abs(weights.cells.reduce(0) { $0 + $1.share } - 1) < 1e-12)
    }

    /// Theorem 1 with no noise: y = α_i + λ_t + Δ_gt D_it, effects growing with exposure and
    /// differing by cohort; then β̂_TWFE = Σ_cells share · Δ exactly. The design has a cohort
    /// treated in the last period only, so some weights are negative.
    @Test("Σ weights × cell effects equals TWFE under heterogeneous effects")
    func theoremOneOnToyPanel() throws {
        let adoption: [Int32] = [1, 1, 2, 3, 4, 4, 5]
        func delta(_ g: Int32, _ t: Int) -> Double { Double(t - Int(g) + 1) * (g == 1 ? 2.0 : 0.5) + Double(g) * 0.1 }
        let panel = try BaconToyPanel.make(adoption: adoption, periods: 6) { unit, t, g in
            Double(unit) * 0.7 - Double(t) * 0.3 + (t >= Int(g) ? delta(g, t) : 0)
        }
        let weights = try TWFEWeights(panel: panel)
        let implied = weights.cells.reduce(0) { $0 + $1.share * delta($1.cohort, $1.period) }
        #expect(abs(implied - weights.twfeCoefficient) < 1e-12, "Σ c Δ = \(implied), TWFE \(weights.twfeCoefficient)")
        let regression = try TwoWayFixedEffects().estimate(panel)
        #expect(abs(regression.coefficients[0] - weights.twfeCoefficient) < 1e-12)
        #expect(weights.negativeCount > 0, "late cells of the early cohort get negative weight when all units end treated")
        #expect(abs(weights.negativeSum + weights.positiveSum - 1) < 1e-12)
    }

    /// The pilot calendar (282 cities × 2009–2022; 24 adopt 2013, 13 adopt 2014): without the
    /// national scheme no weight is negative; coding all 245 remaining cities as treated from 2021
    /// creates negative weights. Counts and sums from diff-diff 3.13.0 on the same design.
    @Test("pilot design: negative weights appear only with the 2021 national scheme", arguments: [false, true])
    func pilotDesign(national: Bool) throws {
        let reference = try #require(RobustReference.referenceCase("twfe_weights", national ? "pilot_national" : "pilot"))
        let adoption: [Int32] = (0..<282).map { $0 < 24 ? 4 : $0 < 37 ? 5 : (national ? 12 : .max) }
        let panel = try BaconToyPanel.make(adoption: adoption, periods: 14) { unit, t, g in
            0.001 * Double(unit + 1) * Double(t + 1).squareRoot() + (t >= Int(g) && g != .max ? 0.01 : 0)
        }
        let weights = try TWFEWeights(panel: panel)
        #expect(weights.negativeCount == reference["negative_count"] as? Int)
        #expect(abs(weights.negativeSum - (try #require(reference["negative_sum"] as? Double))) < 1e-10)
        #expect(relativeDifference(weights.twfeCoefficient, try #require(reference["beta_fe"] as? Double)) < 1e-10)
        #expect(national ? weights.negativeCount > 0 : weights.negativeCount == 0)
    }

    @Test("bad input: covariates, no treated observations")
    func badInput() throws {
        let withCovariates = try Panel.load(csv: Fixtures.path("synthetic.csv"),
                                            spec: PanelSpec(outcome: "y", unit: "unit", time: "year",
                                                            treatment: .cohort("cohort"), covariates: ["x1", "x2"]))
        #expect(throws: HeterogeneityRobustError.covariatesNotSupported(method: "twfe weights", covariates: ["x1", "x2"])) {
            try TWFEWeights(panel: withCovariates)
        }
        let never = try BaconToyPanel.make(adoption: [.max, .max], periods: 3) { unit, t, _ in Double(unit * t) }
        #expect(throws: HeterogeneityRobustError.noTreatedObservations(method: "twfe weights")) { try TWFEWeights(panel: never) }
    }
}
