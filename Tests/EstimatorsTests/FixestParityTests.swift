import Foundation
import Testing
@testable import Estimators

/// Parity with R fixest's conventions, through golden values from pyfixest 0.60.0
/// (`scripts/reference/make_fixest_reference.py`; estimates are the brute-force dummy-variable
/// OLS solution, SEs the explicit fixest formula, both agreeing with pyfixest to < 5e-13).
/// Tolerance 1e-8 relative: the parity target; the implementations differ only by
/// floating-point summation order (observed agreement ~1e-12).
@Suite("fixest parity")
struct FixestParityTests {
    static let caseNames = ["mpdta_twfe", "mpdta_twfe_lpop", "mpdta_event", "mpdta_event_binned",
                            "synthetic_twfe", "synthetic_event", "unbalanced_twfe"]

    static func variance(from key: String) -> VarianceType {
        if key == "iid" { return .iid }
        if key == "hetero" { return .hetero }
        return .cluster(String(key.dropFirst("cr1:".count)))
    }

    @Test("coefficients, SEs, p-values and intervals match", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try #require(Fixtures.referenceCase(caseName), "reference.json lacks \(caseName)")
        let data = try #require(reference["data"] as? String)
        let covariates = reference["covariates"] as? [String] ?? []
        let vcovs = try #require(reference["vcov"] as? [String: [String: Any]])
        let clusters = vcovs.keys.filter { $0.hasPrefix("cr1:") }.map { String($0.dropFirst(4)) }
        let spec = PanelSpec(outcome: try #require(reference["y"] as? String),
                             unit: try #require(reference["unit"] as? String),
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)),
                             covariates: covariates, clusterColumns: clusters)
        let panel = try Panel.load(csv: Fixtures.path(data), spec: spec)
        #expect(panel.observationCount == reference["n_obs"] as? Int)
        #expect(panel.unitCount == reference["n_units"] as? Int)
        let expectedEstimates = try #require(reference["estimate"] as? [String: Double])
        let expectedTerms = try #require(reference["terms"] as? [String])
        let expectedDropped = reference["dropped"] as? [String] ?? []

        for (key, expected) in vcovs {
            let options = RegressionOptions(variance: Self.variance(from: key))
            let estimate: Estimate
            if let event = reference["event"] as? [String: Any] {
                estimate = try EventStudy(leads: event["leads"] as? Int, lags: event["lags"] as? Int,
                                          options: options).estimate(panel)
            } else {
                estimate = try TwoWayFixedEffects(options: options).estimate(panel)
            }
            // fixest names D "treat" here; the reference names it "D".
            let names = estimate.terms.map { $0.name == "treat" ? "D" : $0.name }
            #expect(names == expectedTerms, "\(caseName) \(key): terms")
            #expect(estimate.droppedTerms == expectedDropped, "\(caseName) \(key): dropped terms")
            let se = try #require(expected["se"] as? [String: Double])
            let pValues = try #require(expected["p_value"] as? [String: Double])
            let lows = try #require(expected["conf_low"] as? [String: Double])
            let highs = try #require(expected["conf_high"] as? [String: Double])
            #expect(estimate.variance.parameterCount == expected["K"] as? Int, "\(caseName) \(key): K")
            #expect(estimate.variance.degreesOfFreedom == (expected["df"] as? Double) ?? Double(expected["df"] as? Int ?? -1),
                    "\(caseName) \(key): df")
            for (index, name) in names.enumerated() {
                let label = "\(caseName) \(key) \(name)"
                #expect(relativeDifference(estimate.coefficients[index], try #require(expectedEstimates[name])) < 1e-8, "\(label): estimate")
                #expect(relativeDifference(estimate.standardError(index), try #require(se[name])) < 1e-8, "\(label): SE")
                #expect(relativeDifference(estimate.pValue(index), try #require(pValues[name])) < 1e-7, "\(label): p-value")
                let interval = estimate.confidenceInterval(index)
                #expect(relativeDifference(interval.low, try #require(lows[name])) < 1e-8, "\(label): CI low")
                #expect(relativeDifference(interval.high, try #require(highs[name])) < 1e-8, "\(label): CI high")
            }
            if let rss = reference["rss"] as? Double {
                #expect(relativeDifference(estimate.residualSumOfSquares, rss) < 1e-8, "\(caseName): RSS")
            }
            if let r2 = reference["r2_within"] as? Double {
                #expect(relativeDifference(estimate.withinRSquared, r2) < 1e-8, "\(caseName): within R²")
            }
        }
    }
}
