/// The normal equations of `y_it = α_i + λ_t + γ'x_it` on a subsample of a panel's rows, solved
/// exactly: the first stage of two-stage DiD estimators (Gardner 2021), which needs the fixed
/// effects themselves, not only demeaned columns.
///
/// Unknowns `θ = (α (N), λ (T), γ (k))`. The unit block of `A = X₁₀'X₁₀` is diagonal (`n_i`, the
/// unit's rows in the subsample), so units are partialled out analytically and the `(T + k)²`
/// Schur complement `S = A_BB − Σ_i v_i v_i' / n_i` (`v_i = A_{B,i}`) is factored once with
/// ``DroppingCholesky``. `A` is singular (`α + c, λ − c` fit alike): the solver returns one
/// solution; predictions `α_i + λ_t + γ'x` on units and periods present in the subsample do not
/// depend on which. ``rank`` is `T + k − 1` when the subsample's fixed effects are connected and
/// the controls are not collinear with them.
struct FirstStageSystem {
    let unitCount: Int
    let periodCount: Int
    let covariateCount: Int
    /// `n_i`: the unit's rows in the subsample.
    let unitRows: [Double]
    /// `v_i`, `N × (T + k)` row-major.
    let unitVectors: [Double]
    let schur: DroppingCholesky

    /// Dimension `T + k` of the Schur complement.
    var dimension: Int { periodCount + covariateCount }
    /// Numerical rank of the Schur complement.
    var rank: Int { schur.rank }

    /// Builds the system on the rows where `mask` is true.
    init(panel: Panel, mask: [Bool]) {
        let periods = panel.periodCount, k = panel.covariates.count, b = periods + k
        unitCount = panel.unitCount
        periodCount = periods
        covariateCount = k
        var rows = [Double](repeating: 0, count: panel.unitCount)
        var vectors = [Double](repeating: 0, count: panel.unitCount * b)
        var matrix = [Double](repeating: 0, count: b * b)
        for row in 0..<panel.observationCount where mask[row] {
            let unit = Int(panel.unitIndex[row]), t = Int(panel.periodIndex[row])
            rows[unit] += 1
            vectors[unit * b + t] += 1
            matrix[t * b + t] += 1
            for c in 0..<k {
                let x = panel.covariates[c][row]
                vectors[unit * b + periods + c] += x
                matrix[(periods + c) * b + t] += x
                matrix[t * b + periods + c] += x
                for d in 0..<k { matrix[(periods + c) * b + periods + d] += x * panel.covariates[d][row] }
            }
        }
        for unit in 0..<panel.unitCount where rows[unit] > 0 {
            let inverse = 1 / rows[unit]
            for r in 0..<b {
                let vr = vectors[unit * b + r]
                guard vr != 0 else { continue }
                for s in 0..<b { matrix[r * b + s] -= vr * vectors[unit * b + s] * inverse }
            }
        }
        unitRows = rows
        unitVectors = vectors
        schur = DroppingCholesky(matrix: matrix, dimension: b, tolerance: 1e-9)
    }

    /// `X₁'z` over the rows where `include` is true: the unit part (`N`) and the rest (`T + k`).
    func moments(of column: [Double], panel: Panel, include: [Bool]) -> (units: [Double], rest: [Double]) {
        var units = [Double](repeating: 0, count: unitCount)
        var rest = [Double](repeating: 0, count: dimension)
        for row in 0..<panel.observationCount where include[row] {
            let z = column[row]
            units[Int(panel.unitIndex[row])] += z
            rest[Int(panel.periodIndex[row])] += z
            for c in 0..<covariateCount { rest[periodCount + c] += panel.covariates[c][row] * z }
        }
        return (units, rest)
    }

    /// Solves `A θ = r`; returns `α` (0 for units outside the subsample) and `(λ, γ)`.
    func solve(units: [Double], rest: [Double]) -> (alpha: [Double], rest: [Double]) {
        let b = dimension
        var reduced = rest
        for unit in 0..<unitCount where unitRows[unit] > 0 {
            let scale = units[unit] / unitRows[unit]
            for r in 0..<b { reduced[r] -= unitVectors[unit * b + r] * scale }
        }
        let solution = schur.solve(reduced)
        var alpha = [Double](repeating: 0, count: unitCount)
        for unit in 0..<unitCount where unitRows[unit] > 0 {
            var sum = units[unit]
            for r in 0..<b { sum -= unitVectors[unit * b + r] * solution[r] }
            alpha[unit] = sum / unitRows[unit]
        }
        return (alpha, solution)
    }

    /// `α_i + λ_t + γ'x_it` for one row.
    func prediction(row: Int, panel: Panel, alpha: [Double], rest: [Double]) -> Double {
        var value = alpha[Int(panel.unitIndex[row])] + rest[Int(panel.periodIndex[row])]
        for c in 0..<covariateCount { value += rest[periodCount + c] * panel.covariates[c][row] }
        return value
    }
}
