import Estimators
import Foundation
import Sim
import Testing

/// With every noise term off, TWFE under a constant effect returns the truth exactly.
@Suite("Noise-free TWFE")
struct NoiseFreeTests {
    /// Oracle: algebra — with no idiosyncratic noise, `y = μ_i + λ_t + βX + τD` holds exactly (unit
    /// effects, year trend and shocks, mediator unit effects and trends are absorbed by the fixed
    /// effects; covariates are partialled out), so the TWFE coefficient is τ = 0.01 up to rounding.
    /// Tolerance 1e-12: the within transform and solve of O(1) values lose a few ulps of 1e-16 each.
    @Test(arguments: ["paper", "paper-national-ets", "paper-fujian"])
    func twfeReturnsTheTruth(preset: String) throws {
        var scenario = try Scenario.preset(named: preset)
        scenario.errors.sd = 0
        scenario.errors.yearShockSD = 0.3
        for k in scenario.mediators.indices { scenario.mediators[k].noiseSD = 0 }
        let simulated = try Simulator(scenario).simulate(replication: 0, seed: 77)
        #expect(simulated.truth.overall == 0.01)
        let estimate = try TwoWayFixedEffects().estimate(simulated.panel)
        #expect(simulated.panel.covariateNames == ["ln_gdp_pc", "industry_share"])
        #expect(abs(estimate.coefficients[0] - simulated.truth.overall) < 1e-12, "\(estimate.coefficients[0])")
    }
}
