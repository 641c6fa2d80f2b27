import Testing
@testable import Lab

/// Performance measures against hand computations on tiny inputs (closed forms of Morris,
/// White & Crowther 2019, Table 6). Tolerances 1e-12: exact arithmetic on a handful of numbers.
@Suite("performance measures")
struct PerformanceMeasuresTests {
    static func draw(_ estimate: Double, se: Double = 1, low: Double = -1, high: Double = 1, p: Double = 0.5,
                     truth: Double = 0) -> PerformanceMeasures.Draw {
        .init(estimate: estimate, standardError: se, confLow: low, confHigh: high, pValue: p, truth: truth)
    }

    @Test func biasSDAndRMSEByHand() {
        // Estimates 1, 2, 3, 6 of truth 2: errors −1, 0, 1, 4; mean 3, bias 1;
        // s² = ((1−3)² + (2−3)² + (3−3)² + (6−3)²)/3 = 14/3; RMSE² = (1 + 0 + 1 + 16)/4 = 4.5.
        let draws = [1.0, 2, 3, 6].map { Self.draw($0, truth: 2) }
        let m = PerformanceMeasures(draws: draws, alpha: 0.05)
        #expect(m.replications == 4)
        #expect(abs(m.bias - 1) < 1e-12)
        #expect(abs(m.standardDeviation - (14.0 / 3).squareRoot()) < 1e-12)
        #expect(abs(m.biasMCSE - (14.0 / 3).squareRoot() / 2) < 1e-12)
        #expect(abs(m.rmse - 4.5.squareRoot()) < 1e-12)
        #expect(abs(m.relativeBias - 0.5) < 1e-12)
        // Jackknife RMSE: leave-one-out MSEs (17, 18, 17, 2)/3.
        let loo = [17.0, 18, 17, 2].map { ($0 / 3).squareRoot() }
        let looMean = loo.reduce(0, +) / 4
        let expected = (3.0 / 4 * loo.reduce(0) { $0 + ($1 - looMean) * ($1 - looMean) }).squareRoot()
        #expect(abs(m.rmseMCSE - expected) < 1e-12)
    }

    @Test func coverageRejectionAndTheirMCSE() {
        // 3 of 4 intervals cover 0; 1 of 4 p-values below 0.05.
        let draws = [Self.draw(0.1, low: -1, high: 1, p: 0.01), Self.draw(0.2, low: -1, high: 1, p: 0.2),
                     Self.draw(0.3, low: 0.5, high: 2, p: 0.3), Self.draw(0.4, low: -0.5, high: 0.5, p: 0.06)]
        let m = PerformanceMeasures(draws: draws, alpha: 0.05)
        #expect(m.coverage == 0.75)
        #expect(abs(m.coverageMCSE - (0.75 * 0.25 / 4).squareRoot()) < 1e-12)
        #expect(m.rejectionRate == 0.25)
        #expect(abs(m.intervalLength - (2 + 2 + 1.5 + 1) / 4) < 1e-12)
    }

    @Test func failuresAreCountedNotAveraged() {
        let draws = [Self.draw(1), Self.draw(.nan), Self.draw(3)]
        let m = PerformanceMeasures(draws: draws, alpha: 0.05)
        #expect(m.replications == 2)
        #expect(m.failures == 1)
        #expect(m.mean == 2)
    }
}

/// Issue 14's metrics: Wilson intervals, SE/SD against the errors' SD, design sizes in reports.
@Suite struct HonestMetricsTests {
    /// Wilson's interval by hand (n = 20, p = 0 and p = 0.5): z = 1.959963984540054;
    /// at p = 0 the upper end is z²/(n + z²) = 0.16112.
    @Test func wilsonIntervals() {
        let zero = PerformanceMeasures.wilson(0, count: 20)
        let z = 1.959963984540054
        #expect(zero.low == 0)
        #expect(abs(zero.high - z * z / (20 + z * z)) < 1e-15)
        let half = PerformanceMeasures.wilson(0.5, count: 20)
        #expect(abs(half.low + half.high - 1) < 1e-15)
    }

    /// With a truth that varies by replication, SE/SD divides by the SD of the errors: estimates
    /// `θ_r + e_r` with `θ_r` spread widely and `e_r` = ±0.1 have SD(errors) = 0.1·√(K/(K−1)).
    @Test func standardErrorRatioUsesTheErrors() {
        let draws = (0..<10).map { r -> PerformanceMeasures.Draw in
            let truth = Double(r), error = r % 2 == 0 ? 0.1 : -0.1
            return .init(estimate: truth + error, standardError: 0.1, confLow: truth - 1, confHigh: truth + 1,
                         pValue: 0.5, truth: truth)
        }
        let m = PerformanceMeasures(draws: draws, alpha: 0.05)
        #expect(abs(m.standardErrorRatio - 0.1 / (0.1 * (10.0 / 9).squareRoot())) < 1e-12)
        #expect(m.meanStandardErrorMCSE < 1e-15)
        #expect(m.standardDeviation > 2)   // the estimates' own spread is the truth's
    }
}

/// Measures conditional on passing the pre-trend test, by hand: 10 replications, the pre-test
/// rejects in the odd ones, where the other method's estimate is 1 off; in the even ones it is
/// exact. Unconditional bias 0.5, conditional bias 0 over 5 replications.
@Suite struct PretestConditionalTests {
    @Test func conditionalOnPassingThePretest() {
        var records: [ReplicationRecord] = []
        for r in 0..<10 {
            let rejects = r % 2 == 1
            records.append(ReplicationRecord(condition: 0, replication: r, method: 0, estimate: rejects ? 1 : 0,
                                             standardError: 1, confLow: -1, confHigh: 3, pValue: 0.5, truth: 0,
                                             streamKey: 0, failure: ""))
            records.append(ReplicationRecord(condition: 0, replication: r, method: 1, estimate: 0, standardError: 1,
                                             confLow: .nan, confHigh: .nan, pValue: rejects ? 0.01 : 0.5, truth: 0,
                                             streamKey: 0, failure: ""))
        }
        let summary = RunSummary(experiment: "x", replications: 10, seed: 1, alpha: 0.05, conditionNames: ["c"],
                                 conditionParameters: [[]],
                                 methods: [("TWFE", "twfe", "cr1", "att"), ("pre", PreTrendMethod.label, "cr1", "zero")],
                                 records: records)
        let twfe = summary.conditions[0].results[0]
        #expect(twfe.measures.bias == 0.5)
        #expect(twfe.pretestPassed?.replications == 5)
        #expect(twfe.pretestPassed?.bias == 0)
        #expect(summary.conditions[0].results[1].pretestPassed == nil)
        let json = RunReport(summary).json().rendered()
        #expect(json.contains("\"pretest_passed\""))
        #expect(RunReport(summary).markdown().contains("Conditional on passing the pre-trend test"))
    }
}
