import Estimators
import Foundation
@testable import Lab
import Sim
import Testing

/// `didlab diagnose`'s sources, calibration, summaries and verdict.
@Suite struct DiagnosisTests {
    /// mpdta with a `state` column (the FIPS state code, `countyreal / 1000`), as the placebo-laws
    /// oracle (`scripts/reference/make_placebo_laws_reference.py`) clusters it.
    static func mpdtaWithState() throws -> Panel {
        let text = try String(contentsOfFile: LabFixtures.path("mpdta.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        lines[0] += ",state"
        for k in 1..<lines.count {
            let county = Int(lines[k].split(separator: ",")[1]) ?? 0
            lines[k] += ",\(county / 1000)"
        }
        let path = NSTemporaryDirectory() + "mpdta-state-\(getpid()).csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Panel.load(csv: path, spec: PanelSpec(outcome: "lemp", unit: "countyreal", time: "year",
                                                         treatment: .cohort("first.treat"), clusterColumns: ["state"]))
    }

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: LabFixtures.path("placebo_laws_reference.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // MARK: - Placebo laws

    /// The template: mpdta's 20/40/131/309 counties per cohort apportioned to the 309
    /// never-treated counties by largest remainders is 12/25/81/191 (the oracle asserts the same).
    @Test func templateApportionsTheRealCohortsByLargestRemainders() throws {
        let laws = try PlaceboLaws(panel: try LabFixtures.mpdta(), sample: nil, level: nil)
        #expect(laws.sample == .never)
        #expect(laws.template.map(\.cohort) == ["2004", "2006", "2007", "never"])
        #expect(laws.template.map(\.items) == [12, 25, 81, 191])
    }

    /// No real treated outcome enters the default sample: its units are exactly mpdta's
    /// never-treated counties and its outcomes are theirs, row for row; the `untreated` sample
    /// holds no row at or after a unit's real adoption.
    @Test func realTreatedOutcomesNeverEnterTheDefaultSample() throws {
        let panel = try LabFixtures.mpdta()
        let laws = try PlaceboLaws(panel: panel, sample: nil, level: nil)
        let never = Set((0..<panel.unitCount).filter { panel.adoptionPeriod[$0] == Panel.neverTreated }.map { panel.unitLabels[$0] })
        #expect(Set(laws.base.unitLabels) == never)
        #expect(laws.base.observationCount == 309 * 5)
        var real: [String: Double] = [:]
        for row in 0..<panel.observationCount {
            real[panel.unitLabels[Int(panel.unitIndex[row])] + "/" + panel.periodLabels[Int(panel.periodIndex[row])]] = panel.outcome[row]
        }
        let stream = RandomStream(key: 11)
        var scratch = AssignmentScratch(for: laws.plan)
        let drawn = try laws.draw(stream, scratch: &scratch, effect: 0).panel
        for row in 0..<drawn.observationCount {
            let key = drawn.unitLabels[Int(drawn.unitIndex[row])] + "/" + drawn.periodLabels[Int(drawn.periodIndex[row])]
            #expect(real[key] == drawn.outcome[row])
        }
        let untreated = try PlaceboLaws(panel: panel, sample: .untreated, level: nil)
        #expect(untreated.base.observationCount == panel.observationCount - panel.treatedRows.count)
        #expect(untreated.template.map(\.items) == [20, 40, 131, 309])
    }

    /// A draw adds δ to exactly the placebo-treated cells.
    @Test func drawsAddTheEffectToPlaceboTreatedCells() throws {
        let laws = try PlaceboLaws(panel: try LabFixtures.mpdta(), sample: nil, level: nil)
        var scratch = AssignmentScratch(for: laws.plan)
        let zero = try laws.draw(RandomStream(key: 5), scratch: &scratch, effect: 0).panel
        let shifted = try laws.draw(RandomStream(key: 5), scratch: &scratch, effect: 0.25).panel
        #expect(zero.adoptionPeriod == shifted.adoptionPeriod)
        #expect(zero.treatedRows.count > 0)
        for row in 0..<zero.observationCount {
            #expect(shifted.outcome[row] - zero.outcome[row] == (zero.isTreated(row: row) ? (zero.outcome[row] + 0.25) - zero.outcome[row] : 0))
        }
    }

    /// Oracle: a brute-force numpy loop over the same protocol (R = 4000,
    /// `scripts/reference/make_placebo_laws_reference.py`, numpy PCG64, fixest CR1 conventions
    /// checked against pyfixest 0.60.0). DiDLab's own draws (500 replications) must give the same
    /// rejection rates within Monte Carlo error: |Δ| ≤ 3.5·√(MCSE₁² + MCSE₂²).
    @Test func placeboLawsAgreeWithTheBruteForceOracle() throws {
        let panel = try Self.mpdtaWithState()
        var options = Diagnosis.Options()
        options.sources = [.placeboLaws]
        options.effects = [0.02, 0.05]
        options.methods = ["twfe cr1:countyreal", "twfe cr1:state"]
        options.replications = 500
        options.seed = 2026
        let report = try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options, directory: nil,
                                       description: "oracle", resume: false)
        let reference = try Self.reference()
        let methods = try #require(reference["methods"] as? [[String: Any]])
        for (k, name) in ["twfe_cr1_county", "twfe_cr1_state"].enumerated() {
            let oracle = try #require(methods.first { $0["name"] as? String == name }?["results"] as? [[String: Any]])
            func row(_ effect: Double) throws -> (Double, Double) {
                let found = try #require(oracle.first { ($0["effect"] as? Double) == effect })
                return (try #require(found["rejection"] as? Double), try #require(found["mcse"] as? Double))
            }
            let ours = report.sources[0].methods[k]
            var pairs = [(ours.size.rejection, ours.size.mcse, try row(0))]
            for power in ours.power { pairs.append((power.rejection, power.mcse, try row(power.effect))) }
            for (rate, mcse, (oracleRate, oracleMCSE)) in pairs {
                #expect(abs(rate - oracleRate) <= 3.5 * (mcse * mcse + oracleMCSE * oracleMCSE).squareRoot(),
                        "\(name): \(rate) vs oracle \(oracleRate)")
            }
            // The estimate's spread is the data's own: the SD of the estimates within 4 MCSE of the oracle's.
            let sd = try #require(oracle.first?["sd_estimate"] as? Double)
            let spread = (ours.bias.first?.mcse ?? .nan) * Double(ours.replications).squareRoot()
            #expect(abs(spread - sd) <= 4 * sd / (2 * Double(ours.replications - 1)).squareRoot())
        }
    }

    /// One replication reproduced exactly: the oracle's first placebo calendar, refitted by
    /// DiDLab's TWFE with CR1 by county and by state, equals numpy's numbers (checked against
    /// pyfixest 0.60.0 to 3e-14) to 1e-10.
    @Test func theOraclesFirstCalendarGivesItsNumbers() throws {
        let panel = try Self.mpdtaWithState()
        let laws = try PlaceboLaws(panel: panel, sample: nil, level: nil)
        let check = try #require(try Self.reference()["pyfixest_check"] as? [String: Any])
        let rows = try #require(check["rows"] as? [[String: Any]])
        let first = try #require(rows.first)
        let cohorts = try #require(first["placebo_cohorts"] as? [String: [Int]])
        var adoption = [Int32](repeating: Panel.neverTreated, count: laws.base.unitCount)
        for (year, counties) in cohorts {
            let period = try #require(laws.base.periodLabels.firstIndex(of: year))
            for county in counties {
                adoption[try #require(laws.base.unitLabels.firstIndex(of: String(county)))] = Int32(period)
            }
        }
        let fits = try #require(first["fits"] as? [[String: Any]])
        for fit in fits {
            let effect = try #require(fit["effect"] as? Double)
            let cluster = (fit["method"] as? String) == "twfe_cr1_state" ? "state" : "countyreal"
            var outcome = laws.base.outcome
            for row in 0..<outcome.count where laws.base.periodIndex[row] >= adoption[Int(laws.base.unitIndex[row])] {
                outcome[row] += effect
            }
            let drawn = try laws.base.replacing(outcome: outcome, adoption: adoption)
            let estimate = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster(cluster))).estimate(drawn)
            let expected = try #require(fit["estimate"] as? Double), se = try #require(fit["se"] as? Double)
            #expect(abs(estimate.coefficients[0] - expected) <= 1e-10 * max(abs(expected), 1e-3))
            #expect(abs(estimate.standardError(0) - se) <= 1e-10 * se)
        }
    }

    /// Under exchangeable assignment the randomization test's size is its design size: placebo
    /// laws draw the calendar uniformly from the same permutations the test draws from, so the
    /// observed statistic's rank is uniform. With R = 19 draws and α = 0.10 the add-one rule
    /// `p < α` rejects only at rank 1, so the design size is 1/20 = 0.05, not 0.10. 1000
    /// replications: tolerance 3.5 MCSE (0.024), far below the 0.05 between the two.
    @Test func randomizationSizeEqualsItsDesignSize() throws {
        var options = Diagnosis.Options()
        options.sources = [.placeboLaws]
        options.effects = [0.1]
        options.methods = ["twfe placebo permutations=19"]
        options.replications = 1000
        options.alpha = 0.10
        options.seed = 77
        let report = try Diagnosis.run(panel: try LabFixtures.mpdta(), cluster: "countyreal", level: nil, options: options,
                                       directory: nil, description: "ri", resume: false)
        let size = report.sources[0].methods[0].size
        #expect(size.designSize == 0.05)
        #expect(abs(size.rejection - 0.05) <= 3.5 * (0.05 * 0.95 / 1000).squareRoot(), "size \(size.rejection)")
    }

    /// `--profile ramp`: the effect grows with exposure and the ATT over treated cells is still δ.
    /// Oracle: the noise-free design (outcome = the effect alone), where every estimator returns
    /// its estimand exactly. CS's overall ATT is δ there (1e-12); TWFE's is not (forbidden
    /// comparisons), and the diagnosis's Monte Carlo bias of each (model source, 200 replications)
    /// is within 4 MCSE of its noise-free bias.
    @Test func rampKeepsTheATTAndMovesOnlyTWFE() throws {
        let panel = try LabFixtures.mpdta()
        var outcome = [Double](repeating: 0, count: panel.observationCount)
        let truth = EffectProfile.ramp.apply(0.1, to: &outcome, panel: panel, adoption: panel.adoptionPeriod)
        let treated = (0..<panel.observationCount).filter { panel.isTreated(row: $0) }
        #expect(abs(treated.reduce(0) { $0 + outcome[$1] } / Double(treated.count) - 0.1) < 1e-12)
        #expect(truth["att"] == 0.1)
        #expect((truth["e+1"] ?? 0) > (truth["e+0"] ?? 0))
        let noiseFree = try panel.replacing(outcome: outcome, adoption: panel.adoptionPeriod)
        func estimate(_ method: String) throws -> Double {
            try DiagnosisMethod(parsing: method, unitName: panel.unitName, alpha: 0.05, permutations: 9, reps: 9).evaluator
                .evaluate(ReplicationData(panel: noiseFree, truth: truth), streamKey: 1, alpha: 0.05).estimate
        }
        let twfeBias = try estimate("twfe cr1") - 0.1, csBias = try estimate("cs cr1") - 0.1
        #expect(abs(csBias) < 1e-12)
        #expect(abs(twfeBias) > 1e-4, "TWFE's noise-free bias \(twfeBias)")
        var options = Diagnosis.Options()
        options.sources = [.model]
        options.effects = [0.1]
        options.methods = ["twfe cr1", "cs cr1"]
        options.replications = 200
        options.profile = .ramp
        options.seed = 12
        let report = try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options, directory: nil,
                                       description: "ramp", resume: false)
        #expect(report.profile == "ramp")
        for (method, expected) in zip(report.sources[0].methods, [twfeBias, csBias]) {
            let bias = try #require(method.bias.last)
            #expect(abs(bias.bias - expected) <= 4 * bias.mcse, "\(method.name): \(bias.bias) vs \(expected) ± \(bias.mcse)")
        }
    }

    // MARK: - Calibration

    /// The closed-form expectations of the residual sums equal brute force: `tr((P ⊗ Q) M Σ M)` with
    /// dense matrices (7 units in 3 groups with unequal scales, T = 5), to 1e-12.
    @Test func momentExpectationsEqualDenseTraces() {
        let n = 7, t = 5, rho = 0.6
        let groups = [0, 0, 1, 1, 1, 2, 0]
        let scales = [1.2, 0.7, 1.0, 1.5, 0.8, 0.9, 1.1]
        let size = n * t
        func centring(_ k: Int) -> [Double] { (0..<k * k).map { ($0 / k == $0 % k ? 1 : 0) - 1 / Double(k) } }
        func kron(_ a: [Double], _ na: Int, _ b: [Double], _ nb: Int) -> [Double] {
            var out = [Double](repeating: 0, count: na * nb * na * nb)
            for i in 0..<na { for j in 0..<na { for k in 0..<nb { for l in 0..<nb {
                out[(i * nb + k) * na * nb + j * nb + l] = a[i * na + j] * b[k * nb + l]
            } } } }
            return out
        }
        func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
            var out = [Double](repeating: 0, count: m * m)
            for i in 0..<m { for k in 0..<m where a[i * m + k] != 0 { for j in 0..<m { out[i * m + j] += a[i * m + k] * b[k * m + j] } } }
            return out
        }
        let ar = (0..<t * t).map { Foundation.pow(rho, Double(abs($0 / t - $0 % t))) }
        let identityT = (0..<t * t).map { $0 / t == $0 % t ? 1.0 : 0 }
        let s = (0..<n * n).map { $0 / n == $0 % n ? scales[$0 / n] * scales[$0 / n] : 0 }
        let h = (0..<n * n).map { groups[$0 / n] == groups[$0 % n] ? scales[$0 / n] * scales[$0 % n] : 0 }
        let b = (0..<n * n).map { groups[$0 / n] == groups[$0 % n] ? 1.0 : 0 }
        let identityN = (0..<n * n).map { $0 / n == $0 % n ? 1.0 : 0 }
        let lag = (0..<t * t).map { abs($0 / t - $0 % t) == 1 ? 0.5 : 0 }
        let m = kron(centring(n), n, centring(t), t)
        let (a0, b0) = (0.7, 0.3)
        let sigma = zip(kron(s, n, ar, t), kron(h, n, identityT, t)).map { a0 * $0 + b0 * $1 }
        let msm = multiply(multiply(m, sigma, size), m, size)
        func trace(_ p: [Double], _ q: [Double], _ nq: Int) -> Double {
            let pq = kron(p, n, q, nq)
            return (0..<size).reduce(0) { sum, i in sum + (0..<size).reduce(0) { $0 + pq[i * size + $1] * msm[$1 * size + i] } }
        }
        let units = ErrorCalibration.UnitTraces(scales: scales, groups: groups)
        let time = ErrorCalibration.timeTraces(periods: t, rho: rho, lags: 1)
        let common = ErrorCalibration.timeTraces(periods: t, rho: nil, lags: 1)
        let s0 = a0 * units.identityIdiosyncratic * time[0] + b0 * units.identityCommon * common[0]
        let s1 = a0 * units.identityIdiosyncratic * time[1] + b0 * units.identityCommon * common[1]
        let sg = a0 * units.groupIdiosyncratic * time[0] + b0 * units.groupCommon * common[0]
        #expect(abs(trace(identityN, identityT, t) - s0) <= 1e-12 * s0)
        #expect(abs(trace(identityN, lag, t) - s1) <= 1e-12 * abs(s0))
        #expect(abs(trace(b, identityT, t) - sg) <= 1e-12 * sg)
    }

    /// The calibration recovers a known error process: Sim's paper design without mediators or
    /// covariates, ρ = 0.5, province share 0.1 (one panel, seed 3): each estimate within 3
    /// jackknife SEs of the truth.
    @Test func calibrationRecoversTheSimulatedErrors() throws {
        var scenario = try Scenario.preset(named: "paper")
        scenario.mediators = []
        scenario.covariates = []
        scenario.errors.rho = 0.5
        scenario.errors.provinceShare = 0.1
        let panel = try Simulator(scenario).simulate(replication: 0, seed: 3).panel
        let model = try CalibratedModel(panel: panel, level: "province")
        let c = model.calibration
        #expect(abs(c.rho.value - 0.5) <= 3 * c.rho.standardError, "rho \(c.rho.value) ± \(c.rho.standardError)")
        #expect(abs(c.levelShare.value - 0.1) <= 3 * c.levelShare.standardError,
                "share \(c.levelShare.value) ± \(c.levelShare.standardError)")
        #expect(abs(c.sigma.value - 0.02) <= 3 * c.sigma.standardError, "sigma \(c.sigma.value) ± \(c.sigma.standardError)")
        #expect(model.rectangle == .neverTreated(units: 245, periods: 14))
    }

    // MARK: - Summaries and verdict

    /// Design sizes: R = 99 placebo draws at α = 0.05 give 0.04 (the add-one p-value reaches
    /// 0.05 only at rank 5), R = 199 give 0.045; B = 99 and B = 199 bootstrap draws give 0.05.
    @Test func designSizes() {
        #expect(DesignSize.randomization(draws: 99, alpha: 0.05).value == 0.04)
        #expect(DesignSize.randomization(draws: 199, alpha: 0.05).value == 0.045)
        #expect(DesignSize.bootstrap(draws: 99, alpha: 0.05).value == 0.05)
        #expect(DesignSize.bootstrap(draws: 199, alpha: 0.05).value == 0.05)
    }

    /// The MDE interpolates the power curve on the probit scale: points (0, 0.05), (1, 0.5),
    /// (2, 0.9) reach 0.8 at `1 + Φ⁻¹(0.8)/Φ⁻¹(0.9)` = 1.65668.
    @Test func minimumDetectableEffectInterpolatesOnTheProbitScale() throws {
        let power = [MethodDiagnosis.Power(effect: 1, rejection: 0.5, mcse: 0, sizeAdjusted: 0.5),
                     MethodDiagnosis.Power(effect: 2, rejection: 0.9, mcse: 0, sizeAdjusted: 0.9)]
        let mde = try #require(MethodDiagnosis.minimumDetectableEffect(size: 0.05, power: power, target: 0.8, outcomeSD: 2,
                                                                               replications: 500))
        #expect(abs(mde.effect - (1 + 0.8416212335729143 / 1.2815515655446004)) < 1e-12)
        #expect(abs(mde.effectInSD - mde.effect / 2) < 1e-15)
        #expect((mde.low ?? 0) < mde.effect && mde.effect < (mde.high ?? .infinity))
        #expect(MethodDiagnosis.minimumDetectableEffect(size: 0.05, power: power, target: 0.95, outcomeSD: 1,
                                                        replications: 500) == nil)
        // A test that rejects at the target rate without an effect has no MDE.
        #expect(MethodDiagnosis.minimumDetectableEffect(size: 0.85, power: power, target: 0.8, outcomeSD: 1,
                                                        replications: 500) == nil)
    }

    /// Size-adjusted power uses the method's own null critical value, so an over-rejecting test
    /// loses its spurious power, and such a test is never recommended even with the smallest MDE.
    @Test func overRejectingMethodsAreNeverRecommended() {
        // p-values: method A rejects 20% under the null (p = 0.01 in 40 of 200 draws).
        func draws(_ p: (Int) -> Double) -> [PerformanceMeasures.Draw] {
            (0..<200).map { .init(estimate: 0, standardError: 1, confLow: -1, confHigh: 1, pValue: p($0), truth: 0) }
        }
        let loose = MethodDiagnosis.summarise(
            name: "loose", estimator: "twfe", inference: "cr1:city", isPreTest: false, effects: [0, 1],
            draws: [draws { $0 < 40 ? 0.01 : 0.5 }, draws { $0 < 180 ? 0.02 : 0.5 }], alpha: 0.05, targetPower: 0.8,
            designSize: .analytic(alpha: 0.05), outcomeSD: 1)
        #expect(loose.size.rejection == 0.2)
        #expect(loose.power[0].rejection == 0.9)
        #expect(loose.power[0].sizeAdjusted == 0)   // no p-value below the null's 0.01
        let tight = MethodDiagnosis.summarise(
            name: "tight", estimator: "twfe", inference: "wcb:province", isPreTest: false, effects: [0, 1],
            draws: [draws { $0 < 8 ? 0.01 : 0.5 }, draws { $0 < 170 ? 0.02 : 0.5 }], alpha: 0.05, targetPower: 0.8,
            designSize: .bootstrap(draws: 199, alpha: 0.05), outcomeSD: 1)
        let sources = [DiagnosisReport.SourceResult(source: "model", sample: "", replications: 200, methods: [loose, tight])]
        let verdict = DiagnosisReport.verdict(sources: sources, methods: [], model: nil, level: nil, cluster: "city", alpha: 0.05)
        #expect(verdict.map(\.holdsSize) == [false, true])
        #expect(verdict.map(\.recommended) == [false, true])
        #expect(verdict[0].finding.contains("over-rejects"))
        // Across sources the least flattering reading wins: "loose" holds on the second source but
        // not the first, so it does not hold overall; "tight"'s overall MDE is its larger one.
        var tighter = tight
        tighter.mde?.effect = 0.5
        let two = sources + [DiagnosisReport.SourceResult(source: "placebo-laws", sample: "", replications: 200,
                                                         methods: [tight.renamed("loose"), tighter])]
        let overall = DiagnosisReport.verdict(sources: two, methods: [], model: nil, level: nil, cluster: "city", alpha: 0.05)
            .filter { $0.source == "all" }
        #expect(overall.map(\.method) == ["loose", "tight"])
        #expect(overall.map(\.holdsSize) == [false, true])
        #expect(overall.map(\.recommended) == [false, true])
        #expect(overall[1].mde == max(tight.mde?.effect ?? 0, 0.5))
    }

    // MARK: - Determinism and resumption

    /// Same seed ⇒ the same report for 1 and 2 threads, and after a run cut in half and resumed.
    @Test func reportIsTheSameForAnyThreadCountAndAfterResuming() throws {
        let panel = try LabFixtures.mpdta()
        var options = Diagnosis.Options()
        options.effects = [0.05]
        options.methods = ["twfe cr1:countyreal", "cs cr1:countyreal", "twfe placebo permutations=9"]
        options.replications = 30
        options.seed = 9
        options.threads = 1
        let one = JSONOutput.render(try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options,
                                                      directory: nil, description: "d", resume: false))
        options.threads = 2
        let directory = NSTemporaryDirectory() + "diagnose-resume-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let two = JSONOutput.render(try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options,
                                                      directory: directory, description: "d", resume: false))
        #expect(one == two)
        // Cut the records in half (a torn last line included) and resume.
        let path = directory + "/records.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: path, atomically: true, encoding: .utf8)
        let resumed = JSONOutput.render(try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options,
                                                          directory: directory, description: "d", resume: true))
        #expect(resumed == one)
        #expect(throws: RunError.self) {
            try Diagnosis.run(panel: panel, cluster: "countyreal", level: nil, options: options, directory: directory,
                              description: "other", resume: true)
        }
    }
}

/// `didlab run` specs on a real panel (`data: {panel: …, source: …}`).
@Suite struct PanelDataSpecTests {
    static func spec(_ data: String, methods: String = "  - {name: CR1, estimator: twfe, inference: cr1, target: att}\n")
        throws -> ExperimentSpec {
        try ExperimentSpec.parse("experiment: real\ndata:\n" + data + "methods:\n" + methods + "replications: 40\nseed: 3\n",
                                 source: "real.yaml", directory: (LabFixtures.path("mpdta.csv") as NSString).deletingLastPathComponent)
    }

    /// A spec's placebo laws are diagnose's: the same seed, methods and effects give the same
    /// rejection rates, condition by condition (the conditions are the effects).
    @Test func aRunOnAPanelIsTheDiagnosisSource() throws {
        let spec = try Self.spec("""
          panel: mpdta.csv
          y: lemp
          unit: countyreal
          time: year
          cohort: first.treat
          source: placebo-laws
          effects: [0, 0.05]

        """)
        let directory = NSTemporaryDirectory() + "panel-spec-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try ExperimentRun.run(spec: spec, specText: "panel", directory: directory, threads: 2, resume: false)
        #expect(outcome.summary.conditions.map(\.name) == ["placebo-laws, effect=0.0", "placebo-laws, effect=0.05"])
        var options = Diagnosis.Options()
        options.sources = [.placeboLaws]
        options.effects = [0.05]
        options.methods = ["twfe cr1"]
        options.replications = 40
        options.seed = 3
        let report = try Diagnosis.run(panel: try LabFixtures.mpdta(), cluster: "countyreal", level: nil, options: options,
                                       directory: nil, description: "same", resume: false)
        let method = report.sources[0].methods[0]
        #expect(outcome.summary.conditions[0].results[0].measures.rejectionRate == method.size.rejection)
        #expect(outcome.summary.conditions[1].results[0].measures.rejectionRate == method.power[0].rejection)
        #expect(abs(outcome.summary.conditions[1].results[0].measures.truth - 0.05) < 1e-15)
    }

    /// Bad panel data name their key path.
    @Test func badPanelDataNameTheirKey() throws {
        func message(_ data: String) -> String {
            do { _ = try Self.spec(data); return "" } catch { return "\(error)" }
        }
        #expect(message("  panel: mpdta.csv\n  unit: countyreal\n  time: year\n  cohort: first.treat\n").contains("data.y"))
        #expect(message("  panel: mpdta.csv\n  y: lemp\n  unit: countyreal\n  time: year\n  cohort: first.treat\n  source: both\n")
            .contains("data.source"))
        #expect(message("  panel: mpdta.csv\n  y: lemp\n  unit: countyreal\n  time: year\n  cohort: first.treat\n  grid: {a: [1]}\n")
            .contains("data.grid"))
        #expect(message("  panel: mpdta.csv\n  y: lemp\n  unit: countyreal\n  time: year\n  cohort: first.treat\n  source: model\n"
                        + "  set: {errors.rho: 2}\n").contains("data.set.errors.rho"))
        let missing = try Self.spec("  panel: nosuch.csv\n  y: lemp\n  unit: countyreal\n  time: year\n  cohort: first.treat\n")
        #expect(throws: RunError.self) { _ = try missing.replicationSource() }
    }
}

extension MethodDiagnosis {
    /// The same characteristics under another name (for verdict tests).
    func renamed(_ name: String) -> MethodDiagnosis {
        var copy = self
        copy.name = name
        return copy
    }
}
