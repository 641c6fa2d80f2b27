import Foundation
import Testing
@testable import Estimators

/// ``DenseLinearProgram`` against `scipy.optimize.linprog(method="highs")`. Oracle:
/// `Tests/Fixtures/lp_reference.json`, made by `scripts/reference/make_lp_reference.py` (scipy
/// version in the file). Tolerance 1e-8 absolute on x, the objective and the marginals: both solvers
/// land on the same (unique) vertex and differ only by rounding in the pivots; HiGHS's own
/// feasibility tolerance is 1e-7, and it reports vertices to about 1e-12 on these sizes.
@Suite("dense linear program")
struct DenseLinearProgramTests {
    static var cases: [[String: Any]] { Fixtures.json("lp_reference.json")["cases"] as? [[String: Any]] ?? [] }

    static func program(_ c: [String: Any]) -> DenseLinearProgram {
        DenseLinearProgram(objective: c["c"] as? [Double] ?? [], inequalityRows: c["A_ub"] as? [[Double]] ?? [],
                           inequalityBounds: c["b_ub"] as? [Double] ?? [], equalityRows: c["A_eq"] as? [[Double]] ?? [],
                           equalityBounds: c["b_eq"] as? [Double] ?? [], nonnegative: c["nonnegative"] as? [Bool])
    }

    @Test("every recorded program: status, x, objective and marginals match scipy")
    func matchesScipy() throws {
        let cases = Self.cases
        #expect(cases.count == 10)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let solution = Self.program(c).solve()
            #expect(solution.status.rawValue == c["status"] as? String, "\(name)")
            guard solution.status == .optimal else { continue }
            let x = try #require(c["x"] as? [Double])
            for (a, b) in zip(solution.x, x) { #expect(abs(a - b) <= 1e-8, "\(name): x \(a) vs \(b)") }
            let value = try #require(c["value"] as? Double)
            #expect(abs(solution.value - value) <= 1e-8, "\(name): objective")
            for (a, b) in zip(solution.inequalityMarginals, c["ineq_marginals"] as? [Double] ?? []) {
                #expect(abs(a - b) <= 1e-8, "\(name): inequality marginal \(a) vs \(b)")
            }
            for (a, b) in zip(solution.equalityMarginals, c["eq_marginals"] as? [Double] ?? []) {
                #expect(abs(a - b) <= 1e-8, "\(name): equality marginal \(a) vs \(b)")
            }
        }
    }

    /// Oracle: by hand. `min −x₁ − x₂` with `x₁ + 2x₂ ≤ 4`, `3x₁ + x₂ ≤ 6`: vertex (1.6, 1.2), value
    /// −2.8; duals y solve `[1 3; 2 1] y = (−1, −1)`: y = (−0.4, −0.2).
    @Test func textbookVertexAndDuals() {
        let lp = DenseLinearProgram(objective: [-1, -1], inequalityRows: [[1, 2], [3, 1]], inequalityBounds: [4, 6])
        let s = lp.solve()
        #expect(s.status == .optimal)
        #expect(abs(s.x[0] - 1.6) < 1e-12 && abs(s.x[1] - 1.2) < 1e-12)
        #expect(abs(s.value + 2.8) < 1e-12)
        #expect(abs(s.inequalityMarginals[0] + 0.4) < 1e-12 && abs(s.inequalityMarginals[1] + 0.2) < 1e-12)
    }

    /// A degenerate program (three constraints through the optimum in two dimensions) terminates
    /// under Bland's rule at the right value. Oracle: by hand, optimum (1, 1), value −2.
    @Test func degenerateVertexTerminates() {
        let lp = DenseLinearProgram(objective: [-1, -1], inequalityRows: [[1, 0], [0, 1], [1, 1]], inequalityBounds: [1, 1, 2])
        let s = lp.solve()
        #expect(s.status == .optimal)
        #expect(abs(s.value + 2) < 1e-12)
    }
}
