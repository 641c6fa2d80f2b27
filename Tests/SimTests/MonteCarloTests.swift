import Foundation
import Sim
import Testing

/// The error process recovered over many replications, within Monte Carlo error.
///
/// Scenario: unit effects constant (SD 0), no trend, no effect, no mediators or covariates, so
/// `y − μ = ε` exactly. For each replication the unbiased moment estimators
/// `v̂ = mean ε²`, `ĉ₁ = mean ε_t ε_{t−1}` and the within-province-year pair covariance
/// `ĉ_p = Σ_cells[(Σε)² − Σε²] / Σ_cells n(n − 1)` have expectations `σ²`, `(1 − π)ρσ²` and `πσ²`.
/// Each mean over K = 120 replications must lie within 4 MCSE (MCSE = SD/√K) of its expectation:
/// a false alarm has probability ≈ 6·10⁻⁵ per check, and the seed is fixed.
@Suite("Monte Carlo recovery")
struct MonteCarloTests {
    static func scenario(rho: Double, provinceShare: Double) -> Scenario {
        var scenario = Scenario()
        scenario.errors.unitEffectSD = 0
        scenario.errors.trend = 0
        scenario.errors.sd = 1
        scenario.errors.rho = rho
        scenario.errors.provinceShare = provinceShare
        scenario.effects.att = 0
        return scenario
    }

    static func moments(_ scenario: Scenario, replications: Int) throws -> [[Double]] {
        let simulator = try Simulator(scenario)
        let periods = simulator.years.count
        let byProvince = simulator.geography.citiesByProvince
        return try (0..<replications).map { r in
            let y = try simulator.simulate(replication: r, seed: 2024).panel.outcome
            let e = y.map { $0 - scenario.errors.unitEffectMean }
            var v = 0.0, c1 = 0.0, lagged = 0
            for row in e.indices {
                v += e[row] * e[row]
                if row % periods > 0 { c1 += e[row] * e[row - 1]; lagged += 1 }
            }
            var pairSum = 0.0, pairs = 0.0
            for cities in byProvince where cities.count > 1 {
                for t in 0..<periods {
                    var s = 0.0, s2 = 0.0
                    for city in cities { let x = e[city * periods + t]; s += x; s2 += x * x }
                    pairSum += s * s - s2
                    pairs += Double(cities.count * (cities.count - 1))
                }
            }
            return [v / Double(e.count), c1 / Double(lagged), pairSum / pairs]
        }
    }

    static func check(_ values: [Double], expected: Double, _ label: String) {
        let k = Double(values.count)
        let mean = values.reduce(0, +) / k
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (k - 1)).squareRoot()
        let mcse = sd / k.squareRoot()
        #expect(abs(mean - expected) < 4 * mcse, "\(label): mean \(mean), expected \(expected), MCSE \(mcse)")
    }

    /// Oracle: the AR(1) moments `Var = σ²`, `Cov(ε_t, ε_{t−1}) = ρσ²` (stationary start), and no
    /// province covariance when π = 0.
    @Test func ar1RhoAndVarianceRecovered() throws {
        let m = try MonteCarloTests.moments(MonteCarloTests.scenario(rho: 0.8, provinceShare: 0), replications: 120)
        MonteCarloTests.check(m.map { $0[0] }, expected: 1, "variance")
        MonteCarloTests.check(m.map { $0[1] }, expected: 0.8, "lag-1 covariance")
        MonteCarloTests.check(m.map { $0[2] }, expected: 0, "province covariance")
        let rhoHat = m.reduce(0) { $0 + $1[1] } / m.reduce(0) { $0 + $1[0] }
        #expect(abs(rhoHat - 0.8) < 0.01)
    }

    /// Oracle: the variance decomposition — province share π of σ², and lag-1 covariance (1 − π)ρσ²
    /// because province-year shocks are iid over years.
    @Test func provinceShareRecovered() throws {
        let m = try MonteCarloTests.moments(MonteCarloTests.scenario(rho: 0.5, provinceShare: 0.3), replications: 120)
        MonteCarloTests.check(m.map { $0[0] }, expected: 1, "variance")
        MonteCarloTests.check(m.map { $0[1] }, expected: 0.7 * 0.5, "lag-1 covariance")
        MonteCarloTests.check(m.map { $0[2] }, expected: 0.3, "province covariance")
    }
}
