import Foundation
import Testing
@testable import Estimators

/// HonestDiD on the mpdta event study against the `honestdid` PyPI package. Oracle:
/// `Tests/Fixtures/honestdid_reference.json`, made by `scripts/reference/make_honestdid_reference.py`
/// (honestdid 0.1.1; the first target under numpy 2.4, the average target under numpy 1.26, since
/// 0.1.1 fails on a non-basis `l_vec` under numpy 2; versions and calls in each case's
/// `provenance`), whose input is DiDLab's own event study (`betahat`, `sigma`), read from the
/// fixture here, so only HonestDiD is compared. A second opinion, diff-diff 3.13's FLCI, is in the
/// fixture's `diff_diff` key.
@Suite("HonestDiD parity")
struct HonestDiDParityTests {
    static var reference: [String: Any] { Fixtures.json("honestdid_reference.json") }

    static func input() throws -> HonestDiD.EventStudyCoefficients {
        let r = reference
        let beta = try #require(r["betahat"] as? [Double])
        let sigma = try #require(r["sigma"] as? [[Double]])
        return try HonestDiD.EventStudyCoefficients(coefficients: beta, covariance: sigma.flatMap { $0 },
                                                    preCount: try #require(r["num_pre_periods"] as? Int),
                                                    postCount: try #require(r["num_post_periods"] as? Int))
    }

    static func target(_ name: String) -> HonestDiD.Target { name == "average" ? .average : .firstPost }

    static var cases: [[String: Any]] { reference["cases"] as? [[String: Any]] ?? [] }

    /// The input is what `didlab estimate --method event` gives today (the fixture is not stale).
    /// Oracle: the event study itself; 1e-9 relative with a 1e-13 absolute floor: the fast and the
    /// reference kernels (and debug and release builds) differ by a few 1e-12 relative on the small
    /// covariance entries, far below anything the robust sets' tolerances could see.
    @Test func fixtureInputIsTheEventStudy() throws {
        // `didlab estimate`'s default: CR1 clustered by the unit.
        let estimate = try EventStudy(options: RegressionOptions(variance: .cluster("countyreal"))).estimate(Fixtures.mpdta())
        let here = try HonestDiD.EventStudyCoefficients(estimate: estimate)
        let recorded = try Self.input()
        #expect(here.preCount == recorded.preCount && here.postCount == recorded.postCount)
        for (a, b) in zip(here.coefficients + here.covariance, recorded.coefficients + recorded.covariance) {
            #expect(abs(a - b) <= 1e-9 * abs(b) + 1e-13, "\(a) vs \(b)")
        }
    }

    /// `constructOriginalCS`: the normal interval. 1e-12: the same closed form.
    @Test func originalInterval() throws {
        let es = try Self.input()
        // Both targets recorded (the average one with numpy < 2, where honestdid 0.1.1 runs).
        #expect(Self.cases.compactMap { $0["target"] as? String } == ["first", "average"])
        for c in Self.cases {
            let name = try #require(c["target"] as? String)
            let original = try #require(c["original"] as? [String: Double])
            let set = try HonestDiD.originalConfidenceSet(eventStudy: es, target: Self.target(name))
            #expect(abs(set.lower - (original["lower"] ?? .nan)) < 1e-12)
            #expect(abs(set.upper - (original["upper"] ?? .nan)) < 1e-12)
        }
    }

    /// FLCI bounds. The package simulates `c_α` from 10⁶ draws (seed 0: `c_α(0)` = 1.95790 against
    /// 1.95996, −1.05·10⁻³ relative, i.e. 2.7·10⁻⁵ on the half-length at M = 0) and stops its search
    /// over `h` at step `(h₀ − h_min)/100`; DiDLab computes `c_α` exactly and optimises to 10⁻¹². So:
    /// every bound within 1e-4 (measured: 7 of 8 within 5e-5, the worst 5.96e-5 at M = 0.005, where
    /// the centres differ by 5.1e-5 because the package's `h` is off the optimum), and DiDLab's
    /// half-length never longer than the package's beyond its `c_α` error (2.5e-3 relative).
    ///
    /// Average target: KNOWN ISSUE, the 1e-4 bound check fails (measured 3.25e-4 at M = 0.005; 1.3e-4
    /// to 1.8e-4 at M = 0.01, 1.1e-4 at M = 0.02; 6.7e-5 at M = 0). For M > 0 the package's
    /// intervals are LONGER than DiDLab's (0.148819 against 0.148778 at M = 0.005) despite its
    /// smaller simulated `c_α`, so its coarse `h` search stops off the optimum, where the length is
    /// flat in `h` but the centre is not (centres 3.0e-4 apart). diff-diff 3.13 agrees with DiDLab
    /// to 7.8e-7 on the same rows (the test below). The bound checks stay, marked known, so the
    /// suite says when a newer reference closes the gap; the never-longer check is not masked.
    @Test func smoothnessFLCI() throws {
        let es = try Self.input()
        var worst: [String: Double] = [:]
        var averageBoundChecks: [() -> Void] = []
        for c in Self.cases {
            let name = try #require(c["target"] as? String)
            for row in try #require(c["smoothness"] as? [[String: Any]]) {
                let M = try #require(row["M"] as? Double)
                let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(M), target: Self.target(name))
                let lower = try #require(row["lower"] as? Double), upper = try #require(row["upper"] as? Double)
                worst[name] = max(worst[name] ?? 0, abs(set.lower - lower), abs(set.upper - upper))
                let boundsAgree = {
                    #expect(abs(set.lower - lower) <= 1e-4, "\(name) M=\(M): lower \(set.lower) vs \(lower)")
                    #expect(abs(set.upper - upper) <= 1e-4, "\(name) M=\(M): upper \(set.upper) vs \(upper)")
                }
                if name == "average" { averageBoundChecks.append(boundsAgree) } else { boundsAgree() }
                #expect(set.upper - set.lower <= (upper - lower) * (1 + 2.5e-3), "\(name) M=\(M): longer than the package's")
                #expect(set.method == .fixedLength)
            }
        }
        withKnownIssue("honestdid 0.1.1's FLCI for the average target is off its optimum in h (see above)") {
            for check in averageBoundChecks { check() }
        }
        print("HonestDiD parity: FLCI max |diff| = \(worst)")
    }

    /// FLCI bounds against a second implementation, diff-diff 3.13 (`honest_did._compute_optimal_flci`,
    /// the fixture's `diff_diff`; calls and versions there). diff-diff computes `c_α` exactly, as
    /// DiDLab does, and finds `h` by a three-level grid zoom. Bound: the issue's stated gap between
    /// diff-diff and the reference package, 3e-5 (measured: 2.3e-7 first target, 7.8e-7 average; the
    /// package itself is 6.0e-5 from diff-diff on the first target, 3.2e-4 on the average).
    @Test func smoothnessFLCIAgainstDiffDiff() throws {
        let es = try Self.input()
        let dd = try #require(Self.reference["diff_diff"] as? [String: Any])
        let ddCases = try #require(dd["cases"] as? [[String: Any]])
        #expect(ddCases.compactMap { $0["target"] as? String } == ["first", "average"])
        var worst: [String: Double] = [:], packageGap: [String: Double] = [:]
        for c in ddCases {
            let name = try #require(c["target"] as? String)
            let package = Self.cases.first { $0["target"] as? String == name }?["smoothness"] as? [[String: Any]] ?? []
            for row in try #require(c["smoothness"] as? [[String: Any]]) {
                let M = try #require(row["M"] as? Double)
                let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(M), target: Self.target(name))
                let lower = try #require(row["lower"] as? Double), upper = try #require(row["upper"] as? Double)
                worst[name] = max(worst[name] ?? 0, abs(set.lower - lower), abs(set.upper - upper))
                #expect(abs(set.lower - lower) <= 3e-5, "\(name) M=\(M): lower \(set.lower) vs diff-diff \(lower)")
                #expect(abs(set.upper - upper) <= 3e-5, "\(name) M=\(M): upper \(set.upper) vs diff-diff \(upper)")
                if let p = package.first(where: { $0["M"] as? Double == M }),
                   let pl = p["lower"] as? Double, let pu = p["upper"] as? Double {
                    packageGap[name] = max(packageGap[name] ?? 0, abs(pl - lower), abs(pu - upper))
                }
            }
        }
        print("HonestDiD parity: FLCI max |DiDLab − diff-diff| = \(worst); max |honestdid − diff-diff| = \(packageGap)")
    }

    /// C-LF with the package's own least-favourable critical values (recorded per piece): the same
    /// grid and the same test, so the grid bounds must agree to rounding (1e-12), and the refined
    /// bounds lie within one grid step outside them (the boundary is between the last rejected and
    /// the first accepted grid point).
    @Test func relativeMagnitudesWithReferenceCriticalValues() throws {
        let es = try Self.input()
        var worstGrid: [String: Double] = [:], worstRefined: [String: Double] = [:]
        for c in Self.cases {
            let name = try #require(c["target"] as? String)
            let step = try #require((c["grid"] as? [String: Double])?["step"])
            for row in try #require(c["relative_magnitudes"] as? [[String: Any]]) {
                let Mbar = try #require(row["Mbar"] as? Double)
                var options = HonestDiD.Options()
                options.leastFavourableCriticalValues = try #require(row["lf_critical_values"] as? [Double])
                let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(Mbar),
                                                      target: Self.target(name), options: options)
                let lower = try #require(row["lower"] as? Double), upper = try #require(row["upper"] as? Double)
                let gridLower = try #require(set.gridLower), gridUpper = try #require(set.gridUpper)
                #expect(abs(try #require(set.gridStep) - step) < 1e-15)
                worstGrid[name] = max(worstGrid[name] ?? 0, abs(gridLower - lower), abs(gridUpper - upper))
                worstRefined[name] = max(worstRefined[name] ?? 0, abs(set.lower - lower), abs(set.upper - upper))
                #expect(abs(gridLower - lower) <= 1e-12, "\(name) Mbar=\(Mbar): grid lower \(gridLower) vs \(lower)")
                #expect(abs(gridUpper - upper) <= 1e-12, "\(name) Mbar=\(Mbar): grid upper \(gridUpper) vs \(upper)")
                #expect(set.lower <= lower && lower - set.lower <= step, "\(name) Mbar=\(Mbar): refined lower \(set.lower)")
                #expect(set.upper >= upper && set.upper - upper <= step, "\(name) Mbar=\(Mbar): refined upper \(set.upper)")
            }
        }
        print("HonestDiD parity: C-LF (reference c_LF) max |grid diff| = \(worstGrid), max |refined − reference| = \(worstRefined)")
    }

    /// C-LF with DiDLab's own simulated critical values (1000 draws, its own stream): the grid bounds
    /// within three grid steps of the package's (measured: at most 2). The critical value is a
    /// simulated 0.995 quantile (the 995th of 1000 draws) in both, with different draws; with the
    /// package's values the bounds agree exactly (the test above), so the gap is the simulation's.
    @Test func relativeMagnitudesOwnSimulation() throws {
        let es = try Self.input()
        var worst: [String: Double] = [:]
        for c in Self.cases {
            let name = try #require(c["target"] as? String)
            let step = try #require((c["grid"] as? [String: Double])?["step"])
            for row in try #require(c["relative_magnitudes"] as? [[String: Any]]) {
                let Mbar = try #require(row["Mbar"] as? Double)
                let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(Mbar), target: Self.target(name))
                let lower = try #require(row["lower"] as? Double), upper = try #require(row["upper"] as? Double)
                worst[name] = max(worst[name] ?? 0, abs(try #require(set.gridLower) - lower) / step, abs(try #require(set.gridUpper) - upper) / step)
                #expect(abs(try #require(set.gridLower) - lower) <= 3.000001 * step, "\(name) Mbar=\(Mbar): lower \(set.lower) vs \(lower)")
                #expect(abs(try #require(set.gridUpper) - upper) <= 3.000001 * step, "\(name) Mbar=\(Mbar): upper \(set.upper) vs \(upper)")
            }
        }
        print("HonestDiD parity: C-LF (own c_LF) max |grid diff| = \(worst) grid steps")
    }

    /// Breakdown values. M: the FLCI's, within 5e-4 relative (the package's simulated `c_α` moves
    /// the FLCI by ≤ 5e-5, and the breakdown by that over the slope of the bound in M). M̄: with
    /// simulated least-favourable values on both sides, within 0.05 (the simulation's effect on the
    /// test at θ = 0). Absent on both sides when the bound 0 already covers 0. Average target's M:
    /// KNOWN ISSUE, 0.0022541 against 0.0022441 (4.4e-3 relative), the FLCI gap above at work.
    @Test func breakdownValues() throws {
        let es = try Self.input()
        for c in Self.cases {
            let name = try #require(c["target"] as? String)
            let recorded = try #require(c["breakdown"] as? [String: Any])
            let sd = try HonestDiD.breakdown(eventStudy: es, kind: .smoothness, target: Self.target(name))
            let rm = try HonestDiD.breakdown(eventStudy: es, kind: .relativeMagnitudes, target: Self.target(name))
            print("HonestDiD parity: breakdown \(name): M \(sd.value as Any) vs \(recorded["M"] as Any); Mbar \(rm.value as Any) vs \(recorded["Mbar"] as Any)")
            if let m = recorded["M"] as? Double {
                let value = try #require(sd.value)
                if name == "average" {
                    withKnownIssue("honestdid 0.1.1's average-target FLCI is off its optimum in h") {
                        #expect(abs(value - m) <= 5e-4 * max(m, 1e-3), "\(name): M breakdown")
                    }
                } else {
                    #expect(abs(value - m) <= 5e-4 * max(m, 1e-3), "\(name): M breakdown")
                }
            } else { #expect(sd.value == nil) }
            if let m = recorded["Mbar"] as? Double {
                let value = try #require(rm.value)
                #expect(abs(value - m) <= 0.05, "\(name): Mbar breakdown")
            } else { #expect(rm.value == nil) }
        }
    }
}
