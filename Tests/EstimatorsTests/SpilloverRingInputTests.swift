import Foundation
import Testing
@testable import Estimators

/// Bad ring input gets a typed error or a stated note. Oracles: the construction of each input,
/// and for the dropped empty ring the estimate without it (same rows in every remaining ring).
@Suite("spillover rings input")
struct SpilloverRingInputTests {
    @Test("coordinates that vary within a unit are an error naming the unit")
    func coordinatesVary() throws {
        let (panel, coordinates) = try SpilloverFixtures.load(.planar)
        var x = (0..<panel.observationCount).map { coordinates.first[Int(panel.unitIndex[$0])] }
        let y = (0..<panel.observationCount).map { coordinates.second[Int(panel.unitIndex[$0])] }
        x[panel.unitStart[3] + 2] += 1
        #expect(throws: SpilloverError.coordinatesVary(column: "coord_x", unit: panel.unitLabels[3],
                                                       first: coordinates.first[3], second: coordinates.first[3] + 1)) {
            try UnitCoordinates(panel: panel, first: x, second: y, names: ["coord_x", "coord_y"], metric: .planar)
        }
        #expect(throws: SpilloverError.self) {
            try UnitCoordinates(perUnit: [95], second: [10], names: ["lat", "lon"], metric: .greatCircle)
        }
        #expect(throws: SpilloverError.self) {
            try UnitCoordinates(perUnit: [.nan], second: [10], names: ["x", "y"], metric: .planar)
        }
    }

    @Test("an empty ring is an error by default, or dropped with a note")
    func emptyRing() throws {
        let (panel, coordinates) = try SpilloverFixtures.load(.planar)
        let edges = [0.001, 50, 100, 150]
        #expect {
            try SpilloverRings(edges: edges).estimate(panel, coordinates: coordinates)
        } throws: { error in
            guard case let SpilloverError.emptyRing(ring, _, above) = error else { return false }
            return ring == "ring(0-0.001]" && above != nil && error.localizedDescription.isEmpty == false
        }
        for stages in SpilloverRings.Stages.allCases {
            let dropped = try SpilloverRings(edges: edges, stages: stages, emptyRings: .drop)
                .estimate(panel, coordinates: coordinates)
            let plain = try SpilloverRings(edges: [50, 100, 150], stages: stages).estimate(panel, coordinates: coordinates)
            #expect(dropped.droppedTerms.first == "ring(0-0.001]")
            #expect(dropped.notes.contains("ring(0-0.001] has no untreated observation: term dropped"))
            #expect(dropped.terms.map(\.name).dropFirst().first == "ring(0.001-50]")
            for k in plain.coefficients.indices {
                #expect(relativeDifference(dropped.coefficients[k], plain.coefficients[k]) < 1e-12, "\(stages) \(k)")
            }
        }
    }

    @Test("bad edges, no far controls and the two-stage variance are checked")
    func optionsAndIdentification() throws {
        let (panel, coordinates) = try SpilloverFixtures.load(.planar)
        for edges in [[], [100, 50], [-5, 10], [Double.infinity]] {
            #expect(throws: SpilloverError.invalidEdges(edges)) {
                try SpilloverRings(edges: edges).estimate(panel, coordinates: coordinates)
            }
        }
        #expect(throws: InvalidParameter.self) {
            try SpilloverRings(edges: [50], stages: .twoStage, options: RegressionOptions(variance: .iid))
                .estimate(panel, coordinates: coordinates)
        }
        // Four units, three periods; unit 0 is treated from the start and every other unit sits
        // within 10 of it, so every untreated observation is in the ring: no far controls.
        let small = try Panel(unitIndex: [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], periodIndex: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2],
                              unitCount: 4, periodCount: 3, outcomeName: "y",
                              outcome: [1, 2, 3, 1.5, 2.1, 2.9, 0.7, 1.9, 3.3, 1.2, 2.2, 3.1],
                              adoptionPeriod: [0, 2, Panel.neverTreated, Panel.neverTreated])
        let near = try UnitCoordinates(perUnit: [0, 3, 4, 5], second: [0, 0, 3, 5], names: ["x", "y"], metric: .planar)
        #expect(throws: SpilloverError.noFarControls(lastEdge: 100)) {
            try SpilloverRings(edges: [100]).estimate(small, coordinates: near)
        }
        #expect(throws: SpilloverError.allRingsEmpty(edges: [1])) {
            try SpilloverRings(edges: [1]).estimate(small, coordinates: near)
        }
    }
}
