/// A small dense linear program, solved exactly by the two-phase simplex method.
///
/// `minimise c'x  subject to  A_ub x ≤ b_ub,  A_eq x = b_eq,  x_j ≥ 0 where nonnegative[j], else free`.
///
/// **Why DiDLab has its own.** HonestDiD's conditional tests (Andrews, Roth & Pakes 2023) solve a
/// handful of linear programs per tested value, with at most a few dozen variables and
/// constraints, and need their dual solutions; none of the approved dependencies (GSL, Yams,
/// swift-argument-parser) solves linear programs. A dense tableau with Bland's rule is the
/// simplest method that is exact on such problems and cannot cycle; it is not meant for large or
/// sparse problems (``maximumSize``).
///
/// **Method.** Free variables are split (`x = x⁺ − x⁻`), each `≤` row gets a slack, rows with a
/// negative right-hand side are negated, and every row gets an artificial variable. Phase 1
/// minimises the sum of the artificials (infeasible when it stays above a tolerance); phase 2
/// minimises `c'x` from that basis. Both use Bland's rule (the lowest-index entering column with a
/// negative reduced cost; ties in the ratio test go to the lowest-index basic variable), which
/// terminates on degenerate problems. The artificial columns are kept in the tableau (never
/// re-entering in phase 2), so at the optimum they hold `B⁻¹` and their reduced costs give the
/// dual solution `y = c_B'B⁻¹`.
///
/// **Duals.** ``Solution/inequalityMarginals`` and ``Solution/equalityMarginals`` follow
/// `scipy.optimize.linprog`'s `marginals`: the derivative of the optimal objective with respect
/// to each right-hand side (so `≤` rows of a minimisation have marginals ≤ 0). Where the optimum
/// is degenerate the duals are not unique and another solver may return others.
public struct DenseLinearProgram: Sendable {
    /// The cost vector `c` (minimised).
    public var objective: [Double]
    /// Rows of `A_ub` (each of length `objective.count`).
    public var inequalityRows: [[Double]]
    /// `b_ub`.
    public var inequalityBounds: [Double]
    /// Rows of `A_eq`.
    public var equalityRows: [[Double]]
    /// `b_eq`.
    public var equalityBounds: [Double]
    /// Per variable: constrained to be ≥ 0 (true) or free (false).
    public var nonnegative: [Bool]

    /// The largest problem accepted: variables plus constraints (after splitting free variables).
    public static let maximumSize = 2000

    /// Creates a program; `nonnegative` defaults to every variable ≥ 0 (scipy's default bounds).
    public init(objective: [Double], inequalityRows: [[Double]] = [], inequalityBounds: [Double] = [],
                equalityRows: [[Double]] = [], equalityBounds: [Double] = [], nonnegative: [Bool]? = nil) {
        self.objective = objective
        self.inequalityRows = inequalityRows
        self.inequalityBounds = inequalityBounds
        self.equalityRows = equalityRows
        self.equalityBounds = equalityBounds
        self.nonnegative = nonnegative ?? [Bool](repeating: true, count: objective.count)
    }

    /// How a solve ended.
    public enum Status: String, Sendable {
        /// An optimal vertex was found.
        case optimal
        /// No point satisfies the constraints.
        case infeasible
        /// The objective decreases without bound.
        case unbounded
        /// The pivot limit was reached (does not happen with Bland's rule short of rounding trouble).
        case iterationLimit
    }

    /// The optimum (meaningful only when ``status`` is ``Status/optimal``).
    public struct Solution: Sendable {
        /// How the solve ended.
        public var status: Status
        /// The minimiser.
        public var x: [Double]
        /// `c'x` at the minimiser.
        public var value: Double
        /// `∂ value / ∂ b_ub`, one per inequality row (scipy's `ineqlin.marginals`).
        public var inequalityMarginals: [Double]
        /// `∂ value / ∂ b_eq`, one per equality row (scipy's `eqlin.marginals`).
        public var equalityMarginals: [Double]
        /// Simplex pivots used in both phases.
        public var pivots: Int
    }

    /// Solves the program.
    /// - Parameter tolerance: zero for reduced costs, pivots and phase-1 infeasibility; the data
    ///   should be scaled to order one (callers in HonestDiD normalise their rows).
    /// - Precondition: row lengths equal `objective.count` and the size is at most ``maximumSize``
    ///   (a programming error, not user input: HonestDiD builds its programs itself).
    public func solve(tolerance: Double = 1e-10) -> Solution {
        let n = objective.count
        let mUpper = inequalityRows.count, mEqual = equalityRows.count, m = mUpper + mEqual
        precondition(inequalityRows.allSatisfy { $0.count == n } && equalityRows.allSatisfy { $0.count == n }
                     && inequalityBounds.count == mUpper && equalityBounds.count == mEqual && nonnegative.count == n,
                     "DenseLinearProgram: non-conformable rows")
        // Columns: structural (free ones split), slacks, artificials.
        var structural: [(variable: Int, sign: Double)] = []
        for j in 0..<n {
            structural.append((j, 1))
            if !nonnegative[j] { structural.append((j, -1)) }
        }
        let nStructural = structural.count, nSlack = mUpper
        let firstArtificial = nStructural + nSlack
        let columns = firstArtificial + m
        precondition(columns + m <= DenseLinearProgram.maximumSize, "DenseLinearProgram: problem too large")
        let width = columns + 1                       // last column: right-hand side
        var tableau = [Double](repeating: 0, count: (m + 1) * width)
        var rowSign = [Double](repeating: 1, count: m)
        for i in 0..<m {
            let row = i < mUpper ? inequalityRows[i] : equalityRows[i - mUpper]
            let rhs = i < mUpper ? inequalityBounds[i] : equalityBounds[i - mUpper]
            let sign: Double = rhs < 0 ? -1 : 1
            rowSign[i] = sign
            for (k, column) in structural.enumerated() { tableau[i * width + k] = sign * column.sign * row[column.variable] }
            if i < mUpper { tableau[i * width + nStructural + i] = sign }
            tableau[i * width + firstArtificial + i] = 1
            tableau[i * width + columns] = sign * rhs
        }
        var basis = (0..<m).map { firstArtificial + $0 }
        var pivots = 0
        let limit = 50_000

        func pivot(row r: Int, column c: Int) {
            let p = tableau[r * width + c]
            for k in 0..<width { tableau[r * width + k] /= p }
            for i in 0...m where i != r {
                let factor = tableau[i * width + c]
                guard factor != 0 else { continue }
                for k in 0..<width { tableau[i * width + k] -= factor * tableau[r * width + k] }
            }
            basis[r] = c
            pivots += 1
        }

        /// Sets the objective row to the reduced costs of `cost` (length `columns`) and runs Bland's rule
        /// over the columns below `enterLimit`. Returns false when unbounded.
        func optimise(cost: [Double], enterLimit: Int) -> Status {
            let objectiveRow = m * width
            for k in 0..<width { tableau[objectiveRow + k] = k < columns ? cost[k] : 0 }
            for i in 0..<m where cost[basis[i]] != 0 {
                let cb = cost[basis[i]]
                for k in 0..<width { tableau[objectiveRow + k] -= cb * tableau[i * width + k] }
            }
            while pivots < limit {
                guard let entering = (0..<enterLimit).first(where: { tableau[objectiveRow + $0] < -tolerance }) else {
                    return .optimal
                }
                var leaving = -1
                var bestRatio = Double.infinity
                for i in 0..<m {
                    let a = tableau[i * width + entering]
                    guard a > tolerance else { continue }
                    let ratio = tableau[i * width + columns] / a
                    let better = leaving < 0 || ratio < bestRatio - tolerance
                    let tieWithLowerIndex = !better && ratio <= bestRatio + tolerance && basis[i] < basis[leaving]
                    if better || tieWithLowerIndex {
                        bestRatio = better ? ratio : min(bestRatio, ratio)
                        leaving = i
                    }
                }
                guard leaving >= 0 else { return .unbounded }
                pivot(row: leaving, column: entering)
            }
            return .iterationLimit
        }

        // Phase 1.
        var phaseOneCost = [Double](repeating: 0, count: columns)
        for k in firstArtificial..<columns { phaseOneCost[k] = 1 }
        let phaseOne = optimise(cost: phaseOneCost, enterLimit: firstArtificial)
        let empty = Solution(status: .infeasible, x: [Double](repeating: .nan, count: n), value: .nan,
                             inequalityMarginals: [Double](repeating: .nan, count: mUpper),
                             equalityMarginals: [Double](repeating: .nan, count: mEqual), pivots: pivots)
        guard phaseOne == .optimal else { var s = empty; s.status = phaseOne == .unbounded ? .infeasible : phaseOne; return s }
        let scale = max(1, (0..<m).map { abs(tableau[$0 * width + columns]) }.max() ?? 1)
        guard -tableau[m * width + columns] <= 1e3 * tolerance * scale else { return empty }
        // Drive artificials at zero out of the basis where a structural or slack column can replace them.
        for i in 0..<m where basis[i] >= firstArtificial {
            if let c = (0..<firstArtificial).first(where: { abs(tableau[i * width + $0]) > 1e3 * tolerance }) {
                pivot(row: i, column: c)
            }
        }
        // Phase 2.
        var cost = [Double](repeating: 0, count: columns)
        for (k, column) in structural.enumerated() { cost[k] = column.sign * objective[column.variable] }
        let phaseTwo = optimise(cost: cost, enterLimit: firstArtificial)
        guard phaseTwo == .optimal else { var s = empty; s.status = phaseTwo; return s }

        var x = [Double](repeating: 0, count: n)
        for i in 0..<m where basis[i] < nStructural {
            let column = structural[basis[i]]
            x[column.variable] += column.sign * tableau[i * width + columns]
        }
        var value = 0.0
        for j in 0..<n { value += objective[j] * x[j] }
        // Reduced cost of artificial i is 0 − y_i, with y = c_B'B⁻¹ for the sign-adjusted rows.
        var marginals = [Double](repeating: 0, count: m)
        for i in 0..<m { marginals[i] = -tableau[m * width + firstArtificial + i] * rowSign[i] }
        return Solution(status: .optimal, x: x, value: value, inequalityMarginals: Array(marginals[0..<mUpper]),
                        equalityMarginals: Array(marginals[mUpper..<m]), pivots: pivots)
    }
}
