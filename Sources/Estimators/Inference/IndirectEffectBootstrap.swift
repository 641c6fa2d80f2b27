/// The pairs cluster bootstrap of the indirect effect `a·b` of a fixed-effects mediation model.
///
/// **Resampling.** Each draw takes `G` clusters with replacement (``PairsBootstrap``); a cluster
/// drawn twice enters twice, its units as distinct units with their own fixed effects (Stata's
/// `bootstrap, cluster() idcluster()`). Duplicated units are identical, so their fixed effects
/// coincide at the optimum and the draw's regression equals a weighted one in which unit `i`
/// carries weight `w_i` = the number of times its cluster was drawn. No resampled panel is built.
///
/// **Per draw** (columns `Z = [D, X, M_1…M_m, Y]`, unit-demeaned once: `z̈_it = z_it − z̄_i`):
/// - balanced panels: the weighted two-way residual is `z̈_it − m_t` with
///   `m_t = Σ_i w_i z̈_it / Σ_i w_i`, so `Z̃'WZ̃ = Σ_i w_i P_i − (Σ_i w_i) Σ_t m_t m_t'` with the
///   per-unit products `P_i = Σ_t z̈_it z̈_it'` computed once: `O(N·q² + N·T·q)` per draw;
/// - unbalanced panels: the period effects solve `C λ = Σ_i w_i Σ_{t∈i} z̈_it e_t` with
///   `C_bc = Σ_i w_i (n_ib δ_bc − n_ib n_ic / n_i)`, and the residual is `z̈_it − λ_t + λ̄_i`
///   (exact, as ``TwoWayWithin``): `O(Σ_i T_i² + n·q²)` per draw.
/// Then `a` solves step 2 (`M_j` on `[D, X]`) and `b` step 3 (`Y` on `[D, M_j, X]`) from the
/// `q × q` cross-product matrix. Covariates collinear in a draw are dropped (as fixest would);
/// a draw in which `D` or `M_j` is not identified gives NaN. Nothing is allocated per draw.
struct IndirectEffectBootstrap: Sendable {
    /// Columns `q = 1 + k + m + 1`: 0 = D, 1…k = covariates, k+1…k+m = mediators, q−1 = outcome.
    let columnCount: Int, covariateCount: Int, mediatorCount: Int
    /// The panel's shape: units, periods, whether it is balanced, each unit's first row, each row's period.
    let unitCount: Int, periodCount: Int, balanced: Bool, unitStart: [Int], periodIndex: [Int32]
    /// Unit-demeaned columns, row-major `n × q`; balanced only: `P_i`, `N × q × q`.
    let centered: [Double], unitProducts: [Double]
    /// The resampled clusters: each unit's cluster and their number.
    let unitCluster: [Int32], clusterCount: Int

    /// Prepares the draws.
    /// - Parameter columns: `[D] + covariates + mediators + [outcome]`, in row order.
    init(panel: Panel, columns: [[Double]], covariateCount: Int, mediatorCount: Int, unitCluster: [Int32],
         clusterCount: Int) {
        let q = columns.count
        let n = panel.observationCount
        columnCount = q
        self.covariateCount = covariateCount
        self.mediatorCount = mediatorCount
        unitCount = panel.unitCount
        periodCount = panel.periodCount
        balanced = panel.isBalanced
        unitStart = panel.unitStart
        periodIndex = panel.periodIndex
        self.unitCluster = unitCluster
        self.clusterCount = clusterCount
        var centered = [Double](repeating: 0, count: n * q)
        for unit in 0..<panel.unitCount {
            let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
            guard !rows.isEmpty else { continue }
            for c in 0..<q {
                var sum = 0.0
                for row in rows { sum += columns[c][row] }
                let mean = sum / Double(rows.count)
                for row in rows { centered[row * q + c] = columns[c][row] - mean }
            }
        }
        var products: [Double] = []
        if panel.isBalanced {
            products = [Double](repeating: 0, count: panel.unitCount * q * q)
            for unit in 0..<panel.unitCount {
                for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] {
                    for c in 0..<q { for d in 0...c {
                        products[unit * q * q + c * q + d] += centered[row * q + c] * centered[row * q + d]
                    } }
                }
                for c in 0..<q { for d in 0..<c { products[unit * q * q + d * q + c] = products[unit * q * q + c * q + d] } }
            }
        }
        self.centered = centered
        unitProducts = products
    }

    /// Per-worker scratch memory, allocated once (raw buffers: no exclusivity checks or
    /// `withUnsafe…` nesting in the per-draw loops).
    final class Workspace {
        /// Times each cluster is drawn; period means (or effects) `T × q`; `Z̃'WZ̃`, `q × q`.
        let clusterWeight: UnsafeMutableBufferPointer<Double>, periodMeans: UnsafeMutableBufferPointer<Double>,
            gram: UnsafeMutableBufferPointer<Double>
        /// The period system `T × T` (unbalanced), one step's system and its solution; one residual row.
        let periodSystem: UnsafeMutableBufferPointer<Double>, system: UnsafeMutableBufferPointer<Double>,
            solution: UnsafeMutableBufferPointer<Double>, residual: UnsafeMutableBufferPointer<Double>
        /// Kept flags of a solve.
        let kept: UnsafeMutableBufferPointer<Bool>

        init(_ engine: IndirectEffectBootstrap) {
            let q = engine.columnCount, t = engine.periodCount
            func zeros(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
                let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                return buffer
            }
            clusterWeight = zeros(engine.clusterCount)
            periodMeans = zeros(t * q)
            gram = zeros(q * q)
            periodSystem = zeros(t * t)
            system = zeros(q * q)
            solution = zeros(q)
            residual = zeros(q)
            kept = .allocate(capacity: max(q, t))
            kept.initialize(repeating: false)
        }

        deinit {
            for buffer in [clusterWeight, periodMeans, gram, periodSystem, system, solution, residual] {
                buffer.deallocate()
            }
            kept.deallocate()
        }
    }

    /// Runs every draw; slot `b·m + j` holds draw `b`'s `a·b` for mediator `j`. Draw `b` uses the
    /// stream `(seed, b, .bootstrap)` alone (one draw per stream).
    func run(options: PairsBootstrapOptions) -> [Double] {
        let engine = self
        let loop = ResamplingLoop(count: options.replications, drawsPerStream: 1, seed: options.seed,
                                  purpose: .bootstrap, workers: options.threads, blocksPerChunk: 8)
        return loop.run(width: mediatorCount, initial: Double.nan,
                        makeWorkspace: { Workspace(engine) }) { workspace, stream, _, out in
            engine.evaluate(stream: stream, workspace: workspace, into: out)
        }
    }

    /// One draw from its stream: resample, build the weighted cross products, solve steps 2 and 3.
    func evaluate(stream: borrowing RandomStream, workspace: Workspace, into out: UnsafeMutableBufferPointer<Double>) {
        PairsBootstrap.fillClusterCounts(workspace.clusterWeight, stream: stream)
        if balanced { balancedGram(workspace) } else { unbalancedGram(workspace) }
        let q = columnCount, k = covariateCount
        for j in 0..<mediatorCount {
            let mediator = 1 + k + j
            // Step 2: M_j on [D, X]; a = coefficient of D.
            let a = solve(workspace, regressors: 1 + k, outcome: mediator, mediator: nil)
            // Step 3: Y on [D, M_j, X]; b = coefficient of M_j.
            let b = solve(workspace, regressors: 2 + k, outcome: q - 1, mediator: mediator)
            out[j] = a * b
        }
    }

    /// Solves one step from the cross products. Regressor `r` of the step is column
    /// `[0, (mediator), 1…k][r]`. Returns the coefficient of D (step 2) or of the mediator
    /// (step 3), NaN when that coefficient is not identified.
    func solve(_ w: Workspace, regressors p: Int, outcome: Int, mediator: Int?) -> Double {
        let q = columnCount
        @inline(__always) func column(_ r: Int) -> Int {
            guard let mediator else { return r }
            return r == 0 ? 0 : (r == 1 ? mediator : r - 1)
        }
        guard let a = w.system.baseAddress, let x = w.solution.baseAddress, let flags = w.kept.baseAddress else {
            return .nan
        }
        let gram = w.gram
        for r in 0..<p {
            for s in 0...r { a[r * p + s] = gram[column(r) * q + column(s)] }
            x[r] = gram[column(r) * q + outcome]
        }
        SmallSystem.solve(a, dimension: p, rhs: x, rhsCount: 1, kept: flags)
        let target = mediator == nil ? 0 : 1
        return flags[0] && flags[target] ? x[target] : .nan
    }

    /// `Z̃'WZ̃` for a balanced panel (see the type's documentation).
    func balancedGram(_ w: Workspace) {
        let q = columnCount, periods = periodCount
        let weight = w.clusterWeight, means = w.periodMeans, gram = w.gram
        centered.withUnsafeBufferPointer { z in
            unitProducts.withUnsafeBufferPointer { products in
                for i in means.indices { means[i] = 0 }
                for i in gram.indices { gram[i] = 0 }
                var total = 0.0
                for unit in 0..<unitCount {
                    let weightOfUnit = weight[Int(unitCluster[unit])]
                    guard weightOfUnit > 0 else { continue }
                    total += weightOfUnit
                    let base = unitStart[unit] * q
                    for e in 0..<(periods * q) { means[e] += weightOfUnit * z[base + e] }
                    let offset = unit * q * q
                    for e in 0..<(q * q) { gram[e] += weightOfUnit * products[offset + e] }
                }
                guard total > 0 else { return }
                for e in means.indices { means[e] /= total }
                for t in 0..<periods {
                    for c in 0..<q {
                        let mc = means[t * q + c] * total
                        for d in 0..<q { gram[c * q + d] -= mc * means[t * q + d] }
                    }
                }
            }
        }
    }

    /// `Z̃'WZ̃` for an unbalanced panel: exact weighted two-way residuals (see the type's documentation).
    func unbalancedGram(_ w: Workspace) {
        let q = columnCount, periods = periodCount
        let weight = w.clusterWeight, system = w.periodSystem, lambda = w.periodMeans, gram = w.gram
        let residual = w.residual
        centered.withUnsafeBufferPointer { z in
            periodIndex.withUnsafeBufferPointer { period in
                for i in system.indices { system[i] = 0 }
                for i in lambda.indices { lambda[i] = 0 }
                for i in gram.indices { gram[i] = 0 }
                for unit in 0..<unitCount {
                    let weightOfUnit = weight[Int(unitCluster[unit])]
                    let rows = unitStart[unit]..<unitStart[unit + 1]
                    guard weightOfUnit > 0, !rows.isEmpty else { continue }
                    let share = weightOfUnit / Double(rows.count)
                    for r in rows {
                        let b = Int(period[r])
                        system[b * periods + b] += weightOfUnit
                        for s in rows { system[b * periods + Int(period[s])] -= share }
                        for c in 0..<q { lambda[b * q + c] += weightOfUnit * z[r * q + c] }
                    }
                }
                guard let a = system.baseAddress, let x = lambda.baseAddress, let flags = w.kept.baseAddress else { return }
                SmallSystem.solve(a, dimension: periods, rhs: x, rhsCount: q, kept: flags, tolerance: 1e-9)
                for unit in 0..<unitCount {
                    let weightOfUnit = weight[Int(unitCluster[unit])]
                    let rows = unitStart[unit]..<unitStart[unit + 1]
                    guard weightOfUnit > 0, !rows.isEmpty else { continue }
                    // λ̄_i per column, then the residual row by row.
                    for c in 0..<q {
                        var sum = 0.0
                        for r in rows { sum += lambda[Int(period[r]) * q + c] }
                        residual[c] = sum / Double(rows.count)
                    }
                    for r in rows {
                        let b = Int(period[r])
                        for c in 0..<q {
                            let rc = z[r * q + c] - lambda[b * q + c] + residual[c]
                            for d in 0...c {
                                gram[c * q + d] += weightOfUnit * rc * (z[r * q + d] - lambda[b * q + d] + residual[d])
                            }
                        }
                    }
                }
                for c in 0..<q { for d in 0..<c { gram[d * q + c] = gram[c * q + d] } }
            }
        }
    }
}
