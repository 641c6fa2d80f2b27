import Estimators

/// An estimator output that has a report: what `didlab estimate` prints for it.
///
/// ``Estimate`` (every regression-based estimator), ``CallawaySantAnnaResult`` and
/// ``BaconAnalysisResult`` conform; a new estimator that returns an ``Estimate`` has its report already.
public protocol ReportableOutput: EstimatorOutput {
    /// The report in `format`, with the cluster-adequacy notes for `panel` and intervals at `level`.
    func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String
}

extension Estimate: ReportableOutput {
    public func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String {
        var estimate = self
        switch variance.type {
        case .cluster(let name), .cr2(let name), .cr3(let name):
            estimate.notes += ClusterAdequacy.notes(panel: panel, clustering: name)
        default: break
        }
        return EstimateReport(estimate, level: level).render(format)
    }
}

extension CallawaySantAnnaResult: ReportableOutput {
    public func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String {
        var result = self
        result.notes += ClusterAdequacy.notes(panel: panel, clustering: clusterName)
        return CallawaySantAnnaReport(result, level: level, bootstrap: bootstrap).render(format)
    }
}

extension BaconAnalysisResult: ReportableOutput {
    public func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String {
        BaconReport(decomposition, weights: weights, periodLabels: periodLabels).render(format)
    }
}

/// Renders any estimator output that has a report.
public enum EstimatorReports {
    /// The report of `output`.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/estimator``) for an output without a report.
    public static func render(_ output: any EstimatorOutput, panel: Panel, level: Double,
                              bootstrap: MultiplierBootstrap? = nil, format: ReportFormat) throws -> String {
        guard let reportable = output as? any ReportableOutput else {
            throw InvalidParameter(.estimator, nil, "its output (\(type(of: output))) has no report")
        }
        return reportable.report(panel: panel, level: level, bootstrap: bootstrap, format: format)
    }
}
