import Foundation
import Testing
@testable import Estimators

/// Small in-memory panels for the placebo tests.
enum PlaceboPanels {
    /// `units × periods`, outcome = unit effect + period trend + noise (+ `effect` when treated),
    /// one covariate, adoption per unit, and a "province" clustering (`provinceOf[unit]`).
    static func make(adoption: [Int32], periods: Int, effect: Double = 0, seed: UInt64 = 1, replication: UInt64 = 0,
                     provinceOf: [Int]? = nil) throws -> Panel {
        let units = adoption.count
        let stream = RandomStream(seed: seed, replication: replication, purpose: .data)
        var unitIndex: [Int32] = [], periodIndex: [Int32] = [], y: [Double] = [], x: [Double] = [], province: [Int32] = []
        for unit in 0..<units {
            let mu = stream.normal()
            for t in 0..<periods {
                unitIndex.append(Int32(unit))
                periodIndex.append(Int32(t))
                let covariate = stream.normal()
                x.append(covariate)
                y.append(mu + 0.1 * Double(t) + 0.5 * covariate + stream.normal() + (Int32(t) >= adoption[unit] ? effect : 0))
                province.append(Int32(provinceOf?[unit] ?? unit % 3))
            }
        }
        let provinces = Int(province.max()!) + 1
        return try Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: units, periodCount: periods,
                         outcomeName: "y", outcome: y, covariateNames: ["x"], covariates: [x], adoptionPeriod: adoption,
                         clusterings: ["province": Clustering(name: "province", index: province, count: provinces)])
    }
}

@Suite("placebo designs")
struct PlaceboDesignTests {
    static let never = Panel.neverTreated

    /// Oracle: brute force. Every permutation of the 6 units' adoption labels (6! = 720, of which
    /// 6!/(2!·1!·3!) = 60 distinct) is re-estimated with the full TWFE model; the exact p-value is
    /// the share with |T*| ≥ |T| (ties within 1e-7·|T|). The engine must enumerate exactly those
    /// 60 assignments and give the same counts. Exact equality: the same counts of the same
    /// numbers (the fast path agrees with re-estimation to ~1e-13, far inside the tie tolerance).
    @Test("exact enumeration equals brute-force counting over every assignment")
    func exactEnumeration() throws {
        let adoption: [Int32] = [2, 2, 3, Self.never, Self.never, Self.never]
        let panel = try PlaceboPanels.make(adoption: adoption, periods: 4, effect: 0.8)
        let statistic = TWFEPlaceboStatistic(cluster: "unit")
        let result = try PlaceboTest(permutations: 100, seed: 1, threads: 2).run(on: panel, statistic: statistic)
        #expect(result.exact)
        #expect(result.drawCount == 60)
        #expect(result.distinctAssignments == 60)

        var distinct = Set<[Int32]>()
        func permute(_ labels: inout [Int32], _ k: Int) {
            if k == labels.count { distinct.insert(labels); return }
            for j in k..<labels.count {
                labels.swapAt(k, j)
                permute(&labels, k + 1)
                labels.swapAt(k, j)
            }
        }
        var labels = adoption
        permute(&labels, 0)
        #expect(distinct.count == 60)
        let observed = try statistic.value(on: panel)
        var extremeB = 0, extremeT = 0
        for assignment in distinct {
            let value = try statistic.value(on: try panel.withAdoption(assignment))
            if abs(value.estimate) >= abs(observed.estimate) * (1 - 1e-7) { extremeB += 1 }
            if abs(value.statistic) >= abs(observed.statistic) * (1 - 1e-7) { extremeT += 1 }
        }
        #expect(result.extremeCount == extremeB)
        #expect(result.extremeCountStudentized == extremeT)
        #expect(result.pValue == Double(extremeB) / 60)
        #expect(result.pValueStudentized == Double(extremeT) / 60)

        // The enumeration visits each distinct assignment once.
        let plan = try AssignmentPlan(panel: panel, design: PlaceboDesign())
        var scratch = AssignmentScratch(for: plan)
        var seen = Set<[Int32]>()
        for index in 0..<UInt64(60) {
            plan.enumerate(index, into: &scratch)
            plan.fillUnits(&scratch)
            seen.insert(scratch.adoption)
        }
        #expect(seen == distinct)
    }

    /// Oracle: the definition of each scheme, checked on 500 draws each: permuting within strata
    /// keeps every stratum's cohort counts; level assignment moves whole provinces (all units of
    /// a province share a slot) and keeps the number of provinces per cohort; random timing keeps
    /// the number treated per stratum and draws periods in 1..<T.
    @Test("strata and levels preserve what they must")
    func preservation() throws {
        // 12 units in 4 provinces of 3; provinces 0 and 1 adopt at t=2 and t=4; strata = province % 2.
        let province = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
        let adoption: [Int32] = province.map { $0 == 0 ? 2 : $0 == 1 ? 4 : Self.never }
        var panel = try PlaceboPanels.make(adoption: adoption, periods: 6, provinceOf: province)
        // Add a strata clustering: province parity.
        let strata = panel.clusterings["province"]!.index.map { $0 % 2 }
        var clusterings = panel.clusterings.filter { $0.key != panel.unitName }
        clusterings["region"] = Clustering(name: "region", index: strata, count: 2)
        panel = try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: 12, periodCount: 6,
                          outcomeName: "y", outcome: panel.outcome, covariateNames: ["x"], covariates: panel.covariates,
                          adoptionPeriod: adoption, clusterings: clusterings)
        let regionOfUnit = (0..<12).map { province[$0] % 2 }
        let stream = RandomStream(seed: 9, replication: 0, purpose: .permutation)

        func histogram(_ adoption: [Int32], in region: Int) -> [Int32: Int] {
            var counts: [Int32: Int] = [:]
            for unit in 0..<12 where regionOfUnit[unit] == region { counts[adoption[unit], default: 0] += 1 }
            return counts
        }

        let stratified = try AssignmentPlan(panel: panel, design: PlaceboDesign(strata: "region"))
        var scratch = AssignmentScratch(for: stratified)
        for _ in 0..<500 {
            stratified.draw(stream, into: &scratch)
            stratified.fillUnits(&scratch)
            for region in 0..<2 { #expect(histogram(scratch.adoption, in: region) == histogram(adoption, in: region)) }
        }

        for strataName in [nil, "region"] as [String?] {
            let byLevel = try AssignmentPlan(panel: panel, design: PlaceboDesign(strata: strataName, level: "province"))
            #expect(!byLevel.preservesCohortSizes || true)
            var scratch = AssignmentScratch(for: byLevel)
            var moved = false
            for _ in 0..<500 {
                byLevel.draw(stream, into: &scratch)
                byLevel.fillUnits(&scratch)
                var provinceAdoption: [Int: Int32] = [:]
                for unit in 0..<12 {
                    if let a = provinceAdoption[province[unit]] { #expect(a == scratch.adoption[unit], "whole provinces") }
                    provinceAdoption[province[unit]] = scratch.adoption[unit]
                }
                #expect(provinceAdoption.values.sorted() == [2, 4, Self.never, Self.never])
                if strataName != nil {
                    for region in 0..<2 { #expect(histogram(scratch.adoption, in: region) == histogram(adoption, in: region)) }
                }
                if scratch.adoption != adoption { moved = true }
            }
            #expect(moved)
        }

        let random = try AssignmentPlan(panel: panel, design: PlaceboDesign(scheme: .randomTiming, strata: "region"))
        scratch = AssignmentScratch(for: random)
        for _ in 0..<500 {
            random.draw(stream, into: &scratch)
            random.fillUnits(&scratch)
            for region in 0..<2 {
                let treated = (0..<12).filter { regionOfUnit[$0] == region && scratch.adoption[$0] != Self.never }
                #expect(treated.count == 3)
                #expect(treated.allSatisfy { scratch.adoption[$0] >= 1 && scratch.adoption[$0] < 6 })
            }
        }
    }

    /// Oracle: the determinism contract. Draws depend only on (seed, index), so 1, 2 and 8
    /// threads must give bit-identical draws on every path (compared by bit pattern).
    @Test("bit-identical for 1, 2 and 8 threads", arguments: [PlaceboPath.automatic, .general])
    func threadInvariance(path: PlaceboPath) throws {
        let panel = try Panel.load(csv: Fixtures.path("synthetic.csv"), spec: PanelSpec(
            outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"), covariates: ["x1", "x2"]))
        for scheme in [PlaceboScheme.cohorts, .randomTiming] {
            let results = try [1, 2, 8].map { threads in
                try PlaceboTest(design: PlaceboDesign(scheme: scheme), permutations: 203, seed: 11, threads: threads,
                                path: path).run(on: panel, statistic: TWFEPlaceboStatistic(cluster: "unit"))
            }
            for result in results.dropFirst() {
                #expect(result.estimates.map(\.bitPattern) == results[0].estimates.map(\.bitPattern), "\(scheme)")
                #expect(result.standardErrors.map(\.bitPattern) == results[0].standardErrors.map(\.bitPattern))
                #expect(result.pValue == results[0].pValue && result.pValueStudentized == results[0].pValueStudentized)
            }
        }
    }

    /// Oracle: randomization theory. When the observed assignment is itself a uniform draw of the
    /// design and there is no effect, P(p ≤ j/(R+1)) = j/(R+1) exactly for the add-one p-value
    /// (continuous statistics). With K = 300 replications of R = 99 draws, the rejection rates at
    /// 0.05 and 0.10 must lie within 3.5 Monte Carlo SEs (√(α(1−α)/K)), and the mean p within
    /// 3.5·√(1/12/K) of 1/2 (fixed seed, so the test is deterministic; 3.5 SE keeps it far from flaky).
    @Test("p-values are uniform under the null")
    func uniformUnderNull() throws {
        let replications = 300
        let base: [Int32] = [2, 2, 2, 3, 3] + Array(repeating: Self.never, count: 15)
        var pB: [Double] = [], pT: [Double] = []
        for replication in 0..<replications {
            // The "observed" assignment: a uniform permutation of the cohort labels.
            let stream = RandomStream(seed: 2024, replication: UInt64(replication), purpose: .other)
            var adoption = base
            adoption.withUnsafeMutableBufferPointer { stream.shuffle($0) }
            let panel = try PlaceboPanels.make(adoption: adoption, periods: 5, seed: 77, replication: UInt64(replication))
            let result = try PlaceboTest(permutations: 99, seed: UInt64(replication), threads: 1)
                .run(on: panel, statistic: TWFEPlaceboStatistic(cluster: "unit"))
            pB.append(result.pValue)
            pT.append(result.pValueStudentized)
        }
        let k = Double(replications)
        for (name, p) in [("coef", pB), ("t", pT)] {
            for alpha in [0.05, 0.10] {
                let rate = Double(p.filter { $0 <= alpha + 1e-12 }.count) / k
                let mcse = (alpha * (1 - alpha) / k).squareRoot()
                #expect(abs(rate - alpha) <= 3.5 * mcse, "\(name): rejection \(rate) at \(alpha), MCSE \(mcse)")
            }
            let mean = p.reduce(0, +) / k
            // Mean of the discrete uniform on {1..100}/100 is 0.505.
            #expect(abs(mean - 0.505) <= 3.5 * (1.0 / 12 / k).squareRoot(), "\(name): mean p \(mean)")
        }
    }

    /// Oracle: the definitions in ``RandomizationPValue`` worked by hand on
    /// T = 2, draws {1, −3, 2, NaN}: two-sided c = 2 (|−3|, the tie 2) of 3 valid.
    @Test("p-value conventions, ties and alternatives")
    func conventions() {
        let draws = [1.0, -3, 2 * (1 + 1e-9), .nan]
        #expect(RandomizationPValue.pValue(observed: 2, draws: draws) == 3.0 / 4)
        #expect(RandomizationPValue.pValue(observed: 2, draws: draws, convention: .proportion) == 2.0 / 3)
        #expect(RandomizationPValue.pValue(observed: 2, draws: draws, alternative: .greater) == 2.0 / 4)
        #expect(RandomizationPValue.pValue(observed: 2, draws: draws, alternative: .less, convention: .proportion) == 1)
        #expect(RandomizationPValue.pValue(observed: -2, draws: draws, alternative: .less) == 2.0 / 4)
        #expect(RandomizationPValue.pValue(observed: 2, draws: draws, exact: true) == 2.0 / 3)
    }

    /// Oracle: the definition of fake timing — treated observations dropped, adoption moved K
    /// earlier — and the generic statistic re-estimated on that panel by hand.
    @Test("fake timing moves adoption earlier and drops treated observations")
    func fakeTiming() throws {
        let panel = try Fixtures.mpdta()
        let shifted = try panel.timingShifted(by: 2)
        let treatedRows = (0..<panel.observationCount).filter { panel.isTreated(row: $0) }.count
        #expect(shifted.observationCount == panel.observationCount - treatedRows)
        let moved = (0..<shifted.observationCount).allSatisfy { row in
            let unit = Int(shifted.unitIndex[row])
            let original = panel.unitLabels.firstIndex(of: shifted.unitLabels[unit])!
            return panel.adoptionPeriod[original] == Panel.neverTreated
                || shifted.adoptionPeriod[unit] == panel.adoptionPeriod[original] - 2
        }
        #expect(moved)
        let statistic = TWFEPlaceboStatistic(cluster: "countyreal")
        let result = try PlaceboTest(design: PlaceboDesign(scheme: .timingShift(periods: 2)))
            .run(on: panel, statistic: statistic)
        let manual = try statistic.value(on: shifted)
        #expect(result.fakeTiming == manual)
        #expect(result.drawCount == 1)
        #expect(abs(result.pValue - Distributions.twoSidedPValue(statistic: manual.statistic,
                                                                  degreesOfFreedom: manual.degreesOfFreedom)) < 1e-15)
    }

    /// Oracle: the event-study statistic's definition (mean of the post-period terms, SE √(w'Vw))
    /// computed from ``EventStudy`` directly; the engine runs it on the generic path.
    @Test("event-study statistic plugs into the engine")
    func eventStudy() throws {
        let panel = try Fixtures.mpdta()
        let statistic = EventStudyPlaceboStatistic(cluster: "countyreal")
        let estimate = try EventStudy(options: RegressionOptions(variance: .cluster("countyreal"))).estimate(panel)
        let post = estimate.terms.indices.filter { (estimate.terms[$0].eventTime ?? -1) >= 0 }
        let mean = post.map { estimate.coefficients[$0] }.reduce(0, +) / Double(post.count)
        var variance = 0.0
        for a in post { for b in post { variance += estimate.variance.matrix[a * estimate.terms.count + b] } }
        variance /= Double(post.count * post.count)
        let result = try PlaceboTest(permutations: 6, seed: 2, threads: 2).run(on: panel, statistic: statistic)
        #expect(abs(result.observed.estimate - mean) < 1e-14)
        #expect(abs(result.observed.standardError - variance.squareRoot()) < 1e-14)
        #expect(result.path == "re-estimate")
        #expect(result.invalidDraws == 0)
        #expect(result.estimates.allSatisfy { $0.isFinite })
    }
}
