import Testing
@testable import Estimators

/// Holm and Romano–Wolf (min-P) adjusted p-values (``MultipleTesting``). Oracles: Holm's closed
/// form by hand; for Romano–Wolf an independent numpy implementation on fixed statistics,
/// `scripts/reference/romano_wolf_stepdown.py` (numpy 2.4.6, no randomness; counts by a full
/// comparison matrix where the Swift code sorts), and two properties of the min-P form (invariance
/// to an increasing map of one hypothesis' statistics; never above Holm). The measures only count
/// and divide small integers, so the tolerance is 1e-15.
@Suite("multiple testing")
struct MultipleTestingTests {
    @Test func holmByHand() {
        // Sorted .005, .01, .03, .04 → ×4, ×3, ×2, ×1 = .02, .03, .06, .04; running max .02, .03, .06, .06.
        let adjusted = MultipleTesting.holm([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-15, "\(adjusted)") }
        // Capped at 1; one hypothesis is unchanged; NaN stays NaN and counts in D.
        #expect(MultipleTesting.holm([0.6, 0.7]) == [1, 1])
        #expect(MultipleTesting.holm([0.3]) == [0.3])
        let withNaN = MultipleTesting.holm([0.01, .nan])
        #expect(withNaN[0] == 0.02 && withNaN[1].isNaN)
    }

    /// The statistics of the reference script: `draws[d][b] = ((37b + 11d) mod 23)/5`, b < 40, with
    /// draw 5 of hypothesis 1 failed (NaN), observed (4.1, 3.3, 4.5).
    static func fixedStatistics() -> (observed: [Double], draws: [[Double]]) {
        var draws: [[Double]] = []
        for d in 0..<3 {
            var row: [Double] = []
            for b in 0..<40 { row.append(Double((37 * b + 11 * d) % 23) / 5) }
            draws.append(row)
        }
        draws[1][5] = .nan
        return ([4.1, 3.3, 4.5], draws)
    }

    @Test func romanoWolfMatchesTheNumpyReference() {
        let (observed, draws) = Self.fixedStatistics()
        let (adjusted, valid) = MultipleTesting.romanoWolf(observed: observed, draws: draws)
        // romano_wolf_stepdown.py: valid draws 39; romano-wolf (min-P) 0.2, 0.275, 0.05.
        #expect(valid == 39)
        let expected = [0.2, 0.275, 0.05]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-15, "\(adjusted)") }
        // Holm on the marginal permutation p-values (script: 0.1, 0.275, 0.025 → 0.2, 0.275, 0.075).
        let marginal = (0..<3).map { d in
            RandomizationPValue.pValue(observed: observed[d], draws: draws[d].enumerated().map { draws[1][$0.offset].isFinite ? $0.element : .nan },
                                       alternative: .greater)
        }
        let holm = MultipleTesting.holm(marginal)
        for (a, e) in zip(holm, [0.2, 0.275, 0.07500000000000001]) { #expect(abs(a - e) < 1e-15, "\(holm)") }
        // Romano–Wolf never exceeds Holm's Bonferroni steps and equals the marginal p for one hypothesis.
        let single = MultipleTesting.romanoWolf(observed: [observed[0]], draws: [draws[0]]).adjusted[0]
        #expect(single == RandomizationPValue.pValue(observed: observed[0], draws: draws[0], alternative: .greater))
        #expect(zip(adjusted, holm).allSatisfy { $0 <= $1 + 1e-15 }, "\(adjusted) vs Holm \(holm)")
    }

    /// Min-P uses each hypothesis' ranks only: an increasing map of one hypothesis' observed and
    /// drawn statistics (×10 + 3, as a Wald F with another tail would be) leaves every adjusted
    /// p-value unchanged, where the max of raw statistics would let that hypothesis dominate.
    @Test func romanoWolfIsInvariantToEachHypothesisScale() {
        var (observed, draws) = Self.fixedStatistics()
        let before = MultipleTesting.romanoWolf(observed: observed, draws: draws).adjusted
        observed[2] = 10 * observed[2] + 3
        draws[2] = draws[2].map { 10 * $0 + 3 }
        #expect(MultipleTesting.romanoWolf(observed: observed, draws: draws).adjusted == before)
    }

    @Test func identicalHypothesesAreNotPenalised() {
        // Two copies of one statistic, drawn jointly: the min of their p-values equals either, so
        // Romano–Wolf returns the marginal p-value for both (Holm doubles it).
        let (observed, draws) = Self.fixedStatistics()
        let (adjusted, _) = MultipleTesting.romanoWolf(observed: [observed[0], observed[0]], draws: [draws[0], draws[0]])
        let marginal = RandomizationPValue.pValue(observed: observed[0], draws: draws[0], alternative: .greater)
        #expect(adjusted == [marginal, marginal])
        #expect(MultipleTesting.romanoWolf(observed: [.nan], draws: [[1]]).adjusted[0].isNaN)
        let mismatched = MultipleTesting.romanoWolf(observed: [1, 2], draws: [[1], [1, 2]]).adjusted
        #expect(mismatched[0].isNaN && mismatched[1].isNaN)
    }
}
