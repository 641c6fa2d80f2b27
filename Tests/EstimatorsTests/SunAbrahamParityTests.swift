import Foundation
import Testing
@testable import Estimators

/// Sun & Abraham (2021) against golden values from `scripts/reference/make_robust_reference.py`:
/// the saturated cohort × relative-period regression solved by dense OLS with explicit unit and
/// year dummies, CR1 by R fixest's rule, aggregated with fixest's `aggregate.fixest` shares
/// `n_{g,e}/Σn` and the delta method. The script checks that oracle against pyfixest 0.60.0
/// (`pf.feols("Y ~ d0 + … | U + T", vcov={"CRV1": "U"})`, agreement < 6e-13) and diff-diff 3.13.0
/// (`SunAbraham(cluster="U").fit(...)`, event-time points and ATT agree < 3e-13).
/// Tolerance 1e-8 relative (the target; observed ~1e-12, summation order only).
@Suite("Sun–Abraham parity")
struct SunAbrahamParityTests {
    @Test("event-time effects, ATT and CR1 SEs match", arguments: ["mpdta_sa", "synthetic_sa", "mpdta_sa_last"])
    func matchesReference(name: String) throws {
        let reference = try #require(RobustReference.referenceCase("sun_abraham", name))
        let vcovs = try #require(reference["vcov"] as? [String: [String: Any]])
        let clusters = vcovs.keys.map { String($0.dropFirst(4)) }
        let panel = try RobustReference.panel(reference, clusters: clusters)
        let control: SunAbraham.ControlGroup = reference["control"] as? String == "last" ? .lastTreated : .neverTreated
        let expected = try #require(reference["estimate"] as? [String: Double])
        let interactions = try #require(reference["interactions"] as? [String: Double])
        for (key, vcov) in vcovs {
            let estimator = SunAbraham(control: control, includeOverallATT: true,
                                       options: RegressionOptions(variance: .fromReferenceKey(key)))
            let fit = try estimator.fit(panel)
            let estimate = fit.estimate
            #expect(estimate.method == "sa")
            #expect(Set(estimate.terms.map(\.name)) == Set(expected.keys), "\(name): terms")
            #expect(fit.interactions.variance.parameterCount == vcov["K"] as? Int, "\(name) \(key): K")
            #expect(estimate.variance.degreesOfFreedom == Double(try #require(vcov["df"] as? Int)), "\(name) \(key): df")
            let se = try #require(vcov["se"] as? [String: Double])
            for (index, term) in estimate.terms.enumerated() {
                let label = "\(name) \(key) \(term.name)"
                #expect(relativeDifference(estimate.coefficients[index], try #require(expected[term.name])) < 1e-8, "\(label): estimate")
                #expect(relativeDifference(estimate.standardError(index), try #require(se[term.name])) < 1e-8, "\(label): SE")
                if term.name != "att" { #expect(term.eventTime != nil, "\(label): event time") }
            }
            // The cohort × relative-period coefficients themselves.
            let interactionSE = try #require(vcov["interaction_se"] as? [String: Double])
            for (index, term) in fit.interactions.terms.enumerated() where term.eventTime != nil {
                #expect(relativeDifference(fit.interactions.coefficients[index], try #require(interactions[term.name])) < 1e-8,
                        "\(name): \(term.name)")
                #expect(relativeDifference(fit.interactions.standardError(index), try #require(interactionSE[term.name])) < 1e-8,
                        "\(name): SE \(term.name)")
            }
            let counts = try #require(reference["counts"] as? [String: Int])
            for cell in fit.cells {
                let termName = EventStudy.termName(cell.eventTime) + ":g" + cell.cohortLabel
                #expect(counts[termName] == cell.count, "\(name): n_{g,e} of \(termName)")
            }
        }
    }

    /// Oracle: the definition of the aggregation — every row of `W` sums to one, and
    /// `β = Wδ` reproduces the aggregated coefficients exactly.
    @Test("aggregation weights are cohort shares")
    func aggregationRows() throws {
        let (reference, panel) = try RobustReference.load("sun_abraham", "mpdta_sa")
        let fit = try SunAbraham(includeOverallATT: true).fit(panel)
        for (row, weights) in fit.aggregation.enumerated() {
            #expect(abs(weights.reduce(0, +) - 1) < 1e-15)
            let value = zip(weights, fit.interactions.coefficients).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(value - fit.estimate.coefficients[row]) < 1e-15)
        }
        // The default output follows the JSON contract: event-time terms only.
        let plain = try SunAbraham().estimate(try RobustReference.panel(reference))
        #expect(plain.terms.allSatisfy { $0.eventTime != nil && $0.eventTime != -1 })
    }
}
