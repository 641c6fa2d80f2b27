import Foundation
import Testing
import Estimators
import Sim
@testable import Lab

/// The mediation and ring methods of the Monte Carlo runner, on Sim scenarios.
@Suite("mediation and ring methods")
struct MediationRingMethodTests {
    static func runner(_ scenario: Scenario, _ methods: [any MethodEvaluator], replications: Int,
                       seed: UInt64) throws -> [PerformanceMeasures] {
        let source = try ScenarioSource(conditions: [ExperimentSpec.Condition(name: scenario.name, parameters: [],
                                                                              scenario: scenario)], seed: seed)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (file, existing) = try RecordFile.open(path: path, resume: false, methodsPerTask: methods.count)
        let records = try MonteCarloRunner(source: source, methods: methods, replications: replications, alpha: 0.05)
            .run(file: file, existing: existing, threads: 2)
        #expect(records.allSatisfy { $0.failure.isEmpty }, "\(records.first { !$0.failure.isEmpty }?.failure ?? "")")
        return methods.indices.map { m in
            PerformanceMeasures(draws: records.filter { $0.method == m }.sorted { $0.replication < $1.replication }.map {
                .init(estimate: $0.estimate, standardError: $0.standardError, confLow: $0.confLow, confHigh: $0.confHigh,
                      pValue: $0.pValue, truth: $0.truth)
            }, alpha: 0.05)
        }
    }

    /// Closed-form oracle for the step-3 bias under `paper-confounded-mediator` (U iid N(0,1), each
    /// mediator's noise `√(1−r²)e + rU`, outcome `+λU`; r = 0.3, λ = 0.01): after the fixed effects,
    /// `plim b̂_g = b_g + λ r σ_g / σ_g² + b_i r² σ_i σ_g / σ_g²` (the confounder, and the other
    /// mediator i, which shares U and is left out of step 3), with σ_g = 0.2, σ_i = 0.1, b_i = 0.03:
    /// bias = 0.015 + 0.00135 = 0.01635; and since c = c′ + a·b̂ with c unbiased, bias(c′) ≈ −a·bias(b)
    /// = −0.001635. Tolerance: 4 MCSE plus 3% of the bias for the finite-N approximation.
    @Test("step-3 b and c' are biased by the confounder as the closed form says")
    func confounderBias() throws {
        let m = "green_innovation"
        let scenario = try Scenario.preset(named: "paper-confounded-mediator")
        let measures = try Self.runner(scenario, [
            MediationMethod(mediator: m, quantity: .b, target: "b:\(m)"),
            MediationMethod(mediator: m, quantity: .direct, target: "direct:\(m)"),
            MediationMethod(mediator: m, quantity: .a, target: "a:\(m)"),
        ], replications: 40, seed: 11)
        let (b, direct, a) = (measures[0], measures[1], measures[2])
        #expect(abs(b.truth - 0.015) < 1e-12 && abs(a.truth - 0.1) < 1e-12 && abs(direct.truth - 0.0085) < 1e-12)
        #expect(abs(b.bias - 0.01635) < 4 * b.biasMCSE + 0.03 * 0.01635, "b bias \(b.bias) ± \(b.biasMCSE)")
        #expect(abs(direct.bias + 0.001635) < 4 * direct.biasMCSE + 0.03 * 0.001635, "c' bias \(direct.bias) ± \(direct.biasMCSE)")
        #expect(abs(a.bias) < 4 * a.biasMCSE, "a is a DiD estimate: unbiased (\(a.bias) ± \(a.biasMCSE))")
    }

    /// MCSE oracle: without a confounder the Sobel, joint and bootstrap estimates of a·b are
    /// unbiased (4 MCSE), and the three tests agree on the estimate itself (same a·b).
    @Test("indirect-effect methods on the paper design")
    func indirectMethods() throws {
        let m = "green_innovation"
        let measures = try Self.runner(try Scenario.preset(named: "paper"), [
            MediationMethod(mediator: m, quantity: .indirect(.sobel), target: "indirect:\(m)"),
            MediationMethod(mediator: m, quantity: .indirect(.joint), target: "indirect:\(m)"),
            MediationMethod(mediator: m, quantity: .indirect(.bootstrap), replications: 49, target: "indirect:\(m)"),
        ], replications: 24, seed: 3)
        for measure in measures {
            #expect(abs(measure.truth - 0.0015) < 1e-12)
            #expect(abs(measure.bias) < 4 * measure.biasMCSE, "\(measure.bias) ± \(measure.biasMCSE)")
            #expect(measure.mean == measures[0].mean)
        }
        #expect(measures[1].coverage.isNaN, "joint significance has no interval")
        #expect(measures[2].coverage.isFinite && measures[0].coverage.isFinite)
    }

    /// MCSE oracle: with the ring matching Sim's radius, the ring estimator recovers the direct
    /// effect and the spillover (4 MCSE) with a large spillover (share 1 = 0.01), both signs.
    @Test("rings recover the direct effect and the spillover", arguments: [1.0, -1.0])
    func ringsRecover(share: Double) throws {
        var scenario = try Scenario.preset(named: "paper-spillover")
        scenario.spillover.radiusKm = 150
        scenario.spillover.share = share
        let measures = try Self.runner(scenario, [
            RingMethod(edges: [150], term: .direct, target: "att"),
            RingMethod(edges: [150], term: .ring(1), target: "spillover"),
            RingMethod(edges: [150], stages: .twoStage, term: .ring(1), target: "spillover"),
        ], replications: 30, seed: 5)
        #expect(abs(measures[1].truth - 0.01 * share) < 1e-12)
        for measure in measures {
            #expect(abs(measure.bias) < 4 * measure.biasMCSE, "\(measure.bias) ± \(measure.biasMCSE)")
        }
    }

    @Test("spec spellings parse, and bad ones name the problem")
    func parsing() throws {
        let sobel = try MediationMethod.parse(mediator: "m", term: "indirect", inference: "sobel", replications: 199, target: "indirect:m")
        #expect(sobel.quantity == .indirect(.sobel) && sobel.inferenceName == "sobel:unit")
        let boot = try MediationMethod.parse(mediator: "m", term: "indirect", inference: "bootstrap:province", replications: 99,
                                             target: "indirect:m")
        #expect(boot.inferenceName == "bootstrap99:province" && boot.cluster == "province")
        #expect(try MediationMethod.parse(mediator: "m", term: "direct", inference: "cr1", replications: 1, target: "t").estimatorName
                == "mediation:c'")
        #expect(throws: EstimationError.self) {
            try MediationMethod.parse(mediator: "m", term: "indirect", inference: "cr1", replications: 1, target: "t")
        }
        #expect(throws: EstimationError.self) {
            try MediationMethod.parse(mediator: "m", term: "b", inference: "sobel", replications: 1, target: "t")
        }
        let ring = try RingMethod.parse(estimator: "rings-2s", edges: [50, 100], term: "ring2", inference: "cr1:province",
                                        coordinates: nil, target: "spillover")
        #expect(ring.term == .ring(2) && ring.stages == .twoStage && ring.estimatorName == "rings-2s(50,100):ring2")
        #expect(throws: EstimationError.self) {
            try RingMethod.parse(estimator: "rings", edges: [50], term: "ring2", inference: "cr1", coordinates: nil, target: "t")
        }
        #expect(throws: EstimationError.self) {
            try RingMethod.parse(estimator: "rings", edges: [50], term: nil, inference: "placebo", coordinates: nil, target: "t")
        }
    }

    @Test("a missing column is a failure naming it")
    func missingColumn() throws {
        let simulated = try Simulator(try Scenario.preset(named: "paper")).simulate(replication: 0, seed: 1)
        let data = ReplicationData(panel: simulated.panel, truth: [:])
        #expect(throws: EstimationError.self) {
            try MediationMethod(mediator: "green_innovation", quantity: .a, target: "a").evaluate(data, streamKey: 1, alpha: 0.05)
        }
        #expect(throws: EstimationError.self) {
            try RingMethod(edges: [100], term: .direct, target: "att").evaluate(data, streamKey: 1, alpha: 0.05)
        }
        let full = ReplicationData(panel: simulated.panel, truth: [:], columns: ScenarioSource.columns(simulated))
        #expect(full.columns["coord_x"]?.count == simulated.panel.observationCount)
        #expect(full.columns["green_innovation"] == simulated.mediators[0])
    }
}
