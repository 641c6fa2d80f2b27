import Foundation
import Testing
@testable import Estimators

/// HonestDiD's limiting cases, against closed forms.
@Suite("HonestDiD edge cases")
struct HonestDiDEdgeCaseTests {
    /// A two-pre, two-post event study with correlated coefficients (made-up numbers).
    static func small(pre: Int = 1, post: Int = 2) throws -> HonestDiD.EventStudyCoefficients {
        let n = pre + post
        let beta: [Double] = (0..<n).map { (k: Int) -> Double in
            let sign: Double = k % 2 == 0 ? 1 : -1
            return 0.01 * Double(k + 1) * sign
        }
        var sigma = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                let decay: Double = pow(0.4, Double(abs(i - j)))
                let scale: Double = 1 + 0.1 * Double(i + j)
                sigma[i * n + j] = 1e-4 * decay * scale
            }
        }
        return try HonestDiD.EventStudyCoefficients(coefficients: beta, covariance: sigma, preCount: pre, postCount: post)
    }

    /// `Δ^SD(0)`: `δ` linear, so with one pre period the only affine estimator unbiased for every
    /// linear `δ` is `β̂_e+0 + β̂_e−2` (the line through e−2 and the reference period extrapolated to
    /// e+0), and the FLCI is its normal interval. Oracle: that closed form; 1e-12.
    @Test func smoothnessZeroIsLinearExtrapolation() throws {
        let es = try Self.small(pre: 1, post: 2)
        let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(0))
        let estimate = es.coefficients[1] + es.coefficients[0]
        let sd = (es.sigma(1, 1) + es.sigma(0, 0) + 2 * es.sigma(0, 1)).squareRoot()
        let z = 1.959963984540054
        #expect(abs(set.lower - (estimate - z * sd)) < 1e-12)
        #expect(abs(set.upper - (estimate + z * sd)) < 1e-12)
    }

    /// `Δ^RM(0)` with one post period: `δ_post = 0`, the two moments `±(β̂_e+0 − θ)` are perfectly
    /// negatively correlated, the conditional test truncates `|Z|` to `[0, ∞)`, and the first stage
    /// (`c_LF = z_{1−κ/2}`) never binds first; so the set is `β̂_e+0 ± z_{1−α̃/2}·sd` with
    /// `α̃ = (α − κ)/(1 − κ)`, `κ = α/10`. Oracle: that closed form; 1e-7 (bisection to 1e-8).
    @Test func relativeMagnitudesZeroIsTheConditionalInterval() throws {
        let es = try Self.small(pre: 2, post: 1)
        let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(0))
        let alphaTilde = (0.05 - 0.005) / (1 - 0.005)
        let z = HonestDiDDistributions.normalQuantile(1 - alphaTilde / 2)
        let sd = es.sigma(2, 2).squareRoot()
        #expect(abs(set.lower - (es.coefficients[2] - z * sd)) < 1e-7)
        #expect(abs(set.upper - (es.coefficients[2] + z * sd)) < 1e-7)
    }

    /// The sets grow with the bound (the restrictions are nested). Oracle: the definition.
    @Test func setsAreNested() throws {
        let es = try Self.small(pre: 3, post: 3)
        var previous: HonestDiD.ConfidenceSet?
        for Mbar in [0.0, 0.5, 1, 2] {
            let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(Mbar))
            if let previous { #expect(set.lower <= previous.lower + 1e-9 && set.upper >= previous.upper - 1e-9) }
            previous = set
        }
        previous = nil
        for M in [0.0, 0.005, 0.01, 0.02] {
            let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(M))
            if let previous { #expect(set.upper - set.lower >= previous.upper - previous.lower - 1e-12) }
            previous = set
        }
    }

    /// The folded-normal quantile: `c_α(0) = z_{1−α/2}`, and for large `t`, `t + z_{1−α}`.
    /// Oracle: closed forms; 1e-12 and 1e-9 (the neglected lower tail is Φ(−2t − z) ≈ 0 at t = 10).
    @Test func foldedNormalQuantile() {
        #expect(abs(HonestDiDDistributions.foldedNormalQuantile(0.95, mean: 0) - 1.959963984540054) < 1e-12)
        #expect(abs(HonestDiDDistributions.foldedNormalQuantile(0.95, mean: 10) - (10 + 1.6448536269514722)) < 1e-9)
    }

    /// Bad input: the messages name the role.
    @Test func badInput() throws {
        let es = try Self.small(pre: 2, post: 2)
        #expect(throws: HonestDiDError.self) { try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(-1)) }
        #expect(throws: HonestDiDError.self) { try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(0), target: .eventTime(5)) }
        #expect(throws: HonestDiDError.self) {
            try HonestDiD.EventStudyCoefficients(coefficients: [0.1], covariance: [1], preCount: 0, postCount: 1)
        }
        #expect(throws: HonestDiDError.self) { try HonestDiD.parseRestrictions("rm:1,x") }
        #expect(throws: HonestDiDError.self) { try HonestDiD.parseRestrictions("xx:1") }
        #expect(throws: HonestDiDError.self) { try HonestDiD.parseRestrictions("sd:-0.1") }
        #expect(try HonestDiD.parseRestrictions("rm:0.5, 1,2") == [.relativeMagnitudes(0.5), .relativeMagnitudes(1), .relativeMagnitudes(2)])
    }

    /// One call's cost, printed for the report (release builds are ~10× faster than debug).
    @Test func timing() throws {
        let estimate = try EventStudy(options: RegressionOptions()).estimate(Fixtures.mpdta())
        let es = try HonestDiD.EventStudyCoefficients(estimate: estimate)
        let clock = ContinuousClock()
        let rm = try clock.measure { _ = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(1)) }
        let sd = try clock.measure { _ = try HonestDiD.confidenceSet(eventStudy: es, restriction: .smoothness(0.01)) }
        print("HonestDiD timing (this build): C-LF M̄=1 \(rm), FLCI M=0.01 \(sd)")
    }

    /// An estimate far from 0 (here 200 sd): R's grid on ±20 sd would accept nothing and report an
    /// empty set; the widened grid finds the set around the estimate. Oracle: with one post period
    /// and M̄ = 0 the set is the conditional interval β̂ ± z(1 − α̃/2)·sd (α̃ = (α − κ)/(1 − κ),
    /// the closed form the `M̄ = 0` test above uses), within the grid refinement's 1e-7.
    @Test func anEstimateFarFromZeroIsNotAnEmptySet() throws {
        var es = try Self.small(pre: 2, post: 1)
        let sd = es.covariance[2 * 3 + 2].squareRoot()
        es.coefficients[2] = 200 * sd
        let set = try HonestDiD.confidenceSet(eventStudy: es, restriction: .relativeMagnitudes(0))
        #expect(set.lower.isFinite && set.upper.isFinite && !set.openAtGridEnd)
        #expect(set.lower < 200 * sd && 200 * sd < set.upper, "[\(set.lower), \(set.upper)] around \(200 * sd)")
        let kappa = 0.005, alphaTilde = (0.05 - kappa) / (1 - kappa)
        let z = HonestDiDDistributions.normalQuantile(1 - alphaTilde / 2)
        #expect(abs(set.upper - (200 * sd + z * sd)) < 1e-6 && abs(set.lower - (200 * sd - z * sd)) < 1e-6,
                "[\(set.lower), \(set.upper)] vs ±\(z * sd)")
        #expect(set.excludes(0))
    }

    /// Bounds too large to compute with are refused (they overflowed to ±∞ in the output).
    @Test func hugeBoundsAreRefused() throws {
        #expect(throws: HonestDiDError.self) { try HonestDiD.parseRestrictions("sd:1e308") }
        #expect(throws: HonestDiDError.self) {
            try HonestDiD.confidenceSet(eventStudy: try Self.small(), restriction: .relativeMagnitudes(1e200))
        }
        #expect(try HonestDiD.parseRestrictions("rm:1e100").count == 1)
    }
}
