/// One value of a placebo statistic: an estimate and its standard error.
public struct PlaceboValue: Sendable, Equatable {
    /// The coefficient (or contrast) — the RI-β statistic.
    public var estimate: Double
    /// Its standard error (cluster-robust for the regression statistics).
    public var standardError: Double
    /// Degrees of freedom of its t reference distribution (NaN when unknown).
    public var degreesOfFreedom: Double

    /// Creates a value.
    public init(estimate: Double, standardError: Double, degreesOfFreedom: Double = .nan) {
        self.estimate = estimate
        self.standardError = standardError
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// `estimate / standardError` — the RI-t statistic.
    public var statistic: Double { estimate / standardError }

    /// A value for a failed estimate (counted as invalid, never as extreme).
    public static let invalid = PlaceboValue(estimate: .nan, standardError: .nan)
}

/// Which evaluation path a placebo test may take.
public enum PlaceboPath: String, Sendable, CaseIterable {
    /// The fastest path the statistic offers for the panel and design.
    case automatic
    /// The statistic's general specialised path (for TWFE: re-demean the treatment column,
    /// FWL against covariates partialled out once), even where a faster one exists.
    case general
    /// Re-estimate the full model on a panel carrying each placebo assignment (the generic
    /// slow path every statistic has; the oracle of the fast paths).
    case reestimate
}

/// The statistic of an estimator, as a placebo test needs it.
///
/// Any estimator plugs in by computing its statistic from a ``Panel`` (``value(on:)``): the
/// engine then re-estimates it on a copy of the panel for every placebo assignment. An
/// estimator may also offer a specialised evaluator that reuses work across assignments
/// (TWFE does: ``TWFEPlaceboStatistic``); the engine never needs to know which.
public protocol PlaceboStatistic: Sendable {
    /// What is tested, for reports: e.g. "treat (TWFE)".
    var label: String { get }
    /// Name of the clustering of the standard error (for reports), if any.
    var clusterName: String? { get }
    /// The statistic on `panel` (adoption periods as the panel has them).
    /// - Throws: the estimator's error when it cannot be computed.
    func value(on panel: Panel) throws -> PlaceboValue
    /// A specialised evaluator for assignments of `plan` on `panel`, or nil to re-estimate.
    func specialisedEvaluator(panel: Panel, plan: AssignmentPlan, path: PlaceboPath) throws -> (any PlaceboEvaluator)?
}

extension PlaceboStatistic {
    /// No specialised path by default.
    public func specialisedEvaluator(panel: Panel, plan: AssignmentPlan, path: PlaceboPath) throws -> (any PlaceboEvaluator)? {
        nil
    }
    /// No clustering by default.
    public var clusterName: String? { nil }
}

/// Evaluates a statistic under many assignments; prepared once per panel and design.
public protocol PlaceboEvaluator: Sendable {
    /// Name of the path, for reports ("fast balanced", "general FWL", "re-estimate").
    var pathName: String { get }
    /// The statistic on the observed data when preparing the evaluator already computed it
    /// (saves a second full estimate); nil otherwise.
    var observed: PlaceboValue? { get }
    /// A worker with its own buffers (one per thread; never shared).
    func makeWorker() -> any PlaceboWorker
}

extension PlaceboEvaluator {
    /// Not known by default.
    public var observed: PlaceboValue? { nil }
}

/// Per-thread evaluation state. `evaluate` must not allocate on the fast paths.
public protocol PlaceboWorker: AnyObject {
    /// The statistic under the assignment in `scratch` (its changed-unit list is always valid;
    /// ``AssignmentScratch/adoption`` and ``AssignmentScratch/unitSlots`` only after
    /// ``AssignmentPlan/fillUnits(_:)``, which a worker calls itself when it needs them).
    func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue
}

/// The generic path: re-estimate the statistic on a panel carrying the assignment.
struct ReestimationEvaluator: PlaceboEvaluator {
    let statistic: any PlaceboStatistic
    let panel: Panel
    var pathName: String { "re-estimate" }

    func makeWorker() -> any PlaceboWorker { Worker(statistic: statistic, panel: panel) }

    final class Worker: PlaceboWorker {
        let statistic: any PlaceboStatistic
        let panel: Panel
        init(statistic: any PlaceboStatistic, panel: Panel) { self.statistic = statistic; self.panel = panel }

        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            plan.fillUnits(&scratch)
            guard let reassigned = try? panel.withAdoption(scratch.adoption),
                  let value = try? statistic.value(on: reassigned) else { return .invalid }
            return value
        }
    }
}

/// The TWFE coefficient on the treatment and its CR1 standard error:
/// `y = β D + γ'X + μ_i + λ_t + ε`, clustered by ``cluster`` with fixest's small-sample rule.
///
/// Specialised paths (all exact, equal to re-estimation up to rounding; see
/// ``TWFEBalancedEvaluator`` and ``TWFECohortSumsEvaluator`` for the algebra): a **fast balanced**
/// path for balanced panels under cohort-size-preserving designs with units nested in the
/// clusters, costing O(changed units · k + z²) per assignment; a **cohort sums** path for
/// balanced panels without covariates whose cohort sizes change between draws (level or random
/// timing designs), O(units · cohorts); and a **general** path for everything else (re-demean the
/// treatment column, FWL against covariates partialled out once), costing O(n · k).
public struct TWFEPlaceboStatistic: PlaceboStatistic {
    /// Cluster of the CR1 standard error (the same for the observed and every placebo estimate).
    public var cluster: String
    /// Small-sample correction.
    public var correction: SmallSampleCorrection

    /// Creates the statistic; clustering by `cluster` (usually the unit).
    public init(cluster: String, correction: SmallSampleCorrection = .fixest) {
        self.cluster = cluster
        self.correction = correction
    }

    /// "treat (TWFE)".
    public var label: String { "treat (TWFE)" }
    /// The clustering.
    public var clusterName: String? { cluster }

    /// The full estimate's treatment coefficient and CR1 standard error.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let estimate = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster(cluster), correction: correction))
            .estimate(panel)
        guard let index = estimate.index(of: "treat") else {
            throw EstimationError.noIdentifiedTerms(dropped: estimate.droppedTerms)
        }
        return PlaceboValue(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                            degreesOfFreedom: estimate.variance.degreesOfFreedom)
    }

    /// The fast balanced or the general FWL evaluator (nil for ``PlaceboPath/reestimate``).
    public func specialisedEvaluator(panel: Panel, plan: AssignmentPlan, path: PlaceboPath) throws -> (any PlaceboEvaluator)? {
        guard path != .reestimate else { return nil }
        let prepared = try TWFEPartialledDesign(panel: panel, cluster: cluster, correction: correction)
        if path == .automatic, let fast = TWFEBalancedEvaluator(design: prepared, plan: plan) { return fast }
        if path == .automatic, let sums = TWFECohortSumsEvaluator(design: prepared, plan: plan) { return sums }
        return TWFEGeneralEvaluator(design: prepared)
    }
}

/// An event-study coefficient: one named term (e.g. "e+2"), or the average of the post-period
/// terms `e+0 … e+L` with standard error `√(w'Vw)`, `w = 1/L` on those terms (CR1 by
/// ``cluster``). Uses the generic re-estimation path.
public struct EventStudyPlaceboStatistic: PlaceboStatistic {
    /// Cluster of the CR1 variance.
    public var cluster: String
    /// Leads and lags of the event study (see ``EventStudy``).
    public var leads: Int?, lags: Int?
    /// A term name such as "e+0"; nil = the average of the post-period terms.
    public var term: String?
    /// Small-sample correction.
    public var correction: SmallSampleCorrection

    /// Creates the statistic.
    public init(cluster: String, leads: Int? = nil, lags: Int? = nil, term: String? = nil,
                correction: SmallSampleCorrection = .fixest) {
        self.cluster = cluster
        self.leads = leads
        self.lags = lags
        self.term = term
        self.correction = correction
    }

    /// "e+2 (event study)" or "mean of e+0… (event study)".
    public var label: String { (term ?? "mean of post-period terms") + " (event study)" }
    /// The clustering.
    public var clusterName: String? { cluster }

    /// The term, or the post-period average, and its standard error.
    public func value(on panel: Panel) throws -> PlaceboValue {
        let estimate = try EventStudy(leads: leads, lags: lags,
                                      options: RegressionOptions(variance: .cluster(cluster), correction: correction))
            .estimate(panel)
        let count = estimate.terms.count
        var weights = [Double](repeating: 0, count: count)
        if let term {
            guard let index = estimate.index(of: term) else {
                throw EstimationError.invalidOption("event-study term \(term) is not estimated; terms: "
                                                    + estimate.terms.map(\.name).joined(separator: ", "))
            }
            weights[index] = 1
        } else {
            let post = estimate.terms.indices.filter { (estimate.terms[$0].eventTime ?? -1) >= 0 }
            guard !post.isEmpty else { throw EstimationError.invalidOption("the event study has no post-period term") }
            for index in post { weights[index] = 1 / Double(post.count) }
        }
        var value = 0.0, variance = 0.0
        for a in 0..<count where weights[a] != 0 {
            value += weights[a] * estimate.coefficients[a]
            for b in 0..<count where weights[b] != 0 {
                variance += weights[a] * weights[b] * estimate.variance.matrix[a * count + b]
            }
        }
        return PlaceboValue(estimate: value, standardError: variance.squareRoot(),
                            degreesOfFreedom: estimate.variance.degreesOfFreedom)
    }
}
