import Estimators
import Foundation
@testable import Sim
import Testing

/// The threat scenarios of issue 14: anticipation, contaminated controls, unequal cluster sizes,
/// municipal heteroskedasticity and a spatial error field, each against its definition.
@Suite("threat scenarios")
struct ThreatScenarioTests {
    /// Oracle: the definition of anticipation — in the `anticipationYears` before adoption a
    /// treated city's effect is `anticipationShare × (att + slope)`; untreated years before that
    /// and never-treated cities have none; the truth (treated rows only) is unchanged.
    @Test func anticipationShiftsEffectsBeforeAdoption() throws {
        var scenario = try Scenario.preset(named: "paper-anticipation")
        scenario.effects.anticipationYears = 2
        let design = try Simulator(scenario).simulate(replication: 0, seed: 1)
        let periods = design.design.periodCount
        var checked = 0
        for city in 0..<design.design.cohortYear.count {
            let start = Int(design.design.adoptionPeriod[city])
            for t in 0..<periods {
                let value = design.design.effect[city * periods + t]
                if design.design.cohortYear[city] == 0 || t < start - 2 {
                    #expect(value == 0)
                } else if t < start {
                    #expect(value == 0.5 * 0.01)
                    checked += 1
                } else {
                    #expect(value == 0.01)
                }
            }
        }
        #expect(checked == 37 * 2)
        #expect(abs(design.truth.overall - 0.01) < 1e-15)
        let plain = try Simulator(preset: "paper").simulate(replication: 0, seed: 1)
        #expect(plain.truth == design.truth)
    }

    /// Oracle: the definition of contamination — every city coded never-treated gets
    /// `contaminationShare × att` from 2021 on and stays coded never-treated; the truth and the
    /// coding equal the clean design's; truncating the sample at 2020 removes it.
    @Test func contaminationReachesCodedControlsOnly() throws {
        let simulated = try Simulator(preset: "paper-contaminated-controls").simulate(replication: 0, seed: 1)
        let clean = try Simulator(preset: "paper").simulate(replication: 0, seed: 1)
        let d = simulated.design, periods = d.periodCount
        #expect(d.cohortYear == clean.design.cohortYear)
        #expect(simulated.truth == clean.truth)
        for city in 0..<d.cohortYear.count where d.cohortYear[city] == 0 {
            for t in 0..<periods {
                #expect(d.effect[city * periods + t] == (2009 + t >= 2021 ? 0.3 * 0.01 : 0))
            }
        }
        // Same draws, so the outcome differs exactly by the contamination.
        let y = simulated.panel.outcome, y0 = clean.panel.outcome
        for row in y.indices {
            #expect(abs(y[row] - y0[row] - d.effect[row] + clean.design.effect[row]) < 1e-12)
        }
        var truncated = try Scenario.preset(named: "paper-contaminated-controls")
        truncated.calendar.lastYear = 2020
        #expect(try Simulator(truncated).simulate(replication: 0, seed: 1).design.effect.allSatisfy { $0 == 0 || $0 == 0.01 })
    }

    /// Oracle: MacKinnon & Webb's (2017) sizes ⌊N·exp(γg/G)/Σ_j exp(γj/G)⌋ with the remainder to
    /// the last group, computed by hand for N = 600, G = 10, γ = 2; γ = 0 keeps the equal split.
    @Test func unequalClusterSizesFollowMacKinnonWebb() throws {
        let sizes = try Simulator(preset: "cameron-miller").geography.citiesByProvince.map(\.count)
        let weights = (1...10).map { exp(2 * Double($0) / 10) }, total = weights.reduce(0, +)
        var expected = weights.map { Int((600 * $0 / total).rounded(.down)) }
        expected[9] += 600 - expected.reduce(0, +)
        #expect(sizes == expected)
        #expect(sizes.reduce(0, +) == 600 && sizes.max()! > 5 * sizes.min()!)
        var equal = try Scenario.preset(named: "cameron-miller")
        equal.geography.clusterSizeSkew = 0
        #expect(try Simulator(equal).geography.citiesByProvince.map(\.count) == [Int](repeating: 60, count: 10))
        var tooSkewed = equal
        tooSkewed.geography.clusterSizeSkew = 40
        #expect(throws: ScenarioError.self) { try Simulator(tooSkewed) }
    }

    /// A scenario whose outcome is its error alone: no unit effects, trend, effect or AR(1).
    static func errorsOnly(_ edit: (inout Scenario) -> Void) -> Scenario {
        var scenario = Scenario()
        scenario.errors.unitEffectSD = 0
        scenario.errors.trend = 0
        scenario.errors.sd = 1
        scenario.errors.rho = 0
        scenario.errors.provinceShare = 0
        scenario.effects.att = 0
        edit(&scenario)
        return scenario
    }

    /// Oracle: the scale definition — municipalities' error SD is `municipalityScale` times the
    /// others' and the mean of s_i² is 1, so with 4 of 282 cities at scale 3 the variances are
    /// 9c and c with c = 282/(278 + 36). Checked over 100 replications within 4 MCSE.
    @Test func municipalitiesAreMoreVolatile() throws {
        let simulator = try Simulator(Self.errorsOnly { $0.errors.municipalityScale = 3 })
        let periods = simulator.years.count
        var municipal: [Double] = [], other: [Double] = []
        for r in 0..<100 {
            let e = try simulator.simulate(replication: r, seed: 7).panel.outcome.map { $0 - 0.10 }
            var m = 0.0, o = 0.0
            for row in e.indices { if row / periods < 4 { m += e[row] * e[row] } else { o += e[row] * e[row] } }
            municipal.append(m / Double(4 * periods))
            other.append(o / Double(278 * periods))
        }
        let c = 282.0 / (278 + 36)
        MonteCarloTests.check(municipal, expected: 9 * c, "municipal variance")
        MonteCarloTests.check(other, expected: c, "other variance")
    }

    /// Oracle: the spatial field's covariance `κσ² exp(−d/range)` between two cities (closed form),
    /// against the mean cross-product over all pairs of cities and years: with π = 0 and no AR(1)
    /// the expectation of `Σ_{i<j,t} e_it e_jt` is `T κ Σ_{i<j} exp(−d_ij/range)`, and every
    /// city's variance is 1. Over 60 replications, within 4 MCSE.
    @Test func spatialFieldHasItsCovariance() throws {
        let simulator = try Simulator(Self.errorsOnly { $0.errors.spatialShare = 0.4; $0.errors.spatialRangeKm = 200 })
        let g = simulator.geography, n = g.cityCount, periods = simulator.years.count
        var kernel = 0.0
        for i in 0..<n { for j in 0..<i { kernel += exp(-g.distance(i, j) / 200) } }
        var ratios: [Double] = [], variances: [Double] = []
        for r in 0..<60 {
            let e = try simulator.simulate(replication: r, seed: 11).panel.outcome.map { $0 - 0.10 }
            var cross = 0.0, square = 0.0
            for t in 0..<periods {
                var sum = 0.0, sum2 = 0.0
                for city in 0..<n { let x = e[city * periods + t]; sum += x; sum2 += x * x }
                cross += (sum * sum - sum2) / 2
                square += sum2
            }
            ratios.append(cross / (Double(periods) * 0.4 * kernel))
            variances.append(square / Double(n * periods))
        }
        MonteCarloTests.check(ratios, expected: 1, "spatial cross-product / expectation")
        MonteCarloTests.check(variances, expected: 1, "variance")
    }

    /// Oracle: the validation rules — shares of one variance, a positive range and scale, and
    /// anticipation inside the sample.
    @Test func invalidThreatValuesAreNamed() throws {
        func field(_ edit: (inout Scenario) -> Void) -> String? {
            var scenario = Scenario()
            edit(&scenario)
            do { try scenario.validate(); return nil } catch let ScenarioError.invalidValue(field, _, _, _) { return field } catch { return "other" }
        }
        #expect(field { $0.errors.spatialShare = 0.95 } == "errors.spatialShare")
        #expect(field { $0.errors.spatialRangeKm = 0 } == "errors.spatialRangeKm")
        #expect(field { $0.errors.municipalityScale = 0 } == "errors.municipalityScale")
        #expect(field { $0.effects.anticipationYears = -1 } == "effects.anticipationYears")
        #expect(field { $0.effects.anticipationYears = 14 } == "effects.anticipationYears")
        #expect(field { $0.effects.contaminationYear = 2000 } == "effects.contaminationYear")
        #expect(field { $0.effects.contaminationYear = 2030 } == nil)
        // Settings of one geography only are refused on the other (they would do nothing).
        #expect(field { $0.geography.clusterSizeSkew = 2 } == "geography.clusterSizeSkew")
        #expect(field { $0.geography.kind = .flat; $0.calendar.kind = .singleDate; $0.errors.municipalityScale = 3 }
                == "errors.municipalityScale")
    }
}
