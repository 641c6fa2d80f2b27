/// One named effect of an estimator's output, with what inference needs: the estimate, its
/// standard error and the degrees of freedom of its t reference (`.infinity` = normal).
public struct EffectEstimate: Sendable, Equatable {
    /// The point estimate.
    public var estimate: Double
    /// Its standard error.
    public var standardError: Double
    /// Degrees of freedom of the t reference distribution; `.infinity` for the normal.
    public var degreesOfFreedom: Double

    /// Creates an effect; the reference is the normal unless `degreesOfFreedom` is finite.
    public init(estimate: Double, standardError: Double, degreesOfFreedom: Double = .infinity) {
        self.estimate = estimate
        self.standardError = standardError
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// `estimate / standardError`.
    public var statistic: Double { estimate / standardError }

    /// Two-sided p-value of the t (or normal) test of zero.
    public var pValue: Double {
        Distributions.twoSidedPValue(statistic: statistic, degreesOfFreedom: degreesOfFreedom)
    }

    /// The `level` confidence interval `estimate ± q·se`, q the t (or normal) quantile.
    public func confidenceInterval(level: Double = 0.95) -> (low: Double, high: Double) {
        let q = Distributions.tQuantile(0.5 + level / 2, degreesOfFreedom: degreesOfFreedom)
        return (estimate - q * standardError, estimate + q * standardError)
    }
}

/// What every estimator's result offers the rest of DiDLab: its effects by name.
///
/// Names are the estimator's own vocabulary: a regression's term names (`treat`, `e+0`, `att`),
/// or Callaway–Sant'Anna's aggregations (`att`, `e+2`, `g=2007`, `t=2006`). The lab, the placebo
/// engine and `diagnose` read effects through this, never through the concrete result type.
public protocol EstimatorOutput: Sendable {
    /// The effect named `name`, or nil when this result has none by that name.
    func effectEstimate(named name: String) -> EffectEstimate?
    /// The names ``effectEstimate(named:)`` answers, in report order (for messages).
    var effectNames: [String] { get }
}

/// A difference-in-differences estimator: typed options in, a result out.
///
/// Each estimator is one type conforming to this protocol plus one ``EstimatorEntry`` in
/// ``EstimatorRegistry/entries``; the command line, experiment specs, the placebo engine and
/// the reports read the entry, so nothing else changes when an estimator is added.
public protocol PanelEstimator: Sendable {
    /// The result type.
    associatedtype Output: EstimatorOutput
    /// Estimates on `panel`.
    /// - Throws: the estimator's typed errors (each names the role of what is wrong).
    func estimate(_ panel: Panel) throws -> Output
}

extension PanelEstimator {
    /// ``estimate(_:)`` with the result type erased, for callers that hold `any PanelEstimator`.
    public func fit(_ panel: Panel) throws -> any EstimatorOutput { try estimate(panel) }
}

extension Estimate: EstimatorOutput {
    /// The coefficient of the term named `name`, with its degrees of freedom
    /// (``VarianceEstimate/degreesOfFreedom(term:)``: CR2's differ by term).
    public func effectEstimate(named name: String) -> EffectEstimate? {
        guard let index = index(of: name) else { return nil }
        return EffectEstimate(estimate: coefficients[index], standardError: standardError(index),
                              degreesOfFreedom: variance.degreesOfFreedom(term: index))
    }

    /// The kept terms' names.
    public var effectNames: [String] { terms.map(\.name) }
}

extension CallawaySantAnnaResult: EstimatorOutput {
    /// The named aggregation or part of one (``effect(named:)``), with the normal reference of R did.
    public func effectEstimate(named name: String) -> EffectEstimate? { effect(named: name) }

    /// The aggregations' names.
    public var effectNames: [String] { ["att", "dynamic", "group", "calendar", "e+K", "g=PERIOD", "t=PERIOD"] }
}

extension TwoWayFixedEffects: PanelEstimator {}
extension EventStudy: PanelEstimator {}
extension SunAbraham: PanelEstimator {}
extension ImputationEstimator: PanelEstimator {}
extension CallawaySantAnna: PanelEstimator {}
