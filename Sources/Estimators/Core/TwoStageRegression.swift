/// Gardner's (2021) two stages on a given stage-1 sample, shared by ``GardnerTwoStage`` (stage 1
/// on `D = 0`) and the spillover rings' two-stage estimator (stage 1 on `D = 0` outside the rings).
///
/// Stage 1 fits `y_it = μ_i + λ_t + γ'X_it` on the rows of the stage-1 sample (exactly, by
/// ``FirstStageSystem``) and residualizes every row whose unit and period have stage-1 rows
/// (the *kept* rows): `ỹ_it = y_it − μ̂_i − λ̂_t − γ̂'X_it`. Rows of units or periods without a
/// stage-1 row cannot be residualized and are left out of stage 2 (R `did2s` drops them as NA).
struct TwoStageFirstStage {
    /// Rows of the stage-1 sample.
    let firstStage: [Bool]
    /// Rows whose unit and period have stage-1 rows.
    let kept: [Bool]
    /// Units with stage-1 rows.
    let unitCount: Int
    /// Periods with stage-1 rows.
    let periodCount: Int
    /// The stage-1 normal equations.
    let system: FirstStageSystem
    /// `ỹ` on kept rows, 0 elsewhere.
    let residualized: [Double]

    /// Rank of the stage-1 system when the fixed effects are connected and no control is
    /// collinear with them: `T₁ + k − 1` (`T₁` the periods with stage-1 rows).
    var expectedRank: Int { periodCount + system.covariateCount - 1 }

    /// Fits stage 1 on the rows where `firstStage` is true and residualizes the kept rows.
    init(panel: Panel, firstStage: [Bool]) {
        let n = panel.observationCount
        var unitRows = [Int](repeating: 0, count: panel.unitCount), periodRows = [Int](repeating: 0, count: panel.periodCount)
        for row in 0..<n where firstStage[row] {
            unitRows[Int(panel.unitIndex[row])] += 1
            periodRows[Int(panel.periodIndex[row])] += 1
        }
        let kept = (0..<n).map { unitRows[Int(panel.unitIndex[$0])] > 0 && periodRows[Int(panel.periodIndex[$0])] > 0 }
        let system = FirstStageSystem(panel: panel, mask: firstStage)
        let momentsY = system.moments(of: panel.outcome, panel: panel, include: firstStage)
        let fit = system.solve(units: momentsY.units, rest: momentsY.rest)
        var residualized = [Double](repeating: 0, count: n)
        for row in 0..<n where kept[row] {
            residualized[row] = panel.outcome[row] - system.prediction(row: row, panel: panel, alpha: fit.alpha, rest: fit.rest)
        }
        self.firstStage = firstStage
        self.kept = kept
        self.unitCount = unitRows.filter { $0 > 0 }.count
        self.periodCount = periodRows.filter { $0 > 0 }.count
        self.system = system
        self.residualized = residualized
    }

    /// Number of stage-1 rows.
    var firstStageCount: Int { firstStage.filter { $0 }.count }

    /// Whether `column` is non-zero on some kept row (else its stage-2 term is not identified).
    func isIdentified(_ column: [Double]) -> Bool {
        column.indices.contains { kept[$0] && column[$0] != 0 }
    }

    /// Stage 2: `ỹ` on the columns of `design` (no intercept) over the kept rows, with Gardner's
    /// GMM-corrected cluster-robust variance as R/py `did2s` compute it:
    /// `V = (X₂'X₂)⁻¹ Σ_g ψ_g ψ_g' (X₂'X₂)⁻¹`,
    /// `ψ_g = Σ_{r∈g} x₂_r ê₂_r − Γ' Σ_{r∈g} x₁₀_r ê₁_r`, `Γ = (X₁₀'X₁₀)⁻¹ X₁'X₂`, where `X₁` is
    /// the stage-1 design (unit and period dummies, controls) on the kept rows, `X₁₀` its rows in
    /// the stage-1 sample, `ê₁ = ỹ` on the stage-1 rows and `ê₂` the stage-2 residual. No
    /// small-sample factor (the did2s convention). `Γ'x₁₀_r` is computed as the stage-1 fit of
    /// each stage-2 column (units partialled out exactly), never as a dense `(N + T)²` inverse.
    /// - Parameters:
    ///   - names: the terms, for errors.
    ///   - clusterIndex: dense cluster of each row, `0..<clusterCapacity`.
    /// - Throws: ``EstimationError/singularDesign(terms:)`` when `X₂'X₂` is singular,
    ///   ``EstimationError/tooFewClusters(name:count:)`` with fewer than two clusters in use.
    func regress(_ design: [[Double]], names: [String], panel: Panel, clusterIndex: [Int32], clusterCapacity: Int,
                 clusterName: String) throws -> TwoStageRegression {
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

/// Stage 2 of ``TwoStageFirstStage/regress(_:names:panel:clusterIndex:clusterCapacity:clusterName:)``:
/// the coefficients, their row-major GMM-corrected variance (no small-sample factor), the clusters
/// and rows (kept rows) used, `Σ ê₂²` and `Σ ỹ²` over the kept rows.
struct TwoStageRegression {
    let coefficients: [Double], variance: [Double], clusterCount: Int, observationCount: Int
    let residualSumOfSquares: Double, totalSumOfSquares: Double

    /// The variance as a ``VarianceEstimate`` of `type`, with t(G − 1).
    func varianceEstimate(_ type: VarianceType) -> VarianceEstimate {
        VarianceEstimate(type: type, matrix: variance, parameterCount: coefficients.count, correctionFactor: 1,
                         degreesOfFreedom: Double(clusterCount - 1), clusterCount: clusterCount)
    }
}
