/// The fast TWFE path for balanced panels under designs that keep the number of units in every
/// cohort (``AssignmentPlan/preservesCohortSizes``), with units nested in the clusters.
///
/// ## The algebra
/// Unit `i` in cohort (slot) `s` has `D_it = d_s(t) = 1{t ≥ g_s}`. On a balanced panel the
/// two-way demeaned treatment is `D̃_it = δ_s(t) = d_s(t) − m_s − p_t`, with `m_s = mean_t d_s(t)`
/// and `p_t = c_t − c̄`, `c_t = Σ_s (n_s/N) d_s(t)`: it depends only on (cohort, period), and the
/// cohort sizes `n_s` are fixed, so `δ` is a fixed table. With `e`, `X̃` from
/// ``TWFEPartialledDesign`` define once, per unit `i` and slot `s`,
/// `ε_i[s] = Σ_t δ_s(t) e_it`, `A_i[s] = Σ_t δ_s(t) X̃_it` (k-vector), `q_s = Σ_t δ_s(t)²`, and per
/// cluster `H_c = Σ_{i∈c,t} X̃_it e_it`, `S_c = Σ_{i∈c,t} X̃_it X̃_it'`. For an assignment `s(i)`:
/// - `X̃'D̃ = b = Σ_i A_i[s(i)]`, `π = (X̃'X̃)⁻¹ b`, `r'e = Σ_i ε_i[s(i)]`,
///   `r'r = Σ_i q_{s(i)} − b'π`, `β̂ = r'e / r'r`;
/// - per cluster, with `α_c = Σ_{i∈c} ε_i[s(i)]`, `Q_c = Σ_{i∈c} q_{s(i)}`, `B_c = Σ_{i∈c} A_i[s(i)]`:
///   `Σ_{c} r e = α_c − π'H_c`, `Σ_{c} r² = Q_c − 2π'B_c + π'S_cπ`, so the CR1 score is
///   `s_c = α_c − π'H_c − β̂(Q_c − 2π'B_c + π'S_cπ)`, and `Var β̂ = c·Σ_c s_c² / (r'r)²`.
///
/// ## Cost: O(changed units), not O(units)
/// Write every quantity as its value with every unit in the baseline slot `L` plus the change
/// from the units a draw moves out of `L` (37 of 282 on the CETS panel). Totals update in
/// O(changed·k). For the scores, `s_c = s⁰_c + Δs_c` where the baseline score is linear in
/// `z = (1, β, π, βπ, β·π_aπ_b (a ≤ b))` with fixed coefficients `v_c`:
/// `s⁰_c = v_c'z`, so `Σ_c (s⁰_c)² = z'Ωz` with `Ω = Σ_c v_c v_c'` precomputed, and only the
/// touched clusters need `2 s⁰_c Δs_c + Δs_c²`, with `Δs_c = Δα_c − β̂ ΔQ_c + 2β̂ π'ΔB_c`.
/// Per assignment: O(changed·(k + dim z)) + dim z² flops (dim z = 20 for k = 4), no allocation.
struct TWFEBalancedEvaluator: PlaceboEvaluator {
    let design: TWFEPartialledDesign
    let slotCount: Int
    let covariateCount: Int
    let unitCluster: [Int32]
    /// Dimension of `z = (1, β, π, βπ, β π_a π_b)`.
    let zDimension: Int
    /// `v_c`, each row zero-padded to `paddedDimension` (a multiple of 8) for the SIMD product
    /// `v_c'z` of every draw.
    let paddedCoefficients: [Double]
    let paddedDimension: Int
    /// Per (unit, slot): `[ε_i[s] − ε_i[L], q_s − q_L, A_i[s] − A_i[L]]` as `laneChunks` `SIMD8`s,
    /// zero-padded, so a changed unit updates the totals and its cluster's deltas with one vector
    /// add per chunk.
    let vectorTable: [SIMD8<Double>]
    let laneChunks: Int
    /// Baseline totals `[Σ_i ε_i[L], N q_L, Σ_i A_i[L]…]` as lane vectors.
    let baseTotals: [SIMD8<Double>]
    /// `Ω = Σ_c v_c v_c'` (symmetric), column-major and zero-padded to `paddedDimension`².
    let fullOmega: [Double]
    /// True when every cluster holds exactly one unit (clustering by the unit): a changed unit's
    /// cluster delta is then its table row, with no per-cluster accumulation.
    let singletonClusters: Bool
    /// `Σ_i Σ_t D̃²` scale for the collinearity check.
    var observed: PlaceboValue? { design.observed }
    var pathName: String { "fast balanced (cohort-indexed sums, O(changed units) per draw)" }

    init?(design: TWFEPartialledDesign, plan: AssignmentPlan) {
        let panel = design.panel
        guard design.within.isBalanced, plan.preservesCohortSizes else { return nil }
        let units = panel.unitCount, periods = panel.periodCount, k = design.covariateCount
        let n = design.observationCount
        // Units nested in clusters? (Recorded by the panel; nil means they are not.)
        guard let unitCluster = design.unitCluster, unitCluster.count == units else { return nil }
        self.design = design
        self.unitCluster = unitCluster
        var unitsPerCluster = [Int](repeating: 0, count: design.clusterCount)
        for c in unitCluster { unitsPerCluster[Int(c)] += 1 }
        singletonClusters = unitsPerCluster.allSatisfy { $0 == 1 }
        covariateCount = k
        let slots = plan.slotPeriods.count
        slotCount = slots
        let baseline = Int(plan.baselineSlot)

        // δ_s(t).
        var unitsInSlot = [Double](repeating: 0, count: slots)
        for slot in plan.observedSlots { unitsInSlot[Int(slot)] += 1 }
        var indicator = [Double](repeating: 0, count: slots * periods)
        for s in 0..<slots { for t in 0..<periods where Int64(t) >= Int64(plan.slotPeriods[s]) { indicator[s * periods + t] = 1 } }
        var share = [Double](repeating: 0, count: periods)
        for s in 0..<slots { for t in 0..<periods { share[t] += unitsInSlot[s] / Double(units) * indicator[s * periods + t] } }
        let shareMean = share.reduce(0, +) / Double(periods)
        var delta = [Double](repeating: 0, count: slots * periods)
        var squares = [Double](repeating: 0, count: slots)
        for s in 0..<slots {
            var mean = 0.0
            for t in 0..<periods { mean += indicator[s * periods + t] }
            mean /= Double(periods)
            for t in 0..<periods {
                let value = indicator[s * periods + t] - mean - (share[t] - shareMean)
                delta[s * periods + t] = value
                squares[s] += value * value
            }
        }

        // Per-unit tables, and the baseline per-cluster pieces.
        let stride = k + 2
        var table = [Double](repeating: 0, count: units * slots * stride)
        let clusters = design.clusterCount
        var alpha0 = [Double](repeating: 0, count: clusters), q0 = alpha0
        var b0 = [Double](repeating: 0, count: clusters * k), h = b0
        var gram = [Double](repeating: 0, count: clusters * k * k)
        var baseNumerator = 0.0
        var baseCross = [Double](repeating: 0, count: k)
        let x = design.demeanedCovariates, e = design.outcomeResidual
        var epsilon = [Double](repeating: 0, count: slots), cross = [Double](repeating: 0, count: slots * k)
        // Per-unit sums over periods, for every unit first: one SIMD16 row per unit when T ≤ 16
        // (see `UnitRows`), else scalar loops. Per unit, `sums` holds ε_s for every slot, the k
        // cross sums per slot, then Σ_t x_a e and Σ_t x_a x_b (a ≥ b).
        let pairCount = k * (k + 1) / 2
        let width = slots * (1 + k) + k + pairCount
        var sums = [Double](repeating: 0, count: units * width)
        sums.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { xs in
                e.withUnsafeBufferPointer { es in
                    delta.withUnsafeBufferPointer { deltaValues in
                        guard let o = out.baseAddress, let xBase = xs.baseAddress, let eBase = es.baseAddress else { return }
                        if let rows = UnitRows(units: units, periods: periods) {
                            var deltaRows = [UnitRows.Row](repeating: UnitRows.Row(), count: slots)
                            for s in 0..<slots { for t in 0..<periods { deltaRows[s][t] = deltaValues[s * periods + t] } }
                            var xRows = [UnitRows.Row](repeating: UnitRows.Row(), count: k)
                            deltaRows.withUnsafeBufferPointer { deltaRow in
                                xRows.withUnsafeMutableBufferPointer { xRow in
                                    for unit in 0..<units {
                                        let target = o + unit * width
                                        let eRow = rows.load(eBase, unit: unit) * rows.mask
                                        for a in 0..<k { xRow[a] = rows.load(xBase + a * n, unit: unit) * rows.mask }
                                        for s in 0..<slots {
                                            target[s] = UnitRows.horizontalSum(deltaRow[s] * eRow)
                                            for a in 0..<k {
                                                target[slots + s * k + a] = UnitRows.horizontalSum(deltaRow[s] * xRow[a])
                                            }
                                        }
                                        var pair = slots * (1 + k) + k
                                        for a in 0..<k {
                                            target[slots * (1 + k) + a] = UnitRows.horizontalSum(xRow[a] * eRow)
                                            for b in 0...a {
                                                target[pair] = UnitRows.horizontalSum(xRow[a] * xRow[b])
                                                pair += 1
                                            }
                                        }
                                    }
                                }
                            }
                            return
                        }
                        for unit in 0..<units {
                            let first = unit * periods, target = o + unit * width
                            for s in 0..<slots {
                                var sum = 0.0
                                for t in 0..<periods { sum += deltaValues[s * periods + t] * eBase[first + t] }
                                target[s] = sum
                                for a in 0..<k {
                                    var ax = 0.0
                                    for t in 0..<periods { ax += deltaValues[s * periods + t] * xBase[a * n + first + t] }
                                    target[slots + s * k + a] = ax
                                }
                            }
                            var pair = slots * (1 + k) + k
                            for a in 0..<k {
                                var he = 0.0
                                for t in 0..<periods { he += xBase[a * n + first + t] * eBase[first + t] }
                                target[slots * (1 + k) + a] = he
                                for b in 0...a {
                                    var xx = 0.0
                                    for t in 0..<periods { xx += xBase[a * n + first + t] * xBase[b * n + first + t] }
                                    target[pair] = xx
                                    pair += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        for unit in 0..<units {
            let c = Int(unitCluster[unit])
            let row = unit * width
            for s in 0..<slots {
                epsilon[s] = sums[row + s]
                for a in 0..<k { cross[s * k + a] = sums[row + slots + s * k + a] }
            }
            for s in 0..<slots {
                let base = (unit * slots + s) * stride
                table[base] = epsilon[s] - epsilon[baseline]
                table[base + 1] = squares[s] - squares[baseline]
                for a in 0..<k { table[base + 2 + a] = cross[s * k + a] - cross[baseline * k + a] }
            }
            baseNumerator += epsilon[baseline]
            alpha0[c] += epsilon[baseline]
            q0[c] += squares[baseline]
            var pair = slots * (1 + k) + k
            for a in 0..<k {
                baseCross[a] += cross[baseline * k + a]
                b0[c * k + a] += cross[baseline * k + a]
                h[c * k + a] += sums[row + slots * (1 + k) + a]
                for b in 0...a {
                    gram[(c * k + a) * k + b] += sums[row + pair]
                    pair += 1
                }
            }
        }
        // v_c (rows zero-padded) and Ω.
        let dimension = 2 + 2 * k + k * (k + 1) / 2
        zDimension = dimension
        let padded = (dimension + 7) & ~7
        paddedDimension = padded
        var coefficients = [Double](repeating: 0, count: clusters * padded)
        for c in 0..<clusters {
            let base = c * padded
            coefficients[base] = alpha0[c]
            coefficients[base + 1] = -q0[c]
            for a in 0..<k {
                coefficients[base + 2 + a] = -h[c * k + a]
                coefficients[base + 2 + k + a] = 2 * b0[c * k + a]
            }
            var pair = base + 2 + 2 * k
            for a in 0..<k {
                for b in a..<k {
                    coefficients[pair] = -gram[(c * k + b) * k + a] * (a == b ? 1 : 2)
                    pair += 1
                }
            }
        }
        paddedCoefficients = coefficients
        // Ω = Σ_c v_c v_c' as dot products of the columns of V (clusters × dimension), each a
        // vectorised sum over the clusters in order.
        var columns = [Double](repeating: 0, count: clusters * dimension)
        for c in 0..<clusters { for a in 0..<dimension { columns[a * clusters + c] = coefficients[c * padded + a] } }
        var omega = [Double](repeating: 0, count: padded * padded)
        columns.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return }
            for a in 0..<dimension {
                let x = UnsafeBufferPointer(start: base + a * clusters, count: clusters)
                for b in a..<dimension {
                    let value = dot(x, UnsafeBufferPointer(start: base + b * clusters, count: clusters))
                    omega[a * padded + b] = value
                    omega[b * padded + a] = value
                }
            }
        }
        fullOmega = omega
        let chunks = (k + 2 + 7) / 8
        laneChunks = chunks
        var vectors = [SIMD8<Double>](repeating: SIMD8(), count: units * slots * chunks)
        for row in 0..<(units * slots) {
            for lane in 0..<(k + 2) { vectors[row * chunks + lane / 8][lane % 8] = table[row * stride + lane] }
        }
        vectorTable = vectors
        var totals = [SIMD8<Double>](repeating: SIMD8(), count: chunks)
        totals[0][0] = baseNumerator
        totals[0][1] = Double(units) * squares[baseline]
        for a in 0..<k { totals[(a + 2) / 8][(a + 2) % 8] = baseCross[a] }
        baseTotals = totals
    }

    func makeWorker() -> any PlaceboWorker { Worker(evaluator: self) }
}
