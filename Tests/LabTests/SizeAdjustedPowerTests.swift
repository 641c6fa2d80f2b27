import Foundation
import Testing
@testable import Lab

/// Size-adjusted power (``SizeAdjustedPower``), its pairing and its spec key. Oracles: hand
/// computations on tiny p-value lists (exact: the measure only counts), Wilson's closed form, and
/// a Monte Carlo check against the closed-form power of a known alternative.
@Suite("size-adjusted power")
struct SizeAdjustedPowerTests {
    @Test func handCaseWithATieAtTheQuantile() throws {
        // K₀ = 10, α = 0.2: m = 2. Sorted null p: .01, .02, .02, …: p₍₂₎ = .02 ties with p₍₃₎, so c is
        // the largest null p below .02, i.e. .01; the null rate at c is 1/10. Alternative: p ≤ .01 in
        // 2 of 5 (.005 and .01: a tie with c counts as a rejection): q = 0.4, MCSE √(.4·.6/5).
        let null = [0.5, 0.02, 0.01, 0.30, 0.6, 0.02, 0.7, 0.8, 0.9, 0.95]
        let alternative = [0.02, 0.005, 0.5, 0.01, 0.015]
        let s = try #require(SizeAdjustedPower(nullPValues: null, alternativePValues: alternative, alpha: 0.2))
        #expect(s.nullReplications == 10 && s.replications == 5)
        #expect(s.criticalPValue == 0.01)
        #expect(s.nullRejectionRate == 0.1)
        #expect(s.power == 0.4)
        #expect(abs(s.powerMCSE - 0.21908902300206645) < 1e-15)
        // Wilson, z = 1.959963984540054: centre (q + z²/2n)/(1 + z²/n) ∓ z/(1 + z²/n)·√(q(1−q)/n + z²/4n²).
        #expect(abs(s.powerWilson.low - 0.11762077423264783) < 1e-14)
        #expect(abs(s.powerWilson.high - 0.769275718723987) < 1e-14)
    }

    @Test func withoutATieTheCriticalValueIsTheMthNullPValue() throws {
        // K₀ = 20, α = 0.1: m = 2, c = p₍₂₎ = 0.03 (p₍₃₎ = 0.04); null rate 2/20. NaN p-values drop out.
        let null = [0.01, 0.03, 0.04] + Array(repeating: 0.5, count: 17) + [.nan]
        let s = try #require(SizeAdjustedPower(nullPValues: null, alternativePValues: [0.03, 0.031, .nan, 0.02], alpha: 0.1))
        #expect(s.criticalPValue == 0.03 && s.nullRejectionRate == 0.1)
        #expect(s.nullReplications == 20 && s.replications == 3)
        #expect(abs(s.power - 2.0 / 3) < 1e-15)
    }

    @Test func noThresholdWhenTooFewNullDrawsOrTiesAtTheBottom() throws {
        // K₀ = 6 < 1/α = 20: m = 0.
        let few = try #require(SizeAdjustedPower(nullPValues: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], alternativePValues: [0.01], alpha: 0.05))
        #expect(few.criticalPValue.isNaN && few.power.isNaN && few.powerMCSE.isNaN)
        // A randomization p-value at its floor 1/(R+1) = 0.1 in 3 of 10 draws, α = 0.2 (m = 2).
        let tied = try #require(SizeAdjustedPower(nullPValues: [0.1, 0.1, 0.1] + Array(repeating: 0.6, count: 7),
                                                  alternativePValues: [0.1], alpha: 0.2))
        #expect(tied.criticalPValue.isNaN && tied.power.isNaN)
        #expect(SizeAdjustedPower(nullPValues: [.nan], alternativePValues: [0.1], alpha: 0.05) == nil)
    }

    @Test func monteCarloAgainstTheClosedFormPower() throws {
        // Null p ~ U(0,1); alternative p = U³, whose exact-α power is α^{1/3} = 0.3684 at α = .05.
        // Tolerance 4 × the combined MCSE: binomial √(q(1−q)/K₁) and the critical value's noise,
        // √(α(1−α)/K₀) times the slope (1/3)α^{−2/3} of the alternative's CDF at α.
        var state: UInt64 = 20261206
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
        }
        let k = 4000, alpha = 0.05
        let null = (0..<k).map { _ in uniform() }
        let alternative = (0..<k).map { _ in let u = uniform(); return u * u * u }
        let s = try #require(SizeAdjustedPower(nullPValues: null, alternativePValues: alternative, alpha: alpha))
        let exact = Foundation.pow(alpha, 1.0 / 3)
        let mcse = (exact * (1 - exact) / Double(k) + Foundation.pow(1.0 / 3 * Foundation.pow(alpha, -2.0 / 3), 2)
                    * alpha * (1 - alpha) / Double(k)).squareRoot()
        #expect(abs(s.power - exact) < 4 * mcse, "power \(s.power), exact \(exact), MCSE \(mcse)")
        #expect(s.nullRejectionRate <= alpha)
    }

    @Test func defaultPairsDifferOnlyInAZeroEffect() {
        let names = ["paper, effects.att=0.0, errors.rho=0.2", "paper, effects.att=0.0, errors.rho=0.8",
                     "paper, effects.att=0.01, errors.rho=0.2", "paper, effects.att=0.01, errors.rho=0.8",
                     "other, effects.att=0.01, errors.rho=0.2"]
        let parameters: [[(String, Double)]] = [[("effects.att", 0), ("errors.rho", 0.2)], [("effects.att", 0), ("errors.rho", 0.8)],
                                                [("effects.att", 0.01), ("errors.rho", 0.2)], [("effects.att", 0.01), ("errors.rho", 0.8)],
                                                [("effects.att", 0.01), ("errors.rho", 0.2)]]
        #expect(SizeAdjustedPair.defaults(names: names, parameters: parameters)
                == [SizeAdjustedPair(null: 0, alternative: 2), SizeAdjustedPair(null: 1, alternative: 3)])
        // A real panel's effects (diagnose's sources).
        #expect(SizeAdjustedPair.defaults(names: ["laws, effect=0.0", "laws, effect=0.5"], parameters: [[("effect", 0)], [("effect", 0.5)]])
                == [SizeAdjustedPair(null: 0, alternative: 1)])
        // No effect on the grid: no pair.
        #expect(SizeAdjustedPair.defaults(names: ["a", "b"], parameters: [[("errors.rho", 0)], [("errors.rho", 1)]]).isEmpty)
    }

    static func spec(_ sizeAdjusted: String) -> String {
        """
        experiment: t
        data: {scenario: paper, grid: {effects.att: [0.0, 0.01]}}
        methods:
          - {name: TWFE, estimator: twfe, inference: cr1, target: att}
        replications: 4
        \(sizeAdjusted)
        """
    }

    @Test func specKeyIsCheckedWithItsKeyPath() throws {
        let good = try ExperimentSpec.parse(Self.spec("size_adjusted: [{null: \"paper, effects.att=0.0\", alternative: \"paper, effects.att=0.01\"}]"),
                                            source: "s.yaml")
        let pairs = try good.sizeAdjustedPairs(conditionNames: good.conditions.map(\.name))
        #expect(pairs == [SizeAdjustedPair(null: 0, alternative: 1)])
        let cases: [(String, String)] = [
            ("size_adjusted: 3", "size_adjusted"),
            ("size_adjusted: [x]", "size_adjusted[0]"),
            ("size_adjusted: [{null: \"paper, effects.att=0.0\"}]", "size_adjusted[0].alternative"),
            ("size_adjusted: [{null: \"paper, effects.att=0.0\", alternative: nope}]", "size_adjusted[0].alternative"),
            ("size_adjusted: [{null: \"paper, effects.att=0.0\", alternative: \"paper, effects.att=0.0\"}]", "size_adjusted[0].alternative"),
            ("size_adjusted: [{null: \"paper, effects.att=0.0\", alt: x}]", "size_adjusted[0].alt"),
        ]
        for (text, field) in cases {
            #expect {
                _ = try ExperimentSpec.parse(Self.spec(text), source: "s.yaml")
            } throws: { error in
                guard case let .invalidSpec(path, reported, _) = error as? RunError else { return false }
                return path == "s.yaml" && reported == field
            }
        }
    }

    @Test func summaryPairsConditionsAndBlanksTestRows() throws {
        // Two conditions (effect 0 and 1) × 10 replications × two methods: an estimator (truth 0, then
        // 1) and a joint test (truth 0 in both). Null p = r/10 + 0.01 (r = 0…9), alternative p = r/20.
        // α = 0.2: m = 2, c = 0.11 (p₍₂₎ = .11 < p₍₃₎ = .21); alternative p ≤ .11 for r = 0, 1, 2: q = 0.3.
        var records: [ReplicationRecord] = []
        for c in 0..<2 {
            for r in 0..<10 {
                let p = c == 0 ? Double(r) / 10 + 0.01 : Double(r) / 20
                records.append(ReplicationRecord(condition: c, replication: r, method: 0, estimate: Double(c) + 0.1,
                                                 standardError: 1, confLow: -5, confHigh: 5, pValue: p,
                                                 truth: Double(c), streamKey: 0, failure: ""))
                records.append(ReplicationRecord(condition: c, replication: r, method: 1, estimate: 0.3, standardError: 1,
                                                 confLow: .nan, confHigh: .nan, pValue: p, truth: 0, streamKey: 0, failure: ""))
            }
        }
        let summary = RunSummary(experiment: "x", replications: 10, seed: 1, alpha: 0.2,
                                 conditionNames: ["s, effect=0.0", "s, effect=1.0"], conditionParameters: [[("effect", 0)], [("effect", 1)]],
                                 methods: [("est", "twfe", "cr1", "att"), ("test", PreTrendMethod.label, "cr1", "zero")],
                                 records: records, testOnlyMethods: [1])
        #expect(summary.conditions[0].results[0].sizeAdjusted == nil)
        let adjusted = try #require(summary.conditions[1].results[0].sizeAdjusted)
        #expect(adjusted.nullCondition == "s, effect=0.0")
        #expect(adjusted.measures.criticalPValue == 0.11 && adjusted.measures.power == 0.3)
        // The joint test: truth 0 in the alternative too, so no size-adjusted power; bias, RMSE, coverage blank.
        let test = summary.conditions[1].results[1]
        #expect(test.sizeAdjusted == nil && test.isTestOnly)
        #expect(test.measures.bias.isNaN && test.measures.rmse.isNaN && test.measures.coverage.isNaN)
        #expect(abs(test.measures.mean - 0.3) < 1e-12 && test.measures.rejectionRate == 0.4)  // p < α for r = 0…3
        let report = RunReport(summary)
        #expect(report.markdown().contains("## Size-adjusted power"))
        let csv = report.csv().split(separator: "\n")
        #expect(csv[0].hasSuffix("size_adjusted_power_wilson_high,error_sd"))
        #expect(csv[3].contains("\"s, effect=0.0\",0.11,0.2,0.3,"))
        // The test row's bias, bias MCSE, relative bias columns (7…9) are empty; the quoted condition
        // name holds one comma, so the naive split shifts them by one.
        let testCells = csv[4].split(separator: ",", omittingEmptySubsequences: false)
        #expect(!testCells[7].isEmpty && testCells[8].isEmpty && testCells[9].isEmpty && testCells[10].isEmpty)
    }
}
