import Foundation

extension HonestDiD {
    /// The robust confidence set for `θ = l'τ_post` under `restriction`: C-LF for relative
    /// magnitudes, FLCI for smoothness (R HonestDiD's defaults).
    ///
    /// Cost on mpdta (K = 3, P = 4), release build: FLCI under 1 ms; C-LF about 30 ms (the
    /// 1000-point grid over 6 pieces and 6 × 1000 least-favourable draws dominate).
    /// - Parameters:
    ///   - eventStudy: `β̂` and its covariance.
    ///   - restriction: `Δ^RM(M̄)` or `Δ^SD(M)`; the bound must be finite and ≥ 0.
    ///   - target: `l` (first post period by default, as R's `l_vec`).
    ///   - alpha: 1 − the confidence level, in (0, 1); 0.05 by default.
    ///   - options: grid, refinement and simulation settings (R's defaults).
    /// - Throws: ``HonestDiDError`` for a negative or non-finite bound, `alpha` outside (0, 1), or
    ///   a target outside the post periods.
    public static func confidenceSet(eventStudy: EventStudyCoefficients, restriction: Restriction,
                                     target: Target = .firstPost, alpha: Double = 0.05,
                                     options: Options = Options()) throws -> ConfidenceSet {
        let l = try checked(eventStudy, restriction: restriction, target: target, alpha: alpha)
        var set: ConfidenceSet
        switch restriction {
        case .relativeMagnitudes(let Mbar):
            set = try relativeMagnitudesSet(eventStudy, l: l, Mbar: Mbar, alpha: alpha, options: options)
        case .smoothness(let M):
            set = fixedLengthInterval(eventStudy, l: l, M: M, alpha: alpha)
        }
        set.target = target
        return set
    }

    /// The interval under parallel trends, `l'β̂_post ± z_{1−α/2}·sd` (R HonestDiD's
    /// `constructOriginalCS`: the normal quantile, whatever the event study's degrees of freedom).
    public static func originalConfidenceSet(eventStudy: EventStudyCoefficients, target: Target = .firstPost,
                                             alpha: Double = 0.05) throws -> ConfidenceSet {
        let l = try checked(eventStudy, restriction: nil, target: target, alpha: alpha)
        let (estimate, sd) = eventStudy.postCombination(l)
        let z = HonestDiDDistributions.normalQuantile(1 - alpha / 2)
        return ConfidenceSet(restriction: nil, target: target, method: .original, lower: estimate - z * sd,
                             upper: estimate + z * sd, estimate: estimate, halfLength: z * sd)
    }

    /// The breakdown value: the largest `M̄` (or `M`) at which the robust set still excludes 0.
    ///
    /// Found by bisection on the bound, to ``breakdownTolerance`` relative to the bracket: the set
    /// grows with the bound (`Δ(M)` is nested), so "excludes 0" holds below the breakdown and fails
    /// above. For `Δ^RM` the criterion is that the C-LF test rejects `θ = 0` (the set's own
    /// acceptance rule, so no grid is involved); for `Δ^SD` that the FLCI excludes 0. The bracket
    /// starts at `[0, 1]` for `M̄` (doubled while 0 is still excluded, up to 1024) and at
    /// `[0, sd(l'β̂_post)]` for `M` (likewise). nil when the bound 0 already fails to exclude 0.
    public static func breakdown(eventStudy: EventStudyCoefficients, kind: Kind, target: Target = .firstPost,
                                 alpha: Double = 0.05, options: Options = Options()) throws -> Breakdown {
        let l = try checked(eventStudy, restriction: nil, target: target, alpha: alpha)
        func excludesZero(_ bound: Double) throws -> Bool {
            switch kind {
            case .relativeMagnitudes:
                return try relativeMagnitudesRejects(0, eventStudy, l: l, Mbar: bound, alpha: alpha, options: options)
            case .smoothness:
                return fixedLengthInterval(eventStudy, l: l, M: bound, alpha: alpha).excludes(0)
            }
        }
        let name = kind == .relativeMagnitudes ? "M̄" : "M"
        let rule = kind == .relativeMagnitudes ? "the C-LF test rejects θ = 0" : "the FLCI excludes 0"
        guard try excludesZero(0) else {
            return Breakdown(kind: kind, value: nil, how: "\(rule) fails already at \(name) = 0")
        }
        var low = 0.0
        var high = kind == .relativeMagnitudes ? 1 : max(eventStudy.postCombination(l).sd, 1e-12)
        let cap = high * 1024
        while try excludesZero(high) {
            guard high < cap else {
                return Breakdown(kind: kind, value: high, how: "\(rule) at every \(name) tried, up to \(Format6.string(high)) (a lower bound)")
            }
            low = high
            high *= 2
        }
        let width = high
        while high - low > breakdownTolerance * width {
            let mid = (low + high) / 2
            if try excludesZero(mid) { low = mid } else { high = mid }
        }
        return Breakdown(kind: kind, value: low,
                         how: "bisection on \(name) to \(breakdownTolerance) of the bracket [0, \(Format6.string(width))]: \(rule) below it")
    }

    /// Relative tolerance of the breakdown bisection.
    public static let breakdownTolerance = 1e-4

    /// The target's weights after checking the inputs.
    static func checked(_ es: EventStudyCoefficients, restriction: Restriction?, target: Target, alpha: Double) throws -> [Double] {
        guard alpha > 0 && alpha < 1 else { throw HonestDiDError("the size alpha must be between 0 and 1, got \(alpha)") }
        if let restriction {
            let name = restriction.kind == .relativeMagnitudes ? "the relative-magnitudes bound M̄" : "the smoothness bound M"
            guard restriction.bound.isFinite && restriction.bound >= 0 && restriction.bound <= 1e100 else {
                throw HonestDiDError("\(name) must be a number between 0 and 1e100, got \(restriction.bound)")
            }
        }
        return try target.weights(postCount: es.postCount)
    }
}

/// Four significant digits for messages.
enum Format6 {
    static func string(_ value: Double) -> String { String(format: "%.4g", value) }
}
