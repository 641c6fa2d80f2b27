extension VarianceEstimator {
    /// The CR2 (``BellMcCaffreyVariance``) or CR3 (``ClusterJackknifeVariance``) variance of a fit
    /// of `y ~ regressors | unit + period` on `panel`: `design` is its demeaned design, `kept` the
    /// kept columns with `coefficients` and `bread`, `regressors` the raw columns of every term
    /// (regressors, then covariates) and `termNames` their names.
    ///
    /// `parameterCount` is fixest's nested `K` as for CR1 (informational: neither has a
    /// small-sample factor); `degreesOfFreedom` is `G − 1`, and every term carries its own df in
    /// ``VarianceEstimate/termDegreesOfFreedom`` (CR2: Satterthwaite; CR3: `G − 1`).
    /// - Throws: ``ClusterRobustVarianceError``, or the estimator's errors from a CR3 re-estimation.
    static func clusterAdjusted(type: VarianceType, clustering: Clustering, panel: Panel, design: DemeanedDesign,
                                kept: [Int], coefficients: [Double], bread: [Double], regressors: [[Double]],
                                termNames: [String], correction: SmallSampleCorrection) throws -> VarianceEstimate {
        let m = kept.count
        let g = clustering.count
        let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                          clustering: clustering)
        switch type {
        case .cr2:
            let n = design.observationCount
            var columns = [Double](repeating: 0, count: n * m)
            var residuals = design.outcome
            for (r, a) in kept.enumerated() {
                design.withColumn(a) { x in
                    for row in 0..<n {
                        columns[r * n + row] = x[row]
                        residuals[row] -= coefficients[r] * x[row]
                    }
                }
            }
            let cr2 = try BellMcCaffreyVariance(columns: columns, residuals: residuals, bread: bread, panel: panel,
                                                clustering: clustering)
            let termDF = (0..<m).map { j in
                cr2.contrasts.degreesOfFreedom(contrast: (0..<m).map { $0 == j ? 1 : 0 })
            }
            return VarianceEstimate(type: type, matrix: cr2.matrix, parameterCount: k, correctionFactor: 1,
                                    degreesOfFreedom: Double(g - 1), clusterCount: g,
                                    termDegreesOfFreedom: termDF, satterthwaite: cr2.contrasts)
        default:
            let matrix = try ClusterJackknifeVariance.matrix(panel: panel, columns: kept.map { regressors[$0] },
                                                             termNames: kept.map { termNames[$0] },
                                                             coefficients: coefficients, clustering: clustering)
            return VarianceEstimate(type: type, matrix: matrix, parameterCount: k, correctionFactor: 1,
                                    degreesOfFreedom: Double(g - 1), clusterCount: g,
                                    termDegreesOfFreedom: Array(repeating: Double(g - 1), count: m))
        }
    }
}
