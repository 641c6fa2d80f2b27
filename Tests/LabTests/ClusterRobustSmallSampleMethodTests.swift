import Foundation
import Testing
import Estimators
@testable import Lab

/// `inference: cr2[:COL]` and `cr3[:COL]` in experiment specs (issue 16). Oracle: the estimator
/// called directly with the same variance (identical code path), whose numbers
/// `ClusterRobustSmallSampleTests` checks against R clubSandwich 0.5.8 and `lm` re-estimation; the
/// interval is `θ̂ ± t_{0.975, df} se` with the term's own df (mpdta CR2: 279.826220096537).
@Suite("CR2 and CR3 as Monte Carlo methods")
struct ClusterRobustSmallSampleMethodTests {
    static func method(_ inference: String, estimator: String = "twfe", extra: String = "") throws -> MethodSpec {
        let spec = try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: \(estimator), "
                                            + "inference: \"\(inference)\"\(extra)}]\n", source: "x.yaml")
        return spec.methods[0]
    }

    @Test("records cr2:COL / cr3:COL and uses each term's df", arguments: ["cr2", "cr3"])
    func evaluates(kind: String) throws {
        let panel = try LabFixtures.mpdta()
        let data = ReplicationData(panel: panel, truth: ["att": 0])
        let method = try Self.method(kind).evaluator(unitName: "countyreal")
        #expect(method.inferenceName == "\(kind):countyreal")
        let result = try method.evaluate(data, streamKey: 1, alpha: 0.05)
        let variance: VarianceType = kind == "cr2" ? .cr2("countyreal") : .cr3("countyreal")
        let direct = try TwoWayFixedEffects(options: RegressionOptions(variance: variance)).estimate(panel)
        #expect(result.estimate == direct.coefficients[0] && result.standardError == direct.standardError(0))
        #expect(result.pValue == direct.pValue(0))
        let df = direct.variance.degreesOfFreedom(term: 0)
        #expect(kind == "cr3" ? df == 499 : abs(df - 279.826220096537) / 279.826220096537 < 1e-8)
        let q = Distributions.tQuantile(0.975, degreesOfFreedom: df)
        #expect(abs(result.confHigh - (result.estimate + q * result.standardError)) < 1e-12)
    }

    @Test("a named cluster column is recorded and refused where the estimator does not take cr2/cr3")
    func columnsAndRefusal() throws {
        let spec = try Self.method("cr3:province", estimator: "event", extra: ", term: \"e+0\"")
        #expect(spec.clusterColumns.map(\.1) == ["province"])
        #expect(try spec.evaluator(unitName: "city").inferenceName == "cr3:province")
        #expect(throws: (any Error).self) { try Self.method("cr2", estimator: "cs") }
        #expect(throws: (any Error).self) { try Self.method("cr2", estimator: "bjs") }
    }
}

/// An estimator whose registry entry takes no covariates (dcdh, stacked, bacon) runs in the lab on
/// the panel without the scenario's controls, instead of failing every replication. Oracle: the
/// same estimator on the panel loaded without the covariate (identical code path).
@Suite("estimators without covariates in the lab")
struct CovariateFreeMethodTests {
    @Test("dcdh and stacked ignore the scenario's covariates", arguments: ["dcdh", "stacked"])
    func runsWithoutCovariates(id: String) throws {
        let withControls = try Panel.load(csv: LabFixtures.path("mpdta.csv"),
                                          spec: PanelSpec(outcome: "lemp", unit: "countyreal", time: "year",
                                                          treatment: .cohort("first.treat"), covariates: ["lpop"]))
        let plain = try LabFixtures.mpdta()
        let spec = try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: \(id), "
                                            + "inference: cr1}]\n", source: "x.yaml")
        let method = try spec.methods[0].evaluator(unitName: "countyreal")
        let result = try method.evaluate(ReplicationData(panel: withControls, truth: ["att": 0]), streamKey: 1, alpha: 0.05)
        let entry = try EstimatorRegistry.require(id)
        let direct = try entry.make(EstimatorSettings(variance: .cluster("countyreal"))).fit(plain)
        let expected = try #require(direct.effectEstimate(named: entry.defaultEffect))
        #expect(result.estimate == expected.estimate && result.standardError == expected.standardError)
    }
}

/// `inference: cr3` names synthetic DiD's own fixed-weight unit jackknife in experiment specs
/// (Arkhangelsky et al. 2021, Algorithm 3). Oracle: `SyntheticDiD(variance: .jackknife)` called
/// directly (identical code path; its numbers are checked against synthdid-py 0.1.0 in
/// `SyntheticDiDParityTests`); a coarser cluster is refused.
@Suite("synthetic DiD's jackknife as a Monte Carlo method")
struct SyntheticDiDJackknifeMethodTests {
    @Test func jackknifeIsCR3ByTheUnit() throws {
        let full = try LabFixtures.mpdta()
        let cohort2004 = try #require(full.periodLabels.firstIndex(of: "2004").map(Int32.init))
        let rows = (0..<full.observationCount).filter { full.adoptionPeriod[Int(full.unitIndex[$0])] != cohort2004 }
        let panel = try full.restricted(toRows: rows)  // drops the 2004 cohort (one pre-period)
        func method(_ inference: String) throws -> any MethodEvaluator {
            let spec = try ExperimentSpec.parse("experiment: x\ndata: {scenario: paper}\nmethods: [{estimator: sdid, "
                                                + "inference: \"\(inference)\"}]\n", source: "x.yaml")
            return try spec.methods[0].evaluator(unitName: "countyreal")
        }
        let result = try method("cr3").evaluate(ReplicationData(panel: panel, truth: ["att": 0]), streamKey: 1, alpha: 0.05)
        let direct = try SyntheticDiD(variance: .jackknife).estimate(panel)
        let att = try #require(direct.effectEstimate(named: "att"))
        #expect(result.estimate == att.estimate && result.standardError == att.standardError)
        #expect(throws: (any Error).self) {
            try method("cr3:state").evaluate(ReplicationData(panel: panel, truth: ["att": 0]), streamKey: 1, alpha: 0.05)
        }
    }
}
