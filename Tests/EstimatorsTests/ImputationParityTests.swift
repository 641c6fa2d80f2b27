import Foundation
import Testing
@testable import Estimators

/// BJS imputation against golden values from `scripts/reference/make_robust_reference.py`:
/// - estimates: the exact least-squares fit of `Y(0)` on untreated observations with dense unit
///   and year dummies (numpy `lstsq`), imputed and averaged;
/// - SEs: BJS Theorem 3 as Stata did_imputation computes it (imputation weights
///   `v₀ = −Z₀ pinv(Z₀'Z₀) Z₁'w` in closed form, `τ̃` by cohort × year with the cluster-block
///   weights, `Σ_c S_c S_c'`), written out in numpy. The did_imputation 0.1.0 Python port
///   (`did_imputation(df, "Y", "U", "T", "Gi", allhorizons=True, minn=0, pretrends=P)`) agrees
///   to 3e-8–2e-7 on estimates and 1e-11–2e-9 on SEs: its solvers iterate to a 1e-6 tolerance;
/// - pre-trend test: dense OLS on untreated observations without singletons, CR1 (fixest's rule
///   = reghdfe's), `F = W/P` on `(P, G − 1)` df as Stata's `test`.
/// Tolerance 1e-8 relative (the target; the exact solves agree to ~1e-12).
@Suite("BJS imputation parity")
struct ImputationParityTests {
    @Test("ATT, event-time effects, SEs and the pre-trend test match",
          arguments: ["mpdta_bjs", "synthetic_bjs", "unbalanced_bjs"])
    func matchesReference(name: String) throws {
        let reference = try #require(RobustReference.referenceCase("imputation", name))
        let vcovs = try #require(reference["vcov"] as? [String: [String: Any]])
        let clusters = vcovs.keys.map { String($0.dropFirst(4)) }
        let panel = try RobustReference.panel(reference, clusters: clusters)
        let expected = try #require(reference["estimate"] as? [String: Double])
        let pretrend = reference["pretrend"] as? [String: Any]
        let leads = (pretrend?["coef"] as? [String: Double])?.count ?? 0
        for (key, vcov) in vcovs {
            let fit = try ImputationEstimator(horizons: .all, preTrendLeads: leads,
                                              variance: .fromReferenceKey(key)).fit(panel)
            let estimate = fit.estimate
            #expect(estimate.method == "bjs")
            #expect(estimate.terms.first?.name == "att")
            #expect(Set(estimate.terms.map(\.name)) == Set(expected.keys), "\(name): terms")
            #expect(fit.untreatedRows.count == reference["n_untreated"] as? Int, "\(name): untreated count")
            #expect(fit.treatedRows.count == reference["n_treated"] as? Int, "\(name): treated count")
            #expect(estimate.variance.clusterCount == vcov["clusters"] as? Int, "\(name) \(key): clusters")
            let se = try #require(vcov["se"] as? [String: Double])
            for (index, term) in estimate.terms.enumerated() {
                let label = "\(name) \(key) \(term.name)"
                #expect(relativeDifference(estimate.coefficients[index], try #require(expected[term.name])) < 1e-8, "\(label): estimate")
                #expect(relativeDifference(estimate.standardError(index), try #require(se[term.name])) < 1e-8, "\(label): SE")
            }
            if let covariance = vcov["cov_att_e0"] as? Double, let e0 = estimate.index(of: "e+0") {
                #expect(relativeDifference(estimate.variance.matrix[e0], covariance) < 1e-8, "\(name) \(key): cov(att, e+0)")
            }
            // Linearity: τ̂ = Σ w Y₁ + Σ v Y₀ with the exact imputation weights.
            for (index, w) in fit.weights.enumerated() {
                let linear = zip(w, fit.treatedRows).reduce(0) { $0 + $1.0 * panel.outcome[$1.1] }
                    + zip(fit.imputationWeights[index], fit.untreatedRows).reduce(0) { $0 + $1.0 * panel.outcome[$1.1] }
                #expect(abs(linear - estimate.coefficients[index]) < 1e-10, "\(name): Σ v Y for \(estimate.terms[index].name)")
            }
            if let pretrend, key.hasSuffix(reference["unit"] as? String ?? "") {
                let test = try #require(fit.preTrend)
                let coef = try #require(pretrend["coef"] as? [String: Double])
                let preSE = try #require(pretrend["se"] as? [String: Double])
                for (index, term) in test.regression.terms.enumerated() where term.name.hasPrefix("pre") {
                    #expect(relativeDifference(test.regression.coefficients[index], try #require(coef[term.name])) < 1e-8, "\(name): \(term.name)")
                    #expect(relativeDifference(test.regression.standardError(index), try #require(preSE[term.name])) < 1e-8, "\(name): SE \(term.name)")
                }
                #expect(test.regression.observationCount == pretrend["n_obs"] as? Int, "\(name): pre-trend n")
                #expect(test.droppedSingletons == pretrend["dropped_singletons"] as? Int, "\(name): singletons")
                #expect(test.regression.variance.parameterCount == pretrend["K"] as? Int, "\(name): pre-trend K")
                #expect(test.denominatorDegreesOfFreedom == Double(try #require(pretrend["df"] as? Int)), "\(name): df")
                #expect(relativeDifference(test.fStatistic, try #require(pretrend["F"] as? Double)) < 1e-8, "\(name): F")
                #expect(relativeDifference(test.pValue, try #require(pretrend["p_value"] as? Double)) < 1e-7, "\(name): p")
                #expect(relativeDifference(test.chiSquarePValue, try #require(pretrend["chi2_p_value"] as? Double)) < 1e-7, "\(name): χ² p")
            }
        }
    }
}
