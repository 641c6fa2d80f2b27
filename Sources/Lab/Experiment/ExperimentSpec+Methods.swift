import Estimators

extension ExperimentSpec.Method {
    /// The evaluator for this method on panels whose unit column is `unitName`.
    /// `cr1` alone clusters by the unit; `placebo` alone permutes unit cohorts.
    public func evaluator(unitName: String) -> any MethodEvaluator {
        do {
            switch estimator {
            case "mediation":
                return try MediationMethod.parse(mediator: mediator ?? "", term: term ?? "indirect", inference: inference,
                                                 replications: reps, target: target, unitName: unitName)
            case "rings", "rings-2s":
                return try RingMethod.parse(estimator: estimator, edges: rings, term: term, inference: inference,
                                            coordinates: coords, target: target, unitName: unitName)
            default:
                break
            }
        } catch {
            // The spec parser checks these spellings, so this is not reached from a parsed spec.
            return UnavailableMethod(estimatorName: estimator, inferenceName: inference, target: target, error: error)
        }
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts[0]
        let column = parts.count > 1 ? parts[1] : nil
        let estimator: RegressionMethod.Estimator = self.estimator == "event"
            ? .event(term: term ?? "e+0", leads: leads, lags: lags) : .twfe
        let variance: VarianceType = kind == "iid" ? .iid : kind == "hetero" ? .hetero : .cluster(column ?? unitName)
        if self.estimator == "subgroup", let by {
            let statistic: SubgroupMethod.Statistic
            if let group {
                statistic = .effect(group)
            } else if let difference, difference.count == 2 {
                statistic = .difference(difference[0], difference[1])
            } else if let test, test.hasPrefix("permutation") {
                statistic = .permutation(studentized: test == "permutation-t")
            } else {
                statistic = .equalEffects
            }
            return SubgroupMethod(column: by, statistic: statistic, variance: variance, permutations: permutations,
                                  scope: scope == "all" ? .allUnits : .treatedUnits, target: target)
        }
        if let bootstrap = WildBootstrapMethod(inference: inference, estimator: estimator, replications: reps,
                                               unitName: unitName, target: target) {
            return bootstrap
        }
        let robustTerm = term ?? "att"
        if kind == "placebo" || kind == "placebo-t" {
            let statistic: PlaceboMethod.Statistic
            switch self.estimator {
            case "cs": statistic = .callawaySantAnna(term: robustTerm, notYet: control == "notyet")
            case "sa": statistic = .sunAbraham(term: robustTerm)
            case "bjs": statistic = .imputation(term: robustTerm)
            default: statistic = .regression(estimator)
            }
            return PlaceboMethod(estimator: statistic, cluster: unitName, level: column, permutations: permutations,
                                 studentized: kind == "placebo-t", target: target)
        }
        switch self.estimator {
        case "cs":
            let options = CallawaySantAnnaOptions(controlGroup: control == "notyet" ? .notYetTreated : .neverTreated,
                                                  cluster: column)
            return CallawaySantAnnaMethod(options: options, term: robustTerm, target: target)
        case "sa": return RobustMethod(estimator: .sunAbraham(term: robustTerm, control: control == "last" ? .lastTreated : .neverTreated),
                                       variance: variance, target: target)
        case "bjs": return RobustMethod(estimator: .imputation(term: robustTerm), variance: variance, target: target)
        default: return RegressionMethod(estimator: estimator, variance: variance, target: target)
        }
    }
}

/// A method whose spelling could not be turned into an evaluator: every replication records the error.
struct UnavailableMethod: MethodEvaluator {
    let estimatorName: String
    let inferenceName: String
    let target: String
    let error: any Error
    func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult { throw error }
}
