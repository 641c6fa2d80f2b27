/// The imputation estimator of Borusyak, Jaravel & Spiess (2024, "Revisiting Event-Study
/// Designs", ReStud), with Stata `did_imputation`'s conventions.
///
/// 1. **Fit `Y(0)` on untreated observations** `Ω₀ = {D_it = 0}`:
///    `Y_it = α_i + λ_t + γ'X_it + ε_it`, solved exactly: covariates by least squares on the
///    two-way demeaned columns (``TwoWayWithin`` on `Ω₀`, ``LeastSquaresFit``), then the
///    fixed effects from `(D₀'D₀) δ = D₀'(Y − Xγ̂)` (``TwoWayNormalEquations``). did_imputation
///    iterates both to a tolerance (about 1e-8 off); this is the least-squares solution.
/// 2. **Impute** `Ŷ_it(0) = α̂_i + λ̂_t + γ̂'X_it` and `τ̂_it = Y_it − Ŷ_it(0)` for treated
///    observations. Those whose unit or period has no untreated observation in the same
///    connected component cannot be imputed; they are dropped and counted in the notes
///    (did_imputation's `autosample`).
/// 3. **Average**: the overall ATT `τ̂ = Σ w_it τ̂_it` with `w_it = 1/N₁` (term "att"); event
///    time `h` with `w_it = 1{K_it = h}/N_h` (terms "e+0", …), `K_it = t − g_i` on the grid.
///
/// **Standard errors** (BJS Theorem 3, did_imputation's default): the estimator is linear,
/// `τ̂_w = Σ_{Ω₁} w Y + Σ_{Ω₀} v Y` with imputation weights `v₀ = −Z₀(Z₀'Z₀)⁻Z₁'w`
/// (computed exactly, see `ImputationEstimator+Variance.swift`), and
/// `V̂_ab = Σ_c (Σ_{it∈c} v^a_it ε̃^a_it)(Σ_{it∈c} v^b_it ε̃^b_it)` over clusters `c`, where
/// `ε̃` is the step-1 residual on `Ω₀` and `τ̂_it − τ̃_it` on `Ω₁`. The auxiliary `τ̃` averages
/// `τ̂` within cohort × period cells (did_imputation `avgeffectsby(Ei t)`), weighted by
/// `v_it · Σ_{js ∈ cell ∩ cluster(it)} v_js` (equal weights within a cell when clustering by
/// unit). The variance is conservative under heterogeneity within cells; no small-sample
/// factor; p-values and intervals from the normal (did_imputation posts no df).
///
/// The pre-trend test (BJS Test 1, did_imputation `pretrends(P)`) is in
/// `ImputationEstimator+PreTrend.swift`.
public struct ImputationEstimator: Sendable {
    /// Which event-time effects to report besides the overall ATT.
    public enum Horizons: Sendable, Equatable {
        /// Only the overall ATT.
        case none
        /// Every non-negative event time with imputed treated observations (did_imputation `allhorizons`).
        case all
        /// These event times (did_imputation `horizons(numlist)`); absent ones are noted and skipped.
        case list([Int])
    }

    /// Groups within which `τ̂` is averaged into the auxiliary `τ̃` of the variance.
    public enum EffectAveraging: String, Sendable, CaseIterable {
        /// Cohort × period cells (did_imputation's default `avgeffectsby(Ei t)`).
        case cohortPeriod
        /// All treated observations together (`avgeffectsby(D)`): conservative under any heterogeneity.
        case treated
    }

    /// Event-time effects to report.
    public var horizons: Horizons
    /// Number of leads in the pre-trend test (0 = no test).
    public var preTrendLeads: Int
    /// Variance: `.cluster(name)` (default: the panel's unit, did_imputation's default) or
    /// `.hetero` (every observation its own cluster). `.iid` is not defined for BJS.
    public var variance: VarianceType?
    /// Averaging groups of the auxiliary `τ̃`.
    public var averaging: EffectAveraging

    /// Creates the estimator; defaults: overall ATT only, no pre-trend test, clustered by unit,
    /// `τ̃` by cohort × period.
    public init(horizons: Horizons = .none, preTrendLeads: Int = 0, variance: VarianceType? = nil,
                averaging: EffectAveraging = .cohortPeriod) {
        self.horizons = horizons
        self.preTrendLeads = preTrendLeads
        self.variance = variance
        self.averaging = averaging
    }

    /// The estimate (method "bjs"): term "att", then the requested event times.
    /// - Throws: ``HeterogeneityRobustError`` when there are no untreated or no imputable treated
    ///   observations, ``EstimationError`` for unknown clusterings or invalid options.
    public func estimate(_ panel: Panel) throws -> Estimate {
        try fit(panel, backend: .processDefault, details: false).estimate
    }

    /// The estimate with the observation-level effects, weights and the pre-trend test.
    public func fit(_ panel: Panel) throws -> ImputationFit { try fit(panel, backend: .processDefault) }

    /// ``fit(_:)`` on the given kernels: with ``KernelBackend/fast`` and no covariates the
    /// layout-based solve of ``ImputationPrefixFit``, otherwise ``ImputationCore`` on a
    /// ``TwoWayWithin`` of the untreated rows with `backend`. Without `details` the fast path
    /// leaves ``ImputationFit/untreatedRows`` and ``ImputationFit/imputationWeights`` empty
    /// (``estimate(_:)`` needs neither).
    func fit(_ panel: Panel, backend: KernelBackend, details: Bool = true) throws -> ImputationFit {
        let method = "bjs"
        if preTrendLeads < 0 { throw EstimationError.invalidOption("\(method): pre-trend leads must be at least 0, got \(preTrendLeads)") }
        let variance = self.variance ?? .cluster(panel.unitName)
        let clusters = try ImputationEstimator.clusterIndex(panel: panel, variance: variance, method: method)
        let clusterOf = (index: clusters.index, count: clusters.count)
        let core: ImputationStepOne = ImputationPrefixFit.applies(to: panel, backend: backend)
            ? .prefix(try ImputationPrefixFit(panel: panel, method: method, listUntreatedRows: details))
            : .general(try ImputationCore(panel: panel, method: method, backend: backend))
        var notes = panel.notes + core.notes
        // Estimands: overall ATT, then event times.
        let treatedRows = core.treatedRows, effects = core.effects
        let n1 = treatedRows.count
        var terms = [Estimate.Term(name: "att")]
        var weights = [[Double]](repeating: [Double](repeating: 1 / Double(n1), count: n1), count: 1)
        if horizons != .none {
            let eventTime = treatedRows.map { row in
                Int(panel.periodIndex[row]) - Int(panel.adoptionPeriod[Int(panel.unitIndex[row])])
            }
            let requested: [Int]
            switch horizons {
            case .none: requested = []
            case .all: requested = Array(Set(eventTime)).sorted()
            case .list(let list): requested = list
            }
            var missing: [Int] = []
            for h in requested {
                let count = eventTime.lazy.filter { $0 == h }.count
                guard count > 0 else { missing.append(h); continue }
                terms.append(Estimate.Term(name: EventStudy.termName(h), eventTime: h))
                weights.append(eventTime.map { $0 == h ? 1 / Double(count) : 0 })
            }
            if !missing.isEmpty {
                notes.append("no imputed treated observations at event time " + missing.map(String.init).joined(separator: ", ")
                             + "; not reported")
            }
        }
        for (k, w) in weights.enumerated() {
            let effective = 1 / w.reduce(0) { $0 + $1 * $1 }
            if effective < 30 {
                notes.append("\(terms[k].name): effective number of treated observations \(Int(effective.rounded())) < 30 "
                             + "(did_imputation suppresses such terms by default); its standard error may be too small")
            }
        }
        let coefficients = weights.map { w in zip(w, effects).reduce(0) { $0 + $1.0 * $1.1 } }
        let inference: ImputationVariance
        switch core {
        case .prefix(let prefix):
            inference = ImputationVariance(prefix: prefix, panel: panel, weights: weights, clusterOf: clusterOf,
                                           unitCluster: clusters.unitCluster, averaging: averaging, keepWeights: details)
        case .general(let general):
            inference = ImputationVariance(core: general, panel: panel, weights: weights, clusterOf: clusterOf,
                                           averaging: averaging)
        }
        let untreatedCount = core.untreatedCount
        notes.append("BJS (2024) imputation: unit and period effects"
                     + (panel.covariates.isEmpty ? "" : " and covariates") + " fitted on \(untreatedCount) "
                     + "untreated observations by an exact least-squares solve; \(n1) treated observations imputed")
        notes.append("standard errors: BJS Theorem 3 conservative variance, " + variance.label.lowercased()
                     + ", τ̃ averaged by " + (averaging == .cohortPeriod ? "cohort × period" : "all treated")
                     + "; no small-sample factor; normal reference (did_imputation)")
        var preTrend: ImputationPreTrendTest?
        if preTrendLeads > 0 {
            let test = try ImputationPreTrendTest(panel: panel, leads: preTrendLeads, variance: variance)
            notes.append(test.summary)
            preTrend = test
        }
        let varianceEstimate = VarianceEstimate(type: variance, matrix: inference.matrix, parameterCount: 0,
                                                correctionFactor: 1, degreesOfFreedom: .infinity,
                                                clusterCount: inference.clusterCount)
        let sums = core.sumsOfSquares
        let estimate = Estimate(method: method, outcome: panel.outcomeName, terms: terms, coefficients: coefficients,
                                variance: varianceEstimate, droppedTerms: core.droppedCovariates,
                                observationCount: untreatedCount + n1, unitCount: panel.unitCount,
                                periodCount: panel.periodCount,
                                fixedEffects: [(panel.unitName, panel.unitCount), (panel.timeName, panel.periodCount)],
                                residualSumOfSquares: sums.residual,
                                withinRSquared: 1 - sums.residual / sums.withinTotal,
                                notes: notes)
        return ImputationFit(estimate: estimate, treatedRows: treatedRows, treatmentEffects: effects,
                             weights: weights, untreatedRows: core.untreatedRows,
                             imputationWeights: inference.imputationWeights, preTrend: preTrend)
    }

    /// Cluster of each row (the row itself for `.hetero`), and of each unit when every unit's
    /// rows lie in one cluster (``Clustering/unitCluster``).
    static func clusterIndex(panel: Panel, variance: VarianceType, method: String) throws
        -> (index: [Int32], count: Int, unitCluster: [Int32]?) {
        switch variance {
        case .iid:
            throw EstimationError.invalidOption("\(method): iid standard errors are not defined for the imputation "
                                                + "estimator; use cr1 (clustered, default: the unit) or hetero")
        case .hetero:
            return ((0..<panel.observationCount).map { Int32($0) }, panel.observationCount, nil)
        case .cluster(let name):
            let clustering = try panel.clustering(named: name)  // a column or an interaction A^B
            guard clustering.count >= 2 else { throw EstimationError.tooFewClusters(name: name, count: clustering.count) }
            return (clustering.index, clustering.count, clustering.unitCluster)
        case .twoWayCluster, .conley:
            throw EstimationError.invalidOption("\(method): the imputation estimator takes cr1 or hetero standard "
                                                + "errors, not \(variance.label)")
        case .cr2, .cr3:
            throw EstimationError.invalidOption("\(method): CR2 and CR3 are not defined for the imputation estimator; "
                                                + "use cr1 (clustered, default: the unit) or hetero")
        }
    }
}

/// What ``ImputationEstimator/fit(_:)`` returns.
public struct ImputationFit: Sendable {
    /// The estimate (method "bjs"): "att", then event times.
    public let estimate: Estimate
    /// Panel rows of the imputed treated observations, ascending.
    public let treatedRows: [Int]
    /// `τ̂_it = Y_it − Ŷ_it(0)`, aligned with ``treatedRows``.
    public let treatmentEffects: [Double]
    /// Estimand weights `w` on ``treatedRows``, one array per term of ``estimate``.
    public let weights: [[Double]]
    /// Panel rows of the untreated observations used to fit `Y(0)`, ascending.
    public let untreatedRows: [Int]
    /// Imputation weights `v` on ``untreatedRows``, one array per term (`τ̂ = Σ w Y₁ + Σ v Y₀`).
    public let imputationWeights: [[Double]]
    /// The pre-trend test, when leads were requested.
    public let preTrend: ImputationPreTrendTest?
}

/// Step 1 and 2 of the imputation estimator, by either path.
enum ImputationStepOne {
    /// No covariates, fast kernels (``ImputationPrefixFit``).
    case prefix(ImputationPrefixFit)
    /// Everything else (``ImputationCore``).
    case general(ImputationCore)

    var treatedRows: [Int] {
        switch self { case .prefix(let fit): fit.treatedRows; case .general(let core): core.treatedRows }
    }
    var untreatedRows: [Int] {
        switch self { case .prefix(let fit): fit.untreatedRows; case .general(let core): core.untreatedRows }
    }
    var untreatedCount: Int {
        switch self { case .prefix(let fit): fit.untreatedCount; case .general(let core): core.untreatedRows.count }
    }
    var effects: [Double] {
        switch self { case .prefix(let fit): fit.effects; case .general(let core): core.effects }
    }
    var notes: [String] {
        switch self { case .prefix(let fit): fit.notes; case .general(let core): core.notes }
    }
    var droppedCovariates: [String] {
        switch self { case .prefix: []; case .general(let core): core.droppedCovariates }
    }
    /// Residual sum of squares and the demeaned outcome's sum of squares (equal without covariates).
    var sumsOfSquares: (residual: Double, withinTotal: Double) {
        switch self {
        case .prefix(let fit): (fit.residualSumOfSquares, fit.residualSumOfSquares)
        case .general(let core): (core.fit.residualSumOfSquares, core.fit.withinTotalSumOfSquares)
        }
    }
}

/// Step 1 and 2 of the imputation estimator: the untreated fit and the imputed effects.
struct ImputationCore {
    let treatedRows: [Int]
    let untreatedRows: [Int]
    /// `τ̂` on ``treatedRows``.
    let effects: [Double]
    /// Within transformation, normal equations, demeaned covariates and fit on the untreated rows.
    let within: TwoWayWithin
    let equations: TwoWayNormalEquations
    let design: DemeanedDesign
    let fit: LeastSquaresFit
    /// Raw covariates of the kept terms: on untreated rows and on treated rows.
    let untreatedCovariates: [[Double]]
    let treatedCovariates: [[Double]]
    let droppedCovariates: [String]
    let notes: [String]

    init(panel: Panel, method: String, backend: KernelBackend) throws {
        var untreated: [Int] = [], treated: [Int] = []
        untreated.reserveCapacity(panel.observationCount)
        for row in 0..<panel.observationCount {
            if panel.isTreated(row: row) { treated.append(row) } else { untreated.append(row) }
        }
        guard !untreated.isEmpty else { throw HeterogeneityRobustError.noUntreatedObservations(method: method) }
        guard !treated.isEmpty else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        var notes: [String] = []
        // Which treated cells are identified: unit and period connected through untreated rows.
        let components = ImputationCore.components(panel: panel, rows: untreated)
        let imputable = treated.filter { row in
            let unit = Int(panel.unitIndex[row]), period = panel.unitCount + Int(panel.periodIndex[row])
            return components.hasRows[unit] && components.hasRows[period] && components.root[unit] == components.root[period]
        }
        guard !imputable.isEmpty else { throw HeterogeneityRobustError.nothingImputable(method: method, treated: treated.count) }
        if imputable.count < treated.count {
            notes.append("\(treated.count - imputable.count) treated observations dropped: their unit or period has no "
                         + "untreated observations to impute Y(0) from (did_imputation autosample)")
        }
        let within = TwoWayWithin(unitIndex: untreated.map { panel.unitIndex[$0] },
                                  periodIndex: untreated.map { panel.periodIndex[$0] },
                                  unitCount: panel.unitCount, periodCount: panel.periodCount, backend: backend)
        let equations = TwoWayNormalEquations(within: within)
        let design = DemeanedDesign(within: within, termNames: panel.covariateNames,
                                    outcome: untreated.map { panel.outcome[$0] },
                                    regressors: panel.covariates.map { column in untreated.map { column[$0] } })
        let fit = try LeastSquaresFit(design: design)
        if !fit.droppedTerms.isEmpty {
            notes.append("covariates collinear with the fixed effects on untreated observations, dropped: "
                         + fit.droppedTerms.joined(separator: ", "))
        }
        let keptColumns = fit.keptTerms.map { panel.covariates[$0] }
        let x0 = keptColumns.map { column in untreated.map { column[$0] } }
        let x1 = keptColumns.map { column in imputable.map { column[$0] } }
        // Fixed effects of r = Y − Xγ̂ on the untreated rows; impute.
        var r = untreated.map { panel.outcome[$0] }
        for (j, column) in x0.enumerated() {
            let gamma = fit.coefficients[j]
            for k in 0..<r.count { r[k] -= gamma * column[k] }
        }
        let effectsFE = equations.effects(of: r)
        var tau = [Double](repeating: 0, count: imputable.count)
        for (k, row) in imputable.enumerated() {
            var y0 = effectsFE.unit[Int(panel.unitIndex[row])] + effectsFE.period[Int(panel.periodIndex[row])]
            for (j, column) in x1.enumerated() { y0 += fit.coefficients[j] * column[k] }
            tau[k] = panel.outcome[row] - y0
        }
        self.treatedRows = imputable
        self.untreatedRows = untreated
        self.effects = tau
        self.within = within
        self.equations = equations
        self.design = design
        self.fit = fit
        self.untreatedCovariates = x0
        self.treatedCovariates = x1
        self.droppedCovariates = fit.droppedTerms
        self.notes = notes
    }

    /// Connected components of the bipartite unit–period graph of `rows` (union–find over
    /// `unitCount + periodCount` nodes; periods are offset by `unitCount`).
    static func components(panel: Panel, rows: [Int]) -> (root: [Int], hasRows: [Bool]) {
        let size = panel.unitCount + panel.periodCount
        var parent = Array(0..<size)
        var hasRows = [Bool](repeating: false, count: size)
        let unitIndex = panel.unitIndex, periodIndex = panel.periodIndex, unitCount = panel.unitCount
        // Path halving on a local buffer (a nested function capturing `parent` would make every
        // access a dynamically checked one).
        parent.withUnsafeMutableBufferPointer { parent in
            @inline(__always) func find(_ node: Int) -> Int {
                var node = node
                while parent[node] != node { parent[node] = parent[parent[node]]; node = parent[node] }
                return node
            }
            hasRows.withUnsafeMutableBufferPointer { hasRows in
                for row in rows {
                    let unit = Int(unitIndex[row]), period = unitCount + Int(periodIndex[row])
                    hasRows[unit] = true
                    hasRows[period] = true
                    let a = find(unit), b = find(period)
                    if a != b { parent[a] = b }
                }
            }
            for node in 0..<size { parent[node] = find(node) }
        }
        return (parent, hasRows)
    }
}
