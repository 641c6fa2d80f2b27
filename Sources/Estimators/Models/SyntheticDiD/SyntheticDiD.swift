/// Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021,
/// AER 111(12)), as the reference R package `synthdid` computes it, with the staggered-adoption
/// extension of Clarke, Pailañir, Athey & Imbens (Stata `sdid`; synthdid-py's
/// `staggered_synthdid_estimate`).
///
/// **One adoption date.** With `N0` never-treated units, `N1` treated units, `T0` periods before
/// adoption and `T1` from adoption on, the estimate is
///
///     τ̂ = (ȳ_tr,post − Σ_t λ_t ȳ_tr,t) − Σ_i ω_i (ȳ_i,post − Σ_t λ_t y_i,t),
///
/// with unit weights ω (on the never treated) and time weights λ (on the pre-periods), each on
/// the simplex with an intercept, solved by Frank–Wolfe on the collapsed panel (controls ×
/// pre-periods, the treated mean as the last row, the post mean as the last column):
/// ω minimises ζ_ω² ‖ω‖² + ‖Ỹ_pre,co ω − ỹ_pre,tr‖² / T0 and λ minimises
/// ζ_λ² ‖λ‖² + ‖Ỹ_co,pre λ − ỹ_co,post‖² / N0 (tildes: centred). R's defaults: σ̂ = the standard
/// deviation of the first differences of the never-treated outcomes over the pre-periods,
/// ζ_ω = (N1 T1)^{1/4} σ̂, ζ_λ = 10⁻⁶ σ̂, stopping when a step lowers the objective by no more
/// than (10⁻⁵ σ̂)²; 100 steps from uniform weights, then the weights at most a quarter of the
/// largest are zeroed and the rest renormalised ("sparsify"), then up to 10⁴ steps from there.
///
/// **Staggered adoption.** Each adoption cohort `a` is its own block: its units against every
/// never-treated unit over all periods (`T0 = a`), with its own σ̂, ζ and weights; the overall
/// ATT averages the cohort estimates with weights `N_tr,a T_post,a / Σ_b N_tr,b T_post,b` (the
/// treated unit-periods). With one cohort this is the single-date estimator.
///
/// **Variance** (``VarianceMethod``): the paper's Algorithms 2–4 as R's `vcov` runs them; see
/// `SyntheticDiD+Variance.swift`.
///
/// **Randomization inference.** The registry offers SDID to the placebo engine (`didlab placebo`,
/// `placebo` methods in experiment specs and `diagnose`): adoption dates are permuted across units
/// and SDID is re-estimated, weights re-solved, on each draw. That is a Fisher test of no effect
/// under exchangeable adoption, distinct from the placebo *variance* above (which moves only the
/// never treated into treatment and uses the spread as a standard error); the studentized version
/// divides by this type's standard error of each draw (automatic: the jackknife, cheap).
///
/// Balanced panels without covariates only; every cohort needs at least two pre-periods (σ̂ is
/// a standard deviation of first differences) and the panel never-treated units.
public struct SyntheticDiD: Sendable {
    /// How the standard error is computed.
    public enum VarianceMethod: String, Sendable, CaseIterable, Codable {
        /// The jackknife when it is defined (at least two treated and two never-treated units, and
        /// unit weights not all on one control), else the placebo. DiDLab's default: deterministic
        /// and cheap (R's default is the bootstrap, diff-diff's the placebo).
        case automatic
        /// Algorithm 3, leave one unit out with the weights fixed (ω renormalised): deterministic.
        case jackknife
        /// Algorithm 4: never-treated units drawn without replacement to play the treated, weights
        /// re-solved; the only one defined with one treated unit. Needs more never-treated than treated units.
        case placebo
        /// Algorithm 2: units resampled with replacement, weights re-solved; needs two treated units.
        case bootstrap
    }

    /// The variance method.
    public var variance: VarianceMethod
    /// Draws of the placebo and the bootstrap (R's `replications`, default 200).
    public var replications: Int
    /// Master seed of their random streams: draw `b` uses stream (seed, b, purpose).
    public var seed: UInt64
    /// Worker threads for the draws (nil: all cores); results do not depend on it.
    public var threads: Int?

    /// Creates the estimator (defaults: automatic variance, 200 draws, seed 1).
    public init(variance: VarianceMethod = .automatic, replications: Int = 200, seed: UInt64 = 1, threads: Int? = nil) {
        self.variance = variance
        self.replications = replications
        self.seed = seed
        self.threads = threads
    }

    /// Estimates the ATT, per cohort and overall, with its standard error.
    /// - Throws: ``SyntheticDiDError`` naming what the panel lacks.
    public func estimate(_ panel: Panel) throws -> SyntheticDiDResult {
        let problem = try SyntheticDiDProblem(panel: panel)
        let fits = problem.cohorts.map { problem.fit($0, warmStart: nil) }
        let shares = problem.shares(treatedCounts: problem.cohorts.map(\.treated.count))
        let att = zip(fits, shares).reduce(0) { $0 + $1.0.estimate * $1.1 }
        let resolved = try resolvedVariance(problem, fits: fits)
        let errors = try standardErrors(problem, fits: fits, method: resolved)
        var notes: [String] = []
        if problem.laterThanPanel > 0 {
            notes.append("\(problem.laterThanPanel) units adopting after the last period are used as never treated")
        }
        if variance == .automatic {
            notes.append(resolved == .jackknife ? "standard errors: jackknife (fixed weights)"
                         : "standard errors: placebo (\(replications) draws): the jackknife needs two treated units")
        }
        let cohorts = problem.cohorts.indices.map { k -> SyntheticDiDResult.Cohort in
            let block = problem.cohorts[k], fit = fits[k]
            return SyntheticDiDResult.Cohort(
                adoptionPeriod: block.adoption, label: panel.periodLabels[block.adoption], estimate: fit.estimate,
                standardError: errors.cohorts[k], treatedCount: block.treated.count, controlCount: problem.controls.count,
                preCount: block.adoption, postCount: problem.periodCount - block.adoption, share: shares[k],
                unitWeights: fit.omega, timeWeights: fit.lambda, noiseLevel: fit.noiseLevel, zetaOmega: fit.zetaOmega,
                zetaLambda: fit.zetaLambda, omegaIterations: fit.omegaIterations, lambdaIterations: fit.lambdaIterations)
        }
        if let missing = cohorts.first(where: { $0.standardError == nil }), cohorts.count > 1 {
            notes.append("cohort \(missing.label) has no standard error of its own (one treated unit, or its unit "
                         + "weights on one control)")
        }
        return SyntheticDiDResult(
            outcome: panel.outcomeName, observationCount: panel.observationCount, unitCount: panel.unitCount,
            periodCount: panel.periodCount, att: att, standardError: errors.att, variance: resolved,
            replications: resolved == .jackknife ? nil : replications, seed: resolved == .jackknife ? nil : seed,
            controlLabels: problem.controls.map { panel.unitLabels[$0] },
            preLabels: Array(panel.periodLabels), cohorts: cohorts, notes: panel.notes + notes)
    }
}

/// Why synthetic DiD cannot run on a panel; each message says what was found and what is expected.
public enum SyntheticDiDError: Error, Equatable, CustomStringConvertible {
    /// The panel is unbalanced.
    case unbalancedPanel(observations: Int, units: Int, periods: Int)
    /// Covariates were given.
    case covariates([String])
    /// No unit is treated within the panel.
    case noTreatedUnits
    /// No never-treated unit.
    case noNeverTreatedUnits
    /// A cohort has fewer than two pre-periods.
    case tooFewPrePeriods(cohort: String, periods: Int)
    /// A variance method is not defined on this panel.
    case varianceUndefined(method: String, reason: String)
    /// Fewer than two placebo or bootstrap draws.
    case tooFewReplications(Int)

    /// One line for the user.
    public var description: String {
        switch self {
        case let .unbalancedPanel(observations, units, periods):
            return "synthetic DiD: the panel is unbalanced (\(observations) observations, expected \(units) units × "
                + "\(periods) periods = \(units * periods)); it needs every unit in every period"
        case .covariates(let names):
            return "synthetic DiD: covariates are not supported (" + names.joined(separator: ", ") + "); drop them"
        case .noTreatedUnits:
            return "synthetic DiD: no unit adopts within the panel; expected treated units with pre-periods"
        case .noNeverTreatedUnits:
            return "synthetic DiD: no never-treated units; expected units that are never treated (cohort 0 or empty) as controls"
        case let .tooFewPrePeriods(cohort, periods):
            return "synthetic DiD: the cohort adopting in \(cohort) has \(periods) pre-treatment period"
                + (periods == 1 ? "" : "s") + "; expected at least 2 (the noise level is the SD of first differences "
                + "of control outcomes before adoption); drop that cohort"
        case let .varianceUndefined(method, reason):
            return "synthetic DiD: the \(method) standard error is not defined here: \(reason)"
        case .tooFewReplications(let count):
            return "synthetic DiD: \(count) draws; expected at least 2 for a placebo or bootstrap standard error"
        }
    }
}
