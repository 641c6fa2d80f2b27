/// The per-cluster aggregates of one coefficient's wild cluster bootstrap, prepared once, so that a
/// bootstrap draw costs O(G·(k + T)) instead of O(n) ("fast and wild", Roodman, MacKinnon,
/// Nielsen & Webb 2019, §5, adapted to absorbed two-way fixed effects).
///
/// **Setting.** After the within transformation (FWL), `X̃` (n × k, kept regressors and
/// covariates), `A = X̃'X̃`, coefficient `j`, `c = A⁻¹e_j`, `q = X̃c`, unrestricted residuals `û`.
/// Imposing `β_j = r` gives `ũ(r) = û + δ·q` with `δ = (β̂_j − r)/c_j` (the restricted
/// residuals of the full fixed-effects model, by FWL). The bootstrap sample is
/// `y* = ŷ_restricted + ũ ∘ v` with one weight `v_g` per cluster, and is re-estimated **with the
/// fixed effects**, exactly as a dummy-variable regression would (pyfixest's one-hot route to
/// wildboottest; boottest/fwildclusterboot with the effects as regressors). Then
///
///     β*_j − r = Σ_g v_g a_g,                       a_g = q_g'ũ_g
///     c'X̃_g'û*_g = v_g a_g − Σ_h v_h (w_g's_h + F_gh) =: z_g(v)
///     t* = Σ_g v_g a_g / √(ssc · Σ_g z_g²)
///
/// with `s_h = X̃_h'ũ_h`, `w_g = A⁻¹X̃_g'q_g`, and `F_gh = q_g'(P_D ũ_h)_g` the part of the
/// bootstrap residual that the fixed effects absorb (`P_D` projects on unit and period dummies,
/// `ũ_h` is `ũ` on cluster `h`'s rows, zero elsewhere). When every unit lies inside one cluster,
/// the unit dummies drop out and `F_gh = Q_g'C⁺U_h`, where `Q_g`, `U_h` are the period sums of
/// `q` over cluster `g` and of `ũ` over `h`, and `C = D_T'M_U D_T` (T × T, factored once): the
/// whole draw is then rank `k + T`. Otherwise (clusters that split units, e.g. clustering by
/// period) `F` is formed densely from `2G` within transformations and a draw costs O(G²).
///
/// Every piece is affine in `δ`, so each draw is stored as five numbers
/// `(n₀, n₁, d₀, d₁, d₂)` with `numerator = n₀ + δn₁` and `Σz² = d₀ + 2δd₁ + δ²d₂`, and the
/// statistic at any null `r` costs O(1) per draw: this is what makes confidence intervals by
/// test inversion cheap. Unrestricted (WCU) draws use `δ = 0` and are centred at `β̂_j`.
struct WildBootstrapKernel: Sendable {
    /// Number of clusters `G`.
    let clusterCount: Int
    /// Rows of the low-rank factors: kept regressors, plus periods on the nested path.
    let rank: Int
    /// Whether the δ-parts are needed (restricted bootstrap).
    let restricted: Bool
    /// `a_g` at δ = 0 (`q_g'û_g`) and its δ-slope (`q_g'q_g`).
    let a0: [Double], a1: [Double]
    /// Left factors, `rank × G` row-major: `[s_g(û); U_g(û)]` and their δ-slopes `[X̃_g'q_g; Q_g]`.
    let left0: [Double], left1: [Double]
    /// Right factor, transposed (`G × rank`, row g): `[w_g; C⁺Q_g]`.
    let rightTransposed: [Double]
    /// Dense absorbed parts `F` (G × G, row g) at δ = 0 and their δ-slopes, off the nested path.
    let dense0: [Double]?, dense1: [Double]?
    /// `c_j = (A⁻¹)_jj`, to turn a null value into `δ`.
    let inverseDiagonal: Double

    /// Prepares the aggregates for kept term `position` of `fit`.
    /// - Parameters:
    ///   - design: the demeaned design the fit used; `within` its transformation.
    ///   - clustering: the bootstrap (and variance) clusters.
    init(design: DemeanedDesign, fit: LeastSquaresFit, position: Int, panel: Panel, within: TwoWayWithin,
         clustering: Clustering, restricted: Bool) {
        let n = design.observationCount
        let m = fit.keptTerms.count
        let groups = clustering.count
        let periods = panel.periodCount
        let bread = fit.bread
        let c = (0..<m).map { bread[position * m + $0] }
        inverseDiagonal = bread[position * m + position]
        clusterCount = groups
        self.restricted = restricted

        // q = X̃c over the kept columns.
        var q = [Double](repeating: 0, count: n)
        for (k, column) in fit.keptTerms.enumerated() {
            let weight = c[k]
            design.withColumn(column) { x in for i in 0..<n { q[i] += weight * x[i] } }
        }
        let residual = fit.residuals
        let nested = VarianceEstimator.unitsAreNested(clustering)
        let rows = nested ? m + periods : m
        rank = rows

        // Per-cluster sums over runs of rows in the same cluster.
        var a0 = [Double](repeating: 0, count: groups), a1 = a0
        var left0 = [Double](repeating: 0, count: rows * groups), left1 = left0
        design.matrix.withUnsafeBufferPointer { x in
            residual.withUnsafeBufferPointer { u in
                q.withUnsafeBufferPointer { qv in
                    clustering.index.withUnsafeBufferPointer { cluster in
                        var start = 0
                        while start < n {
                            let g = Int(cluster[start])
                            var end = start + 1
                            while end < n && Int(cluster[end]) == g { end += 1 }
                            let uRun = UnsafeBufferPointer(rebasing: u[start..<end])
                            let qRun = UnsafeBufferPointer(rebasing: qv[start..<end])
                            a0[g] += dot(qRun, uRun)
                            a1[g] += dot(qRun, qRun)
                            for (k, column) in fit.keptTerms.enumerated() {
                                let xRun = UnsafeBufferPointer(rebasing: x[(column * n + start)..<(column * n + end)])
                                left0[k * groups + g] += dot(xRun, uRun)
                                left1[k * groups + g] += dot(xRun, qRun)
                            }
                            if nested {
                                for i in start..<end {
                                    let t = Int(panel.periodIndex[i])
                                    left0[(m + t) * groups + g] += u[i]
                                    left1[(m + t) * groups + g] += qv[i]
                                }
                            }
                            start = end
                        }
                    }
                }
            }
        }
        // Right factor: w_g = A⁻¹ X̃_g'q_g, then C⁺Q_g.
        var right = [Double](repeating: 0, count: groups * rows)
        for g in 0..<groups {
            for a in 0..<m {
                var sum = 0.0
                for b in 0..<m { sum += bread[a * m + b] * left1[b * groups + g] }
                right[g * rows + a] = sum
            }
        }
        if nested {
            let system = WildBootstrapKernel.periodSystem(panel: panel)
            var column = [Double](repeating: 0, count: periods)
            for g in 0..<groups {
                for t in 0..<periods { column[t] = left1[(m + t) * groups + g] }
                column.withUnsafeMutableBufferPointer { system.solveInPlace($0) }
                for t in 0..<periods { right[g * rows + m + t] = column[t] }
            }
            dense0 = nil
            dense1 = nil
        } else {
            dense0 = WildBootstrapKernel.absorbedPart(of: residual, weight: q, within: within, clustering: clustering)
            dense1 = WildBootstrapKernel.absorbedPart(of: q, weight: q, within: within, clustering: clustering)
        }
        self.a0 = a0
        self.a1 = a1
        self.left0 = left0
        self.left1 = left1
        self.rightTransposed = right
    }

    /// `C = D_T'M_U D_T` (periods × periods), factored with fixest's dropping rule so that the
    /// rank deficiency (one on a connected panel) is handled: `C_st = n_s δ_st − Σ_u n_us n_ut / n_u`.
    /// The balanced closed form is `N·I − (N/T)·11'`.
    static func periodSystem(panel: Panel) -> DroppingCholesky {
        let periods = panel.periodCount
        var matrix = [Double](repeating: 0, count: periods * periods)
        if panel.isBalanced {
            let units = Double(panel.unitCount)
            for s in 0..<periods {
                for t in 0..<periods { matrix[s * periods + t] = (s == t ? units : 0) - units / Double(periods) }
            }
        } else {
            for unit in 0..<panel.unitCount {
                let start = panel.unitStart[unit], end = panel.unitStart[unit + 1]
                guard end > start else { continue }
                let weight = 1 / Double(end - start)
                for i in start..<end {
                    let s = Int(panel.periodIndex[i])
                    matrix[s * periods + s] += 1
                    for k in start..<end { matrix[s * periods + Int(panel.periodIndex[k])] -= weight }
                }
            }
        }
        return DroppingCholesky(matrix: matrix, dimension: periods, tolerance: 1e-9)
    }

    /// Dense `F_gh = Σ_{i∈g} weight_i (P_D values_h)_i` for clusters that split units: one within
    /// transformation per cluster `h` (`P_D w = w − M_D w`).
    static func absorbedPart(of values: [Double], weight: [Double], within: TwoWayWithin,
                             clustering: Clustering) -> [Double] {
        let n = values.count, groups = clustering.count
        var dense = [Double](repeating: 0, count: groups * groups)
        var masked = [Double](repeating: 0, count: n)
        var demeaned = [Double](repeating: 0, count: n)
        var workspace = TwoWayWithin.Workspace(for: within)
        var rowsOf = [[Int]](repeating: [], count: groups)
        for i in 0..<n { rowsOf[Int(clustering.index[i])].append(i) }
        for h in 0..<groups {
            for i in 0..<n { masked[i] = 0 }
            for i in rowsOf[h] { masked[i] = values[i] }
            masked.withUnsafeBufferPointer { input in
                demeaned.withUnsafeMutableBufferPointer { _ = within.transform(input, into: $0, workspace: &workspace) }
            }
            for i in 0..<n {
                dense[Int(clustering.index[i]) * groups + h] += weight[i] * (masked[i] - demeaned[i])
            }
        }
        return dense
    }

    /// Draws evaluated together, one per SIMD lane.
    static let lanes = 8
    typealias Lanes = SIMD8<Double>

    /// Scratch memory for ``evaluate(_:into:scratch:)``, one per worker.
    struct Scratch {
        var factors: [Lanes]
        var z0: [Lanes]
        init(_ kernel: WildBootstrapKernel) {
            factors = [Lanes](repeating: Lanes(), count: kernel.rank)
            z0 = [Lanes](repeating: Lanes(), count: kernel.clusterCount)
        }
    }

    /// Evaluates eight weight vectors at once, lane `d` holding draw `d`: `weights[g]` are the
    /// eight draws' weights of cluster `g`. Writes lane `d`'s ``WildBootstrapDraw`` to
    /// `out[d · stride]` for `d < count` (δ-parts are zero for WCU).
    ///
    /// Lanes never mix, so each draw's numbers depend only on its weights: blocking draws by eight
    /// reads every factor once per eight draws and keeps the inner loops in SIMD registers.
    /// Allocates nothing.
    func evaluate(_ weights: UnsafePointer<Lanes>, into out: UnsafeMutablePointer<WildBootstrapDraw>, count: Int,
                  stride: Int, scratch: inout Scratch) {
        var n0 = Lanes(), n1 = Lanes(), d0 = Lanes(), d1 = Lanes(), d2 = Lanes()
        scratch.factors.withUnsafeMutableBufferPointer { factorBuffer in
            scratch.z0.withUnsafeMutableBufferPointer { zBuffer in
                guard let y = factorBuffer.baseAddress, let z = zBuffer.baseAddress else { return }
                a0.withUnsafeBufferPointer { a in
                    left0.withUnsafeBufferPointer { l in
                        n0 = part(a: a, left: l, dense: dense0, v: weights, y: y) { g, value in
                            z[g] = value
                            d0 += value * value
                        }
                    }
                }
                guard restricted else { return }
                a1.withUnsafeBufferPointer { a in
                    left1.withUnsafeBufferPointer { l in
                        n1 = part(a: a, left: l, dense: dense1, v: weights, y: y) { g, value in
                            d1 += z[g] * value
                            d2 += value * value
                        }
                    }
                }
            }
        }
        for d in 0..<min(count, WildBootstrapKernel.lanes) {
            out[d * stride] = WildBootstrapDraw(n0: n0[d], n1: n1[d], d0: d0[d], d1: d1[d], d2: d2[d])
        }
    }

    /// One δ-part for eight draws: `y = L v` (`rank` rows), then for every cluster
    /// `z_g = v_g a_g − Σ_k R_gk y_k − Σ_h F_gh v_h`, handed to `consume(g, z_g)`.
    /// - Returns: the numerators `Σ_g a_g v_g`.
    @inline(__always)
    func part(a: UnsafeBufferPointer<Double>, left: UnsafeBufferPointer<Double>, dense: [Double]?,
              v: UnsafePointer<Lanes>, y: UnsafeMutablePointer<Lanes>, consume: (Int, Lanes) -> Void) -> Lanes {
        let groups = clusterCount, rows = rank
        guard let ap = a.baseAddress, let lp = left.baseAddress else { return Lanes() }
        var numerator = Lanes()
        for g in 0..<groups { numerator += Lanes(repeating: ap[g]) * v[g] }
        // y = L v, two rows at a time (independent accumulators that fit the SSE2 registers).
        var k = 0
        while k + 2 <= rows {
            var acc0 = Lanes(), acc1 = Lanes()
            let r0 = lp + k * groups, r1 = r0 + groups
            for g in 0..<groups {
                let weight = v[g]
                acc0 += Lanes(repeating: r0[g]) * weight
                acc1 += Lanes(repeating: r1[g]) * weight
            }
            y[k] = acc0; y[k + 1] = acc1
            k += 2
        }
        while k < rows {
            var acc = Lanes()
            let r = lp + k * groups
            for g in 0..<groups { acc += Lanes(repeating: r[g]) * v[g] }
            y[k] = acc
            k += 1
        }
        // z_g, from the transposed right factor (row g holds R_g·).
        rightTransposed.withUnsafeBufferPointer { rt in
            guard let rp = rt.baseAddress else { return }
            if let dense {
                dense.withUnsafeBufferPointer { f in
                    guard let fp = f.baseAddress else { return }
                    for g in 0..<groups {
                        var z = v[g] * Lanes(repeating: ap[g])
                        let row = rp + g * rows
                        for k in 0..<rows { z -= Lanes(repeating: row[k]) * y[k] }
                        let denseRow = fp + g * groups
                        for h in 0..<groups { z -= Lanes(repeating: denseRow[h]) * v[h] }
                        consume(g, z)
                    }
                }
                return
            }
            var g = 0
            while g + 2 <= groups {
                var z0 = v[g] * Lanes(repeating: ap[g]), z1 = v[g + 1] * Lanes(repeating: ap[g + 1])
                let row0 = rp + g * rows, row1 = row0 + rows
                for k in 0..<rows {
                    let factor = y[k]
                    z0 -= Lanes(repeating: row0[k]) * factor
                    z1 -= Lanes(repeating: row1[k]) * factor
                }
                consume(g, z0); consume(g + 1, z1)
                g += 2
            }
            while g < groups {
                var z = v[g] * Lanes(repeating: ap[g])
                let row = rp + g * rows
                for k in 0..<rows { z -= Lanes(repeating: row[k]) * y[k] }
                consume(g, z)
                g += 1
            }
        }
        return numerator
    }
}
