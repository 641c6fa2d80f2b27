import Foundation
import Testing
@testable import Estimators

/// Subgroup heterogeneity: split samples, the interaction model, the Wald test and the permutation
/// test, each against a named oracle.
@Suite("subgroup heterogeneity")
struct SubgroupTests {
    static var reference: [String: Any] {
        Fixtures.json("subgroup_reference.json")
    }

    static func analysis(_ variance: VarianceType, permutations: Int = 0, threads: Int? = 2,
                         scope: SubgroupPermutationScope = .treatedUnits) -> SubgroupHeterogeneity {
        SubgroupHeterogeneity(column: "zone", options: RegressionOptions(variance: variance), permutations: permutations,
                              scope: scope, seed: 99, threads: threads)
    }

    /// Oracle: **pyfixest 0.60.0 `feols`** with `D × 1{zone}` columns and the brute-force
    /// dummy-variable OLS + explicit fixest CR1 formula (`scripts/reference/make_subgroup_reference.py`);
    /// Wald F and p from scipy's F(2, G − 1). Tolerance 1e-8 relative (the parity target).
    @Test("interaction model and Wald test match pyfixest", arguments: ["unit", "province"])
    func interactionParity(cluster: String) throws {
        let entry = try #require((Self.reference["interaction"] as? [String: Any])?["cr1:\(cluster)"] as? [String: Any])
        let panel = try SubgroupSupport.zonePanel()
        let result = try Self.analysis(.cluster(cluster)).estimate(panel)
        let estimates = try #require(entry["estimate"] as? [String: Double])
        let errors = try #require(entry["se"] as? [String: Double])
        let pyfixest = try #require(entry["pyfixest_estimate"] as? [String: Double])
        for zone in ["north", "central", "south"] {
            let effect = try #require(result.effect(of: zone))
            #expect(relativeDifference(effect.estimate, try #require(estimates["D_\(zone)"])) < 1e-8, "\(zone) estimate")
            #expect(relativeDifference(effect.estimate, try #require(pyfixest["D_\(zone)"])) < 1e-8, "\(zone) pyfixest")
            #expect(relativeDifference(effect.standardError, try #require(errors["D_\(zone)"])) < 1e-8, "\(zone) SE")
        }
        #expect(result.interaction.variance.parameterCount == entry["K"] as? Int)
        let wald = try #require(entry["wald"] as? [String: Any])
        #expect(relativeDifference(result.wald.statistic, try #require(wald["F"] as? Double)) < 1e-8)
        #expect(relativeDifference(result.wald.pValue, try #require(wald["p_value"] as? Double)) < 1e-8)
        #expect(result.wald.numeratorDegreesOfFreedom == 2)
        #expect(result.wald.denominatorDegreesOfFreedom == Double(try #require(entry["df"] as? Int)))
    }

    /// Oracle: pyfixest `feols` on each zone's rows (and the brute-force formula), 1e-8 relative.
    @Test("split-sample TWFE matches pyfixest on each zone")
    func splitParity() throws {
        let splits = try #require(Self.reference["split"] as? [String: [String: Any]])
        let result = try Self.analysis(.cluster("unit")).estimate(try SubgroupSupport.zonePanel())
        for group in result.groups {
            let entry = try #require(splits[group.label])
            let split = try #require(group.splitSample)
            #expect(split.observationCount == entry["n_obs"] as? Int)
            #expect(relativeDifference(split.coefficients[0], try #require(entry["estimate"] as? Double)) < 1e-8)
            #expect(relativeDifference(split.standardError(0), try #require(entry["se"] as? Double)) < 1e-8)
        }
    }

    /// Oracle: **brute force** — (a) the common-effects interaction coefficients equal a dense
    /// least-squares fit with explicit unit and year dummies; (b) the fully interacted model
    /// (zone × year effects, zone-specific covariate slopes, one regression on the whole panel)
    /// reproduces every split-sample coefficient. Tolerance 1e-10 (exact algebra, different routes).
    @Test("interaction coefficients equal brute-force regressions; full interaction equals split samples")
    func bruteForce() throws {
        let panel = try SubgroupSupport.zonePanel()
        let result = try Self.analysis(.cluster("unit")).estimate(panel)
        let zone = try #require(panel.clusterings["zone"])
        let treatment = panel.treatmentColumn
        let labels = zone.labels
        let interactions = labels.map { label in
            (0..<panel.observationCount).map { zone.labels[Int(zone.index[$0])] == label ? treatment[$0] : 0 }
        }
        let dense = SubgroupSupport.dummyRegression(panel: panel, regressors: interactions + panel.covariates)
        for (k, label) in labels.enumerated() {
            let effect = try #require(result.effect(of: label))
            #expect(abs(effect.estimate - dense[k]) < 1e-10 * max(1, abs(dense[k])), "\(label): \(effect.estimate) vs \(dense[k])")
        }
        // Fully interacted: periods become (zone, year) cells, covariates are interacted with zone.
        let periodsPerZone = panel.periodCount
        let cellIndex = (0..<panel.observationCount).map { Int32(Int(zone.index[$0]) * periodsPerZone + Int(panel.periodIndex[$0])) }
        var columns = interactions
        for covariate in panel.covariates {
            for label in labels {
                columns.append((0..<panel.observationCount).map { zone.labels[Int(zone.index[$0])] == label ? covariate[$0] : 0 })
            }
        }
        let cells = try Panel(unitIndex: panel.unitIndex, periodIndex: cellIndex, unitCount: panel.unitCount,
                              periodCount: labels.count * periodsPerZone, outcomeName: "y", outcome: panel.outcome,
                              adoptionPeriod: [Int32](repeating: Panel.neverTreated, count: panel.unitCount))
        let terms = (0..<columns.count).map { Estimate.Term(name: "c\($0)") }
        let full = try FixedEffectsRegression.fit(panel: cells, method: "full", terms: terms, columns: columns,
                                                  options: RegressionOptions(), extraNotes: [])
        for (k, label) in labels.enumerated() {
            let split = try #require(result.groups.first { $0.label == label }?.splitSample)
            #expect(abs(full.coefficients[k] - split.coefficients[0]) < 1e-10 * max(1, abs(split.coefficients[0])),
                    "\(label): full interaction \(full.coefficients[k]) vs split \(split.coefficients[0])")
        }
    }

    /// Oracle: the **interaction Estimate and WaldTest** (re-estimated the standard way): the FWL
    /// kernel's observed statistics (range of the effects, Wald F) for each variance type, 1e-10.
    @Test("the permutation kernel reproduces the observed model", arguments: [VarianceType.iid, .hetero, .cluster("province")])
    func kernelObserved(variance: VarianceType) throws {
        let result = try Self.analysis(variance, permutations: 16).estimate(try SubgroupSupport.zonePanel())
        let permutation = try #require(result.permutation)
        let effects = result.testedGroups.compactMap { result.effect(of: $0.label)?.estimate }
        let range = try #require(effects.max()) - (try #require(effects.min()))
        #expect(permutation.statisticName == "range")
        #expect(abs(permutation.observed - range) < 1e-10 * abs(range))
        #expect(abs(permutation.observedWald - result.wald.statistic) < 1e-10 * result.wald.statistic)
    }

    /// Oracle: **re-estimation** of draw 0 — its labels replayed from stream `(seed, 0,
    /// .permutation)` (a GSL shuffle of the treated units' observed labels), the interaction model
    /// re-fitted with ``FixedEffectsRegression`` and tested with ``WaldTest``. Two groups, so the
    /// statistic is the difference. Tolerance 1e-10 relative.
    @Test("a permutation draw equals re-estimating the relabelled model")
    func drawEqualsReestimation() throws {
        let base = try SubgroupSupport.zonePanel()
        let province = try #require(base.clusterings["province"])
        let panel = try SubgroupSupport.withGroup(base, name: "coast") { unit in
            Int(province.index[base.unitStart[unit]]) < 6 ? "coastal" : "inland"
        }
        let analysis = SubgroupHeterogeneity(column: "coast", options: RegressionOptions(variance: .cluster("province")),
                                             permutations: 3, seed: 5, threads: 1)
        let result = try analysis.estimate(panel)
        let permutation = try #require(result.permutation)
        #expect(permutation.statisticName == "difference")
        let (groupOfUnit, labels) = try panel.subgroupLabels(column: "coast")
        let treatedUnits = (0..<panel.unitCount).filter { panel.adoptionPeriod[$0] != Panel.neverTreated }
        var shuffled = treatedUnits.map { groupOfUnit[$0] }
        let stream = RandomStream(key: RandomStream.key(seed: 5, replication: 0,
                                                        purpose: RandomStream.Purpose.permutation.rawValue))
        shuffled.withUnsafeMutableBufferPointer { stream.shuffle($0) }
        var label = groupOfUnit
        for (k, unit) in treatedUnits.enumerated() { label[unit] = shuffled[k] }
        let treatment = panel.treatmentColumn
        let columns = labels.indices.map { g in
            (0..<panel.observationCount).map { label[Int(panel.unitIndex[$0])] == Int32(g) ? treatment[$0] : 0 }
        }
        let terms = labels.map { Estimate.Term(name: "treat:coast=\($0)") }
        let refit = try FixedEffectsRegression.fit(panel: panel, method: "subgroup", terms: terms, columns: columns,
                                                   options: RegressionOptions(variance: .cluster("province")), extraNotes: [])
        let difference = refit.coefficients[0] - refit.coefficients[1]
        let wald = try #require(WaldTest.linear([[terms[0].name: 1, terms[1].name: -1]], on: refit))
        #expect(abs(permutation.draws[0] - difference) < 1e-10 * abs(difference), "\(permutation.draws[0]) vs \(difference)")
        #expect(abs(permutation.drawsWald[0] - wald.statistic) < 1e-10 * wald.statistic)
    }

    /// Oracle: the same analysis with one worker, compared bit for bit.
    @Test("permutation draws are bit-identical for 1, 2 and 8 threads", arguments: SubgroupPermutationScope.allCases)
    func threads(scope: SubgroupPermutationScope) throws {
        let panel = try SubgroupSupport.zonePanel()
        let runs = try [1, 2, 8].map { try Self.analysis(.cluster("unit"), permutations: 99, threads: $0, scope: scope).estimate(panel) }
        let reference = try #require(runs[0].permutation)
        #expect(reference.validDraws > 0)
        for run in runs.dropFirst() {
            let permutation = try #require(run.permutation)
            #expect(permutation.draws.map(\.bitPattern) == reference.draws.map(\.bitPattern))
            #expect(permutation.drawsWald.map(\.bitPattern) == reference.drawsWald.map(\.bitPattern))
            #expect(permutation.pValue == reference.pValue && permutation.pValueWald == reference.pValueWald)
        }
        if scope == .treatedUnits { #expect(reference.validDraws == 99) }
    }

    /// Oracle: the documented behaviour for each bad input.
    @Test("a group without treated units is left out with a note; bad input is a clear error")
    func badInput() throws {
        let panel = try SubgroupSupport.zonePanel()
        let zone = try #require(panel.clusterings["zone"])
        let north = (0..<panel.unitCount).map { zone.labels[Int(zone.index[panel.unitStart[$0]])] == "north" }
        let untreatedNorth = panel.adoptionPeriod.enumerated().map { north[$0.offset] ? Panel.neverTreated : $0.element }
        let noNorth = try SubgroupSupport.withGroup(panel, name: "zone", adoption: untreatedNorth) {
            zone.labels[Int(zone.index[panel.unitStart[$0]])]
        }
        let result = try Self.analysis(.cluster("unit"), permutations: 19).estimate(noNorth)
        #expect(result.testedGroups.map(\.label) == ["central", "south"])
        #expect(result.notes.contains { $0.contains("zone=north has no treated units") })
        #expect(result.groups.first { $0.label == "north" }?.splitSample == nil)
        #expect(result.wald.numeratorDegreesOfFreedom == 1)
        #expect(throws: InvalidParameter.self) {
            try Self.analysis(.cluster("unit"), permutations: 9, scope: .allUnits).estimate(noNorth)
        }
        // Only one treated group.
        let onlySouth = panel.adoptionPeriod.enumerated().map {
            zone.labels[Int(zone.index[panel.unitStart[$0.offset]])] == "south" ? $0.element : Panel.neverTreated
        }
        let single = try SubgroupSupport.withGroup(panel, name: "zone", adoption: onlySouth) {
            zone.labels[Int(zone.index[panel.unitStart[$0]])]
        }
        #expect(throws: SubgroupError.tooFewTreatedGroups(name: "zone", withTreated: ["south"],
                                                          all: ["central", "north", "south"])) {
            try Self.analysis(.cluster("unit")).estimate(single)
        }
        #expect(throws: SubgroupError.unknownColumn(name: "region", available: Array(panel.clusterings.keys))) {
            try SubgroupHeterogeneity(column: "region").estimate(panel)
        }
        // A column that varies within units (year-level).
        let yearly = try WildBootstrapSupport.adding(WildBootstrapSupport.periodClustering(panel), to: panel)
        #expect(throws: SubgroupError.self) { try SubgroupHeterogeneity(column: "period").estimate(yearly) }
        #expect(throws: InvalidParameter(.permutations, "-1", "expected at least 0")) {
            try Self.analysis(.cluster("unit"), permutations: -1).estimate(panel)
        }
    }
}
