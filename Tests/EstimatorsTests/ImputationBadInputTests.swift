import Foundation
import Testing
@testable import Estimators

/// BJS imputation and Sun–Abraham on constructed panels. Oracles: closed forms on noise-free
/// data (`y = α_i + λ_t + Δ_{g,e} D_it` ⇒ every `τ̂_it = Δ` and every SA interaction `δ_{g,e} = Δ`
/// exactly, leads 0), and the typed errors with their messages for inputs the estimators reject.
@Suite("BJS and Sun–Abraham: closed forms and bad input")
struct ImputationBadInputTests {
    static func delta(_ g: Int32, _ e: Int) -> Double { 0.2 * Double(e + 1) + 0.05 * Double(g) }

    /// 8 units × 7 periods: cohorts at index 2, 2, 3, 5, and four never treated.
    static func noiseFree(adoption: [Int32] = [2, 2, 3, 5, .max, .max, .max, .max]) throws -> Panel {
        try BaconToyPanel.make(adoption: adoption, periods: 7) { unit, t, g in
            0.3 * Double(unit) + 0.1 * Double(t * t) + (g != .max && t >= Int(g) ? delta(g, t - Int(g)) : 0)
        }
    }

    @Test("noise-free panel: BJS recovers every effect exactly")
    func imputationClosedForm() throws {
        let panel = try Self.noiseFree()
        let fit = try ImputationEstimator(horizons: .all).fit(panel)
        for (k, row) in fit.treatedRows.enumerated() {
            let g = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            let e = Int(panel.periodIndex[row]) - Int(g)
            #expect(abs(fit.treatmentEffects[k] - Self.delta(g, e)) < 1e-12)
        }
        let truth = fit.treatedRows.map { row -> Double in
            let g = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            return Self.delta(g, Int(panel.periodIndex[row]) - Int(g))
        }
        #expect(abs(fit.estimate.coefficients[0] - truth.reduce(0, +) / Double(truth.count)) < 1e-12)
        #expect(fit.estimate.terms.map(\.name) == ["att", "e+0", "e+1", "e+2", "e+3", "e+4"])
        // Listed horizons: absent ones are skipped with a note.
        let listed = try ImputationEstimator(horizons: .list([0, 9])).estimate(panel)
        #expect(listed.terms.map(\.name) == ["att", "e+0"])
        #expect(listed.notes.contains { $0.contains("event time 9") })
        // hetero: every observation its own cluster.
        let hetero = try ImputationEstimator(variance: .hetero).estimate(panel)
        #expect(hetero.variance.clusterCount == panel.observationCount)
    }

    @Test("noise-free panel: Sun–Abraham interactions equal the cell effects")
    func sunAbrahamClosedForm() throws {
        let panel = try Self.noiseFree()
        let fit = try SunAbraham(includeOverallATT: true).fit(panel)
        for (index, term) in fit.interactions.terms.enumerated() {
            guard let e = term.eventTime, let cell = fit.cells.first(where: { EventStudy.termName($0.eventTime) + ":g" + $0.cohortLabel == term.name })
            else { continue }
            let expected = e >= 0 ? Self.delta(cell.cohort, e) : 0
            #expect(abs(fit.interactions.coefficients[index] - expected) < 1e-10, "\(term.name)")
        }
        // No never-treated units: the last cohort must serve as control.
        let allTreated = try Self.noiseFree(adoption: [2, 2, 3, 5, 5, 3, 2, 5])
        #expect(throws: HeterogeneityRobustError.noControlCohort(method: "sa")) { try SunAbraham().estimate(allTreated) }
        let last = try SunAbraham(control: .lastTreated).fit(allTreated)
        #expect(last.interactions.observationCount == 8 * 5, "periods from the last adoption (index 5) on are dropped")
        #expect(!last.cells.contains { $0.cohort == 5 })
        for (index, term) in last.interactions.terms.enumerated() {
            guard let e = term.eventTime, let cell = last.cells.first(where: { EventStudy.termName($0.eventTime) + ":g" + $0.cohortLabel == term.name })
            else { continue }
            #expect(abs(last.interactions.coefficients[index] - (e >= 0 ? Self.delta(cell.cohort, e) : 0)) < 1e-10)
        }
    }

    @Test("bad input gives typed errors")
    func badInput() throws {
        let alwaysTreated = try Self.noiseFree(adoption: [0, 0, 0])
        #expect(throws: HeterogeneityRobustError.noUntreatedObservations(method: "bjs")) {
            try ImputationEstimator().estimate(alwaysTreated)
        }
        let never = try Self.noiseFree(adoption: [.max, .max])
        #expect(throws: HeterogeneityRobustError.noTreatedObservations(method: "bjs")) { try ImputationEstimator().estimate(never) }
        #expect(throws: HeterogeneityRobustError.noTreatedObservations(method: "sa")) { try SunAbraham().estimate(never) }
        // Treated units never observed untreated: nothing can be imputed.
        let unidentified = try Self.noiseFree(adoption: [0, 0, .max, .max])
        #expect(throws: HeterogeneityRobustError.nothingImputable(method: "bjs", treated: 14)) {
            try ImputationEstimator().estimate(unidentified)
        }
        let panel = try Self.noiseFree()
        #expect(throws: EstimationError.self) { try ImputationEstimator(variance: .iid).estimate(panel) }
        #expect(throws: EstimationError.unknownClustering(name: "province", available: ["unit"])) {
            try ImputationEstimator(variance: .cluster("province")).estimate(panel)
        }
        #expect(throws: EstimationError.self) { try ImputationEstimator(preTrendLeads: -1).estimate(panel) }
        let message = HeterogeneityRobustError.noUntreatedObservations(method: "bjs").description
        #expect(message.hasPrefix("bjs: every observation is treated"))
    }

    /// The 2021-national-scheme shape: every unit treated in the last period, so that period's
    /// effects cannot be imputed; they are dropped and counted (did_imputation's autosample).
    @Test("treated cells without untreated support are dropped and noted")
    func autosample() throws {
        let panel = try Self.noiseFree(adoption: [2, 2, 3, 6, 6, 6, 6, 6])
        let fit = try ImputationEstimator().fit(panel)
        #expect(fit.treatedRows.allSatisfy { panel.periodIndex[$0] < 6 })
        #expect(fit.estimate.notes.contains { $0.hasPrefix("8 treated observations dropped") })
        let truth = fit.treatedRows.map { row -> Double in
            let g = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            return Self.delta(g, Int(panel.periodIndex[row]) - Int(g))
        }
        #expect(abs(fit.estimate.coefficients[0] - truth.reduce(0, +) / Double(truth.count)) < 1e-12)
    }
}
