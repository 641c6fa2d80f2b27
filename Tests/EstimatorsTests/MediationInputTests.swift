import Foundation
import Testing
@testable import Estimators

/// Bad mediation input gets a typed error naming the mediator; identification notes are present.
/// Oracle: the construction of each input (a constant column, a unit-only column, an additive
/// unit + period column all have zero within variation by definition).
@Suite("mediation input")
struct MediationInputTests {
    static func analysis() -> Mediation { Mediation(bootstrap: PairsBootstrapOptions(replications: 0)) }

    @Test("a mediator with no within variation is an error")
    func noWithinVariation() throws {
        let (panel, _) = try MediationFixtures.load()
        let constant = MediatorColumn(name: "flat", values: [Double](repeating: 2.5, count: panel.observationCount))
        #expect(throws: MediationError.noWithinVariation(mediator: "flat", constant: true)) {
            try Self.analysis().estimate(panel, mediators: [constant])
        }
        // Unit-level only, and additive unit + period: both absorbed by the fixed effects.
        let unitOnly = (0..<panel.observationCount).map { Double(panel.unitIndex[$0]) * 0.37 }
        let additive = (0..<panel.observationCount).map { Double(panel.unitIndex[$0]).squareRoot() + 0.2 * Double(panel.periodIndex[$0] * panel.periodIndex[$0]) }
        for values in [unitOnly, additive] {
            #expect(throws: MediationError.noWithinVariation(mediator: "m", constant: false)) {
                try Self.analysis().estimate(panel, mediators: [MediatorColumn(name: "m", values: values)])
            }
        }
        let message = MediationError.noWithinVariation(mediator: "m", constant: false).description
        #expect(message.contains("'m'") && message.contains("no variation within units and periods"))
    }

    @Test("names, lengths, values and options are checked")
    func namesAndOptions() throws {
        let (panel, mediator) = try MediationFixtures.load(clusters: ["province"])
        #expect(throws: MediationError.noMediators) { try Self.analysis().estimate(panel, mediators: []) }
        #expect(throws: MediationError.duplicateName("x2", role: "a covariate")) {
            try Self.analysis().estimate(panel, mediators: [MediatorColumn(name: "x2", values: mediator.values)])
        }
        #expect(throws: MediationError.duplicateName("y", role: "the outcome")) {
            try Self.analysis().estimate(panel, mediators: [MediatorColumn(name: "y", values: mediator.values)])
        }
        #expect(throws: MediationError.duplicateName("x1", role: "another mediator")) {
            try Self.analysis().estimate(panel, mediators: [mediator, mediator])
        }
        #expect(throws: MediationError.columnLength(mediator: "x1", expected: panel.observationCount, found: 3)) {
            try Self.analysis().estimate(panel, mediators: [MediatorColumn(name: "x1", values: [1, 2, 3])])
        }
        var broken = mediator.values
        broken[17] = .nan
        #expect(throws: MediationError.nonFinite(mediator: "x1", row: 17)) {
            try Self.analysis().estimate(panel, mediators: [MediatorColumn(name: "x1", values: broken)])
        }
        #expect(throws: InvalidParameter(.bootstrapDraws, "-1", "expected at least 0 (0 = no bootstrap)")) {
            try Mediation(bootstrap: PairsBootstrapOptions(replications: -1)).estimate(panel, mediators: [mediator])
        }
        #expect(throws: MediationError.self) {
            try Mediation(bootstrap: PairsBootstrapOptions(replications: 0), alpha: 1.5).estimate(panel, mediators: [mediator])
        }
    }

    /// Clustering by a column that splits units (here the period, as a cluster column) cannot be
    /// resampled as whole units.
    @Test("bootstrap clusters must contain whole units")
    func clustersSplitUnits() throws {
        let (panel, mediator) = try MediationFixtures.load(clusters: ["year"])
        #expect(throws: MediationError.clustersSplitUnits(cluster: "year")) {
            try Mediation(options: RegressionOptions(variance: .cluster("year")),
                          bootstrap: PairsBootstrapOptions(replications: 10)).estimate(panel, mediators: [mediator])
        }
    }

    @Test("notes state that step 3 is not identified by the DiD design (Jiang 2022)")
    func identificationNote() throws {
        let (panel, mediator) = try MediationFixtures.load()
        let result = try Mediation(bootstrap: PairsBootstrapOptions(replications: 20, threads: 1))
            .estimate(panel, mediators: [mediator])
        #expect(result.notes.contains { $0.contains("not identified by the DiD design") && $0.contains("Jiang 2022") })
        #expect(result.notes.contains { $0.contains("pairs cluster draws") })
        #expect(result.bootstrapCluster == "unit")
    }
}
