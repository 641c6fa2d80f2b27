import Foundation
import Testing
@testable import Estimators

/// Oracle: **brute force** — under full enumeration every bootstrap statistic is recomputed by
/// re-estimating the two-way fixed-effects regression with CR1 on `y* = y + ũ∘(v − 1)`
/// (``WildBootstrapSupport/bruteForceStatistics``), and the p-value is the exact count over the
/// 2^G sign vectors. Tolerance on statistics 1e-9 relative, with an absolute floor of 1 on the
/// denominator: both routes are exact algebra and differ by summation order (observed ~1e-12), but
/// under WCU the draws v = ±1 give t* = 0 in exact arithmetic and ~1e-15 in floating point, where a
/// relative comparison is meaningless; p-values must agree exactly.
@Suite("wild bootstrap: full enumeration vs brute force")
struct WildBootstrapEnumerationTests {
    static let eightProvinces: Set<String> = ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08"]

    static func compare(_ panel: Panel, model: BootstrapModel, term: String, cluster: String, imposeNull: Bool,
                        null r: Double = 0, label: String) throws {
        let groups = try #require(panel.clusterings[cluster]).count
        let bootstrap = WildClusterBootstrap(cluster: cluster, replications: 1 << groups, imposeNull: imposeNull,
                                             nullValue: r, threads: 2)
        let run = try bootstrap.run(on: panel, model: model, terms: [term])
        let result = try #require(run.results.first)
        #expect(result.enumerated, "\(label): expected full enumeration")
        #expect(result.drawCount == 1 << groups)
        let brute = try WildBootstrapSupport.bruteForceStatistics(
            panel: panel, model: model, term: term, cluster: cluster, imposeNull: imposeNull, null: r,
            weightVectors: WildBootstrapSupport.signVectors(groups))
        let fast = result.bootstrapStatistics
        var worst = 0.0
        for (a, b) in zip(fast, brute) { worst = max(worst, abs(a - b) / max(abs(b), 1)) }
        #expect(worst < 1e-9, "\(label): worst relative difference of t* \(worst)")
        for countTies in [true, false] {
            let expected = Double(WildBootstrapSupport.count(brute, observed: result.statistic, countTies: countTies))
                / Double(brute.count)
            let p = result.distribution.pValue(null: r, type: .symmetric, ties: countTies ? .count : .exclude)
            #expect(p == expected, "\(label): p (ties \(countTies ? "counted" : "excluded")) \(p) vs brute force \(expected)")
        }
        // WCR: the two reproductions of |t| (v = ±1) are the only ties. (WCU: v = ±1 give t* = 0.)
        if imposeNull {
            let counted = result.distribution.pValue(null: r, type: .symmetric, ties: .count)
            let excluded = result.distribution.pValue(null: r, type: .symmetric, ties: .exclude)
            #expect(abs(counted - excluded - 2 / Double(1 << groups)) < 1e-15, "\(label): ties")
            #expect(abs(abs(fast[(1 << groups) - 1]) - abs(result.statistic)) < 1e-9 * abs(result.statistic),
                    "\(label): v = 1 reproduces t")
        }
    }

    @Test("TWFE with covariates, province clusters (G = 8), WCR and WCU")
    func twfeProvince() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: Self.eightProvinces)
        try Self.compare(panel, model: .twfe, term: "treat", cluster: "province", imposeNull: true, label: "WCR")
        try Self.compare(panel, model: .twfe, term: "treat", cluster: "province", imposeNull: false, label: "WCU")
    }

    @Test("WCR at a non-zero null value (the δ-affine form used by test inversion)")
    func nonZeroNull() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: Self.eightProvinces)
        try Self.compare(panel, model: .twfe, term: "treat", cluster: "province", imposeNull: true, null: 0.37,
                         label: "WCR r=0.37")
    }

    @Test("event-study term e+0, no covariates")
    func eventStudy() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: Self.eightProvinces, covariates: [])
        try Self.compare(panel, model: .eventStudy(leads: 3, lags: 3), term: "e+0", cluster: "province",
                         imposeNull: true, label: "event e+0")
    }

    @Test("unbalanced panel (exact two-way projection of the absorbed part)")
    func unbalanced() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: Self.eightProvinces, file: "synthetic_unbalanced.csv")
        #expect(!panel.isBalanced)
        try Self.compare(panel, model: .twfe, term: "treat", cluster: "province", imposeNull: true, label: "unbalanced")
    }

    @Test("clusters that split units (by period): dense absorbed part")
    func periodClusters() throws {
        let base = try WildBootstrapSupport.synthetic(provinces: Self.eightProvinces)
        let panel = try WildBootstrapSupport.adding(WildBootstrapSupport.periodClustering(base), to: base)
        try Self.compare(panel, model: .twfe, term: "treat", cluster: "period", imposeNull: true, label: "period")
    }
}
