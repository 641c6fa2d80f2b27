/// The interaction-weighted event study of Sun & Abraham (2021), with R fixest's `sunab()`
/// conventions.
///
/// **Saturated regression.** With cohort `g` (adoption period) and relative period
/// `e = t − g` on the panel's period grid,
/// `y_it = Σ_{g ∉ C} Σ_{e ≠ −1} δ_{g,e} 1{g_i = g, t − g_i = e} + γ'X_it + μ_i + λ_t + ε_it`,
/// fitted through ``FixedEffectsRegression`` (the shared within-transformation core), so the
/// variance of the `δ` is the requested iid/hetero/CR1 with fixest's small-sample rules.
/// - Control cohorts `C` (no dummies): cohorts observed only before adoption (never treated,
///   or adopting after the sample ends), as fixest's `ref.c` default. With
///   ``ControlGroup/lastTreated`` the last-treated cohort joins `C` and every period from its
///   adoption on is dropped (Sun & Abraham's alternative when no unit is never treated).
/// - Cohorts observed only from adoption on ("always treated") are dropped, as fixest does.
/// - Reference period `e = −1` (fixest `ref.p = -1`); every other observed relative period,
///   leads included, gets a dummy. Interactions with no identifying variation are dropped as
///   collinear (fixest's rule, named in the notes) and leave the aggregation.
///
/// **Aggregation** (fixest `aggregate.fixest`, `summary(agg = "period")`): the event-time
/// effect is `β_e = Σ_g w_{g,e} δ_{g,e}` over the estimated interactions at `e`, with
/// cohort shares `w_{g,e} = n_{g,e} / Σ_{g'} n_{g',e}` counted in the estimation sample
/// (`n_{g,e}` = observations in the cell, the column sum of its dummy; with regression weights
/// the sum of the cell's weights, as fixest's `aggregate(use_weights = TRUE)` default). The overall ATT
/// (fixest `agg = "ATT"`) weights every post-period interaction (`e ≥ 0`) by `n_{g,e}/Σ n`.
/// With `W` the aggregation matrix, `β = Wδ` and `Var(β) = W V W'` with the full covariance
/// `V` of the interactions (delta method, exact since `β` is linear in `δ`). p-values and
/// intervals use the regression's t reference (t(G − 1) when clustered), as fixest does.
public struct SunAbraham: Sendable {
    /// Which cohorts serve as controls.
    public enum ControlGroup: String, Sendable, CaseIterable {
        /// Never-treated units (cohorts never observed treated); the default.
        case neverTreated = "never"
        /// The last-treated cohort (plus any never-treated units), on the periods before it adopts.
        case lastTreated = "last"
    }

    /// Control cohorts.
    public var control: ControlGroup
    /// Append the overall ATT as term "att" (no event time) after the event-time terms.
    public var includeOverallATT: Bool
    /// Variance and small-sample correction of the saturated regression.
    public var options: RegressionOptions

    /// Creates the estimator; defaults: never-treated controls, event-time terms only.
    public init(control: ControlGroup = .neverTreated, includeOverallATT: Bool = false,
                options: RegressionOptions = RegressionOptions()) {
        self.control = control
        self.includeOverallATT = includeOverallATT
        self.options = options
    }

    /// The aggregated event-time estimate (method "sa"): terms "e-4" … "e+3" with their event
    /// times, then "att" when ``includeOverallATT`` is set.
    /// - Throws: ``HeterogeneityRobustError`` for panels without treated or control cohorts, and
    ///   the regression's ``EstimationError``s.
    public func estimate(_ panel: Panel) throws -> Estimate { try fit(panel).estimate }

    /// The saturated regression, the aggregation weights and the aggregated estimate.
    ///
    /// The saturated regression takes the lean path (``SunAbrahamLeanRegression``: no dense
    /// dummy columns, memory of a few copies of the outcome) with the fast kernels and an iid or
    /// one-way CR1 variance, and the dense path through ``FixedEffectsRegression`` otherwise
    /// (hetero, CR2, CR3, two-way clustering, Conley, the reference kernels). Both give the same
    /// regression up to rounding.
    public func fit(_ panel: Panel) throws -> SunAbrahamFit { try fit(panel, path: .automatic) }

    /// How the saturated regression is computed (see ``fit(_:)``).
    enum RegressionPath: Sendable {
        /// The lean path where it serves the variance and backend, else the dense one.
        case automatic
        /// Dense 0/1 dummy columns through ``FixedEffectsRegression``.
        case dense
        /// ``SunAbrahamLeanRegression``; throws ``EstimationError/invalidOption(_:)`` where it does not serve.
        case lean
    }

    /// ``fit(_:)`` along a chosen path (the tests compare the two).
    func fit(_ panel: Panel, path: RegressionPath) throws -> SunAbrahamFit {
        let method = "sa"
        let design = try SunAbrahamDesign(panel: panel, control: control)
        let interactions: Estimate
        switch path {
        case .dense:
            interactions = try denseInteractions(design)
        case .lean:
            guard let lean = try SunAbrahamLeanRegression.fit(design: design, options: options) else {
                throw EstimationError.invalidOption("\(method): the lean regression does not serve \(options.variance.label) "
                                                    + "with the \(KernelBackend.processDefault) kernels")
            }
            interactions = lean
        case .automatic:
            interactions = try SunAbrahamLeanRegression.fit(design: design, options: options) ?? denseInteractions(design)
        }
        // Kept interaction cells, in the order of the saturated estimate's terms.
        let position = Dictionary(uniqueKeysWithValues: design.terms.enumerated().map { ($1.name, $0) })
        var keptCells: [(term: Int, cell: SunAbrahamFit.Cell)] = []
        for (index, term) in interactions.terms.enumerated() {
            guard let cellIndex = position[term.name] else { continue }   // a covariate
            keptCells.append((index, design.cells[cellIndex]))
        }
        guard !keptCells.isEmpty else { throw EstimationError.noIdentifiedTerms(dropped: interactions.droppedTerms) }
        // Aggregation rows: one per event time (ascending), then the ATT.
        let eventTimes = Array(Set(keptCells.map(\.cell.eventTime))).sorted()
        var rows: [(term: Estimate.Term, weights: [Double])] = []
        let m = interactions.terms.count
        for e in eventTimes {
            let atE = keptCells.filter { $0.cell.eventTime == e }
            let total = atE.reduce(0) { $0 + $1.cell.share }
            var weights = [Double](repeating: 0, count: m)
            for entry in atE { weights[entry.term] = entry.cell.share / total }
            rows.append((Estimate.Term(name: EventStudy.termName(e), eventTime: e), weights))
        }
        if includeOverallATT {
            let post = keptCells.filter { $0.cell.eventTime >= 0 }
            guard !post.isEmpty else {
                throw EstimationError.invalidOption("\(method): no post-treatment interaction is estimated, so the overall ATT is undefined")
            }
            let total = post.reduce(0) { $0 + $1.cell.share }
            var weights = [Double](repeating: 0, count: m)
            for entry in post { weights[entry.term] = entry.cell.share / total }
            rows.append((Estimate.Term(name: "att"), weights))
        }
        let aggregated = SunAbraham.aggregate(interactions, rows: rows, method: method,
                                              notes: ["Sun & Abraham (2021) interaction-weighted estimator (fixest sunab conventions): "
                                                      + (design.sample.regressionWeights == nil
                                                         ? "cohort-share weights n_{g,e}/Σn from the estimation sample; delta-method variance"
                                                         : "cohort-share weights Σw_{g,e}/Σw (regression weights, fixest's use_weights) "
                                                           + "from the estimation sample; delta-method variance")])
        return SunAbrahamFit(interactions: interactions, cells: keptCells.map(\.cell),
                             aggregation: rows.map(\.weights), estimate: aggregated)
    }

    /// The saturated regression with dense dummy columns (the plain form of the lean path).
    private func denseInteractions(_ design: SunAbrahamDesign) throws -> Estimate {
        try FixedEffectsRegression.fit(panel: design.sample, method: "sa-interactions", terms: design.terms,
                                       columns: design.denseColumns(), options: options, extraNotes: design.notes)
    }

    /// `β = W δ`, `V_β = W V W'` as an ``Estimate`` with the interactions' counts and df (CR2: each
    /// row's Satterthwaite df as a contrast `w_a'δ`; CR3: `G − 1` each, the weights held fixed).
    static func aggregate(_ source: Estimate, rows: [(term: Estimate.Term, weights: [Double])], method: String,
                          notes: [String]) -> Estimate {
        let m = source.terms.count, q = rows.count
        var coefficients = [Double](repeating: 0, count: q)
        var matrix = [Double](repeating: 0, count: q * q)
        let v = source.variance.matrix
        for (a, row) in rows.enumerated() {
            coefficients[a] = zip(row.weights, source.coefficients).reduce(0) { $0 + $1.0 * $1.1 }
            // (V w_a)
            var vw = [Double](repeating: 0, count: m)
            for i in 0..<m { var s = 0.0; for j in 0..<m where row.weights[j] != 0 { s += v[i * m + j] * row.weights[j] }; vw[i] = s }
            for (b, other) in rows.enumerated() where b <= a {
                var s = 0.0
                for i in 0..<m where other.weights[i] != 0 { s += other.weights[i] * vw[i] }
                matrix[a * q + b] = s
                matrix[b * q + a] = s
            }
        }
        let variance = VarianceEstimate(type: source.variance.type, matrix: matrix,
                                        parameterCount: source.variance.parameterCount,
                                        correctionFactor: source.variance.correctionFactor,
                                        degreesOfFreedom: source.variance.degreesOfFreedom,
                                        clusterCount: source.variance.clusterCount,
                                        termDegreesOfFreedom: source.variance.satterthwaite.map { contrasts in
                                            rows.map { contrasts.degreesOfFreedom(contrast: $0.weights) }
                                        } ?? source.variance.termDegreesOfFreedom.map { _ in
                                            rows.map { _ in source.variance.degreesOfFreedom }
                                        })
        var estimate = source
        estimate.method = method
        estimate.terms = rows.map(\.term)
        estimate.coefficients = coefficients
        estimate.variance = variance
        estimate.notes = source.notes + notes
        return estimate
    }
}

/// What ``SunAbraham/fit(_:)`` returns: the saturated regression and its aggregation.
public struct SunAbrahamFit: Sendable {
    /// One estimated cohort × relative-period interaction.
    public struct Cell: Sendable, Equatable {
        /// Adoption period index of the cohort (on the estimation sample's grid).
        public let cohort: Int32
        /// The cohort's label (its adoption period as in the data, e.g. "2006").
        public let cohortLabel: String
        /// Relative period `e = t − g`.
        public let eventTime: Int
        /// Observations in the cell, `n_{g,e}` (the share numerator without regression weights).
        public let count: Int
        /// Sum of the regression weights of the cell's observations, `Σ_{cell} w` (the share
        /// numerator with regression weights, as fixest's `aggregate(use_weights = TRUE)`); nil
        /// without weights.
        public let weightSum: Double?

        /// The share numerator: ``weightSum`` with regression weights, else ``count``.
        public var share: Double { weightSum ?? Double(count) }
    }

    /// The saturated regression (method "sa-interactions"): interaction terms named
    /// "e-2:g2006" with their event times, then covariates; full variance.
    public let interactions: Estimate
    /// The kept interactions, in the order of their terms in ``interactions``.
    public let cells: [Cell]
    /// Aggregation matrix `W`: one row per term of ``estimate``, one column per term of
    /// ``interactions`` (covariate columns are zero).
    public let aggregation: [[Double]]
    /// The aggregated event-time (and ATT) estimate, method "sa".
    public let estimate: Estimate
}

/// The saturated design: sample restrictions, interaction cells and the cell of each row (the
/// dummy columns only on request, ``denseColumns()``).
struct SunAbrahamDesign {
    let sample: Panel
    let cells: [SunAbrahamFit.Cell]
    let terms: [Estimate.Term]
    /// The interaction cell (index into ``cells``) of each row of ``sample``; −1 for rows in none
    /// (controls, reference period). Every row is in at most one cell.
    let cellOfRow: [Int32]
    let notes: [String]

    /// The cells' 0/1 dummy columns, one per cell, each of the sample's length.
    func denseColumns() -> [[Double]] {
        var columns = [[Double]](repeating: [Double](repeating: 0, count: sample.observationCount), count: cells.count)
        for (row, cell) in cellOfRow.enumerated() where cell >= 0 { columns[Int(cell)][row] = 1 }
        return columns
    }

    /// Observed relative-period range of each cohort (fixest classifies cohorts, not units).
    /// Rows are sorted by period within each unit, so a unit's range is its first and last row.
    static func relativeRanges(_ panel: Panel) -> [Int32: (low: Int, high: Int)] {
        var range: [Int32: (low: Int, high: Int)] = [:]
        for unit in 0..<panel.unitCount {
            let start = panel.unitStart[unit], end = panel.unitStart[unit + 1]
            let g = panel.adoptionPeriod[unit]
            guard start < end, g != Panel.neverTreated else { continue }
            let low = Int(panel.periodIndex[start]) - Int(g), high = Int(panel.periodIndex[end - 1]) - Int(g)
            if let current = range[g] { range[g] = (min(current.low, low), max(current.high, high)) } else { range[g] = (low, high) }
        }
        return range
    }

    init(panel: Panel, control: SunAbraham.ControlGroup) throws {
        let method = "sa"
        let range = SunAbrahamDesign.relativeRanges(panel)
        let alwaysTreated = Set(range.filter { $0.value.low >= 0 }.keys)
        let hasControl = panel.adoptionPeriod.contains(Panel.neverTreated) || range.values.contains { $0.high < 0 }
        let treatedCohorts = range.filter { $0.value.low < 0 && $0.value.high >= 0 }.keys.sorted()
        guard let lastCohort = treatedCohorts.last else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        var notes: [String] = []
        var periodLimit = Int32.max
        switch control {
        case .neverTreated:
            guard hasControl else { throw HeterogeneityRobustError.noControlCohort(method: method) }
            notes.append("control cohort: never treated (no interaction dummies)")
        case .lastTreated:
            // Dropping the periods from its adoption on leaves the last cohort with leads only,
            // which makes it a control (no dummies) like the never treated.
            periodLimit = lastCohort
            notes.append("control cohort: last treated (\(panel.adoptionLabel(lastCohort))); periods from "
                         + "\(panel.adoptionLabel(lastCohort)) on dropped")
        }
        var kept: [Int] = []
        kept.reserveCapacity(panel.observationCount)
        var droppedAlways = 0
        for unit in 0..<panel.unitCount {
            let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
            if alwaysTreated.contains(panel.adoptionPeriod[unit]) { droppedAlways += rows.count; continue }
            for row in rows where panel.periodIndex[row] < periodLimit { kept.append(row) }
        }
        if droppedAlways > 0 {
            notes.append("\(droppedAlways) observations of always-treated cohorts ("
                         + alwaysTreated.sorted().map { panel.adoptionLabel($0) }.joined(separator: ", ") + ") dropped")
        }
        let sample = kept.count == panel.observationCount ? panel
            : try panel.restrictedToRows(kept, note: nil, method: method, what: "the Sun–Abraham sample restrictions")
        let reference = Set(SunAbrahamDesign.relativeRanges(sample).filter { $0.value.high < 0 }.keys)
        // Cells (e, g), e ≠ −1, ordered by event time then cohort (fixest's i(period, cohort)),
        // counted in a (cohort, e) grid: a treated cohort adopts inside the grid, so
        // e = t − g lies in −(T − 1) ... T − 1.
        let periods = sample.periodCount, width = 2 * periods - 1
        let cohorts = Set(sample.adoptionPeriod.filter { $0 != Panel.neverTreated && !reference.contains($0) }).sorted()
        let slotOf = Dictionary(uniqueKeysWithValues: cohorts.enumerated().map { ($1, $0) })
        var counts = [Int](repeating: 0, count: cohorts.count * width)
        var weightSums = [Double](repeating: 0, count: cohorts.count * width)
        var slotOfRow = [Int32](repeating: -1, count: sample.observationCount)
        for unit in 0..<sample.unitCount {
            let g = sample.adoptionPeriod[unit]
            guard let slot = slotOf[g] else { continue }
            for row in sample.unitStart[unit]..<sample.unitStart[unit + 1] {
                let e = Int(sample.periodIndex[row]) - Int(g)
                guard e != -1 else { continue }
                precondition(e > -periods && e < periods, "a treated cohort adopts inside the period grid")
                let key = slot * width + e + periods - 1
                counts[key] += 1
                if let weights = sample.regressionWeights { weightSums[key] += weights[row] }
                slotOfRow[row] = Int32(key)
            }
        }
        var keys: [(key: Int, eventTime: Int, cohort: Int32)] = []
        for offset in 0..<width {
            for (slot, g) in cohorts.enumerated() where counts[slot * width + offset] > 0 {
                keys.append((slot * width + offset, offset - (periods - 1), g))
            }
        }
        guard !keys.isEmpty else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        var columnOf = [Int32](repeating: -1, count: cohorts.count * width)
        for (column, entry) in keys.enumerated() { columnOf[entry.key] = Int32(column) }
        let cellIndex = slotOfRow.map { $0 >= 0 ? columnOf[Int($0)] : -1 }
        var cells: [SunAbrahamFit.Cell] = []
        var terms: [Estimate.Term] = []
        for entry in keys {
            let label = sample.adoptionLabel(entry.cohort)
            cells.append(SunAbrahamFit.Cell(cohort: entry.cohort, cohortLabel: label, eventTime: entry.eventTime,
                                            count: counts[entry.key],
                                            weightSum: sample.regressionWeights == nil ? nil : weightSums[entry.key]))
            terms.append(Estimate.Term(name: EventStudy.termName(entry.eventTime) + ":g" + label, eventTime: entry.eventTime))
        }
        notes.append("reference period e-1; \(keys.count) cohort × relative-period interactions")
        self.sample = sample
        self.cells = cells
        self.terms = terms
        self.cellOfRow = cellIndex
        self.notes = notes
    }
}
