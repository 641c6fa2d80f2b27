import Foundation
import Testing
@testable import Estimators

/// de Chaisemartin & D'Haultfœuille (`did_multiplegt_dyn`), binary staggered treatment.
///
/// Oracle: golden values from `scripts/reference/make_dcdh_reference.py` →
/// `Tests/Fixtures/dcdh_reference.json`, moderndid 0.4.1
/// `did_multiplegt(df, yname, idname, tname, dname, effects=L, placebo=K)` (R DIDmultiplegtDYN 2.x's
/// estimator and variance) on mpdta.csv (all effects and placebos; L = 2, K = 1), synthetic.csv (no
/// covariates: dcdh takes none), synthetic_unbalanced.csv and mpdta_unbalanced.csv. diff-diff 3.13
/// gives the same point estimates on the balanced files (within 4.5e-16, recorded in the fixture).
/// Tolerance 1e-8 relative (floor 1e-12) for estimates and standard errors: the same sums in another
/// order (measured differences are near 1e-15); switcher counts exact.
///
/// Also: a closed form (noise-free panel with a constant effect: every effect equals it, every
/// placebo is 0) and the typed errors for inputs the estimator refuses.
@Suite("de Chaisemartin-D'Haultfoeuille event study")
struct ChaisemartinDHaultfoeuilleTests {
    static let caseNames = ["mpdta_all", "mpdta_L2_K1", "synthetic_all", "synthetic_unbalanced_all", "mpdta_unbalanced_all"]

    static func referenceCase(_ name: String) throws -> [String: Any] {
        let cases = Fixtures.json("dcdh_reference.json")["cases"] as? [[String: Any]] ?? []
        return try #require(cases.first { $0["name"] as? String == name }, "case \(name) in dcdh_reference.json")
    }

    static func panel(_ reference: [String: Any]) throws -> Panel {
        let spec = PanelSpec(outcome: try #require(reference["y"] as? String), unit: try #require(reference["unit"] as? String),
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)))
        return try Panel.load(csv: Fixtures.path(try #require(reference["file"] as? String)), spec: spec)
    }

    @Test("effects, placebos and the average total effect match moderndid", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try Self.referenceCase(caseName)
        let panel = try Self.panel(reference)
        let effects = try #require(reference["effects_requested"] as? Int)
        let placebos = try #require(reference["placebos_requested"] as? Int)
        let result = try ChaisemartinDHaultfoeuille(effects: effects, placebos: placebos).estimate(panel)
        #expect(result.unitCount == reference["n_units"] as? Int, "\(caseName): units")
        #expect(result.switcherCount == reference["n_switchers"] as? Int, "\(caseName): switchers")

        var rows = (reference["effects"] as? [[String: Any]] ?? []) + (reference["placebos"] as? [[String: Any]] ?? [])
        var att = try #require(reference["att"] as? [String: Any])
        att["term"] = "att"
        rows.append(att)
        #expect(result.horizons.count == rows.count, "\(caseName): reported rows")
        var largest = 0.0
        for row in rows {
            let term = try #require(row["term"] as? String)
            let ours = try #require(result.horizons.first { $0.term == term }, "\(caseName): \(term) reported")
            let estimate = try #require(row["estimate"] as? Double), se = try #require(row["std_error"] as? Double)
            #expect(relativeDifference(ours.effect.estimate, estimate) <= 1e-8, "\(caseName) \(term): \(ours.effect.estimate) vs \(estimate)")
            #expect(relativeDifference(ours.effect.standardError, se) <= 1e-8, "\(caseName) \(term) se: \(ours.effect.standardError) vs \(se)")
            #expect(ours.switcherCount == row["n_switchers"] as? Int, "\(caseName) \(term): switchers")
            largest = max(largest, abs(ours.effect.estimate - estimate), abs(ours.effect.standardError - se))
        }
        print("dcdh \(caseName): max abs difference to moderndid \(largest) over \(rows.count) rows")
    }

    @Test("defaults: every effect and placebo the data reach (mpdta: e+0..e+3, e-2..e-3)")
    func defaults() throws {
        let result = try ChaisemartinDHaultfoeuille().estimate(try Fixtures.mpdta())
        #expect(result.effectNames == ["e+0", "e+1", "e+2", "e+3", "e-2", "e-3", "att"])
        #expect(result.effects.map(\.eventTime) == [0, 1, 2, 3])
        #expect(result.placebos.map(\.eventTime) == [-2, -3])
        // The registry maps L lags to e+0..e+L and K leads to e-2..e-K, as the event study.
        let entry = try EstimatorRegistry.require("dcdh")
        var settings = EstimatorSettings(variance: .cluster("countyreal"))
        settings.lags = 1
        settings.leads = 2
        let windowed = try entry.make(settings).fit(try Fixtures.mpdta())
        #expect(windowed.effectNames == ["e+0", "e+1", "e-2", "att"])
        #expect(windowed.effectEstimate(named: "att") != nil)
    }

    @Test("closed form: a constant effect on a noise-free panel gives it at every horizon, placebos 0")
    func closedForm() throws {
        let panel = try BaconToyPanel.make(adoption: [2, 2, 3, 5, .max, .max, 4], periods: 7) { unit, t, g in
            0.3 * Double(unit) + 0.1 * Double(t * t) + (g != .max && t >= Int(g) ? 1.5 : 0)
        }
        let result = try ChaisemartinDHaultfoeuille().estimate(panel)
        for horizon in result.effects + [result.average] { #expect(abs(horizon.effect.estimate - 1.5) < 1e-12, "\(horizon.term)") }
        for horizon in result.placebos { #expect(abs(horizon.effect.estimate) < 1e-12, "\(horizon.term)") }
    }

    @Test("bad input: no switchers, too many effects or placebos, covariates, another clustering")
    func badInput() throws {
        let flat = { (unit: Int, t: Int, _: Int32) in Double(unit) + 0.5 * Double(t) }
        // Nobody adopts; or everyone adopts at once with no one left to compare with.
        for adoption: [Int32] in [[.max, .max, .max], [3, 3, 3]] {
            let panel = try BaconToyPanel.make(adoption: adoption, periods: 5, outcome: flat)
            #expect(throws: ChaisemartinDHaultfoeuilleError.noSwitchers(notes: [])) {
                try ChaisemartinDHaultfoeuille().estimate(panel)
            }
        }
        let mpdta = try Fixtures.mpdta()
        #expect(throws: ChaisemartinDHaultfoeuilleError.tooManyEffects(requested: 5, available: 4)) {
            try ChaisemartinDHaultfoeuille(effects: 5).estimate(mpdta)
        }
        #expect(throws: ChaisemartinDHaultfoeuilleError.tooManyEffects(requested: 0, available: 4)) {
            try ChaisemartinDHaultfoeuille(effects: 0).estimate(mpdta)
        }
        // Placebos: at most as many as effects, and as many as the pre-periods allow.
        #expect(throws: ChaisemartinDHaultfoeuilleError.tooManyPlacebos(requested: 2, available: 1)) {
            try ChaisemartinDHaultfoeuille(effects: 1, placebos: 2).estimate(mpdta)
        }
        #expect(throws: ChaisemartinDHaultfoeuilleError.tooManyPlacebos(requested: 3, available: 2)) {
            try ChaisemartinDHaultfoeuille(placebos: 3).estimate(mpdta)
        }
        #expect(throws: ChaisemartinDHaultfoeuilleError.covariates(["lpop"])) {
            try ChaisemartinDHaultfoeuille().estimate(try Fixtures.mpdta(covariates: ["lpop"]))
        }
        #expect(throws: ChaisemartinDHaultfoeuilleError.clustering(requested: "province", unit: "countyreal")) {
            try ChaisemartinDHaultfoeuille(variance: .cluster("province")).estimate(mpdta)
        }
        let message = ChaisemartinDHaultfoeuilleError.tooManyEffects(requested: 5, available: 4).description
        #expect(message.contains("e+0..e+4") && message.contains("at most 4") && !message.contains("\n"))
    }
}
