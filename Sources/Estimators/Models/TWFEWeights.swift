/// The weights of de Chaisemartin & D'Haultfœuille (2020, Theorem 1) on the treated cells of a
/// static TWFE regression `y ~ treat | unit + time` without covariates.
///
/// With `ε_it` the residual of the regression of `D_it` on unit and period fixed effects (the
/// two-way demeaned treatment, exact on unbalanced panels through ``TwoWayWithin``) and
/// `N₁` treated observations, under parallel trends
/// `β̂_TWFE = Σ_{D_it = 1} c_it Δ_it`, `c_it = ε_it / Σ_{D=1} ε`, with `Σ_{D=1} c = 1`.
/// `c_it` is the contribution weight of treated cell `(i, t)` (Stata/R `twowayfeweights` with
/// the unit as group, diff-diff's `twowayfeweights(...).weights`); the paper's normalised weight
/// is `w_it = N₁ c_it` (mean 1 over treated cells). Negative `c` mean that TWFE can have the
/// opposite sign of every `Δ_it`. The robustness measure (Corollary 1)
/// `σ_fe = |β̂_TWFE| / σ(w)`, `σ(w)² = (1/N₁) Σ_{D=1} (w_it − 1)²`, is the smallest standard
/// deviation of the cell effects compatible with `β̂_TWFE` and an ATT of the opposite sign.
public struct TWFEWeights: Sendable {
    /// The weights of one treated (cohort, period) cell: units of a cohort share `ε` on a
    /// balanced panel, so cells summarise the unit-level weights.
    public struct Cell: Sendable, Equatable {
        /// Adoption index and label of the cohort.
        public let cohort: Int32, cohortLabel: String
        /// Period index and label.
        public let period: Int, periodLabel: String
        /// Treated observations in the cell.
        public let units: Int
        /// Mean contribution weight `c_it` of its observations.
        public let weight: Double
        /// Total contribution of the cell, `Σ c_it` (the cells' shares sum to 1).
        public let share: Double
    }

    /// Treated (cohort, period) cells, ordered by cohort then period.
    public let cells: [Cell]
    /// Number of treated observations `N₁`.
    public let treatedCount: Int
    /// Treated observations with a negative weight, and the sum of their weights.
    public let negativeCount: Int, negativeSum: Double
    /// Treated observations with a positive weight, and the sum of their weights.
    public let positiveCount: Int, positiveSum: Double
    /// `β̂_TWFE` of `y ~ treat | unit + time`.
    public let twfeCoefficient: Double
    /// `σ_fe = |β̂_TWFE| / σ(w)` (Corollary 1); infinite when all weights are equal.
    public let sigmaFE: Double
    /// Notes.
    public let notes: [String]

    /// Number of treated (cohort, period) cells with a negative weight.
    public var negativeCellCount: Int { cells.lazy.filter { $0.weight < 0 }.count }

    /// Computes the weights on `panel`.
    /// - Throws: ``HeterogeneityRobustError/covariatesNotSupported(method:covariates:)``,
    ///   ``HeterogeneityRobustError/noTreatedObservations(method:)`` or
    ///   ``HeterogeneityRobustError/noTreatmentVariation(method:)``.
    public init(panel: Panel) throws {
        let method = "twfe weights"
        guard panel.covariates.isEmpty else {
            throw HeterogeneityRobustError.covariatesNotSupported(method: method, covariates: panel.covariateNames)
        }
        let treatment = panel.treatmentColumn
        let within = TwoWayWithin(panel: panel)
        let residual = within.transform(treatment)
        var denominator = 0.0, treated = 0
        for row in 0..<panel.observationCount where treatment[row] == 1 { denominator += residual[row]; treated += 1 }
        guard treated > 0 else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        guard denominator > 0 else { throw HeterogeneityRobustError.noTreatmentVariation(method: method) }
        let beta = dot(residual, within.transform(panel.outcome)) / dot(residual, residual)
        // Signs with a tolerance: exact zeros come out as ±1e-17 from rounding.
        var largest = 0.0
        for row in 0..<panel.observationCount where treatment[row] == 1 { largest = max(largest, abs(residual[row])) }
        let tolerance = 1e-12 * largest / denominator
        var negative = 0, positive = 0, negativeSum = 0.0, positiveSum = 0.0, spread = 0.0
        var cellSums: [SIMD2<Int32>: (count: Int, sum: Double)] = [:]
        for row in 0..<panel.observationCount where treatment[row] == 1 {
            let c = residual[row] / denominator
            if c < -tolerance { negative += 1; negativeSum += c } else if c > tolerance { positive += 1; positiveSum += c }
            let w = Double(treated) * c
            spread += (w - 1) * (w - 1)
            let key = SIMD2<Int32>(panel.adoptionPeriod[Int(panel.unitIndex[row])], panel.periodIndex[row])
            let current = cellSums[key] ?? (0, 0)
            cellSums[key] = (current.count + 1, current.sum + c)
        }
        cells = cellSums.keys.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }.map { key in
            let entry = cellSums[key] ?? (0, 0)
            return Cell(cohort: key.x, cohortLabel: panel.adoptionLabel(key.x), period: Int(key.y),
                        periodLabel: panel.periodLabels[Int(key.y)], units: entry.count,
                        weight: entry.sum / Double(max(entry.count, 1)), share: entry.sum)
        }
        treatedCount = treated
        negativeCount = negative
        self.negativeSum = negativeSum
        positiveCount = positive
        self.positiveSum = positiveSum
        twfeCoefficient = beta
        let sd = (spread / Double(treated)).squareRoot()
        sigmaFE = sd > 0 ? abs(beta) / sd : .infinity
        var notes = panel.notes
        if !within.isBalanced { notes.append("unbalanced panel: ε from the exact two-way solve; cell weights are means") }
        notes.append("de Chaisemartin & D'Haultfœuille (2020) Theorem 1 weights with the unit as group; "
                     + "\(negative) of \(treated) treated observations have negative weights (sum \(negativeSum))")
        self.notes = notes
    }
}
