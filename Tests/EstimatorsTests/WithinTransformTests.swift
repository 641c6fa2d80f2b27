import CGSL
import Testing
@testable import Estimators

/// The within-transformation core against a brute-force oracle: least squares on explicit unit
/// and period dummies, solved by GSL's SVD (`gsl_linalg_SV_decomp` + `SV_solve`, which handles
/// the rank-deficient dummy matrix), residual = x − Dβ. Tolerance 1e-10 absolute on O(1) data:
/// both are exact solvers, differing only by rounding.
@Suite("within transformation")
struct WithinTransformTests {
    /// Residuals of `x` on unit and period dummies by SVD (the oracle).
    static func bruteForce(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int,
                           x: [Double]) -> [Double] {
        let n = x.count, p = unitCount + periodCount
        let a = gsl_matrix_calloc(n, p)!, v = gsl_matrix_alloc(p, p)!
        let s = gsl_vector_alloc(p)!, work = gsl_vector_alloc(p)!
        let b = gsl_vector_alloc(n)!, beta = gsl_vector_alloc(p)!
        defer { gsl_matrix_free(a); gsl_matrix_free(v); gsl_vector_free(s); gsl_vector_free(work)
                gsl_vector_free(b); gsl_vector_free(beta) }
        for row in 0..<n {
            gsl_matrix_set(a, row, Int(unitIndex[row]), 1)
            gsl_matrix_set(a, row, unitCount + Int(periodIndex[row]), 1)
            gsl_vector_set(b, row, x[row])
        }
        // Keep a copy of A for the residual (SV_decomp overwrites it).
        let copy = gsl_matrix_alloc(n, p)!
        defer { gsl_matrix_free(copy) }
        gsl_matrix_memcpy(copy, a)
        gsl_linalg_SV_decomp(a, v, s, work)
        // Zero tiny singular values (rank deficiency): min-norm solution.
        let largest = gsl_vector_get(s, 0)
        for k in 0..<p where gsl_vector_get(s, k) < 1e-10 * largest { gsl_vector_set(s, k, 0) }
        gsl_linalg_SV_solve(a, v, s, b, beta)
        return (0..<n).map { row in
            x[row] - (0..<p).reduce(0.0) { $0 + gsl_matrix_get(copy, row, $1) * gsl_vector_get(beta, $1) }
        }
    }

    /// A deterministic pseudo-random column (no RNG dependency in this test).
    static func column(_ n: Int, salt: Double) -> [Double] {
        (0..<n).map { i in sin(Double(i) * 1.7 + salt) * 3 + cos(Double(i * i) * 0.13 + salt) }
    }

    static func panel(units: Int, periods: Int, keep: (Int, Int) -> Bool) -> ([Int32], [Int32]) {
        var u: [Int32] = [], t: [Int32] = []
        for i in 0..<units { for p in 0..<periods where keep(i, p) { u.append(Int32(i)); t.append(Int32(p)) } }
        return (u, t)
    }

    func check(units: Int, periods: Int, expectBalanced: Bool, expectedRank: Int, keep: (Int, Int) -> Bool) {
        let (u, t) = Self.panel(units: units, periods: periods, keep: keep)
        let within = TwoWayWithin(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods)
        #expect(within.isBalanced == expectBalanced)
        #expect(within.fixedEffectRank == expectedRank)
        for salt in [0.3, 1.1] {
            let x = Self.column(u.count, salt: salt)
            let fast = within.transform(x)
            let oracle = Self.bruteForce(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods, x: x)
            let worst = zip(fast, oracle).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-10, "max |fast − oracle| = \(worst)")
        }
    }

    @Test func balancedClosedFormMatchesDummies() {
        check(units: 12, periods: 6, expectBalanced: true, expectedRank: 17) { _, _ in true }
    }

    @Test func unbalancedExactSolveMatchesDummies() {
        check(units: 15, periods: 7, expectBalanced: false, expectedRank: 21) { i, p in (i * 7 + p * 3) % 5 != 0 }
    }

    @Test func moreUnitsThanPeriodsOrTheReverse() {
        // Periods outnumber units: the solved dimension switches to units.
        check(units: 5, periods: 11, expectBalanced: false, expectedRank: 15) { i, p in (i + p) % 4 != 1 }
    }

    @Test func disconnectedPanelRankAndResiduals() {
        // Units 0–5 seen only in periods 0–2, units 6–9 only in 3–5: two components, rank N + T − 2.
        check(units: 10, periods: 6, expectBalanced: false, expectedRank: 14) { i, p in (i < 6) == (p < 3) }
    }

    @Test func transformAllocatesIntoCallerMemory() {
        let (u, t) = Self.panel(units: 8, periods: 5) { i, p in !(i == 3 && p == 2) }
        let within = TwoWayWithin(unitIndex: u, periodIndex: t, unitCount: 8, periodCount: 5)
        var workspace = TwoWayWithin.Workspace(for: within)
        let x = Self.column(u.count, salt: 2)
        var out = [Double](repeating: .nan, count: u.count)
        x.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { _ = within.transform(input, into: $0, workspace: &workspace) }
        }
        #expect(out == within.transform(x), "workspace path equals the convenience path bit for bit")
    }
}

/// ``DroppingCholesky`` against closed forms: it must drop exactly the later of two collinear
/// columns (fixest keeps the first) and solve the kept system exactly.
@Suite("collinearity")
struct DroppingCholeskyTests {
    @Test func dropsTheLaterCollinearColumn() {
        // Columns x1, x2 = 2·x1, x3 independent: Gram of [1 2 0; 2 4 0; 0 0 3]-like structure.
        let gram: [Double] = [1, 2, 0.5,
                              2, 4, 1,
                              0.5, 1, 3]
        let factor = DroppingCholesky(matrix: gram, dimension: 3)
        #expect(factor.kept == [true, false, true])
        #expect(factor.rank == 2)
        // Solve on kept columns {0, 2}: [1 .5; .5 3] x = [1, 2], det 2.75 → x = (2/2.75, 1.5/2.75) = (8/11, 6/11).
        let x = factor.solve([1, 99, 2])
        #expect(abs(x[0] - 8.0 / 11.0) < 1e-14)
        #expect(x[1] == 0)
        #expect(abs(x[2] - 6.0 / 11.0) < 1e-14)
    }

    @Test func timeInvariantCovariateIsAbsorbed() throws {
        // lpop in mpdta is constant within county: fixest drops it (reference.json, mpdta_twfe_lpop).
        let reference = try #require(Fixtures.referenceCase("mpdta_twfe_lpop"))
        #expect(reference["dropped"] as? [String] == ["lpop"])
        let panel = try Fixtures.mpdta(covariates: ["lpop"])
        let estimate = try TwoWayFixedEffects().estimate(panel)
        #expect(estimate.droppedTerms == ["lpop"])
        #expect(estimate.notes.contains { $0.contains("dropped for collinearity: lpop") })
    }
}
