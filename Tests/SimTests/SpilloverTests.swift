import Estimators
import Foundation
import Sim
import Testing

/// Spillover exposure on a hand-built geography.
///
/// Six cities on a line (km): x = 0, 10, 25, 60, 90, 200. City 0 adopts in 2013, city 3 in 2015,
/// the rest never (years 2010–2018). Distances to the nearest *already adopted* city:
///
///     city 1: 10 from 2013     city 2: 25 from 2013     city 3 (before 2015): 60 from 2013
///     city 4: 90 in 2013–14, 30 from 2015               city 5: 140 from 2015
@Suite("Spillovers")
struct SpilloverTests {
    static let geography = Geography(province: [0, 1, 2, 3, 4, 5], provinceNames: ["A", "B", "C", "D", "E", "F"],
                                     region: [.east, .east, .east, .central, .central, .west],
                                     resourceBased: [false, false, true, false, true, false],
                                     oldIndustrial: [false, false, false, true, false, false],
                                     x: [0, 10, 25, 60, 90, 200], y: [0, 0, 0, 0, 0, 0])
    static let cohorts = [2013, 0, 0, 2015, 0, 0]

    static func scenario(_ edit: (inout Scenario.SpilloverOptions) -> Void) -> Scenario {
        var scenario = Scenario()
        scenario.calendar.firstYear = 2010
        scenario.calendar.lastYear = 2018
        edit(&scenario.spillover)
        return scenario
    }

    static func spill(_ design: Design, city: Int, year: Int) -> Double { design.spillover[city * 9 + year - 2010] }

    /// Oracle: the hand table above with a 40 km ring and amount 0.3 × 0.01.
    @Test func ringExposureFollowsNeighboursAdoption() throws {
        let scenario = SpilloverTests.scenario { $0.kind = .ring; $0.radiusKm = 40 }
        let design = try Design(cohortYear: SpilloverTests.cohorts, geography: SpilloverTests.geography, scenario: scenario)
        let amount = 0.3 * 0.01
        for year in 2010...2018 {
            #expect(SpilloverTests.spill(design, city: 1, year: year) == (year >= 2013 ? amount : 0))
            #expect(SpilloverTests.spill(design, city: 2, year: year) == (year >= 2013 ? amount : 0))
            #expect(SpilloverTests.spill(design, city: 3, year: year) == 0)  // 60 km before adopting; treated after
            #expect(SpilloverTests.spill(design, city: 4, year: year) == (year >= 2015 ? amount : 0))
            #expect(SpilloverTests.spill(design, city: 5, year: year) == 0)
            #expect(SpilloverTests.spill(design, city: 0, year: year) == 0)
        }
        let truth = Simulator.truth(design: design, geography: SpilloverTests.geography, scenario: scenario)
        let spill = try #require(truth.spillover)
        #expect(spill.observations == 6 + 6 + 4)
        #expect(abs(spill.effect - amount) < 1e-18)
        #expect(spill.exposedNeverTreatedCities == 3)
    }

    /// Oracle: exp(−d/50) of the hand distances, cut off at 150 km.
    @Test func exponentialDecay() throws {
        let scenario = SpilloverTests.scenario { $0.kind = .exponential; $0.decayKm = 50; $0.cutoffKm = 150 }
        let design = try Design(cohortYear: SpilloverTests.cohorts, geography: SpilloverTests.geography, scenario: scenario)
        let amount = 0.003
        func expected(_ d: Double) -> Double { amount * Foundation.exp(-d / 50) }
        #expect(SpilloverTests.spill(design, city: 1, year: 2014) == expected(10))
        #expect(SpilloverTests.spill(design, city: 3, year: 2014) == expected(60))
        #expect(SpilloverTests.spill(design, city: 4, year: 2014) == expected(90))
        #expect(SpilloverTests.spill(design, city: 4, year: 2016) == expected(30))
        #expect(SpilloverTests.spill(design, city: 5, year: 2014) == 0)
        #expect(SpilloverTests.spill(design, city: 5, year: 2016) == expected(140))
        #expect(SpilloverTests.spill(design, city: 2, year: 2012) == 0)
    }

    /// Oracle: the calibration rule — never-treated cities' distances to the nearest eventually treated
    /// city are 10, 25, 30, 140; a share of 0.5 keeps ⌈0.5·4⌉ = 2 of them, so the radius is 25 km.
    @Test func ringRadiusCalibration() throws {
        let scenario = SpilloverTests.scenario { $0.kind = .ring; $0.exposedShare = 0.5 }
        let design = try Design(cohortYear: SpilloverTests.cohorts, geography: SpilloverTests.geography, scenario: scenario)
        #expect(design.spilloverRadiusKm == 25)
    }

    /// Oracle: DOMAIN.md's calibration for `paper-spillover` — ⌈0.2 · 245⌉ = 49 never-treated cities exposed.
    @Test func paperSpilloverExposesTwentyPercent() throws {
        let truth = try Simulator(preset: "paper-spillover").simulate(replication: 0, seed: 1).truth
        let spill = try #require(truth.spillover)
        #expect(spill.exposedNeverTreatedCities == 49)
        #expect(abs(spill.effect - 0.003) < 1e-15)
    }
}
