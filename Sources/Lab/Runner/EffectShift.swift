import Estimators
import Foundation

/// A replication whose outcome is a baseline draw plus a constant effect δ on every treated cell
/// (`Y = Y⁰ + δ·D`, `D` the panel's own treatment indicator): `diagnose` with the constant effect
/// profile, where replication r of a source is the same draw at every δ of the grid.
///
/// **Why a shift.** For several estimators `Y ↦ Y + δ·D` moves the estimate by exactly δ (or 0)
/// and leaves every residual, influence function and hence standard error unchanged:
/// - TWFE: `D` is a regressor, so the fit of `δ·D` is `δ` on `treat` and zero residual;
/// - BJS: `Y(0)` is fitted on untreated cells only; every imputed `τ̂_it` moves by δ, and so do
///   the cell averages `τ̃`, so `τ̂ − τ̃` and the variance are unchanged;
/// - Callaway–Sant'Anna: each post-period `ATT(g,t)` is a difference of treated and control
///   changes in which only the treated cohort's post cell moves, by δ; influence functions are
///   deviations from means and do not move;
/// - Sun–Abraham, and the event study behind the pre-trend test: `δ·D` is the sum of the post-period
///   dummies times δ, so every post coefficient moves by δ, every lead by 0 — provided no dummy
///   was dropped as collinear (a dropped dummy is a combination of the others, which then move by
///   other amounts); such replications are computed directly.
///
/// A method that can use this computes its result on the baseline panel once per replication
/// (cached by the replication's stream key) and shifts it, instead of refitting at every δ. The
/// result is the direct fit up to rounding (one addition, ~1e-16 relative), and the same whichever
/// thread, shard or resumed process computes it, since it is always computed from the baseline.
public struct EffectShift: Sendable {
    /// The replication at δ = 0.
    public let baseline: Panel
    /// δ.
    public let effect: Double

    /// Creates the shift.
    public init(baseline: Panel, effect: Double) {
        self.baseline = baseline
        self.effect = effect
    }

    /// How an estimator's effect named `effect` moves when `δ·D` is added to the outcome: by δ
    /// for the overall and post-period effects of the estimators above, nil where no exact rule
    /// is known (the method then refits at every δ). `requiresNoDroppedTerms` marks the
    /// regressions whose rule holds only when every dummy was kept.
    static func rule(estimator id: String, effect: String) -> (moves: Bool, requiresNoDroppedTerms: Bool)? {
        let postPeriod: Bool
        if effect == "att" || effect == "treat" {
            postPeriod = true
        } else if effect.hasPrefix("e+"), let k = Int(effect.dropFirst(2)), k >= 0 {
            postPeriod = true
        } else {
            postPeriod = false
        }
        switch id {
        case "twfe": return effect == "treat" ? (true, false) : nil
        case "bjs", "cs": return postPeriod ? (true, false) : nil
        case "sa": return postPeriod ? (true, true) : nil
        default: return nil
        }
    }
}

/// Per-replication baseline results of one method, keyed by the replication's stream key, filled
/// by whichever thread first needs one. Bounded: past ``capacity`` entries nothing more is
/// stored, and each later replication computes its baseline again (the same value, more time).
final class BaselineCache<Value: Sendable>: @unchecked Sendable {
    private var values: [UInt64: Value] = [:]
    private let lock = NSLock()
    /// Entries kept at most (a diagnosis of 500 replications × 2 sources needs 1,000).
    let capacity: Int

    init(capacity: Int = 1 << 20) { self.capacity = capacity }

    /// The value for `key`, computed by `make` (outside the lock) when absent.
    func value(for key: UInt64, make: () throws -> Value) rethrows -> Value {
        lock.lock()
        let cached = values[key]
        lock.unlock()
        if let cached { return cached }
        let made = try make()
        lock.lock()
        if values.count < capacity { values[key] = made }
        lock.unlock()
        return made
    }
}
