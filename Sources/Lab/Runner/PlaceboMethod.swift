import Estimators

/// A regression estimator with randomization inference: a placebo permutation test run inside
/// the replication (serially: replications are the parallel loop).
///
/// The estimate and its CR1 standard error come from the observed assignment; the p-value is
/// the RI-β (coefficient) or RI-t (studentized) placebo p-value with the add-one convention,
/// `(1 + #{|T*| ≥ |T|})/(1 + R)`. Permutations do not give a confidence interval, so coverage
/// is not reported for these methods. The permutation stream is derived from the replication's
/// data stream key, so the whole replication replays from one key.
public struct PlaceboMethod: MethodEvaluator {
    /// The statistic permuted.
    public enum Statistic: Sendable, Equatable {
        /// A regression coefficient: TWFE's treat, or an event-study term.
        case regression(RegressionMethod.Estimator)
        /// A Callaway–Sant'Anna effect (`att`, `e+K`, …), never-treated or not-yet-treated controls.
        case callawaySantAnna(term: String, notYet: Bool)
        /// Sun–Abraham's overall ATT or an event-time term.
        case sunAbraham(term: String)
        /// BJS imputation's overall ATT or an event-time term.
        case imputation(term: String)
    }

    /// The statistic's estimator.
    public let estimator: Statistic
    /// Cluster column for the studentized statistic.
    public let cluster: String
    /// Assignment level (whole clusters swap adoption dates), nil = units.
    public let level: String?
    /// Number of placebo draws.
    public let permutations: Int
    /// Use RI-t instead of RI-β.
    public let studentized: Bool
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(estimator: Statistic, cluster: String, level: String?, permutations: Int,
                studentized: Bool, target: String) {
        self.estimator = estimator
        self.cluster = cluster
        self.level = level
        self.permutations = permutations
        self.studentized = studentized
        self.target = target
    }

    public var estimatorName: String {
        switch estimator {
        case .regression(.twfe): return "twfe"
        case .regression(.event(let term, _, _)): return "event:\(term)"
        case .callawaySantAnna(let term, let notYet): return "cs:\(notYet ? "notyet" : "never"):\(term)"
        case .sunAbraham(let term): return "sa:\(term)"
        case .imputation(let term): return "bjs:\(term)"
        }
    }

    public var inferenceName: String {
        "placebo\(studentized ? "-t" : ""):\(level ?? "units")"
    }

    /// Runs the placebo test on the replication's panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let test = PlaceboTest(design: PlaceboDesign(scheme: .cohorts, strata: nil, level: level),
                               permutations: permutations,
                               seed: RandomStream.key(seed: streamKey, replication: 0,
                                                      purpose: RandomStream.Purpose.permutation.rawValue),
                               threads: 1, convention: .includeObserved, alternative: .twoSided)
        let statistic: any PlaceboStatistic
        switch estimator {
        case .regression(.twfe): statistic = TWFEPlaceboStatistic(cluster: cluster)
        case let .regression(.event(term, leads, lags)):
            statistic = EventStudyPlaceboStatistic(cluster: cluster, leads: leads, lags: lags, term: term)
        case let .callawaySantAnna(term, notYet):
            statistic = CallawaySantAnnaPlaceboStatistic(
                options: CallawaySantAnnaOptions(controlGroup: notYet ? .notYetTreated : .neverTreated), target: term)
        case .sunAbraham(let term): statistic = SunAbrahamPlaceboStatistic(cluster: cluster, term: term)
        case .imputation(let term): statistic = ImputationPlaceboStatistic(cluster: cluster, term: term)
        }
        let result = try test.run(on: data.panel, statistic: statistic)
        return MethodResult(estimate: result.observed.estimate, standardError: result.observed.standardError,
                            confLow: .nan, confHigh: .nan,
                            pValue: studentized ? result.pValueStudentized : result.pValue)
    }
}
