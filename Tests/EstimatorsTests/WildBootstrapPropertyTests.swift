import Foundation
import Testing
@testable import Estimators

/// Determinism, sampling and test-inversion properties of the wild cluster bootstrap. Each test
/// names its oracle.
@Suite("wild bootstrap: properties")
struct WildBootstrapPropertyTests {
    /// The null value with |t| ≈ 1.8 on the full synthetic panel (from `wcb_reference.json`), so
    /// p-values are not at the extremes.
    static let shiftedNull = 0.9437

    /// Oracle: the same run with one worker. Statistics are compared bit for bit.
    @Test("bit-identical for 1, 2 and 8 threads", arguments: BootstrapWeights.allCases)
    func threads(weights: BootstrapWeights) throws {
        let panel = try WildBootstrapSupport.synthetic()
        var runs: [WildBootstrapResult] = []
        for threads in [1, 2, 8] {
            let bootstrap = WildClusterBootstrap(cluster: "province", replications: 999, weights: weights,
                                                 nullValue: Self.shiftedNull, seed: 42, threads: threads,
                                                 allowFullEnumeration: false)
            runs.append(try #require(try bootstrap.run(on: panel).results.first))
        }
        let reference = runs[0].bootstrapStatistics.map(\.bitPattern)
        for run in runs.dropFirst() {
            #expect(run.bootstrapStatistics.map(\.bitPattern) == reference, "\(weights), \(run.threads) threads")
            #expect(run.pValue.bitPattern == runs[0].pValue.bitPattern)
            #expect(run.confLow.bitPattern == runs[0].confLow.bitPattern)
            #expect(run.confHigh.bitPattern == runs[0].confHigh.bitPattern)
        }
    }

    /// Oracle: **brute force** on the weight vectors the run must have drawn — the stream
    /// `(seed, 0, .bootstrap)` replayed in the test — so the city-level (G = 120, nested) path
    /// and the documented stream contract are both checked. Tolerance 1e-9 relative.
    @Test("sampled Webb draws at city clusters equal re-estimation with the replayed weights")
    func sampledEqualsBruteForce() throws {
        let panel = try WildBootstrapSupport.synthetic()
        let groups = panel.unitCount
        let bootstrap = WildClusterBootstrap(cluster: "unit", replications: 20, weights: .webb, nullValue: 0.5,
                                             seed: 7, threads: 2)
        let result = try #require(try bootstrap.run(on: panel).results.first)
        let stream = RandomStream(key: RandomStream.key(seed: 7, replication: 0,
                                                        purpose: RandomStream.Purpose.bootstrap.rawValue))
        var cursor = MersenneCursor(stream.generator)
        var vectors: [[Double]] = []
        for _ in 0..<20 {
            var v = [Double](repeating: 0, count: groups)
            v.withUnsafeMutableBufferPointer { buffer in
                if let base = buffer.baseAddress { BootstrapWeights.webb.draw(into: base, count: groups, stride: 1, &cursor) }
            }
            vectors.append(v)
        }
        cursor.store()
        let brute = try WildBootstrapSupport.bruteForceStatistics(panel: panel, model: .twfe, term: "treat",
                                                                  cluster: "unit", imposeNull: true, null: 0.5,
                                                                  weightVectors: vectors)
        for (a, b) in zip(result.bootstrapStatistics, brute) {
            #expect(abs(a - b) <= 1e-9 * max(abs(b), 1), "t* \(a) vs brute force \(b)")
        }
    }

    /// Oracle: **full enumeration** (exact p over 2^12 sign vectors). B sampled Rademacher draws
    /// estimate it with Monte Carlo standard error √(p(1−p)/B); tolerance 4 MCSE.
    @Test("B-draw p-values are within Monte Carlo error of the enumerated p", arguments: [true, false])
    func sampledNearEnumeration(imposeNull: Bool) throws {
        let panel = try WildBootstrapSupport.synthetic()
        let exact = try #require(try WildClusterBootstrap(cluster: "province", replications: 4096, imposeNull: imposeNull,
                                                          nullValue: Self.shiftedNull).run(on: panel).results.first)
        #expect(exact.enumerated)
        let b = 9999
        let sampled = try #require(try WildClusterBootstrap(cluster: "province", replications: b, imposeNull: imposeNull,
                                                            nullValue: Self.shiftedNull, seed: 3,
                                                            allowFullEnumeration: false).run(on: panel).results.first)
        #expect(!sampled.enumerated && sampled.drawCount == b)
        let p = exact.pValue
        let mcse = (p * (1 - p) / Double(b)).squareRoot()
        #expect(p > 0.05 && p < 0.5, "the shifted null should give a moderate p, got \(p)")
        #expect(abs(sampled.pValue - p) <= 4 * mcse, "sampled \(sampled.pValue) vs exact \(p), MCSE \(mcse)")
    }

    /// Oracle: the **definition** of the interval, `{r : p(r) ≥ α}`, evaluated at the bounds ± a
    /// small step, and the restricted bootstrap re-run at the bound as its null value.
    @Test("interval bounds are where the bootstrap p-value crosses α", arguments: [true, false])
    func intervalByInversion(imposeNull: Bool) throws {
        let panel = try WildBootstrapSupport.synthetic()
        let result = try #require(try WildClusterBootstrap(cluster: "province", replications: 999, weights: .webb,
                                                           imposeNull: imposeNull, seed: 11).run(on: panel).results.first)
        #expect(result.confLow < result.estimate && result.estimate < result.confHigh)
        let epsilon = 1e-6 * result.standardError
        for bound in [result.confLow, result.confHigh] {
            let outward = bound + (bound < result.estimate ? -epsilon : epsilon)
            let inward = bound + (bound < result.estimate ? epsilon : -epsilon)
            #expect(result.distribution.pValue(null: outward, type: .symmetric, ties: .count) < 0.05)
            #expect(result.distribution.pValue(null: inward, type: .symmetric, ties: .count) >= 0.05)
            // A fresh run testing the bound's inner side reproduces the p-value (same draws).
            let rerun = try #require(try WildClusterBootstrap(cluster: "province", replications: 999, weights: .webb,
                                                              imposeNull: imposeNull, nullValue: inward, seed: 11)
                .run(on: panel).results.first)
            #expect(rerun.pValue >= 0.05)
        }
    }

    /// Oracle: **closed form** — with G = 4 and Rademacher weights the smallest attainable p is
    /// 2/16 > 0.05 (ties counted), so no value is rejected and the 95% set is the real line.
    @Test("too few clusters: an unbounded interval, with a note")
    func unboundedInterval() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: ["p01", "p02", "p03", "p04"])
        let result = try #require(try WildClusterBootstrap(cluster: "province").run(on: panel).results.first)
        #expect(result.enumerated && result.drawCount == 16)
        #expect(result.pValue >= 2.0 / 16)
        #expect(result.confLow == -.infinity && result.confHigh == .infinity)
        #expect(result.notes.contains { $0.contains("unbounded") })
    }

    /// Oracle: **closed form** moments of each distribution (mean 0, variance 1; third moment 0
    /// for Rademacher and Webb, 1 for Mammen; Webb's six points 1/6 each), over 600,000 draws.
    /// Tolerance 5 Monte Carlo standard errors (SD of v^k / √n).
    @Test("weight distributions have their moments", arguments: BootstrapWeights.allCases)
    func moments(weights: BootstrapWeights) {
        let count = 600_000
        let stream = RandomStream(seed: 5, replication: 0, purpose: .bootstrap)
        var cursor = MersenneCursor(stream.generator)
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { weights.draw(into: base, count: count, stride: 1, &cursor) }
        }
        cursor.store()
        func mean(_ f: (Double) -> Double) -> Double { values.reduce(0) { $0 + f($1) } / Double(count) }
        let third = weights == .mammen ? 1.0 : 0.0
        let n = Double(count).squareRoot()
        #expect(abs(mean { $0 }) < 5 * 1 / n)
        #expect(abs(mean { $0 * $0 } - 1) < 5 * (weights == .rademacher ? 1e-9 : 1.0) / n)
        #expect(abs(mean { $0 * $0 * $0 } - third) < 5 * 2.5 / n)
        if weights == .webb {
            for point in BootstrapWeights.webbPoints {
                let share = Double(values.filter { $0 == point }.count) / Double(count)
                #expect(abs(share - 1.0 / 6) < 5 * (1.0 / 6 * 5.0 / 6).squareRoot() / n)
            }
        }
    }

    /// Oracle: ``EventStudy`` (fixest parity-tested) — the bootstrap's event-study design must
    /// give the same coefficients and CR1 standard errors.
    @Test("the bootstrap's event-study design equals EventStudy")
    func eventDesign() throws {
        let panel = try WildBootstrapSupport.synthetic()
        for (leads, lags) in [(3, 3), (nil, nil)] as [(Int?, Int?)] {
            let run = try WildClusterBootstrap(cluster: "province", replications: 9)
                .run(on: panel, model: .eventStudy(leads: leads, lags: lags))
            let reference = try EventStudy(leads: leads, lags: lags, options: RegressionOptions(variance: .cluster("province")))
                .estimate(panel)
            #expect(run.estimate.terms == reference.terms)
            for k in reference.terms.indices {
                #expect(relativeDifference(run.estimate.coefficients[k], reference.coefficients[k]) < 1e-12)
                #expect(relativeDifference(run.estimate.standardError(k), reference.standardError(k)) < 1e-12)
            }
            #expect(run.results.map(\.term) == reference.terms.map(\.name).filter { $0 != "x1" && $0 != "x2" })
        }
    }

    /// Oracle: the documented error for each bad input.
    @Test("bad input is a clear error")
    func badInput() throws {
        let panel = try WildBootstrapSupport.synthetic()
        #expect(throws: EstimationError.self) { try WildClusterBootstrap(cluster: "county").run(on: panel) }
        #expect(throws: InvalidParameter(.bootstrapDraws, "0", "expected at least 1")) {
            try WildClusterBootstrap(cluster: "province", replications: 0).run(on: panel)
        }
        #expect(throws: InvalidParameter.self) { try WildClusterBootstrap(cluster: "province", level: 1.5).run(on: panel) }
        #expect(throws: InvalidParameter(.threads, "0", "expected at least 1")) {
            try WildClusterBootstrap(cluster: "province", threads: 0).run(on: panel)
        }
        #expect(throws: WildBootstrapError.self) {
            try WildClusterBootstrap(cluster: "province").run(on: panel, terms: ["e+0"])
        }
        let single = try WildBootstrapSupport.synthetic(provinces: ["p12"])
        #expect(throws: EstimationError.tooFewClusters(name: "province", count: 1)) {
            try WildClusterBootstrap(cluster: "province").run(on: single)
        }
        // A covariate can be bootstrapped by name too.
        let covariate = try WildClusterBootstrap(cluster: "province", replications: 99).run(on: panel, terms: ["x1"])
        #expect(covariate.results.first?.treatedClusterCount == nil)
    }
}
