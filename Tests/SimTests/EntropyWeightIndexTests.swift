import Foundation
import Sim
import Testing

/// The entropy-weight index against a hand computation, and its error paths.
@Suite("EntropyWeightIndex")
struct EntropyWeightIndexTests {
    /// Oracle: hand computation, shift 0, n = 3 rows, two indicators.
    ///
    ///     A (positive) = 1, 2, 3  → x' = 0, 1/2, 1   → p = 0, 1/3, 2/3
    ///     B (negative) = 4, 2, 1  → x' = (4 − x)/3 = 0, 2/3, 1 → p = 0, 2/5, 3/5
    ///     e_A = −(1/ln 3)(⅓ ln ⅓ + ⅔ ln ⅔)     = 0.5793801642856949
    ///     e_B = −(1/ln 3)(0.4 ln 0.4 + 0.6 ln 0.6) = 0.6126016192893442
    ///     d = 1 − e; w_A = d_A/(d_A + d_B) = 0.5205573675991093, w_B = 0.47944263240089063
    ///     index = w_A x'_A + w_B x'_B = 0, 0.5799071054001483, 1
    /// (numbers evaluated in Python's float arithmetic). Tolerance 1e-14: a few roundings of O(1) terms.
    @Test func matchesHandComputation() throws {
        let index = try EntropyWeightIndex(columns: [[1, 2, 3], [4, 2, 1]], directions: [.positive, .negative], shift: 0)
        #expect(abs(index.entropy[0] - 0.5793801642856949) < 1e-14)
        #expect(abs(index.entropy[1] - 0.6126016192893442) < 1e-14)
        #expect(abs(index.weights[0] - 0.5205573675991093) < 1e-14)
        #expect(abs(index.weights[1] - 0.47944263240089063) < 1e-14)
        let scores = index.score([[1, 2, 3], [4, 2, 1]])
        for (score, expected) in zip(scores, [0, 0.5799071054001483, 1]) { #expect(abs(score - expected) < 1e-14) }
        #expect(abs(index.normalized(2, indicator: 1) - 2.0 / 3) < 1e-15)
    }

    /// Oracle: definition — with a shift the weights still sum to 1 and every score lies in
    /// [shift, 1 + shift]; equal weighting gives 1/m.
    @Test func weightsSumToOneAndScoresAreBounded() throws {
        let columns: [[Double]] = [[0.1, 0.5, 0.2, 0.9], [10, 30, 20, 15], [3, 1, 2, 2.5]]
        let index = try EntropyWeightIndex(columns: columns, directions: [.positive, .positive, .negative])
        #expect(abs(index.weights.reduce(0, +) - 1) < 1e-15)
        let low = 1e-4 - 1e-15, high = 1 + 1e-4 + 1e-15
        for score in index.score(columns) { #expect(score >= low && score <= high) }
        let equal = try EntropyWeightIndex(columns: columns, directions: [.positive, .positive, .negative], equalWeights: true)
        let third: Double = 1.0 / 3
        #expect(equal.weights == [third, third, third])
    }

    /// Oracle: the documented errors, naming the indicator.
    @Test func rejectsConstantAndRaggedColumns() {
        #expect(throws: EntropyWeightIndex.IndexError.constantIndicator(index: 1, name: "flat")) {
            try EntropyWeightIndex(columns: [[1, 2], [5, 5]], directions: [.positive, .positive], names: ["a", "flat"])
        }
        #expect(throws: EntropyWeightIndex.IndexError.self) {
            try EntropyWeightIndex(columns: [[1, 2], [5]], directions: [.positive, .positive])
        }
        #expect(throws: EntropyWeightIndex.IndexError.self) {
            try EntropyWeightIndex(columns: [[1, .nan]], directions: [.positive])
        }
    }

    /// Oracle: closed form. With linear indicators `x_j = mean_j + loading_j·Y* + noise` and no
    /// spillover, the frozen index is affine in Y*, so each treated observation's index effect is
    /// `τ·Σ_j w_j |loading_j| / range_j`; the simulator computes it by differencing the index with and
    /// without treatment. Tolerance 1e-12: differences of O(1) index values.
    @Test func simulatedIndexTruthMatchesClosedForm() throws {
        var scenario = try Scenario.preset(named: "paper")
        scenario.measurement.kind = .entropy
        scenario.measurement.indicators = [
            Scenario.Indicator(name: "a", mean: 1, loading: 2, noiseSD: 0.05),
            Scenario.Indicator(name: "b", mean: 0, loading: -1, noiseSD: 0.02),
            Scenario.Indicator(name: "c", mean: 5, loading: 10, noiseSD: 0.5),
        ]
        let simulated = try Simulator(scenario).simulate(replication: 3, seed: 8)
        let index = try #require(simulated.index)
        let factor = (0..<3).reduce(0.0) { sum, j in
            sum + index.weights[j] * abs(scenario.measurement.indicators[j].loading) / (index.maximum[j] - index.minimum[j])
        }
        #expect(simulated.truth.scale == "entropy-index")
        #expect(abs(simulated.truth.overall - 0.01 * factor) < 1e-12)
        for cell in simulated.truth.groupTime { #expect(abs(cell.att - 0.01 * factor) < 1e-12) }
        for mediator in simulated.truth.indirect {
            let latent = scenario.mediators.first { $0.name == mediator.mediator }!.indirectEffect
            #expect(abs(mediator.effect - latent * factor) < 1e-12)
        }
        // The outcome column is the index of the written indicators.
        #expect(index.score(simulated.indicators) == simulated.panel.outcome)
    }
}
