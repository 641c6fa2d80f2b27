import CGSL

/// A mediator column, one value per observation in the panel's row order.
public struct MediatorColumn: Sendable {
    /// Column name (used as the step-2 outcome name and the step-3 term name).
    public var name: String
    /// Values, in the panel's row order.
    public var values: [Double]
    /// Creates a mediator column.
    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// The three-step mediation through one mediator `M` (steps 2 and 3, with step 1 shared).
///
/// With `c` the total effect (step 1), `a` the effect of `D` on `M` (step 2), and `c′`, `b` the
/// coefficients of `D` and `M` in step 3:
/// - indirect effect `a·b`; with the same observations and controls in every step, OLS gives
///   `c = c′ + a·b` exactly, so `a·b = c − c′`;
/// - proportion mediated `a·b / c`;
/// - Sobel (1982) first-order delta-method standard error `√(b² s_a² + a² s_b²)`, statistic
///   `z = a·b / SE`, two-sided p-value from the standard normal;
/// - joint significance (MacKinnon et al. 2002): mediation is declared when both `a` and `b` are
///   significant at `α` with their own t tests; its p-value is `max(p_a, p_b)` (an
///   intersection–union test: it rejects at `α` exactly when both do);
/// - the pairs cluster bootstrap of `a·b` (``BootstrapSummary``), when requested.
public struct MediationPath: Sendable {
    /// Mediator name.
    public let mediator: String
    /// Step 2: `M ~ D + X | unit + period`.
    public let mediatorModel: Estimate
    /// Step 3: `Y ~ D + M + X | unit + period`.
    public let outcomeModel: Estimate
    /// `a` with its standard error and p-value (step 2).
    public let a: Double
    public let aStandardError: Double
    public let aPValue: Double
    /// `b` with its standard error and p-value (step 3).
    public let b: Double
    public let bStandardError: Double
    public let bPValue: Double
    /// Total effect `c` (step 1) and direct effect `c′` (step 3).
    public let total: Double
    public let direct: Double
    /// `a·b`.
    public let indirect: Double
    /// Sobel standard error, statistic and normal p-value.
    public let sobelStandardError: Double
    public let sobelStatistic: Double
    public let sobelPValue: Double
    /// Level of the joint-significance test.
    public let alpha: Double
    /// Both `a` and `b` significant at ``alpha``.
    public let jointlySignificant: Bool
    /// `max(p_a, p_b)`.
    public let jointPValue: Double
    /// `a·b / c`.
    public let proportionMediated: Double
    /// The pairs cluster bootstrap of `a·b` (nil when not requested).
    public let bootstrap: BootstrapSummary?

    /// The interval reported for `a·b`: the bootstrap percentile interval when there is one,
    /// otherwise the Sobel normal interval `a·b ± z_{(1+level)/2} · SE`.
    public func interval(level: Double) -> (low: Double, high: Double, method: String) {
        if let bootstrap, bootstrap.confLow.isFinite {
            return (bootstrap.confLow, bootstrap.confHigh, "percentile bootstrap")
        }
        let z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2)
        return (indirect - z * sobelStandardError, indirect + z * sobelStandardError, "Sobel normal")
    }
}

/// The result of a three-step mediation analysis: step 1 once, steps 2 and 3 per mediator.
public struct MediationResult: Sendable {
    /// Step 1: `Y ~ D + X | unit + period`.
    public let totalModel: Estimate
    /// One path per mediator, in the order given.
    public let paths: [MediationPath]
    /// Joint-significance level.
    public let alpha: Double
    /// Confidence level of the intervals.
    public let level: Double
    /// Bootstrap options (nil when the bootstrap was off).
    public let bootstrap: PairsBootstrapOptions?
    /// Name of the bootstrap's resampling clusters (nil when off).
    public let bootstrapCluster: String?
    /// What was assumed, dropped or warned about, in words.
    public var notes: [String]
}
