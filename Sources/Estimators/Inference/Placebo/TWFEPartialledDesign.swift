import CGSL

/// The parts of the TWFE placebo regression that no assignment changes, computed once
/// (Frisch–Waugh–Lovell): the two-way demeaned outcome `ỹ` and kept covariates `X̃`,
/// `(X̃'X̃)⁻¹`, the residual `e = ỹ − X̃γ₀` of the outcome on the covariates, the clustering
/// and the CR1 factor of the observed estimate.
///
/// For any treatment column `D` with demeaned `D̃`, let `π = (X̃'X̃)⁻¹X̃'D̃` and `r = D̃ − X̃π`.
/// Then `β̂ = r'e / r'r`, the full model's residual is `û = e − β̂ r`, and the first row of the
/// bread times the regressors is `r / r'r`, so the CR1 variance of `β̂` is
/// `c · Σ_g (Σ_{i∈g} r_i û_i)² / (r'r)²` with the same `c = G/(G−1)·(n−1)/(n−K)` as the observed fit
/// (K does not depend on the assignment).
struct TWFEPartialledDesign: Sendable {
    let panel: Panel
    let within: TwoWayWithin
    let observationCount: Int
    /// Kept covariates.
    let covariateCount: Int
    /// `X̃`, column-major (`covariateCount × n`).
    let demeanedCovariates: [Double]
    /// `ỹ`.
    let demeanedOutcome: [Double]
    /// `e = ỹ − X̃γ₀`.
    let outcomeResidual: [Double]
    /// `(X̃'X̃)⁻¹`, row-major.
    let covariateInverse: [Double]
    /// Cluster of each observation and the number of clusters.
    let clusterIndex: [Int32]
    /// The cluster of each unit when units are nested in the clusters (``Clustering/unitCluster``).
    let unitCluster: [Int32]?
    let clusterCount: Int
    /// `G/(G−1)·(n−1)/(n−K)` of the observed estimate, and its t degrees of freedom.
    let correctionFactor: Double
    let degreesOfFreedom: Double
    /// The observed estimate's coefficient and CR1 standard error (from the full fit).
    let observed: PlaceboValue

    init(panel: Panel, cluster: String, correction: SmallSampleCorrection) throws {
        let fit = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster(cluster),
                                                                        correction: correction)).estimate(panel)
        guard let treat = fit.index(of: "treat") else {
            throw PlaceboError.observedFailed("the treatment is collinear with the fixed effects or covariates")
        }
        observed = PlaceboValue(estimate: fit.coefficients[treat], standardError: fit.standardError(treat),
                                degreesOfFreedom: fit.variance.degreesOfFreedom)
        let keptNames = Set(fit.terms.map(\.name))
        let kept = panel.covariateNames.indices.filter { keptNames.contains(panel.covariateNames[$0]) }
        self.panel = panel
        within = TwoWayWithin(panel: panel)
        let n = panel.observationCount
        observationCount = n
        covariateCount = kept.count
        let outcome = within.transform(panel.outcome)
        demeanedOutcome = outcome
        var x = [Double]()
        x.reserveCapacity(n * kept.count)
        for column in kept { x.append(contentsOf: within.transform(panel.covariates[column])) }
        demeanedCovariates = x
        let k = kept.count
        var gram = [Double](repeating: 0, count: k * k)
        var moment = [Double](repeating: 0, count: k)
        x.withUnsafeBufferPointer { columns in
            outcome.withUnsafeBufferPointer { y in
                for a in 0..<k {
                    let xa = UnsafeBufferPointer(rebasing: columns[(a * n)..<((a + 1) * n)])
                    moment[a] = dot(xa, y)
                    for b in 0...a {
                        let value = dot(xa, UnsafeBufferPointer(rebasing: columns[(b * n)..<((b + 1) * n)]))
                        gram[a * k + b] = value
                        gram[b * k + a] = value
                    }
                }
            }
        }
        guard let inverse = TWFEPartialledDesign.invertSymmetric(gram, k) else {
            throw PlaceboError.observedFailed("the kept covariates are collinear after the within transformation")
        }
        covariateInverse = inverse
        var residual = outcome
        for a in 0..<k {
            var gamma = 0.0
            for b in 0..<k { gamma += inverse[a * k + b] * moment[b] }
            for row in 0..<n { residual[row] -= gamma * x[a * n + row] }
        }
        outcomeResidual = residual
        let clustering = try panel.clustering(named: cluster)  // a column or an interaction A^B
        clusterIndex = clustering.index
        unitCluster = clustering.unitCluster
        clusterCount = clustering.count
        correctionFactor = fit.variance.correctionFactor
        degreesOfFreedom = fit.variance.degreesOfFreedom
    }

    /// Inverse of a symmetric positive-definite `k × k` matrix (GSL Cholesky); nil if singular.
    static func invertSymmetric(_ matrix: [Double], _ k: Int) -> [Double]? {
        guard k > 0 else { return [] }
        var inverse = matrix
        let status = inverse.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var view = gsl_matrix_view_array(buffer.baseAddress!, k, k)
            let decomposed = gsl_linalg_cholesky_decomp1(&view.matrix)
            return decomposed != 0 ? decomposed : gsl_linalg_cholesky_invert(&view.matrix)
        }
        return status == 0 ? inverse : nil
    }
}

/// The general TWFE path: for each assignment, rebuild `D`, demean it with ``TwoWayWithin``
/// (closed form or exact unbalanced solve) into a worker buffer, and apply the FWL formulas of
/// ``TWFEPartialledDesign``. Any panel, any design, any clustering; O(n·k) per assignment, no
/// allocation.
struct TWFEGeneralEvaluator: PlaceboEvaluator {
    let design: TWFEPartialledDesign
    var observed: PlaceboValue? { design.observed }
    var pathName: String { design.within.isBalanced ? "general (re-demean D, FWL)" : "general unbalanced (exact re-demean D, FWL)" }

    func makeWorker() -> any PlaceboWorker { Worker(design: design) }

    final class Worker: PlaceboWorker {
        let design: TWFEPartialledDesign
        // Raw buffers, allocated once (see TWFEBalancedEvaluator.Worker).
        let treatment: UnsafeMutableBufferPointer<Double>, demeaned: UnsafeMutableBufferPointer<Double>
        let residualised: UnsafeMutableBufferPointer<Double>, scores: UnsafeMutableBufferPointer<Double>
        let projection: UnsafeMutableBufferPointer<Double>, coefficients: UnsafeMutableBufferPointer<Double>
        var workspace: TwoWayWithin.Workspace

        init(design: TWFEPartialledDesign) {
            self.design = design
            let buffer = UnsafeMutableBufferPointer<Double>.zeroed
            let n = design.observationCount
            treatment = buffer(n)
            demeaned = buffer(n)
            residualised = buffer(n)
            scores = buffer(design.clusterCount)
            projection = buffer(design.covariateCount)
            coefficients = buffer(design.covariateCount)
            workspace = TwoWayWithin.Workspace(for: design.within)
        }

        deinit { for b in [treatment, demeaned, residualised, scores, projection, coefficients] { b.deallocate() } }

        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            plan.fillUnits(&scratch)
            let n = design.observationCount, k = design.covariateCount
            let panel = design.panel
            let d = treatment, dt = demeaned, r = residualised, s = scores
            let projection = self.projection, coefficients = self.coefficients
            // D_it = 1{t ≥ g_i}.
            panel.periodIndex.withUnsafeBufferPointer { period in
                panel.unitStart.withUnsafeBufferPointer { start in
                    scratch.adoption.withUnsafeBufferPointer { adoption in
                        for unit in 0..<panel.unitCount {
                            let g = adoption[unit]
                            for row in start[unit]..<start[unit + 1] { d[row] = period[row] >= g ? 1 : 0 }
                        }
                    }
                }
            }
            design.within.transform(UnsafeBufferPointer(d), into: dt, workspace: &workspace)
            var numerator = 0.0, denominator = 0.0, treatmentScale = 0.0
            design.demeanedCovariates.withUnsafeBufferPointer { x in
                design.outcomeResidual.withUnsafeBufferPointer { e in
                    design.covariateInverse.withUnsafeBufferPointer { inverse in
                        let dtc = UnsafeBufferPointer(dt)
                        for a in 0..<k { projection[a] = dot(UnsafeBufferPointer(rebasing: x[(a * n)..<((a + 1) * n)]), dtc) }
                        for a in 0..<k {
                            var sum = 0.0
                            for b in 0..<k { sum += inverse[a * k + b] * projection[b] }
                            coefficients[a] = sum
                        }
                        for row in 0..<n { r[row] = dt[row] }
                        for a in 0..<k {
                            let pi = coefficients[a]
                            let base = a * n
                            for row in 0..<n { r[row] -= pi * x[base + row] }
                        }
                        treatmentScale = dot(dtc, dtc)
                        let rb = UnsafeBufferPointer(r)
                        numerator = dot(rb, e)
                        denominator = dot(rb, rb)
                    }
                }
            }
            let beta = numerator / denominator
            var sum = 0.0
            for c in 0..<s.count { s[c] = 0 }
            design.clusterIndex.withUnsafeBufferPointer { cluster in
                design.outcomeResidual.withUnsafeBufferPointer { e in
                    for row in 0..<n { s[Int(cluster[row])] += r[row] * (e[row] - beta * r[row]) }
                }
            }
            for c in 0..<s.count { sum += s[c] * s[c] }
            // Collinear with the covariates (fixest's collin.tol rule): the coefficient is not identified.
            guard denominator > 1e-10 * treatmentScale, beta.isFinite else { return .invalid }
            return PlaceboValue(estimate: beta, standardError: (design.correctionFactor * sum).squareRoot() / denominator,
                                degreesOfFreedom: design.degreesOfFreedom)
        }
    }
}

extension UnsafeMutableBufferPointer where Element == Double {
    /// A worker buffer of `count` zeros (at least one element), allocated once and freed by its
    /// owner's `deinit`.
    static func zeroed(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(count, 1))
        buffer.initialize(repeating: 0)
        return buffer
    }
}
