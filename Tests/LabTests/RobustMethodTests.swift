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
