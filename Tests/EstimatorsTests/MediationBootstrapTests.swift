import Foundation
import Testing
@testable import Estimators

/// The pairs cluster bootstrap of a·b.
@Suite("mediation bootstrap")
struct MediationBootstrapTests {
    /// Second implementation: build draw `b`'s resampled panel explicitly (each drawn cluster's
    /// units copied as new units with their own fixed effects, as Stata's `idcluster()`), run the
    /// three steps on it with ``Mediation``, and compare a·b with the weighted fast path. Tolerance
    /// 1e-9 relative: two exact algorithms (weighted cross products vs. demeaning the copied panel)
    /// differing only in rounding; a·b is a product of two regression coefficients.
    @Test("each draw equals a brute-force re-estimation on the resampled panel",
          arguments: [("synthetic.csv", "unit"), ("synthetic.csv", "province"), ("synthetic_unbalanced.csv", "unit")])
    func drawsMatchBruteForce(file: String, cluster: String) throws {
        let (panel, mediator) = try MediationFixtures.load(file, clusters: [cluster])
        let seed: UInt64 = 20_240_611
        let mediation = Mediation(options: RegressionOptions(variance: .cluster(cluster)),
                                  bootstrap: PairsBootstrapOptions(replications: 6, seed: seed, threads: 1))
        let result = try mediation.estimate(panel, mediators: [mediator])
        let draws = try #require(result.paths.first?.bootstrap?.draws)
        let clustering = try #require(panel.clusterings[cluster])
        for draw in 0..<draws.count {
            let counts = PairsBootstrap.clusterCounts(seed: seed, draw: draw, clusterCount: clustering.count)
            let (resampled, resampledMediator) = try Self.resample(panel, mediator: mediator, clustering: clustering,
                                                                   counts: counts)
            let brute = try Mediation(options: RegressionOptions(variance: .iid),
                                      bootstrap: PairsBootstrapOptions(replications: 0))
                .estimate(resampled, mediators: [resampledMediator])
            #expect(relativeDifference(draws[draw], brute.paths[0].indirect) < 1e-9,
                    "\(file) \(cluster) draw \(draw): \(draws[draw]) vs \(brute.paths[0].indirect)")
        }
    }

    /// Oracle: determinism by construction (draw b uses stream (seed, b, bootstrap) alone and a
    /// fixed summation order), checked bit for bit across worker counts and repeated runs.
    @Test("bit-identical for any thread count and reproducible from the seed")
    func deterministic() throws {
        let (panel, mediator) = try MediationFixtures.load()
        func run(threads: Int, seed: UInt64 = 5) throws -> [Double] {
            let result = try Mediation(bootstrap: PairsBootstrapOptions(replications: 101, seed: seed, threads: threads))
                .estimate(panel, mediators: [mediator])
            return try #require(result.paths.first?.bootstrap?.draws)
        }
        let reference = try run(threads: 1)
        let allFinite = reference.allSatisfy { $0.isFinite }
        #expect(allFinite)
        for threads in [2, 3, 8] {
            let other = try run(threads: threads)
            #expect(zip(reference, other).allSatisfy { $0.bitPattern == $1.bitPattern }, "threads \(threads)")
        }
        let rerun = try run(threads: 2)
        #expect(zip(reference, rerun).allSatisfy { $0.bitPattern == $1.bitPattern }, "rerun")
        let otherSeed = try run(threads: 1, seed: 6)
        #expect(reference != otherSeed, "another seed gives other draws")
    }

    /// Oracle: closed-form summaries of the draws (R type-7 quantiles by hand, SD with n − 1,
    /// the percentile p-value by counting).
    @Test("summary: SD, percentile interval and p-value by hand")
    func summaryByHand() {
        let draws: [Double] = [0.3, -0.1, 0.5, .nan, 0.2, 0.9, 0.1, 0.4, 0.0, 0.6, 0.7]
        let summary = BootstrapSummary(draws: draws, seed: 1, level: 0.9)
        let valid = draws.filter(\.isFinite).sorted()
        #expect(summary.valid == 10 && summary.requested == 11)
        let mean = valid.reduce(0, +) / 10
        let sd = (valid.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 9).squareRoot()
        #expect(abs(summary.standardError - sd) < 1e-15)
        func type7(_ p: Double) -> Double {
            let h = Double(valid.count - 1) * p
            let lo = Int(h.rounded(.down))
            return valid[lo] + (h - Double(lo)) * (valid[min(lo + 1, valid.count - 1)] - valid[lo])
        }
        #expect(abs(summary.confLow - type7(0.05)) < 1e-15)
        #expect(abs(summary.confHigh - type7(0.95)) < 1e-15)
        // #{≤ 0} = 2 (−0.1, 0.0), #{≥ 0} = 9 → p = 2·2/10.
        #expect(abs(summary.pValue - 0.4) < 1e-15)
    }

    /// The resampled panel of one draw: cluster g enters counts[g] times, each copy's units new units.
    static func resample(_ panel: Panel, mediator: MediatorColumn, clustering: Clustering,
                         counts: [Int]) throws -> (Panel, MediatorColumn) {
        var units: [Int32] = [], periods: [Int32] = [], y: [Double] = [], m: [Double] = []
        var x = [[Double]](repeating: [], count: panel.covariates.count)
        var adoption: [Int32] = []
        for (g, count) in counts.enumerated() where count > 0 {
            let members = (0..<panel.unitCount).filter {
                panel.unitStart[$0] < panel.unitStart[$0 + 1] && clustering.index[panel.unitStart[$0]] == Int32(g)
            }
            for _ in 0..<count {
                for unit in members {
                    let newUnit = Int32(adoption.count)
                    adoption.append(panel.adoptionPeriod[unit])
                    for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] {
                        units.append(newUnit)
                        periods.append(panel.periodIndex[row])
                        y.append(panel.outcome[row])
                        m.append(mediator.values[row])
                        for k in x.indices { x[k].append(panel.covariates[k][row]) }
                    }
                }
            }
        }
        let resampled = try Panel(unitIndex: units, periodIndex: periods, unitCount: adoption.count,
                                  periodCount: panel.periodCount, outcomeName: panel.outcomeName, outcome: y,
                                  covariateNames: panel.covariateNames, covariates: x, adoptionPeriod: adoption)
        return (resampled, MediatorColumn(name: mediator.name, values: m))
    }
}
