import Estimators
import Foundation
@testable import Lab
import Testing

/// A diagnosis computes the analytic methods once per replication and shifts them by δ
/// (``EffectShift``). Oracle: refitting every method at every δ (the same source with
/// `shiftsBaselines` off) — the shift is exact algebra, so the two agree to rounding.
@Suite struct EffectShiftTests {
    /// Both sources of mpdta (state as the level), the analytic methods of the defaults (with
    /// event-time effects where they have them) and one that refits (event), at δ = 0 and 0.07: estimates, SEs, intervals and p-values of the shifted
    /// baselines equal the refits to 1e-9 (relative to the value or 1), and every failure too.
    @Test func shiftedBaselinesEqualRefittingAtEveryEffect() throws {
        let panel = try DiagnosisTests.mpdtaWithState()
        let sources: [DiagnosisSource.Source] = [
            .placeboLaws(try PlaceboLaws(panel: panel, sample: nil, level: "state")),
            .model(try CalibratedModel(panel: panel, level: "state", overrides: CalibratedModel.Overrides())),
        ]
        let texts = ["twfe cr1:state", "cs cr1:countyreal control=notyet", "sa cr1:countyreal term=e+1",
                     "bjs cr1:countyreal term=e+0", "pretrend cr1:countyreal leads=3 lags=2", "event cr1:countyreal term=e+0"]
        let methods = try texts.map {
            try DiagnosisMethod(parsing: $0, unitName: panel.unitName, alpha: 0.05, permutations: 19, reps: 19)
        }
        let shifted = DiagnosisSource(sources: sources, effects: [0, 0.07], seed: 9)
        var refitted = shifted
        refitted.shiftsBaselines = false
        var compared = 0
        for condition in 0..<shifted.conditionCount {
            for replication in 0..<2 {
                let key = shifted.streamKey(condition: condition, replication: replication)
                let a = try shifted.replicate(condition: condition, replication: replication)
                let b = try refitted.replicate(condition: condition, replication: replication)
                #expect(a.panel.outcome == b.panel.outcome)
                #expect(a.truth == b.truth)
                #expect(a.effectShift != nil && b.effectShift == nil)
                for method in methods {
                    let one = Result { try method.evaluator.evaluate(a, streamKey: key, alpha: 0.05) }
                    let two = Result { try method.evaluator.evaluate(b, streamKey: key, alpha: 0.05) }
                    switch (one, two) {
                    case (.success(let x), .success(let y)):
                        for (u, v) in [(x.estimate, y.estimate), (x.standardError, y.standardError), (x.confLow, y.confLow),
                                       (x.confHigh, y.confHigh), (x.pValue, y.pValue)] where !(u.isNaN && v.isNaN) {
                            #expect(abs(u - v) <= 1e-9 * max(1, abs(v)), "\(method.name), condition \(condition): \(u) vs \(v)")
                        }
                        compared += 1
                    case (.failure(let x), .failure(let y)):
                        #expect("\(x)" == "\(y)")
                    default:
                        Issue.record("\(method.name), condition \(condition), replication \(replication): \(one) vs \(two)")
                    }
                }
            }
        }
        #expect(compared >= 40)
    }

    /// Which effects shift: overall and post-period effects of TWFE, BJS, CS and SA; nothing else.
    @Test func onlyKnownExactRulesShift() {
        #expect(EffectShift.rule(estimator: "twfe", effect: "treat")?.moves == true)
        #expect(EffectShift.rule(estimator: "bjs", effect: "e+2")?.moves == true)
        #expect(EffectShift.rule(estimator: "cs", effect: "att")?.requiresNoDroppedTerms == false)
        #expect(EffectShift.rule(estimator: "sa", effect: "att")?.requiresNoDroppedTerms == true)
        #expect(EffectShift.rule(estimator: "cs", effect: "e-2") == nil)
        #expect(EffectShift.rule(estimator: "event", effect: "e+0") == nil)
        #expect(EffectShift.rule(estimator: "gardner", effect: "treat") == nil)
    }
}
