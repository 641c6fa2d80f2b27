import Estimators

/// A registered estimator with randomization inference: a placebo permutation test run inside
/// the replication (serially: replications are the parallel loop).
///
/// The estimate and its standard error come from the observed assignment; the p-value is the
/// RI-β (coefficient) or RI-t (studentized) placebo p-value with the add-one convention,
/// `(1 + #{|T*| ≥ |T|})/(1 + R)`. Permutations do not give a confidence interval, so coverage
/// is not reported for these methods. The permutation stream is derived from the replication's
/// data stream key, so the whole replication replays from one key.
public struct PlaceboMethod: MethodEvaluator {
    /// The estimator whose statistic is permuted.
    public let entry: EstimatorEntry
    /// Its settings (the variance clusters the studentized statistic).
    public let settings: EstimatorSettings
    /// The effect tested.
    public let effect: String
    /// Assignment level (whole clusters swap adoption dates), nil = units.
    public let level: String?
    /// Number of placebo draws.
    public let permutations: Int
    /// Use RI-t instead of RI-β.
    public let studentized: Bool
    /// Estimand key.
    public let target: String

    /// Creates the method; `effect` nil tests the entry's default effect.
    public init(entry: EstimatorEntry, settings: EstimatorSettings, effect: String? = nil, level: String?,
                permutations: Int, studentized: Bool, target: String) {
        self.entry = entry
        (self.settings, self.effect) = entry.resolve(settings, effect: effect)
        self.level = level
        self.permutations = permutations
        self.studentized = studentized
        self.target = target
    }

    public var estimatorName: String { entry.label(effect: effect, settings: settings) }

    public var inferenceName: String { InferenceSpec.placebo(level: level, studentized: studentized).label(unit: "") }

    /// R placebo draws with the add-one p-value, or every assignment when the design has at most R
    /// (``PlaceboTest`` enumerates them then).
    public func designSize(alpha: Double, on panel: Panel) -> DesignSize? {
        if let plan = try? AssignmentPlan(panel: panel, design: PlaceboDesign(scheme: .cohorts, strata: nil, level: level)),
           let distinct = plan.distinctAssignments, distinct <= UInt64(permutations) {
            return .enumeratedRandomization(assignments: Int(distinct), alpha: alpha)
        }
        return .randomization(draws: permutations, alpha: alpha)
    }

    /// Runs the placebo test on the replication's panel.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        let test = PlaceboTest(design: PlaceboDesign(scheme: .cohorts, strata: nil, level: level),
                               permutations: permutations,
                               seed: RandomStream.key(seed: streamKey, replication: 0,
                                                      purpose: RandomStream.Purpose.permutation.rawValue),
                               threads: 1, convention: .includeObserved, alternative: .twoSided)
        let result = try test.run(on: data.panel, statistic: try entry.placeboStatistic(settings, effect: effect))
        return MethodResult(estimate: result.observed.estimate, standardError: result.observed.standardError,
                            confLow: .nan, confHigh: .nan,
                            pValue: studentized ? result.pValueStudentized : result.pValue)
    }
}
