/// The reference twin of ``FirstStageSystem`` (the ``KernelBackend/reference`` backend): the
/// same normal equations built and solved by plain loops over units (the Schur complement as a
/// sum of per-unit outer products), as the two-stage estimators ran before their fast path.
///
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
struct ReferenceFirstStageSystem {
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

/// The reference twin of ``TwoStageFirstStage``'s two stages (``KernelBackend/reference``): plain
/// loops over dense columns that state the maths, one stage-1 refit per stage-2 column for `Γ`.
enum ReferenceTwoStage {
    /// Stage 1: fits `y = α_i + λ_t + γ'x` on the `firstStage` rows; `ỹ` on the `kept` rows, 0 elsewhere.
    static func residualize(panel: Panel, firstStage: [Bool], kept: [Bool]) -> (system: ReferenceFirstStageSystem,
                                                                               residualized: [Double]) {
        let n = panel.observationCount
        let system = ReferenceFirstStageSystem(panel: panel, mask: firstStage)
        let momentsY = system.moments(of: panel.outcome, panel: panel, include: firstStage)
        let fit = system.solve(units: momentsY.units, rest: momentsY.rest)
        var residualized = [Double](repeating: 0, count: n)
        for row in 0..<n where kept[row] {
            residualized[row] = panel.outcome[row] - system.prediction(row: row, panel: panel, alpha: fit.alpha, rest: fit.rest)
        }
        return (system, residualized)
    }

    /// Stage 2 and the GMM-corrected variance, as ``TwoStageFirstStage/regress(_:names:panel:clusterIndex:clusterCapacity:clusterName:)``.
    static func regress(_ design: [[Double]], names: [String], panel: Panel, clusterIndex: [Int32], clusterCapacity: Int,
                        clusterName: String, firstStage: [Bool], kept: [Bool], residualized: [Double],
                        system: ReferenceFirstStageSystem) throws -> TwoStageRegression {
        let n = panel.observationCount, p = design.count
        var gram = [Double](repeating: 0, count: p * p), inverse = [Double](repeating: 0, count: p * (p + 1))
        for r in 0..<p {
            for s in 0...r {
                var sum = 0.0
                for row in 0..<n where kept[row] { sum += design[r][row] * design[s][row] }
                gram[r * p + s] = sum
                gram[s * p + r] = sum
            }
            var moment = 0.0
            for row in 0..<n where kept[row] { moment += design[r][row] * residualized[row] }
            inverse[r * (p + 1)] = moment
            inverse[r * (p + 1) + 1 + r] = 1
        }
        var factor = gram
        var flags = [Bool](repeating: false, count: p)
        let rank = factor.withUnsafeMutableBufferPointer { a in
            inverse.withUnsafeMutableBufferPointer { x in
                flags.withUnsafeMutableBufferPointer { kept in
                    guard let a = a.baseAddress, let x = x.baseAddress, let kept = kept.baseAddress else { return 0 }
                    return SmallSystem.solve(a, dimension: p, rhs: x, rhsCount: p + 1, kept: kept)
                }
            }
        }
        guard rank == p else { throw EstimationError.singularDesign(terms: names) }
        let beta = (0..<p).map { inverse[$0 * (p + 1)] }
        let bread = (0..<(p * p)).map { inverse[($0 / p) * (p + 1) + 1 + $0 % p] }
        var secondResidual = [Double](repeating: 0, count: n)
        for row in 0..<n where kept[row] {
            var value = residualized[row]
            for j in 0..<p { value -= beta[j] * design[j][row] }
            secondResidual[row] = value
        }
        // Γ: first-stage "fitted values" of each stage-2 column, f_rj = X₁_r (X₁₀'X₁₀)⁻¹ X₁'x₂_j.
        var projected = [[Double]]()
        for column in design {
            let moments = system.moments(of: column, panel: panel, include: kept)
            let solution = system.solve(units: moments.units, rest: moments.rest)
            projected.append((0..<n).map { row in
                firstStage[row] ? system.prediction(row: row, panel: panel, alpha: solution.alpha, rest: solution.rest) : 0
            })
        }
        // Cluster scores ψ_g and the sandwich.
        var clusterSlot = [Int](repeating: -1, count: clusterCapacity)
        var scores: [Double] = []
        for row in 0..<n where kept[row] {
            let cluster = Int(clusterIndex[row])
            if clusterSlot[cluster] < 0 {
                clusterSlot[cluster] = scores.count / p
                scores += [Double](repeating: 0, count: p)
            }
            let base = clusterSlot[cluster] * p
            for j in 0..<p {
                scores[base + j] += design[j][row] * secondResidual[row]
                if firstStage[row] { scores[base + j] -= projected[j][row] * residualized[row] }
            }
        }
        let g = scores.count / p
        guard g >= 2 else { throw EstimationError.tooFewClusters(name: clusterName, count: g) }
        var meat = [Double](repeating: 0, count: p * p)
        for cluster in 0..<g {
            for r in 0..<p { for s in 0..<p { meat[r * p + s] += scores[cluster * p + r] * scores[cluster * p + s] } }
        }
        let variance = VarianceEstimator.sandwich(bread: bread, meat: meat, m: p, factor: 1)
        var rss = 0.0, total = 0.0
        for row in 0..<n where kept[row] {
            rss += secondResidual[row] * secondResidual[row]
            total += residualized[row] * residualized[row]
        }
        return TwoStageRegression(coefficients: beta, variance: variance, clusterCount: g,
                                  observationCount: kept.filter { $0 }.count, residualSumOfSquares: rss,
                                  totalSumOfSquares: total)
    }
}
