import Estimators

/// One method's operating characteristics on one source: size, power curve (raw and
/// size-adjusted), MDE, bias and coverage, each with its Monte Carlo standard error.
public struct MethodDiagnosis: Codable, Sendable {
    /// Size under δ = 0.
    public struct Size: Codable, Sendable {
        /// Share of replications with `p < α`.
        public var rejection: Double
        /// `√(p(1−p)/K)`.
        public var mcse: Double
        /// Wilson 95% interval of the rejection rate.
        public var wilsonLow: Double, wilsonHigh: Double
        /// The exact size the test would have if its statistic were exchangeable under the null:
        /// α for analytic tests; for R placebo draws with the add-one p-value and `p < α`,
        /// `#{k ≤ R : (1+k)/(1+R) < α}/(R+1)` (0.04 for R = 99); for B bootstrap draws,
        /// `#{k ≤ B : k/B < α}/(B+1)`.
        public var designSize: Double
    }

    /// Power at one effect.
    public struct Power: Codable, Sendable {
        /// Effect added to the treated cells.
        public var effect: Double
        /// Share of replications with `p < α`.
        public var rejection: Double
        /// Monte Carlo SE of the rejection rate.
        public var mcse: Double
        /// Share with `p` below the method's own null critical value (the α-quantile of its
        /// p-values at δ = 0), so that an over-rejecting test does not look powerful.
        public var sizeAdjusted: Double
    }

    /// Minimum detectable effect at the target power.
    public struct MDE: Codable, Sendable {
        /// Target power.
        public var power: Double
        /// Effect at which the power curve reaches it (probit interpolation between grid points).
        public var effect: Double
        /// The same for the curves through the ends of each point's Wilson interval (a Monte Carlo
        /// interval; nil beyond the grid).
        public var low: Double?, high: Double?
        /// `effect` over the SD of the outcome.
        public var effectInSD: Double
    }

    /// Bias at one effect.
    public struct Bias: Codable, Sendable {
        /// The effect (the truth), the bias at it and its Monte Carlo SE.
        public var effect: Double, bias: Double, mcse: Double
    }

    /// Coverage of the true effect by the method's confidence interval.
    public struct Coverage: Codable, Sendable {
        /// The effect (the truth), the coverage of it and its Monte Carlo SE.
        public var effect: Double, coverage: Double, mcse: Double
    }

    /// Display name (the method as given, e.g. `twfe cr1:province`).
    public var name: String
    /// Estimator label (`twfe`, `cs:notyet:att`, `event:pretrend`).
    public var estimator: String
    /// Inference label (`cr1:city`, `wcb:province`, `placebo:units`).
    public var inference: String
    /// `effect` for a test of the effect, `pretest` for the pre-trend test.
    public var kind: String
    /// Replications with a result at δ = 0 (others failed: see ``failures``).
    public var replications: Int
    /// Failed replications over all effects.
    public var failures: Int
    /// The most frequent reason of the failures (nil when none failed).
    public var failureReason: String?
    /// Rejection without an effect.
    public var size: Size
    /// Power at each nonzero effect.
    public var power: [Power]
    /// Minimum detectable effect (nil: not reached, or a pre-test).
    public var mde: MDE?
    /// Bias at each effect.
    public var bias: [Bias]
    /// Empty for methods without an interval (randomization tests, the pre-trend test).
    public var coverage: [Coverage]
}

/// How a method's size is judged: its design size and how its rejection is decided.
public struct DesignSize: Sendable, Equatable {
    /// The exact size under exchangeability.
    public var value: Double
    /// In words: "analytic", "randomization, 199 draws", "bootstrap, 199 draws".
    public var basis: String

    /// An analytic test: α.
    public static func analytic(alpha: Double) -> DesignSize { DesignSize(value: alpha, basis: "analytic") }

    /// R placebo draws, add-one p-value `(1 + k)/(1 + R)`, rejected when `< α`.
    public static func randomization(draws r: Int, alpha: Double) -> DesignSize {
        let count = (0...r).filter { Double(1 + $0) / Double(1 + r) < alpha }.count
        return DesignSize(value: Double(count) / Double(r + 1), basis: "randomization, \(r) draws")
    }

    /// Every one of M distinct assignments enumerated: p = c/M with c ≥ 1 counting the observed
    /// one, rejected when `< α`.
    public static func enumeratedRandomization(assignments m: Int, alpha: Double) -> DesignSize {
        let count = (1...max(m, 1)).filter { Double($0) / Double(m) < alpha }.count
        return DesignSize(value: Double(count) / Double(max(m, 1)), basis: "randomization, all \(m) assignments")
    }

    /// Every Rademacher sign vector of G clusters enumerated: `|t*| = |t|` for the vectors ±1, so
    /// p = 2j/2^G with j uniform on 1…2^(G−1) under symmetry, rejected when `< α`.
    public static func enumeratedBootstrap(clusters g: Int, alpha: Double) -> DesignSize {
        let half = 1 << max(g - 1, 0)
        let count = (1...half).filter { Double(2 * $0) / Double(2 * half) < alpha }.count
        return DesignSize(value: Double(count) / Double(half), basis: "bootstrap, all \(2 * half) sign vectors")
    }

    /// B bootstrap draws, p-value `k/B`, rejected when `< α`.
    public static func bootstrap(draws b: Int, alpha: Double) -> DesignSize {
        let count = (0...b).filter { Double($0) / Double(b) < alpha }.count
        return DesignSize(value: Double(count) / Double(b + 1), basis: "bootstrap, \(b) draws")
    }
}

extension MethodDiagnosis {
    /// Summarises one method on one source from its draws at each effect (`draws[e]` in
    /// replication order; effect 0 first).
    static func summarise(name: String, estimator: String, inference: String, isPreTest: Bool,
                          effects: [Double], draws: [[PerformanceMeasures.Draw]], alpha: Double, targetPower: Double,
                          designSize: DesignSize, outcomeSD: Double, failureReason: String? = nil) -> MethodDiagnosis {
        func rejections(_ list: [PerformanceMeasures.Draw], below threshold: Double) -> (Double, Double, Int) {
            let valid = list.filter { $0.estimate.isFinite && $0.pValue.isFinite }
            let k = Double(valid.count)
            guard k > 0 else { return (.nan, .nan, 0) }
            let rate = Double(valid.filter { $0.pValue < threshold }.count) / k
            return (rate, (rate * (1 - rate) / k).squareRoot(), valid.count)
        }
        let null = draws.first ?? []
        let (sizeRate, sizeMCSE, k) = rejections(null, below: alpha)
        let (low, high) = wilson(rate: sizeRate, count: k)
        // The method's own critical p-value: the ⌊αK⌋-th smallest null p-value (0-based), so that
        // at most ⌊αK⌋ null p-values lie strictly below it.
        let nullP = null.filter { $0.estimate.isFinite && $0.pValue.isFinite }.map(\.pValue).sorted()
        let index = Int((alpha * Double(nullP.count)).rounded(.down))
        let critical = index < nullP.count ? nullP[index] : 1
        var power: [Power] = []
        var bias: [Bias] = []
        var coverage: [Coverage] = []
        var failures = 0
        for (e, effect) in effects.enumerated() {
            let list = e < draws.count ? draws[e] : []
            failures += list.filter { !$0.estimate.isFinite }.count
            let measures = PerformanceMeasures(draws: list, alpha: alpha)
            bias.append(Bias(effect: effect, bias: measures.bias, mcse: measures.biasMCSE))
            if measures.coverage.isFinite {
                coverage.append(Coverage(effect: effect, coverage: measures.coverage, mcse: measures.coverageMCSE))
            }
            guard e > 0 else { continue }
            let (rate, mcse, _) = rejections(list, below: alpha)
            // p-values equal to the critical value up to rounding (a pre-test's leads do not move
            // with the effect; kernels may differ in the last bit) are ties, not rejections.
            let (adjusted, _, _) = rejections(list, below: critical * (1 - 1e-9))
            power.append(Power(effect: effect, rejection: rate, mcse: mcse, sizeAdjusted: adjusted))
        }
        let mde = isPreTest ? nil : minimumDetectableEffect(size: sizeRate, power: power, target: targetPower, outcomeSD: outcomeSD,
                                                            replications: k)
        return MethodDiagnosis(name: name, estimator: estimator, inference: inference, kind: isPreTest ? "pretest" : "effect",
                               replications: k, failures: failures, failureReason: failures > 0 ? failureReason : nil,
                               size: Size(rejection: sizeRate, mcse: sizeMCSE, wilsonLow: low, wilsonHigh: high,
                                          designSize: designSize.value),
                               power: power, mde: mde, bias: bias, coverage: isPreTest ? [] : coverage)
    }

    /// Wilson's 95% score interval for a proportion (``PerformanceMeasures/wilson(_:count:)``).
    static func wilson(rate p: Double, count: Int) -> (Double, Double) {
        let interval = PerformanceMeasures.wilson(p, count: count)
        return (interval.low, interval.high)
    }

    /// The effect at which the power curve first reaches `target`, interpolating on the probit
    /// scale between grid points (the power of a test whose estimate is normal is Φ-shaped in δ);
    /// its interval is the same crossing for the curves through the upper and lower ends of each
    /// point's Wilson 95% interval (`replications` draws; not degenerate at rates of 0 or 1).
    /// Nil when the curve never reaches the target on the grid.
    static func minimumDetectableEffect(size: Double, power: [Power], target: Double, outcomeSD: Double,
                                        replications: Int) -> MDE? {
        // A test that rejects at the target rate without any effect detects nothing.
        guard size.isFinite, size < target, power.allSatisfy({ $0.rejection.isFinite }) else { return nil }
        let points = [(0.0, size)] + power.map { ($0.effect, $0.rejection) }
        func crossing(_ side: Int) -> Double? {
            let values = points.map { point -> (Double, Double) in
                guard side != 0 else { return point }
                let (low, high) = wilson(rate: point.1, count: replications)
                return (point.0, side > 0 ? high : low)
            }
            for k in 1..<values.count where values[k].1 >= target {
                let (d0, p0) = values[k - 1], (d1, p1) = values[k]
                if p0 >= target { return k - 1 > 0 ? d0 : nil }
                func probit(_ p: Double) -> Double { Distributions.tQuantile(min(max(p, 0.0005), 0.9995), degreesOfFreedom: .infinity) }
                let z0 = probit(p0), z1 = probit(p1), zt = probit(target)
                return z1 > z0 ? d0 + (zt - z0) / (z1 - z0) * (d1 - d0) : d1
            }
            return nil
        }
        guard let effect = crossing(0) else { return nil }
        return MDE(power: target, effect: effect, low: crossing(1), high: crossing(-1), effectInSD: effect / outcomeSD)
    }
}
