import Estimators
import Foundation
@testable import Sim
import Testing

/// Geography and calendars: exact counts against the pilot calendar (DOMAIN.md, "Pilot calendar").
@Suite("Design")
struct DesignTests {
    /// Oracle: the administrative counts — 282 cities, 31 provinces, four one-city municipalities,
    /// other provinces of 5–21 cities; 2013 = 3 municipalities + 21 = 24 cities, 2014 = 1 + 12 = 13,
    /// 37 treated (13.1%), 245 never treated, 6 treated provinces.
    @Test func paperCountsAreExact() throws {
        let simulator = try Simulator(preset: "paper")
        let geography = simulator.geography
        #expect(geography.cityCount == 282)
        #expect(geography.provinceCount == 31)
        let sizes = geography.citiesByProvince.map(\.count)
        #expect(sizes.prefix(4) == [1, 1, 1, 1])
        #expect(sizes.dropFirst(4).allSatisfy { (5...21).contains($0) })
        #expect(sizes.reduce(0, +) == 282)
        let truth = try simulator.simulate(replication: 0, seed: 1).truth
        #expect(truth.cohorts == [Truth.CohortSize(cohort: 2013, cities: 24), Truth.CohortSize(cohort: 2014, cities: 13)])
        #expect(truth.treatedCities == 37)
        #expect(truth.neverTreatedCities == 245)
        #expect(truth.treatedProvinces == 6)
        #expect(truth.treatedObservations == 24 * 10 + 13 * 9)
        let pilot = try #require(geography.pilot)
        #expect(geography.provinceNames[pilot.province2013] == "Guangdong")
        #expect(geography.provinceNames[pilot.province2014] == "Hubei")
        #expect(geography.citiesByProvince[pilot.fujian].count == 9)
    }

    /// Oracle: the calendar switches' arithmetic — Fujian adds 9 cities and a 7th province;
    /// single-cohort coding puts all 37 in one cohort; the national scheme treats the other 245 in 2021.
    @Test func calendarSwitches() throws {
        let fujian = try Simulator(preset: "paper-fujian").simulate(replication: 0, seed: 1).truth
        #expect(fujian.treatedCities == 46)
        #expect(fujian.treatedProvinces == 7)
        #expect(fujian.cohorts.last == Truth.CohortSize(cohort: 2017, cities: 9))
        var single = try Scenario.preset(named: "paper")
        single.calendar.singleCohortYear = 2013
        #expect(try Simulator(single).simulate(replication: 0, seed: 1).truth.cohorts == [Truth.CohortSize(cohort: 2013, cities: 37)])
        let national = try Simulator(preset: "paper-national-ets").simulate(replication: 0, seed: 1).truth
        #expect(national.neverTreatedCities == 0)
        #expect(national.cohorts.last == Truth.CohortSize(cohort: 2021, cities: 245))
    }

    /// Oracle: the design definitions — BDM: 50 states, 25 treated, adoption years in 1985–1995,
    /// redrawn per replication; BLW staggered: no never-treated, three cohorts assigned by state.
    @Test func bdmAndBLWDesigns() throws {
        let bdm = try Simulator(preset: "bdm")
        let first = try bdm.simulate(replication: 0, seed: 1), second = try bdm.simulate(replication: 1, seed: 1)
        #expect(first.panel.unitCount == 50 && first.panel.periodCount == 21)
        #expect(first.truth.treatedCities == 25)
        #expect(first.design.cohortYear.filter { $0 != 0 }.allSatisfy { (1985...1995).contains($0) })
        #expect(first.design.cohortYear != second.design.cohortYear)
        #expect(first.truth.overall == 0)
        let blw = try Simulator(preset: "blw-3").simulate(replication: 0, seed: 1)
        #expect(blw.truth.neverTreatedCities == 0)
        #expect(blw.truth.cohorts.map(\.cohort) == [1989, 1998, 2007])
        for cities in blw.geography.citiesByProvince {
            #expect(Set(cities.map { blw.design.cohortYear[$0] }).count == 1)  // state-level assignment
        }
        let blw1 = try Simulator(preset: "blw-1").simulate(replication: 0, seed: 1).truth
        #expect(blw1.cohorts.map(\.cohort) == [1998])
        #expect(blw1.treatedProvinces == 25)
    }

    /// Oracle: the labels' stated correlation with region (resource shares 0.2 east vs 0.55 west).
    @Test func labelsFollowRegion() throws {
        let geography = try Simulator(preset: "paper").geography
        func share(_ region: Geography.Region) -> Double {
            let cities = geography.region.indices.filter { geography.region[$0] == region }
            return Double(cities.filter { geography.resourceBased[$0] }.count) / Double(cities.count)
        }
        #expect(share(.west) > share(.east))
        #expect(Set(geography.region).count == 3)
    }

    /// Oracle: DOMAIN.md's cell-average of the dynamic variant, 0.002·(e + 1) over 24 cities × 10
    /// years and 13 × 9: observation-weighted (24·0.11 + 13·0.09·…)/357 ≈ 0.0107, exactly
    /// Σ 0.002(e+1) / 357 computed here by hand.
    @Test func dynamicTruthMatchesHandSum() throws {
        let truth = try Simulator(preset: "paper-dynamic").simulate(replication: 0, seed: 1).truth
        var sum2013 = 0.0, sum2014 = 0.0
        for k in 1...10 { sum2013 += 0.002 * Double(k) }
        for k in 1...9 { sum2014 += 0.002 * Double(k) }
        let hand: Double = (24 * sum2013 + 13 * sum2014) / 357
        #expect(abs(truth.overall - hand) < 1e-15)
        #expect(abs(truth.overall - 0.0107) < 1e-4)
        #expect(truth.eventTimes.first { $0.eventTime == 9 }?.att == 0.02)
    }

    /// Oracle: the multipliers' definition, checked subgroup by subgroup.
    @Test func heterogeneousSubgroups() throws {
        let simulated = try Simulator(preset: "paper-heterogeneous").simulate(replication: 0, seed: 1)
        let g = simulated.geography
        for city in 0..<g.cityCount where simulated.design.cohortYear[city] != 0 {
            let expected = 0.01 * (g.region[city] == .east ? 1.5 : 1) * (g.resourceBased[city] ? 0.5 : 1) * (g.oldIndustrial[city] ? 0 : 1)
            let row = city * 14 + 13
            #expect(abs(simulated.design.effect[row] - expected) < 1e-17)
        }
        let old = simulated.truth.subgroups.first { $0.dimension == "old_industrial" && $0.level == "1" }
        #expect(old.map { $0.att == 0 } ?? true)
    }
}
