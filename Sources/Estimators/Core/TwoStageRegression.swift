/// Gardner's (2021) two stages on a given stage-1 sample, shared by ``GardnerTwoStage`` (stage 1
/// on `D = 0`) and the spillover rings' two-stage estimator (stage 1 on `D = 0` outside the rings).
///
/// Stage 1 fits `y_it = μ_i + λ_t + γ'X_it` on the rows of the stage-1 sample (exactly, by
/// ``FirstStageSystem``) and residualizes every row whose unit and period have stage-1 rows
/// (the *kept* rows): `ỹ_it = y_it − μ̂_i − λ̂_t − γ̂'X_it`. Rows of units or periods without a
/// stage-1 row cannot be residualized and are left out of stage 2 (R `did2s` drops them as NA).
///
/// Kernels (``KernelBackend``, chosen at `init`): ``KernelBackend/fast`` groups the stage-1 units
/// by their pattern of stage-1 periods (``FirstStageSystem``), forms the stage-2 normal equations
/// on the rows where the design is non-zero only, solves the stage-1 projections of all stage-2
/// columns (the `Γ` of the variance) as one multi-right-hand-side solve, and then makes a single
/// pass over the kept rows (``StageTwoPass``); ``KernelBackend/reference`` is the plain twin
/// (``ReferenceTwoStage``: stored `ỹ`, dense columns, one stage-1 refit per column).
struct TwoStageFirstStage {
    /// Rows of the stage-1 sample.
    let firstStage: [Bool]
    /// Units with stage-1 rows.
    let unitCount: Int
    /// Periods with stage-1 rows.
    let periodCount: Int
    /// Number of stage-1 rows.
    let firstStageCount: Int
    /// Controls in stage 1.
    let covariateCount: Int
    /// Which pivots of the stage-1 Schur complement (the panel's periods, then the controls) were
    /// kept by the dropping Cholesky.
    let pivotKept: [Bool]
    /// The stage-1 fit, of the chosen backend.
    private let solver: Solver

    private enum Solver {
        /// The system, the outcome's `α` (per unit) and `(λ, γ)`, the panel's unit and period indices.
        case fast(FirstStageSystem, alpha: [Double], effects: [Double], unitIndex: [Int32], periodIndex: [Int32])
        /// The system, the kept rows and `ỹ` (0 off the kept rows).
        case reference(ReferenceFirstStageSystem, kept: [Bool], residualized: [Double])
    }

    /// Numerical rank of the stage-1 system (periods and controls, units partialled out).
    var rank: Int { pivotKept.lazy.filter { $0 }.count }

    /// Rank of the stage-1 system when the fixed effects are connected and no control is
    /// collinear with them: `T₁ + k − 1` (`T₁` the periods with stage-1 rows).
    var expectedRank: Int { periodCount + covariateCount - 1 }

    /// Fits stage 1 on the rows where `firstStage` is true.
    init(panel: Panel, firstStage: [Bool], backend: KernelBackend = .processDefault) {
        let n = panel.observationCount
        precondition(firstStage.count == n)
        self.firstStage = firstStage
        covariateCount = panel.covariates.count
        switch backend {
        case .reference:
            var unitRows = [Int](repeating: 0, count: panel.unitCount), periodRows = [Int](repeating: 0, count: panel.periodCount)
            for row in 0..<n where firstStage[row] {
                unitRows[Int(panel.unitIndex[row])] += 1
                periodRows[Int(panel.periodIndex[row])] += 1
            }
            let kept = (0..<n).map { unitRows[Int(panel.unitIndex[$0])] > 0 && periodRows[Int(panel.periodIndex[$0])] > 0 }
            let (system, residualized) = ReferenceTwoStage.residualize(panel: panel, firstStage: firstStage, kept: kept)
            firstStageCount = unitRows.reduce(0, +)
            unitCount = unitRows.filter { $0 > 0 }.count
            periodCount = periodRows.filter { $0 > 0 }.count
            pivotKept = system.schur.kept
            solver = .reference(system, kept: kept, residualized: residualized)
        case .fast:
            let system = FirstStageSystem(panel: panel, mask: firstStage, outcome: panel.outcome)
            var (alpha, effects) = system.outcomeMoments
            system.solve(units: &alpha, rest: &effects, count: 1)
            firstStageCount = Int(system.unitRows.reduce(0, +))
            unitCount = system.unitRows.lazy.filter { $0 > 0 }.count
            periodCount = system.periodRows.lazy.filter { $0 > 0 }.count
            pivotKept = system.schur.kept
            solver = .fast(system, alpha: alpha, effects: effects, unitIndex: panel.unitIndex, periodIndex: panel.periodIndex)
        }
    }

    /// Whether `column` is non-zero on some kept row (else its stage-2 term is not identified).
    func isIdentified(_ column: [Double]) -> Bool {
        precondition(column.count == firstStage.count)
        switch solver {
        case let .reference(_, kept, _):
            return column.indices.contains { kept[$0] && column[$0] != 0 }
        case let .fast(system, _, _, unitIndex, periodIndex):
            return column.withUnsafeBufferPointer { column in
                for row in 0..<column.count where column[row] != 0
                    && system.unitRows[Int(unitIndex[row])] > 0 && system.periodRows[Int(periodIndex[row])] > 0 {
                    return true
                }
                return false
            }
        }
    }

    /// Stage 2: `ỹ` on the columns of `design` (no intercept) over the kept rows, with Gardner's
    /// GMM-corrected cluster-robust variance as R/py `did2s` compute it:
    /// `V = (X₂'X₂)⁻¹ Σ_g ψ_g ψ_g' (X₂'X₂)⁻¹`,
    /// `ψ_g = Σ_{r∈g} x₂_r ê₂_r − Γ' Σ_{r∈g} x₁₀_r ê₁_r`, `Γ = (X₁₀'X₁₀)⁻¹ X₁'X₂`, where `X₁` is
    /// the stage-1 design (unit and period dummies, controls) on the kept rows, `X₁₀` its rows in
    /// the stage-1 sample, `ê₁ = ỹ` on the stage-1 rows and `ê₂` the stage-2 residual. No
    /// small-sample factor (the did2s convention). `Γ'x₁₀_r` is computed as the stage-1 fit of
    /// each stage-2 column (units partialled out exactly), never as a dense `(N + T)²` inverse;
    /// the fast backend solves all columns at once (``FirstStageSystem/solve(units:rest:count:)``).
    /// - Parameters:
    ///   - names: the terms, for errors.
    ///   - clusterIndex: dense cluster of each row, `0..<clusterCapacity`.
    ///   - unitCluster: the cluster of each unit when every unit lies in one cluster
    ///     (``Clustering/unitCluster``), or nil; it lets the fast backend work unit by unit.
    /// - Throws: ``EstimationError/singularDesign(terms:)`` when `X₂'X₂` is singular,
    ///   ``EstimationError/tooFewClusters(name:count:)`` with fewer than two clusters in use.
    func regress(_ design: [[Double]], names: [String], panel: Panel, clusterIndex: [Int32], clusterCapacity: Int,
                 clusterName: String, unitCluster: [Int32]? = nil) throws -> TwoStageRegression {
        switch solver {
        case let .reference(system, kept, residualized):
            return try ReferenceTwoStage.regress(design, names: names, panel: panel, clusterIndex: clusterIndex,
                                                 clusterCapacity: clusterCapacity, clusterName: clusterName,
                                                 firstStage: firstStage, kept: kept, residualized: residualized,
                                                 system: system)
        case let .fast(system, alpha, effects, _, _):
            precondition(clusterIndex.count == panel.observationCount && panel.unitStart.count == panel.unitCount + 1)
            return try withStageTwoPass(design, panel: panel, clusterIndex: clusterIndex, system: system, alpha: alpha,
                                        effects: effects) { pass in
                try pass.regress(names: names, system: system, clusterCapacity: clusterCapacity, clusterName: clusterName,
                                 unitCluster: unitCluster)
            }
        }
    }

    /// Calls `body` with the stage-2 design, the panel's columns and the stage-1 fit as pointers.
    private func withStageTwoPass<R>(_ design: [[Double]], panel: Panel, clusterIndex: [Int32], system: FirstStageSystem,
                                     alpha: [Double], effects: [Double], _ body: (StageTwoPass) throws -> R) throws -> R {
        let n = panel.observationCount
        let result: Result<R, any Error> = withColumnPointers(design, count: n) { columns in
        withColumnPointers(panel.covariates, count: n) { covariates in
        panel.outcome.withUnsafeBufferPointer { outcome in
        panel.unitStart.withUnsafeBufferPointer { unitStart in
        panel.unitIndex.withUnsafeBufferPointer { unitIndex in
        panel.periodIndex.withUnsafeBufferPointer { periodIndex in
        clusterIndex.withUnsafeBufferPointer { clusterIndex in
        firstStage.withUnsafeBufferPointer { firstStage in
        system.unitRows.withUnsafeBufferPointer { unitRows in
        system.periodRows.withUnsafeBufferPointer { periodRows in
        alpha.withUnsafeBufferPointer { alpha in
        effects.withUnsafeBufferPointer { effects in
            Result {
                try body(StageTwoPass(termCount: design.count, periods: panel.periodCount, covariateCount: covariateCount,
                                      columns: columns, covariates: covariates, outcome: outcome, unitStart: unitStart,
                                      unitIndex: unitIndex, periodIndex: periodIndex, clusterIndex: clusterIndex,
                                      firstStage: firstStage, unitRows: unitRows, periodRows: periodRows,
                                      alpha: alpha, effects: effects))
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        return try result.get()
    }
}

/// The fast stage 2 of ``TwoStageFirstStage`` (``KernelBackend/fast``) on pointers to the panel,
/// the design and the stage-1 fit of the outcome (`alpha` per unit, `effects` per period then
/// control). A row is kept when its unit and period have stage-1 rows; its `ỹ` is recomputed
/// where needed (`y − α_i − λ_t − γ'x`, the reference's expression), never stored.
///
/// 1. ``entries()``: the kept rows where some design column is non-zero, with their values.
/// 2. The normal equations `X₂'X₂`, `X₂'ỹ` and `X₁'X₂` on those rows only (zero rows add nothing).
/// 3. `β`, the bread, and the stage-1 fits `f_rj = α_ij + λ_tj + γ_j'x_r` of every column (one solve).
/// 4. One pass over the kept rows, unit by unit (``finalPass(_:beta:entries:alpha:effects:clusterSlot:scores:)``):
///    `ỹ`, `ê₂ = ỹ − x₂'β`, `Σ ê₂²`, `Σ ỹ²` and the cluster scores
///    `ψ_g = Σ_{r∈g} x₂_r ê₂_r − Σ_{r∈g, stage 1} f_r ỹ_r`, the current cluster's two sums in
///    SIMD registers of the smallest width that holds the terms (a clustering of whole units
///    changes once per cluster); more than 8 terms take plain loops.
///
/// Every sum takes the same terms in the same order as ``ReferenceTwoStage`` (a zero entry of the
/// design adds an exact 0 there and nothing here), except that the stage-1 fits come from another
/// (equivalent) solve and the cluster's two score sums are added at the end of its run of rows.
private struct StageTwoPass {
    let termCount: Int, periods: Int, covariateCount: Int
    let columns: [UnsafePointer<Double>], covariates: [UnsafePointer<Double>]
    let outcome: UnsafeBufferPointer<Double>
    let unitStart: UnsafeBufferPointer<Int>
    let unitIndex: UnsafeBufferPointer<Int32>, periodIndex: UnsafeBufferPointer<Int32>
    let clusterIndex: UnsafeBufferPointer<Int32>
    let firstStage: UnsafeBufferPointer<Bool>
    let unitRows: UnsafeBufferPointer<Double>, periodRows: UnsafeBufferPointer<Double>
    let alpha: UnsafeBufferPointer<Double>, effects: UnsafeBufferPointer<Double>

    /// `ỹ` of a kept row.
    @inline(__always)
    func residualized(_ row: Int, unit: Int, period: Int) -> Double {
        var prediction = alpha[unit] + effects[period]
        for c in 0..<covariateCount { prediction += effects[periods + c] * covariates[c][row] }
        return outcome[row] - prediction
    }

    /// The kept rows with a non-zero design entry (ascending) and their design rows (row-major, `p` each).
    /// The columns are scanned 8 rows at a time (a design column is mostly zeros).
    func entries() -> (rows: [Int32], values: [Double]) {
        let p = termCount, n = outcome.count
        var rows: [Int32] = [], values: [Double] = []
        var chunk = 0
        while chunk < n {
            let end = min(chunk + 8, n)
            var candidate = false
            if end - chunk == 8 {
                for j in 0..<p where any(UnsafeRawPointer(columns[j] + chunk).loadUnaligned(as: SIMD8<Double>.self) .!= 0) {
                    candidate = true
                    break
                }
            } else {
                candidate = true
            }
            if candidate {
                for row in chunk..<end where unitRows[Int(unitIndex[row])] > 0 && periodRows[Int(periodIndex[row])] > 0 {
                    var nonzero = false
                    for j in 0..<p where columns[j][row] != 0 { nonzero = true; break }
                    guard nonzero else { continue }
                    rows.append(Int32(row))
                    for j in 0..<p { values.append(columns[j][row]) }
                }
            }
            chunk = end
        }
        return (rows, values)
    }

    /// Steps 2–4 (see the type).
    func regress(names: [String], system: FirstStageSystem, clusterCapacity: Int, clusterName: String,
                 unitCluster: [Int32]?) throws -> TwoStageRegression {
        let p = termCount, k = covariateCount
        // One term, no controls, a balanced panel of at most 16 periods that all have stage-1
        // rows, clusters nesting the units: both passes by unit rows (``UnitRows``).
        let layout = p == 1 && k == 0 && unitCluster != nil && system.maskWeights.count == outcome.count
            && outcome.count == unitRows.count * periods && !periodRows.contains(0)
            ? UnitRows(units: unitRows.count, periods: periods) : nil
        // X₂'X₂ (lower triangle), X₂'ỹ, X₁'X₂ per unit (N × p) and per period and control ((T + k) × p).
        var gram = [Double](repeating: 0, count: p * p), inverse = [Double](repeating: 0, count: p * (p + 1))
        var projectedUnits = [Double](repeating: 0, count: unitRows.count * p)
        var projectedRest = [Double](repeating: 0, count: (periods + k) * p)
        var entries: (rows: [Int32], values: [Double]) = ([], [])
        if let layout {
            (gram[0], inverse[0]) = normalEquations(unitRows: layout, units: &projectedUnits, periods: &projectedRest)
        } else {
            entries = self.entries()
        }
        for e in entries.rows.indices {
            let row = Int(entries.rows[e]), unit = Int(unitIndex[row]), period = Int(periodIndex[row])
            let outcome = residualized(row, unit: unit, period: period), base = e * p
            for j in 0..<p where entries.values[base + j] != 0 {
                let v = entries.values[base + j]
                inverse[j * (p + 1)] += v * outcome
                projectedUnits[unit * p + j] += v
                projectedRest[period * p + j] += v
                for c in 0..<k { projectedRest[(periods + c) * p + j] += covariates[c][row] * v }
                for i in 0...j where entries.values[base + i] != 0 { gram[j * p + i] += v * entries.values[base + i] }
            }
        }
        for j in 0..<p { inverse[j * (p + 1) + 1 + j] = 1 }
        var flags = [Bool](repeating: false, count: p)
        let rank = gram.withUnsafeMutableBufferPointer { a in
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
        // Γ: the stage-1 fit of every stage-2 column, in one solve.
        system.solve(units: &projectedUnits, rest: &projectedRest, count: p)
        // The pass over the kept rows.
        var scores = [Double](repeating: 0, count: min(clusterCapacity, outcome.count) * p)
        let clusterSlot = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(clusterCapacity, 1))
        defer { clusterSlot.deallocate() }
        clusterSlot.initialize(repeating: -1)
        let result = scores.withUnsafeMutableBufferPointer { scores in
            if let layout, let unitCluster {
                return finalPass(unitRows: layout, beta: beta[0], designAlpha: projectedUnits, designEffects: projectedRest,
                                 stageOne: system.maskWeights, unitCluster: unitCluster, clusterSlot: clusterSlot,
                                 scores: scores)
            }
            switch p {
            case ...2: return finalPass(SIMD2<Double>.self, beta: beta, entries: entries, alpha: projectedUnits,
                                        effects: projectedRest, clusterSlot: clusterSlot, scores: scores)
            case ...4: return finalPass(SIMD4<Double>.self, beta: beta, entries: entries, alpha: projectedUnits,
                                        effects: projectedRest, clusterSlot: clusterSlot, scores: scores)
            case ...8: return finalPass(SIMD8<Double>.self, beta: beta, entries: entries, alpha: projectedUnits,
                                        effects: projectedRest, clusterSlot: clusterSlot, scores: scores)
            default: return finalPass(beta: beta, entries: entries, alpha: projectedUnits, effects: projectedRest,
                                      clusterSlot: clusterSlot, scores: scores)
            }
        }
        let clusters = result.clusters
        guard clusters >= 2 else { throw EstimationError.tooFewClusters(name: clusterName, count: clusters) }
        var meat = [Double](repeating: 0, count: p * p)
        for cluster in 0..<clusters {
            for r in 0..<p { for s in 0..<p { meat[r * p + s] += scores[cluster * p + r] * scores[cluster * p + s] } }
        }
        let variance = VarianceEstimator.sandwich(bread: bread, meat: meat, m: p, factor: 1)
        return TwoStageRegression(coefficients: beta, variance: variance, clusterCount: clusters,
                                  observationCount: result.kept, residualSumOfSquares: result.rss,
                                  totalSumOfSquares: result.total)
    }

    typealias PassResult = (clusters: Int, kept: Int, rss: Double, total: Double)

    /// Step 4 with the terms in the lanes of `V` (`p ≤ V.scalarCount`; the other lanes stay 0).
    func finalPass<V: SIMD>(_: V.Type, beta: [Double], entries: (rows: [Int32], values: [Double]), alpha: [Double],
                            effects: [Double], clusterSlot: UnsafeMutableBufferPointer<Int32>,
                            scores: UnsafeMutableBufferPointer<Double>) -> PassResult where V.Scalar == Double {
        let p = termCount, k = covariateCount
        precondition(p <= V.scalarCount)
        func lanes(_ matrix: [Double]) -> [V] {
            (0..<(matrix.count / p)).map { i in
                var value = V()
                for j in 0..<p { value[j] = matrix[i * p + j] }
                return value
            }
        }
        let alphaLanes = lanes(alpha), effectLanes = lanes(effects), entryLanes = lanes(entries.values)
        // Locals, so that the loop keeps them in registers.
        let periods = self.periods, covariates = self.covariates, outcomes = self.outcome
        let unitStart = self.unitStart, periodIndex = self.periodIndex, clusterIndex = self.clusterIndex
        let firstStage = self.firstStage, unitRows = self.unitRows, periodRows = self.periodRows
        let outcomeAlpha = self.alpha, outcomeEffects = self.effects
        return alphaLanes.withUnsafeBufferPointer { alphaLanes in
        effectLanes.withUnsafeBufferPointer { effectLanes in
        entryLanes.withUnsafeBufferPointer { entryLanes in
        entries.rows.withUnsafeBufferPointer { entryRows in
        entries.values.withUnsafeBufferPointer { entryValues in
        beta.withUnsafeBufferPointer { beta in
            var clusters = 0, kept = 0, rss = 0.0, total = 0.0, cursor = 0
            // The current cluster's two sums (one dependency chain each), added to its slot when
            // the cluster changes.
            var current = -1, score = V(), correction = V()
            var entryRow = entryRows.isEmpty ? Int.max : Int(entryRows[0])
            // Every period with stage-1 rows (the usual case): every row of a kept unit is kept.
            let everyPeriod = !periodRows.contains(0)
            for unit in 0..<(unitStart.count - 1) where unitRows[unit] > 0 {
                let unitFit = alphaLanes[unit], unitOutcome = outcomeAlpha[unit]
                for row in unitStart[unit]..<unitStart[unit + 1] {
                    let period = Int(periodIndex[row])
                    guard everyPeriod || periodRows[period] > 0 else { continue }
                    kept &+= 1
                    var prediction = unitOutcome + outcomeEffects[period]
                    for c in 0..<k { prediction += outcomeEffects[periods + c] * covariates[c][row] }
                    let outcome = outcomes[row] - prediction
                    total += outcome * outcome
                    let cluster = Int(clusterIndex[row])
                    if cluster != current {
                        if current >= 0 {
                            Self.add(score - correction, to: scores, at: Int(clusterSlot[current]) * p, count: p)
                        }
                        current = cluster
                        score = V()
                        correction = V()
                        if clusterSlot[cluster] < 0 {
                            clusterSlot[cluster] = Int32(clusters)
                            clusters &+= 1
                        }
                    }
                    if row == entryRow {
                        var residual = outcome
                        for j in 0..<p { residual -= beta[j] * entryValues[cursor &* p &+ j] }
                        rss += residual * residual
                        score += entryLanes[cursor] * residual
                        cursor &+= 1
                        entryRow = cursor < entryRows.count ? Int(entryRows[cursor]) : Int.max
                    } else {
                        rss += outcome * outcome
                    }
                    guard firstStage[row] else { continue }
                    var fitted = unitFit + effectLanes[period]
                    for c in 0..<k { fitted += effectLanes[periods + c] * covariates[c][row] }
                    correction += fitted * outcome
                }
            }
            if current >= 0 { Self.add(score - correction, to: scores, at: Int(clusterSlot[current]) * p, count: p) }
            return (clusters, kept, rss, total)
        }
        }
        }
        }
        }
        }
    }

    /// Step 2 for one term on a balanced panel of at most 16 periods without controls, all of whose
    /// periods have stage-1 rows: `X₂'X₂` and `X₂'ỹ` (returned), `X₁'X₂` per unit into `units` and
    /// per period into `periods`, each unit's row in one `SIMD16` register (``UnitRows``).
    func normalEquations(unitRows layout: UnitRows, units: inout [Double], periods periodSums: inout [Double])
        -> (gram: Double, moment: Double) {
        typealias Row = UnitRows.Row
        guard let y = outcome.baseAddress, let x = columns.first else { return (0, 0) }
        var outcomeLanes = Row()
        for t in 0..<layout.periods { outcomeLanes[t] = effects[t] }
        let outcomeEffects = outcomeLanes
        var unitSums = [Double](repeating: 0, count: unitRows.count)
        let (gram, moment, periodLanes) = unitSums.withUnsafeMutableBufferPointer { unitSums in
            // Lane-wise sums, as halves so that each stays in a register.
            var gramLow = SIMD8<Double>(), gramHigh = SIMD8<Double>(), momentLow = SIMD8<Double>()
            var momentHigh = SIMD8<Double>(), periodLow = SIMD8<Double>(), periodHigh = SIMD8<Double>()
            for unit in 0..<unitRows.count where unitRows[unit] > 0 {
                let residualized = (layout.load(y, unit: unit) - (alpha[unit] + outcomeEffects)) * layout.mask
                let design = layout.load(x, unit: unit) * layout.mask
                let squares = design * design, products = design * residualized
                gramLow += squares.lowHalf
                gramHigh += squares.highHalf
                momentLow += products.lowHalf
                momentHigh += products.highHalf
                periodLow += design.lowHalf
                periodHigh += design.highHalf
                unitSums[unit] = UnitRows.horizontalSum(design)
            }
            return (UnitRows.horizontalSum(Row(lowHalf: gramLow, highHalf: gramHigh)),
                    UnitRows.horizontalSum(Row(lowHalf: momentLow, highHalf: momentHigh)),
                    Row(lowHalf: periodLow, highHalf: periodHigh))
        }
        units = unitSums
        for t in 0..<layout.periods { periodSums[t] = periodLanes[t] }
        return (gram, moment)
    }

    /// Step 4 for one term on a balanced panel of at most 16 periods without controls, whose
    /// clustering nests the units: each unit's rows in one `SIMD16` register (``UnitRows``), the
    /// unit's score `Σ_t x_t ê₂_t − Σ_{t∈stage 1} f_t ỹ_t` summed across its lanes, `Σ ê₂²` and
    /// `Σ ỹ²` kept lane-wise and summed at the end. (Every period has stage-1 rows, so every row
    /// of a unit with stage-1 rows is kept.)
    /// `designAlpha` and `designEffects` are the stage-1 fit of the design column (per unit, per period).
    func finalPass(unitRows layout: UnitRows, beta: Double, designAlpha: [Double], designEffects periodFit: [Double],
                   stageOne: [Double], unitCluster: [Int32], clusterSlot: UnsafeMutableBufferPointer<Int32>,
                   scores: UnsafeMutableBufferPointer<Double>) -> PassResult {
        typealias Row = UnitRows.Row
        let periods = self.periods, unitCount = unitRows.count, unitRows = self.unitRows
        let outcome = self.outcome
        var outcomeLanes = Row(), designLanes = Row()
        for t in 0..<periods {
            outcomeLanes[t] = self.effects[t]
            designLanes[t] = periodFit[t]
        }
        let outcomeEffects = outcomeLanes, designEffects = designLanes
        return stageOne.withUnsafeBufferPointer { stageOne in
        unitCluster.withUnsafeBufferPointer { unitCluster in
            guard let y = outcome.baseAddress, let x = columns.first, let m = stageOne.baseAddress else {
                return (0, 0, 0, 0)
            }
            var clusters = 0, kept = 0
            // Lane-wise sums, as halves so that each stays in a register.
            var rssLow = SIMD8<Double>(), rssHigh = SIMD8<Double>(), totalLow = SIMD8<Double>(), totalHigh = SIMD8<Double>()
            for unit in 0..<unitCount where unitRows[unit] > 0 {
                let residualized = (layout.load(y, unit: unit) - (alpha[unit] + outcomeEffects)) * layout.mask
                let design = layout.load(x, unit: unit) * layout.mask
                let residual = residualized - beta * design
                let squares = residualized * residualized, residualSquares = residual * residual
                totalLow += squares.lowHalf
                totalHigh += squares.highHalf
                rssLow += residualSquares.lowHalf
                rssHigh += residualSquares.highHalf
                let fitted = (designAlpha[unit] + designEffects) * layout.load(m, unit: unit) * layout.mask
                let score = UnitRows.horizontalSum(design * residual - fitted * residualized)
                kept &+= periods
                let cluster = Int(unitCluster[unit])
                if clusterSlot[cluster] < 0 {
                    clusterSlot[cluster] = Int32(clusters)
                    clusters &+= 1
                }
                scores[Int(clusterSlot[cluster])] += score
            }
            return (clusters, kept, UnitRows.horizontalSum(Row(lowHalf: rssLow, highHalf: rssHigh)),
                    UnitRows.horizontalSum(Row(lowHalf: totalLow, highHalf: totalHigh)))
        }
        }
    }

    /// `scores[base + j] += lanes[j]` for `j < count`.
    @inline(__always)
    static func add<V: SIMD>(_ lanes: V, to scores: UnsafeMutableBufferPointer<Double>, at base: Int, count: Int)
        where V.Scalar == Double {
        for j in 0..<count { scores[base + j] += lanes[j] }
    }

    /// Step 4 for any number of terms: the scores accumulate in `scores` (clusters × p) row by row.
    func finalPass(beta: [Double], entries: (rows: [Int32], values: [Double]), alpha: [Double], effects: [Double],
                   clusterSlot: UnsafeMutableBufferPointer<Int32>, scores: UnsafeMutableBufferPointer<Double>) -> PassResult {
        let p = termCount, k = covariateCount
        var clusters = 0, kept = 0, rss = 0.0, total = 0.0, cursor = 0
        for unit in 0..<(unitStart.count - 1) where unitRows[unit] > 0 {
            for row in unitStart[unit]..<unitStart[unit + 1] {
                let period = Int(periodIndex[row])
                guard periodRows[period] > 0 else { continue }
                kept += 1
                let outcome = residualized(row, unit: unit, period: period)
                total += outcome * outcome
                let cluster = Int(clusterIndex[row])
                if clusterSlot[cluster] < 0 {
                    clusterSlot[cluster] = Int32(clusters)
                    clusters += 1
                }
                let base = Int(clusterSlot[cluster]) * p
                if cursor < entries.rows.count && Int(entries.rows[cursor]) == row {
                    var residual = outcome
                    for j in 0..<p { residual -= beta[j] * entries.values[cursor * p + j] }
                    rss += residual * residual
                    for j in 0..<p where entries.values[cursor * p + j] != 0 {
                        scores[base + j] += entries.values[cursor * p + j] * residual
                    }
                    cursor += 1
                } else {
                    rss += outcome * outcome
                }
                guard firstStage[row] else { continue }
                let unitBase = unit * p, periodBase = period * p
                for j in 0..<p {
                    var fitted = alpha[unitBase + j] + effects[periodBase + j]
                    for c in 0..<k { fitted += effects[(periods + c) * p + j] * covariates[c][row] }
                    scores[base + j] -= fitted * outcome
                }
            }
        }
        return (clusters, kept, rss, total)
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
