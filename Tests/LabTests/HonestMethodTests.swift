import Foundation
import Testing
import Estimators
@testable import Lab

/// HonestDiD as a Monte Carlo method (issue 14). Oracle: the library called directly on the same
/// event study (``HonestDiD/confidenceSet(eventStudy:restriction:target:alpha:options:)``, whose
/// parity with the `honestdid` package is tested in EstimatorsTests), so the numbers must be
/// identical; and the spec's promised key-path errors.
@Suite("HonestDiD method")
struct HonestMethodTests {
    static func spec(_ method: String) throws -> MethodSpec {
        try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [\(method)]\n", source: "x.yaml").methods[0]
    }

    @Test(arguments: ["sd:0.01", "rm:0.5"])
    func evaluatesAsTheLibrary(bound: String) throws {
        let spec = try Self.spec("{estimator: honest, honest: \"\(bound)\", inference: \"cr1:countyreal\"}")
        #expect(spec.target == "e+0")
        let method = try spec.evaluator(unitName: "countyreal")
        let data = ReplicationData(panel: try LabFixtures.mpdta(), truth: ["e+0": 0])
        let result = try method.evaluate(data, streamKey: 42, alpha: 0.05)
        let estimate = try EventStudy(leads: nil, lags: nil, options: RegressionOptions(variance: .cluster("countyreal")))
            .estimate(try LabFixtures.mpdta())
        var options = HonestDiD.Options()
        options.seed = 42
        let restriction = try #require(try HonestDiD.parseRestrictions(bound).first)
        let direct = try HonestDiD.confidenceSet(eventStudy: try HonestDiD.EventStudyCoefficients(estimate: estimate),
                                                 restriction: restriction, alpha: 0.05, options: options)
        #expect(result.confLow == direct.lower && result.confHigh == direct.upper)
        #expect(result.pValue == (direct.excludes(0) ? 0 : 1))
        #expect(method.inferenceName.hasSuffix(bound.hasPrefix("rm") ? "+C-LF" : "+FLCI"))
        // The same stream key gives the same set (C-LF's least-favourable draws are seeded by it).
        let again = try method.evaluate(data, streamKey: 42, alpha: 0.05)
        #expect(again.confLow == result.confLow && again.confHigh == result.confHigh)
    }

    @Test func badSpecsNameTheKey() {
        let cases = [("{estimator: honest, inference: cr1}", "methods[0].honest"),
                     ("{estimator: honest, honest: \"rm:1,2\", inference: cr1}", "methods[0].honest"),
                     ("{estimator: honest, honest: \"xx:1\", inference: cr1}", "methods[0].honest"),
                     ("{estimator: honest, honest: \"sd:-1\", inference: cr1}", "methods[0].honest"),
                     ("{estimator: honest, honest: \"sd:1\", term: average, inference: cr1}", "methods[0].term"),
                     ("{estimator: honest, honest: \"sd:1\", inference: placebo}", "methods[0].inference"),
                     ("{estimator: twfe, honest: \"sd:1\", inference: cr1}", "methods[0].honest")]
        for (method, path) in cases {
            do {
                _ = try Self.spec(method)
                Issue.record("expected an error for \(method)")
            } catch {
                #expect("\(error)".contains(path), "\(method): \(error)")
            }
        }
    }
}
