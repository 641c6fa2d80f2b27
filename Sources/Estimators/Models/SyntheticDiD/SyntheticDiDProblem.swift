import Foundation

/// A balanced panel laid out for synthetic DiD: the outcome matrix (unit-major), the never-treated
/// units and one block per adoption cohort, with the weight fit of a block (R synthdid's
/// `synthdid_estimate` without covariates).
struct SyntheticDiDProblem: Sendable {
    /// One adoption cohort: its adoption period index (= its number of pre-periods) and its units.
    struct Block: Sendable {
        let adoption: Int
        let treated: [Int]
    }

    /// The tuning a refit keeps from the original fit (R's `opts`) and the weights it starts from.
    struct WarmStart {
        let omega: [Double]
        let lambda: [Double]
        let zetaOmega: Double
        let zetaLambda: Double
        let minDecrease: Double
    }

    /// Weights, tuning and estimate of one block.
    struct Fit: Sendable {
        var omega: [Double]
        var lambda: [Double]
        var estimate: Double
        var noiseLevel: Double
        var zetaOmega: Double
        var zetaLambda: Double
        var minDecrease: Double
        var omegaIterations: Int
        var lambdaIterations: Int
    }

    /// Outcomes, `y[unit * periodCount + period]`.
    let outcomes: [Double]
    let unitCount: Int
    let periodCount: Int
    /// Never-treated units (and units adopting after the last period), in unit order.
    let controls: [Int]
    /// Cohorts by adoption period.
    let cohorts: [Block]
    /// Units adopting after the last period (used as never treated).
    let laterThanPanel: Int

    /// R's defaults: first pass 100 steps, second pass 10⁴, ζ_λ = 10⁻⁶ σ̂, min.decrease = 10⁻⁵ σ̂.
    static let stepsBeforeSparsify = 100
    static let maxSteps = 10_000

    /// Lays `panel` out.
    /// - Throws: ``SyntheticDiDError`` for an unbalanced panel, covariates, no treated or no
    ///   never-treated units, or a cohort with fewer than two pre-periods.
    init(panel: Panel) throws {
        guard panel.isBalanced else {
            throw SyntheticDiDError.unbalancedPanel(observations: panel.observationCount, units: panel.unitCount,
                                                    periods: panel.periodCount)
        }
        guard panel.covariateNames.isEmpty else { throw SyntheticDiDError.covariates(panel.covariateNames) }
        let periods = panel.periodCount
        var controls: [Int] = [], byCohort: [Int: [Int]] = [:], later = 0
        for unit in 0..<panel.unitCount {
            let adoption = panel.adoptionPeriod[unit]
            if adoption == Panel.neverTreated {
                controls.append(unit)
            } else if Int(adoption) >= periods {
                controls.append(unit)
                later += 1
            } else {
                byCohort[Int(adoption), default: []].append(unit)
            }
        }
        guard !byCohort.isEmpty else { throw SyntheticDiDError.noTreatedUnits }
        guard !controls.isEmpty else { throw SyntheticDiDError.noNeverTreatedUnits }
        let cohorts = byCohort.keys.sorted().map { Block(adoption: $0, treated: byCohort[$0] ?? []) }
        for block in cohorts where block.adoption < 2 {
            let label = block.adoption >= 0 ? panel.periodLabels[block.adoption] : "a period before the panel"
            throw SyntheticDiDError.tooFewPrePeriods(cohort: label, periods: max(block.adoption, 0))
        }
        outcomes = panel.outcome
        unitCount = panel.unitCount
        periodCount = periods
        self.controls = controls
        self.cohorts = cohorts
        laterThanPanel = later
        for block in cohorts where !Self.noiseLevel(outcomes, periods: periods, units: controls, pre: block.adoption).isFinite {
            throw SyntheticDiDError.tooFewPrePeriods(cohort: panel.periodLabels[block.adoption], periods: block.adoption)
        }
    }

    @inline(__always) func y(_ unit: Int, _ period: Int) -> Double { outcomes[unit * periodCount + period] }

    /// σ̂: the standard deviation (n − 1) of `y[i, t+1] − y[i, t]` over `units` and `t + 1 < pre`.
    static func noiseLevel(_ outcomes: [Double], periods: Int, units: [Int], pre: Int) -> Double {
        var differences: [Double] = []
        differences.reserveCapacity(units.count * max(pre - 1, 0))
        for unit in units {
            for t in 0..<max(pre - 1, 0) {
                differences.append(outcomes[unit * periods + t + 1] - outcomes[unit * periods + t])
            }
        }
        guard differences.count >= 2 else { return .nan }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let squares = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(differences.count - 1)).squareRoot()
    }

    /// Cohort shares `N_tr,a T_post,a / Σ`, from the cohorts' treated counts (zero: left out).
    func shares(treatedCounts: [Int]) -> [Double] {
        let cells = zip(cohorts, treatedCounts).map { Double($1 * (periodCount - $0.adoption)) }
        let total = cells.reduce(0, +)
        return cells.map { $0 / total }
    }

    /// The weights and estimate of `block` against all never-treated units: R's defaults, or the
    /// refit of R's placebo and bootstrap when `warmStart` is given.
    func fit(_ block: Block, warmStart: WarmStart?) -> Fit {
        fit(controls: controls, treated: block.treated, pre: block.adoption, warmStart: warmStart)
    }

    /// The weights and estimate of the block `controls` (rows, repeats allowed) and `treated`
    /// over all periods, `pre` of them before adoption.
    func fit(controls: [Int], treated: [Int], pre: Int, warmStart: WarmStart?) -> Fit {
        let post = periodCount - pre
        let n0 = controls.count, n1 = treated.count
        let noise: Double, zetaOmega: Double, zetaLambda: Double, minDecrease: Double
        if let warmStart {
            noise = .nan
            (zetaOmega, zetaLambda, minDecrease) = (warmStart.zetaOmega, warmStart.zetaLambda, warmStart.minDecrease)
        } else {
            noise = Self.noiseLevel(outcomes, periods: periodCount, units: controls, pre: pre)
            zetaOmega = pow(Double(n1 * post), 0.25) * noise
            zetaLambda = 1e-6 * noise
            minDecrease = 1e-5 * noise
        }
        // Collapsed form: controls × pre-periods, the controls' post mean, the treated pre means.
        var lambdaMatrix = [Double](repeating: 0, count: n0 * (pre + 1))
        for (row, unit) in controls.enumerated() {
            for t in 0..<pre { lambdaMatrix[row * (pre + 1) + t] = y(unit, t) }
            var sum = 0.0
            for t in pre..<periodCount { sum += y(unit, t) }
            lambdaMatrix[row * (pre + 1) + pre] = sum / Double(post)
        }
        var omegaMatrix = [Double](repeating: 0, count: pre * (n0 + 1))
        for t in 0..<pre {
            for (column, unit) in controls.enumerated() { omegaMatrix[t * (n0 + 1) + column] = y(unit, t) }
            var sum = 0.0
            for unit in treated { sum += y(unit, t) }
            omegaMatrix[t * (n0 + 1) + n0] = sum / Double(n1)
        }
        let lambdaProblem = FrankWolfeWeights(rows: n0, count: pre, matrix: lambdaMatrix, intercept: true)
        let omegaProblem = FrankWolfeWeights(rows: pre, count: n0, matrix: omegaMatrix, intercept: true)
        let lambda = Self.twoPass(lambdaProblem, zeta: zetaLambda, start: warmStart?.lambda, minDecrease: minDecrease)
        let omega = Self.twoPass(omegaProblem, zeta: zetaOmega, start: warmStart?.omega, minDecrease: minDecrease)
        let estimate = self.estimate(controls: controls, treated: treated, pre: pre, omega: omega.weights, lambda: lambda.weights)
        return Fit(omega: omega.weights, lambda: lambda.weights, estimate: estimate, noiseLevel: noise, zetaOmega: zetaOmega,
                   zetaLambda: zetaLambda, minDecrease: minDecrease, omegaIterations: omega.iterations,
                   lambdaIterations: lambda.iterations)
    }

    /// 100 steps, sparsify, then up to 10⁴ steps (R's `synthdid_estimate`).
    static func twoPass(_ problem: FrankWolfeWeights, zeta: Double, start: [Double]?, minDecrease: Double)
        -> (weights: [Double], iterations: Int) {
        let first = problem.solve(zeta: zeta, start: start, minDecrease: minDecrease, maxIterations: stepsBeforeSparsify)
        let second = problem.solve(zeta: zeta, start: FrankWolfeWeights.sparsify(first.weights), minDecrease: minDecrease,
                                   maxIterations: maxSteps)
        return (second.weights, second.values.count)
    }

    /// τ̂ = (−ω, 1/N1)ᵀ Y (−λ, 1/T1) on the block.
    func estimate(controls: [Int], treated: [Int], pre: Int, omega: [Double], lambda: [Double]) -> Double {
        let post = Double(periodCount - pre), n1 = Double(treated.count)
        var total = 0.0
        for t in 0..<periodCount {
            var column = 0.0
            for (k, unit) in controls.enumerated() { column += -omega[k] * y(unit, t) }
            for unit in treated { column += y(unit, t) / n1 }
            total += column * (t < pre ? -lambda[t] : 1 / post)
        }
        return total
    }

    /// `Σ_t c_t y[unit, t]` with `c = (−λ, 1/T1)`: the unit's post mean minus its λ-weighted pre mean.
    func contrast(_ unit: Int, pre: Int, lambda: [Double]) -> Double {
        let post = Double(periodCount - pre)
        var value = 0.0
        for t in 0..<periodCount { value += y(unit, t) * (t < pre ? -lambda[t] : 1 / post) }
        return value
    }
}
