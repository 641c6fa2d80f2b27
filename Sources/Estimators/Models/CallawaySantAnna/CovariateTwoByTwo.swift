import Foundation

/// The panel 2×2 DiD estimators with covariates of Sant'Anna & Zhao's DRDID package, as R
/// `did` calls them for one ATT(g,t), with unit sampling weights `s` (DRDID's `i.weights`, divided
/// by their mean over the comparison; all one without weights):
///
/// With `n₁` units of the comparison (treated `D = 1` and comparison `D = 0`), `ΔY = Y_t − Y_base`,
/// `X` the covariates of the earlier period with an intercept:
/// - **reg** (`reg_did_panel`): `β̂` = weighted least squares of ΔY on X among D = 0 (weights
///   `s`), `ATT = Σ sD(ΔY − X'β̂)/Σ sD`.
/// - **ipw** (`std_ipw_did_panel`): logit `p̂(X)` (maximum likelihood with weights `s`, as R's
///   `glm(weights =)`), capped at `1 − 1e-6`; comparison units with `p̂ ≥ trim` (0.995) get weight
///   0; `w₁ = sD`, `w₀ = s p̂(1 − D)/(1 − p̂)`; `ATT = Σw₁ΔY/Σw₁ − Σw₀ΔY/Σw₀`.
/// - **dr** (`drdid_panel`): the same weights applied to `ΔY − X'β̂`.
///
/// Each returns the influence function of DRDID on the `n₁` units (its `mean(IF²)/n₁` is the
/// variance), including the estimation effect of `β̂` (linear representation
/// `s(1 − D)(ΔY − X'β̂)X'(X' diag(s(1 − D)) X/n₁)⁻¹`) and of the logit (score `s(D − p̂)X` times
/// `n₁ (X' diag(s p̂(1−p̂)) X)⁻¹`, the information at the final, capped scores as csdid). Every
/// weight enters as a factor that is exactly 1 without weights, so unweighted results do not
/// change by a bit.
///
/// R `did` marks a cell NA when the propensity score reaches 0.999 (no overlap) or a design is
/// singular; DiDLab reports the cell as not estimable there (``CellFailure``), and also when
/// the logit has no maximum-likelihood estimate (separation), where R's `glm` stops after 25
/// iterations with a warning and R `did` goes on with that unconverged fit unless it reaches 0.999.
struct CovariateTwoByTwo {
    /// Regressors including the intercept.
    let dimension: Int
    /// Row-major `n₁ × p` design (intercept first).
    var design: [Double]
    /// Outcome changes.
    var change: [Double]
    /// 1 for the treated cohort, 0 for comparison units.
    var treated: [Double]
    /// Sampling weight of each unit (1 without weights); ``estimate(method:trimLevel:)`` divides
    /// them by their mean when ``isWeighted``.
    var weight: [Double]
    /// Whether ``weight`` holds sampling weights (else every weight is 1).
    var isWeighted = false
    /// Influence function on the `n₁` units (output).
    var influence: [Double]
    /// Units in the comparison (`n₁`).
    var count = 0
    /// Largest fitted propensity score of the last ipw/dr estimate (output; 0 for reg).
    var largestScore = 0.0

    init(capacity: Int, covariateCount: Int) {
        dimension = covariateCount + 1
        design = [Double](repeating: 0, count: capacity * dimension)
        change = [Double](repeating: 0, count: capacity)
        treated = [Double](repeating: 0, count: capacity)
        weight = [Double](repeating: 1, count: capacity)
        influence = [Double](repeating: 0, count: capacity)
    }

    /// Estimates ATT and fills ``influence``; throws a reason when the cell is not estimable.
    mutating func estimate(method: CallawaySantAnnaOptions.EstimationMethod, trimLevel: Double) throws(CellFailure) -> Double {
        if isWeighted {
            // DRDID's `i.weights / mean(i.weights)` within the comparison.
            var total = 0.0
            for i in 0..<count { total += weight[i] }
            let mean = total / Double(count)
            for i in 0..<count { weight[i] /= mean }
        }
        switch method {
        case .outcomeRegression: return try outcomeRegression()
        case .inverseProbabilityWeighting: return try weighting(regression: false, trimLevel: trimLevel)
        case .doublyRobust: return try weighting(regression: true, trimLevel: trimLevel)
        }
    }

    /// A reason why a cell cannot be estimated.
    struct CellFailure: Error { let reason: String }

    /// `(X'SX/n₁)⁻¹` over the comparison units (`S` the sampling weights), and the weighted
    /// least-squares fit `X'β̂` for every unit.
    private func comparisonRegression() throws(CellFailure) -> (inverse: [Double], fitted: [Double]) {
        let p = dimension, n = count
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        for i in 0..<n where treated[i] == 0 {
            let row = i * p, w = weight[i]
            for r in 0..<p {
                let weighted = w * design[row + r]
                moment[r] += weighted * change[i]
                for c in 0...r { gram[r * p + c] += weighted * design[row + c] }
            }
        }
        for r in 0..<p {
            for c in 0...r {
                gram[r * p + c] /= Double(n)
                gram[c * p + r] = gram[r * p + c]
            }
            moment[r] /= Double(n)
        }
        guard SmallLinearAlgebra.invertPositiveDefinite(&gram, dimension: p) else {
            throw CellFailure(reason: "the covariates of the comparison units are collinear")
        }
        let beta = SmallLinearAlgebra.multiply(gram, moment, dimension: p)
        var fitted = [Double](repeating: 0, count: n)
        for i in 0..<n { fitted[i] = rowDot(i, beta) }
        return (gram, fitted)
    }

    @inline(__always)
    private func rowDot(_ i: Int, _ vector: [Double]) -> Double {
        var value = 0.0
        for k in 0..<dimension { value += design[i * dimension + k] * vector[k] }
        return value
    }

    /// DRDID `reg_did_panel`.
    private mutating func outcomeRegression() throws(CellFailure) -> Double {
        let p = dimension, n = count
        let (inverse, fitted) = try comparisonRegression()
        var treatedCount = 0.0, sumChange = 0.0, sumFitted = 0.0
        var m1 = [Double](repeating: 0, count: p)
        for i in 0..<n where treated[i] == 1 {
            let w = weight[i]
            treatedCount += w
            sumChange += w * change[i]
            sumFitted += w * fitted[i]
            for k in 0..<p { m1[k] += w * design[i * p + k] }
        }
        guard treatedCount > 0 else { throw CellFailure(reason: "no treated units") }
        let etaTreat = sumChange / treatedCount, etaControl = sumFitted / treatedCount
        for k in 0..<p { m1[k] /= Double(n) }
        let a1 = SmallLinearAlgebra.multiply(inverse, m1, dimension: p)
        let meanTreated = treatedCount / Double(n)
        for i in 0..<n {
            if treated[i] == 1 {
                influence[i] = weight[i] * ((change[i] - etaTreat) - (fitted[i] - etaControl)) / meanTreated
            } else {
                influence[i] = -(weight[i] * (change[i] - fitted[i])) * rowDot(i, a1) / meanTreated
            }
        }
        return etaTreat - etaControl
    }

    /// DRDID `std_ipw_did_panel` (`regression == false`) and `drdid_panel` (`true`).
    private mutating func weighting(regression: Bool, trimLevel: Double) throws(CellFailure) -> Double {
        let p = dimension, n = count
        largestScore = 0
        guard let fit = SmallLinearAlgebra.logit(x: design, response: treated, count: n, dimension: p,
                                                 weights: isWeighted ? weight : nil) else {
            throw CellFailure(reason: "the propensity-score logit is singular (collinear covariates)")
        }
        var score = [Double](repeating: 0, count: n)
        var largest = 0.0
        for i in 0..<n {
            let probability = 1 / (1 + exp(-rowDot(i, fit.coefficients)))
            largest = max(largest, probability)
            score[i] = min(probability, 1 - 1e-6)
        }
        guard largest < 0.999 else {
            throw CellFailure(reason: "overlap fails: the covariates separate the cohort from its comparison units, "
                              + "a propensity score reaches 0.999; R did reports NA")
        }
        guard fit.converged else {
            throw CellFailure(reason: "the propensity-score logit has no maximum-likelihood estimate: quasi-complete "
                              + "separation, some comparison units' scores go to 0 without converging")
        }
        largestScore = largest
        // Vectorised cross products over a column-major copy of the design.
        let columns = SmallLinearAlgebra.columnMajor(design, count: n, dimension: p)
        var information = SmallLinearAlgebra.weightedCrossProducts(
            columns: columns, weights: (0..<n).map { weight[$0] * (score[$0] * (1 - score[$0])) }, count: n, dimension: p)
        guard SmallLinearAlgebra.invertPositiveDefinite(&information, dimension: p) else {
            throw CellFailure(reason: "the propensity-score information matrix is singular")
        }
        var inverse = [Double](repeating: 0, count: 0), fitted = [Double](repeating: 0, count: n)
        if regression { (inverse, fitted) = try comparisonRegression() }

        // Weights and means.
        var weightTreated = [Double](repeating: 0, count: n), weightControl = [Double](repeating: 0, count: n)
        var sumWT = 0.0, sumWC = 0.0, sumT = 0.0, sumC = 0.0
        for i in 0..<n {
            let residual = change[i] - fitted[i]
            if treated[i] == 1 {
                weightTreated[i] = weight[i]
                sumWT += weight[i]
                sumT += weight[i] * residual
            } else if score[i] < trimLevel {
                weightControl[i] = weight[i] * (score[i] / (1 - score[i]))
                sumWC += weightControl[i]
                sumC += weightControl[i] * residual
            }
        }
        guard sumWT > 0, sumWC > 0 else { throw CellFailure(reason: "no treated or no untrimmed comparison units") }
        let etaTreat = sumT / sumWT, etaControl = sumC / sumWC
        let meanWT = sumWT / Double(n), meanWC = sumWC / Double(n)

        // Moments for the estimation effects: M1 = mean(w₁X), M2 = mean(w₀(ΔY − X'β̂ − η₀)X), M3 = mean(w₀X).
        var weightedResidual = [Double](repeating: 0, count: n)
        for i in 0..<n { weightedResidual[i] = weightControl[i] * (change[i] - fitted[i] - etaControl) }
        var m1 = SmallLinearAlgebra.weightedColumnSums(columns: columns, weights: weightTreated, count: n, dimension: p)
        var m2 = SmallLinearAlgebra.weightedColumnSums(columns: columns, weights: weightedResidual, count: n, dimension: p)
        var m3 = SmallLinearAlgebra.weightedColumnSums(columns: columns, weights: weightControl, count: n, dimension: p)
        for k in 0..<p { m1[k] /= Double(n); m2[k] /= Double(n); m3[k] /= Double(n) }
        // Hessian_ps = n (X'WX)⁻¹, so asy.lin.rep.ps · M2 = (D − p̂) X'(n (X'WX)⁻¹ M2).
        var u = SmallLinearAlgebra.multiply(information, m2, dimension: p)
        for k in 0..<p { u[k] *= Double(n) }
        let a1 = regression ? SmallLinearAlgebra.multiply(inverse, m1, dimension: p) : []
        let a3 = regression ? SmallLinearAlgebra.multiply(inverse, m3, dimension: p) : []

        for i in 0..<n {
            let residual = change[i] - fitted[i]
            let olsTerm = regression && treated[i] == 0 ? weight[i] * residual : 0
            var infTreat = weightTreated[i] * (residual - etaTreat)
            var infControl = weightControl[i] * (residual - etaControl) + weight[i] * (treated[i] - score[i]) * rowDot(i, u)
            if olsTerm != 0 {
                infTreat -= olsTerm * rowDot(i, a1)
                infControl -= olsTerm * rowDot(i, a3)
            }
            influence[i] = infTreat / meanWT - infControl / meanWC
        }
        return etaTreat - etaControl
    }
}
