import Foundation
import Testing
@testable import Estimators

/// The multiplier bootstrap of ``MultiplierBootstrap`` (R `did`'s `mboot`), checked against the
/// analytic standard errors within Monte Carlo error, and for determinism.
@Suite("Callaway-Sant'Anna multiplier bootstrap")
struct CallawaySantAnnaBootstrapTests {
    static func mpdta() throws -> CallawaySantAnnaResult {
        try CallawaySantAnna().estimate(try Fixtures.mpdta())
    }

    @Test("bootstrap SEs are within Monte Carlo error of the analytic SEs", arguments: MultiplierBootstrap.Weights.allCases)
    func matchesAnalytic(weights: MultiplierBootstrap.Weights) throws {
        // Oracle: the analytic SE, which the variance of the multiplier draws equals in expectation
        // (E v² = 1). The draws' SD has relative MCSE √((κ−1)/(4B)) ≤ √(1/(2B)), since the kurtosis
        // κ of a Rademacher or Mammen sum is at most 3 (E v⁴ = 1 or 2): tolerance 4 MCSE ≈ 4.6%.
        // R did's IQR-based SE has relative MCSE √(1.36/B) when the draws are normal; it is checked
        // on the simple ATT (500 units, near-normal draws): tolerance 4 MCSE ≈ 7.7%. (It is not a
        // Monte Carlo estimate of the analytic SE for parts dominated by one small cohort: e = 2 of
        // mpdta comes out ~7% high at B = 20,000 with Rademacher weights.)
        let result = try Self.mpdta()
        let replications = 3700
        let sdTolerance = 4 * (1 / (2 * Double(replications))).squareRoot()
        let iqrTolerance = 4 * (1.36 / Double(replications)).squareRoot()
        let bootstrap = MultiplierBootstrap(replications: replications, weights: weights, seed: 11)
        let simple = result.bootstrap(.aggregation(.simple), bootstrap)
        #expect(abs(simple.standardErrors[0] / result.simple.overall.standardError - 1) < iqrTolerance)
        #expect(abs(simple.drawStandardDeviations[0] / result.simple.overall.standardError - 1) < sdTolerance)
        for kind in [CallawaySantAnnaResult.AggregationKind.dynamic, .group, .calendar] {
            let band = result.bootstrap(.aggregation(kind), bootstrap)
            for (k, effect) in result.aggregation(kind).effects.enumerated() {
                #expect(abs(band.drawStandardDeviations[k] / effect.standardError - 1) < sdTolerance,
                        "\(kind) \(result.aggregation(kind).keys[k])")
            }
        }
        let cells = result.bootstrap(.groupTime, bootstrap)
        for (k, cell) in result.groupTime.enumerated() {
            #expect(abs(cells.drawStandardDeviations[k] / cell.standardError - 1) < sdTolerance, "cell \(k)")
        }
        // One estimate: the uniform critical value is the pointwise 97.5% normal quantile, up to
        // Monte Carlo error of a tail quantile (≈ 2% at this B; 4 MCSE).
        #expect(abs(simple.criticalValue / 1.959964 - 1) < 0.08)
        // Several: simultaneous bands are wider than pointwise ones, narrower than Bonferroni (7 parts).
        let dynamic = result.bootstrap(.aggregation(.dynamic), bootstrap)
        #expect(dynamic.criticalValue > 1.96 && dynamic.criticalValue < 2.69)
    }

    @Test("draws depend only on the seed: any thread count gives the same band")
    func deterministic() throws {
        let result = try Self.mpdta()
        let one = result.bootstrap(.groupTime, MultiplierBootstrap(replications: 300, seed: 5, threads: 1))
        let two = result.bootstrap(.groupTime, MultiplierBootstrap(replications: 300, seed: 5, threads: 2))
        let three = result.bootstrap(.groupTime, MultiplierBootstrap(replications: 300, seed: 5, threads: 3))
        #expect(one == two && two == three)
        let other = result.bootstrap(.groupTime, MultiplierBootstrap(replications: 300, seed: 6, threads: 1))
        #expect(other != one)
        #expect(one.standardErrors.count == result.groupTime.count)
    }

    @Test("reference cells get no bootstrap SE; Mammen weights have mean 0 and variance 1")
    func degenerateAndWeights() throws {
        let panel = try Fixtures.mpdta()
        let result = try CallawaySantAnna(options: .init(basePeriod: .universal)).estimate(panel)
        let band = result.bootstrap(.groupTime, MultiplierBootstrap(replications: 200, seed: 1))
        for (k, cell) in result.groupTime.enumerated() {
            #expect(cell.isReference == band.standardErrors[k].isNaN)
        }
        // Exact moments of the two-point distribution (closed form).
        let root5 = 5.0.squareRoot()
        let p = (root5 + 1) / (2 * root5)
        let low = MultiplierBootstrap.multiplier(uniform: 0, weights: .mammen)
        let high = MultiplierBootstrap.multiplier(uniform: 0.9999, weights: .mammen)
        #expect(abs(p * low + (1 - p) * high) < 1e-15)
        #expect(abs(p * low * low + (1 - p) * high * high - 1) < 1e-15)
        #expect(MultiplierBootstrap.quantileType1([1, 2, 3, 4], 0.5) == 2)
        #expect(MultiplierBootstrap.quantileType1([1, 2, 3, 4], 0.51) == 3)
    }
}
