import Estimators

/// How the known effect δ is laid on the treated cells of a diagnosis's replications.
public enum EffectProfile: String, Sendable, CaseIterable {
    /// δ in every treated cell: every estimator's target is δ.
    case constant
    /// Growing linearly with exposure `k = t − g ≥ 0`: `δ (k + 1)/(k̄ + 1)`, with `k̄` the mean
    /// exposure over the treated cells of the draw, so the average effect over treated cells (the
    /// ATT) is still δ while `e+K` is `δ (K + 1)/(k̄ + 1)`. TWFE's forbidden comparisons bias it
    /// (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020); the heterogeneity-robust
    /// estimators' overall ATTs weight cells as the truth does.
    case ramp

    /// Adds the effect of size `effect` to `outcome` (rows of `panel` under `adoption`) and
    /// returns the truth: `att`, `e+K` and `e-K`, `zero`.
    func apply(_ effect: Double, to outcome: inout [Double], panel: Panel, adoption: [Int32]) -> [String: Double] {
        var truth = ["att": effect, "zero": 0.0]
        for k in 0..<max(panel.periodCount, 1) { truth["e-\(k + 1)"] = 0 }
        var exposureSum = 0.0, treated = 0
        for row in 0..<outcome.count {
            let k = Int(panel.periodIndex[row]) - Int(adoption[Int(panel.unitIndex[row])])
            if adoption[Int(panel.unitIndex[row])] != Panel.neverTreated && k >= 0 { exposureSum += Double(k); treated += 1 }
        }
        let meanExposure = treated > 0 ? exposureSum / Double(treated) : 0
        func size(_ k: Int) -> Double {
            switch self {
            case .constant: return effect
            case .ramp: return effect * Double(k + 1) / (meanExposure + 1)
            }
        }
        for k in 0..<max(panel.periodCount, 1) { truth["e+\(k)"] = size(k) }
        guard effect != 0 else { return truth }
        for row in 0..<outcome.count {
            let g = adoption[Int(panel.unitIndex[row])]
            guard g != Panel.neverTreated else { continue }
            let k = Int(panel.periodIndex[row]) - Int(g)
            if k >= 0 { outcome[row] += size(k) }
        }
        return truth
    }
}
