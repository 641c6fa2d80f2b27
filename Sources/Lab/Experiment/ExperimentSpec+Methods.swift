import Estimators

extension ExperimentSpec.Method {
    /// The evaluator for this method on panels whose unit column is `unitName`.
    /// `cr1` alone clusters by the unit; `placebo` alone permutes unit cohorts.
    public func evaluator(unitName: String) -> any MethodEvaluator {
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts[0]
        let column = parts.count > 1 ? parts[1] : nil
        let estimator: RegressionMethod.Estimator = self.estimator == "event"
            ? .event(term: term ?? "e+0", leads: leads, lags: lags) : .twfe
        switch kind {
        case "iid": return RegressionMethod(estimator: estimator, variance: .iid, target: target)
        case "hetero": return RegressionMethod(estimator: estimator, variance: .hetero, target: target)
        case "placebo", "placebo-t":
            return PlaceboMethod(estimator: estimator, cluster: unitName, level: column, permutations: permutations,
                                 studentized: kind == "placebo-t", target: target)
        default:
            return RegressionMethod(estimator: estimator, variance: .cluster(column ?? unitName), target: target)
        }
    }
}
