/// Robust confidence sets for an event study when parallel trends may fail (Rambachan & Roth
/// 2023, "A More Credible Approach to Parallel Trends", *Review of Economic Studies*), after R
/// HonestDiD's defaults, with parity against the `honestdid` PyPI package (0.1.1).
///
/// The event study's coefficients `β = (β_pre, β_post)` (the reference period dropped) are taken
/// as `β = τ + δ` with `τ_pre = 0`: `δ` is the difference in trends. The target is `θ = l'τ_post`.
/// Instead of assuming `δ_post = 0`, a restriction bounds `δ_post` by what `δ_pre` shows:
/// - ``Restriction/relativeMagnitudes(_:)`` `Δ^RM(M̄)`: every post-period first difference of `δ`
///   is at most `M̄` times the largest pre-period first difference (in absolute value). Interval:
///   the conditional–least-favourable hybrid test (C-LF) of Andrews, Roth & Pakes (2023),
///   inverted over `θ`, taking the union over which pre-period difference is the largest and its
///   sign (R HonestDiD's default for `Δ^RM`).
/// - ``Restriction/smoothness(_:)`` `Δ^SD(M)`: every second difference of `δ` is at most `M` in
///   absolute value (`M = 0`: `δ` is linear, extrapolated from the pre-periods). Interval: the
///   optimal fixed-length confidence interval (FLCI) of Armstrong & Kolesár (2018, 2020), an
///   affine estimator with its worst-case bias over `Δ^SD(M)` (R HonestDiD's default for `Δ^SD`).
///
/// Entry points: ``confidenceSet(eventStudy:restriction:target:alpha:options:)``,
/// ``originalConfidenceSet(eventStudy:target:alpha:)`` and
/// ``breakdown(eventStudy:kind:target:alpha:options:)``.
public enum HonestDiD {
    /// The bound on post-treatment violations of parallel trends.
    public enum Restriction: Sendable, Equatable {
        /// `Δ^RM(M̄)`: post-period first differences of `δ` at most `M̄` times the largest
        /// pre-period first difference. `M̄ ≥ 0`.
        case relativeMagnitudes(Double)
        /// `Δ^SD(M)`: second differences of `δ` at most `M` in absolute value. `M ≥ 0`, in the
        /// outcome's units per period².
        case smoothness(Double)

        /// The bound's value (`M̄` or `M`).
        public var bound: Double {
            switch self {
            case .relativeMagnitudes(let value), .smoothness(let value): return value
            }
        }

        /// The family of the restriction.
        public var kind: Kind {
            switch self {
            case .relativeMagnitudes: return .relativeMagnitudes
            case .smoothness: return .smoothness
            }
        }
    }

    /// A family of restrictions, for the breakdown value.
    public enum Kind: String, Sendable, CaseIterable {
        /// `Δ^RM`, bounded by `M̄`.
        case relativeMagnitudes = "rm"
        /// `Δ^SD`, bounded by `M`.
        case smoothness = "sd"
    }

    /// The parameter `θ = l'τ_post`.
    public enum Target: Sendable, Equatable {
        /// The first post period (`e+0`): `l = (1, 0, …, 0)`, R HonestDiD's `l_vec` default.
        case firstPost
        /// The average of the post periods: `l = (1/P, …, 1/P)`.
        case average
        /// Event time `e+k` (`k ≥ 0`): `l = e_{k+1}`.
        case eventTime(Int)

        /// The weights `l` for `postCount` post periods.
        /// - Throws: ``HonestDiDError`` when `e+k` is not among the post periods.
        public func weights(postCount: Int) throws -> [Double] {
            switch self {
            case .firstPost: return [1] + [Double](repeating: 0, count: postCount - 1)
            case .average: return [Double](repeating: 1 / Double(postCount), count: postCount)
            case .eventTime(let k):
                guard k >= 0 && k < postCount else {
                    throw HonestDiDError("the target e+\(k) is not among the event study's post periods e+0…e+\(postCount - 1)")
                }
                var l = [Double](repeating: 0, count: postCount)
                l[k] = 1
                return l
            }
        }

        /// "first", "average" or "e+k".
        public var name: String {
            switch self {
            case .firstPost: return "first"
            case .average: return "average"
            case .eventTime(let k): return "e+\(k)"
            }
        }
    }

    /// How the interval was constructed.
    public enum Method: String, Sendable {
        /// The conditional–least-favourable hybrid test, inverted (for `Δ^RM`).
        case conditionalLeastFavourable = "C-LF"
        /// The optimal fixed-length confidence interval (for `Δ^SD`).
        case fixedLength = "FLCI"
        /// The usual interval under parallel trends, `l'β̂_post ± z_{1−α/2} sd` (R HonestDiD's
        /// "Original", with the normal quantile).
        case original = "Original"
    }

    /// Tuning of the computations; the defaults are R HonestDiD's.
    public struct Options: Sendable {
        /// C-LF: points of the `θ` grid on `[−20 sd(l'β̂_post), 20 sd(l'β̂_post)]` (R's `gridPoints`
        /// default 1000). The grid's extreme accepted points are reported as ``ConfidenceSet/gridLower``
        /// and ``ConfidenceSet/gridUpper``; the bounds are then refined by bisection.
        public var gridPoints = 1000
        /// C-LF: refine each bound by bisection between the last rejected and the first accepted grid
        /// point, to ``rootTolerance``. When false, the bounds are the grid values.
        public var refine = true
        /// Bisection tolerance of the refined C-LF bounds, in units of `θ`.
        public var rootTolerance = 1e-8
        /// C-LF: draws for the least-favourable critical value (R's `sims` default 1000).
        public var leastFavourableDraws = 1000
        /// C-LF: `κ`, the first stage's size (R's default `α/10` when nil).
        public var hybridKappa: Double? = nil
        /// Seed of the least-favourable draws (stream purpose 0x484F4E455354 "HONEST").
        public var seed: UInt64 = 0
        /// C-LF: least-favourable critical values to use instead of simulating them, one per
        /// (largest pre-period difference `s`, sign) in the order `s = −(K−1)…0`, `+` before `−`
        /// (parity tests supply the reference package's simulated values).
        public var leastFavourableCriticalValues: [Double]? = nil
        /// Creates the defaults.
        public init() {}
    }

    /// A robust confidence set `[lower, upper]` for the target.
    public struct ConfidenceSet: Sendable {
        /// The restriction (nil for the original interval).
        public var restriction: Restriction?
        /// The target.
        public var target: Target
        /// How it was built.
        public var method: Method
        /// Lower bound. C-LF: the grid's end when the accepted set still reaches it after widening
        /// (then ``openAtGridEnd``); NaN when no point is accepted (an empty set).
        public var lower: Double
        /// Upper bound.
        public var upper: Double
        /// C-LF: the smallest and largest accepted grid points (R HonestDiD's reported bounds);
        /// nil for FLCI. NaN when no grid point is accepted (then ``lower``/``upper`` are NaN too).
        public var gridLower: Double?
        /// See ``gridLower``.
        public var gridUpper: Double?
        /// C-LF: the grid's step.
        public var gridStep: Double?
        /// FLCI: the affine estimate `v'β̂` at the interval's centre; nil otherwise.
        public var estimate: Double?
        /// FLCI: the half-length `h·c_α(b/h)`.
        public var halfLength: Double?
        /// C-LF: whether an accepted point lies at the end of the grid (the set may be wider than
        /// reported: R HonestDiD's "CI is open at one of the endpoints" warning).
        public var openAtGridEnd = false

        /// Whether the set excludes `value` (for example 0).
        public func excludes(_ value: Double) -> Bool { !(lower <= value && value <= upper) }
    }

    /// The largest bound at which the robust set still excludes 0.
    public struct Breakdown: Sendable {
        /// `Δ^RM` (`M̄`) or `Δ^SD` (`M`).
        public var kind: Kind
        /// The breakdown value; nil when even the bound 0 does not exclude 0.
        public var value: Double?
        /// How it was found, in words.
        public var how: String
    }
}

/// A HonestDiD input or computation that cannot proceed; the message names the role.
public struct HonestDiDError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}
