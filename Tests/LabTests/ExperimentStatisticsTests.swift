import Foundation
import Testing
@testable import Lab

/// Statistical properties of the lab's methods on Sim's scenarios, tested by Monte Carlo with
/// tolerances from the Monte Carlo standard error (fixed seeds, so the tests are reproducible).
@Suite("Monte Carlo properties")
struct ExperimentStatisticsTests {
    static func run(_ yaml: String) throws -> RunSummary {
        let spec = try ExperimentSpec.parse(yaml, source: "test.yaml")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString)").path
        return try ExperimentRun.run(spec: spec, specText: yaml, directory: directory, threads: 2, resume: false).summary
    }

    /// Oracle: nominal 95% coverage. The paper scenario without serial correlation (rho 0) and
    /// without province shocks (province share 0; the default 0.1 breaks city clustering) satisfies
    /// city-clustered CR1's assumptions; 400 replications give
    /// MCSE √(.95·.05/400) ≈ 0.011, tolerance 4 MCSE. Bias tolerance 4 × its own MCSE.
    @Test func twfeCR1CoverageUnderAConstantEffect() throws {
        let summary = try Self.run("""
        experiment: coverage
        data: {scenario: paper, set: {errors.rho: 0.0, errors.provinceShare: 0.0}}
        methods: [{name: TWFE, estimator: twfe, inference: cr1, target: att}]
        replications: 400
        seed: 99
        """)
        let measures = summary.conditions[0].results[0].measures
        let mcse = (0.95 * 0.05 / 400).squareRoot()
        #expect(abs(measures.coverage - 0.95) < 4 * mcse, "coverage \(measures.coverage)")
        #expect(abs(measures.bias) < 4 * measures.biasMCSE, "bias \(measures.bias) ± \(measures.biasMCSE)")
    }

    /// Oracle: Bertrand, Duflo & Mullainathan (2004) — with AR(1) errors at rho 0.8, iid OLS SEs
    /// reject a true null far more often than 5% (their Table II: .373); state-clustered CR1 stays
    /// near 5%. 300 replications: MCSE at p = .05 is 0.0126; iid must exceed .05 by 8 MCSE, CR1
    /// must lie within 4 MCSE of .05.
    @Test func iidOverRejectsUnderSerialCorrelation() throws {
        let summary = try Self.run("""
        experiment: bdm
        data: {scenario: bdm}
        methods:
          - {name: iid, estimator: twfe, inference: iid, target: att}
          - {name: CR1, estimator: twfe, inference: cr1, target: att}
        replications: 300
        seed: 2004
        """)
        let mcse = (0.05 * 0.95 / 300).squareRoot()
        let iid = summary.conditions[0].results[0].measures
        let cr1 = summary.conditions[0].results[1].measures
        #expect(iid.rejectionRate > 0.05 + 8 * mcse, "iid rejection \(iid.rejectionRate)")
        #expect(abs(cr1.rejectionRate - 0.05) < 4 * mcse, "CR1 rejection \(cr1.rejectionRate)")
    }
}
