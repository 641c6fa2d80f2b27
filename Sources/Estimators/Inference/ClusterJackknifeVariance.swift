/// The CR3 cluster jackknife: leave-one-cluster-out re-estimation of a two-way fixed-effects
/// regression.
///
/// For each cluster `g` the regression `y ~ X + unit + period` is fitted again on the rows outside
/// `g` (its unit and period effects re-estimated: a unit whose rows all lie in `g` leaves with
/// them), giving `β̂₍₋g₎`, and
///
///     V = (G − 1)/G · Σ_g (β̂₍₋g₎ − β̂)(β̂₍₋g₎ − β̂)'
///
/// centred at the full-sample estimate: MacKinnon, Nielsen & Webb's (2023) CV3 (Stata's
/// `jackknife, mse` over clusters; with a non-singular `I − H_gg` it equals `(G − 1)/G` times R
/// clubSandwich's CR3). p-values and intervals use t(G − 1). clubSandwich's own CR3 cannot serve
/// here: with unit effects nested in the clusters `I − H_gg` is singular. The oracle is the same
/// re-estimation by R `lm` (`scripts/reference/make_cr_reference.R`).
enum ClusterJackknifeVariance {
    /// `V` (row-major `k × k`) for the fit with coefficients `coefficients` of the kept regressor
    /// columns `columns` (raw, one per kept term, named `termNames`) on `panel`, by `clustering`.
    /// - Throws: ``ClusterRobustVarianceError/jackknifeUnidentified(name:label:terms:)`` when
    ///   leaving a cluster out drops a term; the estimator's errors otherwise.
    static func matrix(panel: Panel, columns: [[Double]], termNames: [String], coefficients: [Double],
                       clustering: Clustering) throws -> [Double] {
        let k = columns.count
        let groups = clustering.count
        var sum = [Double](repeating: 0, count: k * k)
        for g in 0..<groups {
            // Built per cluster (O(n) memory), not for all clusters up front (O(G·n)).
            let rows = (0..<panel.observationCount).filter { Int(clustering.index[$0]) != g }
            let sub = try panel.restricted(toRows: rows)
            let within = TwoWayWithin(panel: sub)
            let design = DemeanedDesign(within: within, termNames: termNames, outcome: sub.outcome,
                                        regressors: columns.map { column in rows.map { column[$0] } },
                                        crossProducts: true)
            let fit = try NormalEquationsSolution(design: design)
            guard fit.keptTerms.count == k else {
                throw ClusterRobustVarianceError.jackknifeUnidentified(name: clustering.name, label: clustering.labels[g],
                                                                       terms: fit.droppedTerms)
            }
            let delta = (0..<k).map { fit.coefficients[$0] - coefficients[$0] }
            for a in 0..<k { for b in 0..<k { sum[a * k + b] += delta[a] * delta[b] } }
        }
        let factor = Double(groups - 1) / Double(groups)
        return sum.map { $0 * factor }
    }
}
