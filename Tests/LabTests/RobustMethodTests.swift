import Foundation
import Testing
import Estimators
@testable import Lab

/// SA and BJS as Monte Carlo methods (``EstimatorMethod`` over their registry entries). Oracle: the estimators called directly on the same
/// panel (identical code path, so identical numbers), and the normal-reference interval of BJS.
@Suite("Robust methods for the Monte Carlo runner")
struct RobustMethodTests {
    /// mpdta; EstimatorRegistryTests reads the same panel through this name.
    static func panel() throws -> Panel { try LabFixtures.mpdta() }

    @Test("SA and BJS terms equal the estimators' own output")
    func evaluates() throws {
        let panel = try LabFixtures.mpdta()
        let data = ReplicationData(panel: panel, truth: ["att": 0])
        let sa = try EstimatorMethod(entry: try EstimatorRegistry.require("sa"),
                                     settings: EstimatorSettings(variance: .cluster("countyreal")), effect: "e+1",
                                     target: "e+1").evaluate(data, streamKey: 1, alpha: 0.05)
        let direct = try SunAbraham(options: RegressionOptions(variance: .cluster("countyreal"))).estimate(panel)
        let index = try #require(direct.index(of: "e+1"))
        #expect(sa.estimate == direct.coefficients[index] && sa.standardError == direct.standardError(index))
        let bjsMethod = EstimatorMethod(entry: try EstimatorRegistry.require("bjs"),
                                        settings: EstimatorSettings(variance: .cluster("countyreal")), target: "att")
        #expect(bjsMethod.estimatorName == "bjs:att" && bjsMethod.inferenceName == "cr1:countyreal")
        let bjs = try bjsMethod.evaluate(data, streamKey: 1, alpha: 0.05)
        let z = 1.959963984540054
        #expect(abs(bjs.confHigh - (bjs.estimate + z * bjs.standardError)) < 1e-12, "normal reference")
        #expect(throws: InvalidParameter.self) {
            try EstimatorMethod(entry: try EstimatorRegistry.require("bjs"), settings: EstimatorSettings(variance: .hetero),
                                effect: "e-1", target: "x").evaluate(data, streamKey: 1, alpha: 0.05)
        }
    }
}

/// `reference: normal` (issue 14, the Cameron–Miller experiment). Oracle: the same estimate and
/// standard error as the t reference, with the interval `θ̂ ± 1.959964·se` and the p-value
/// `2(1 − Φ(|t|)) = erfc(|t|/√2)`, where TWFE's own clustered reference is t(G − 1).
@Suite("Normal reference of an analytic method")
struct NormalReferenceTests {
    static func method(_ extra: String) throws -> MethodSpec {
        let spec = try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: twfe, "
                                            + "inference: \"cr1:countyreal\"\(extra)}]\n", source: "x.yaml")
        return spec.methods[0]
    }

    @Test func normalReferenceKeepsTheEstimateAndChangesTheReference() throws {
        let data = ReplicationData(panel: try LabFixtures.mpdta(), truth: ["att": 0])
        let t = try Self.method("").evaluator(unitName: "countyreal").evaluate(data, streamKey: 1, alpha: 0.05)
        let normalMethod = try Self.method(", reference: normal").evaluator(unitName: "countyreal")
        #expect(normalMethod.inferenceName == "cr1:countyreal+normal")
        let normal = try normalMethod.evaluate(data, streamKey: 1, alpha: 0.05)
        #expect(normal.estimate == t.estimate && normal.standardError == t.standardError)
        #expect(abs(normal.confHigh - (normal.estimate + 1.959963984540054 * normal.standardError)) < 1e-12)
        let statistic = abs(normal.estimate / normal.standardError)
        #expect(abs(normal.pValue - erfc(statistic / 2.0.squareRoot())) < 1e-14)
        #expect(normal.pValue < t.pValue, "t(G − 1) has heavier tails than the normal")
        #expect(try Self.method(", reference: t").evaluator(unitName: "countyreal").evaluate(data, streamKey: 1, alpha: 0.05).pValue == t.pValue)
    }

    @Test func badReferencesNameTheKey() {
        for bad in ["experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: twfe, inference: cr1, reference: cauchy}]\n",
                    "experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: twfe, inference: placebo, reference: normal}]\n",
                    "experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: pretrend, inference: cr1, reference: normal}]\n"] {
            do {
                _ = try ExperimentSpec.parse(bad, source: "bad.yaml")
                Issue.record("expected an error for \(bad)")
            } catch {
                #expect("\(error)".contains("methods[0].reference"), "\(error)")
            }
        }
    }
}
