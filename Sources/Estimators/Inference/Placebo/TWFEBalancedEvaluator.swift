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
    /// Per (unit, slot): `[ε_i[s] − ε_i[L], q_s − q_L, A_i[s] − A_i[L]]`, stride `k + 2`.
    let unitTable: [Double]
    let unitCluster: [Int32]
    /// Baseline totals `Σ_i ε_i[L]`, `N q_L`, `Σ_i A_i[L]`.
    let baseNumerator: Double, baseTreatmentSquares: Double
    let baseCross: [Double]
    /// `v_c`, stride `zDimension`, and `Ω` stored as its upper triangle with doubled off-diagonal.
    let zDimension: Int
    let clusterCoefficients: [Double]
    /// `v_c` again, each row zero-padded to `paddedDimension` (a multiple of 8) for the SIMD
    /// product `v_c'z` of every draw.
    let paddedCoefficients: [Double]
    let paddedDimension: Int
    let omega: [Double]
    /// `Σ_i Σ_t D̃²` scale for the collinearity check.
    var observed: PlaceboValue? { design.observed }
    var pathName: String { "fast balanced (cohort-indexed sums, O(changed units) per draw)" }

    init?(design: TWFEPartialledDesign, plan: AssignmentPlan) {
        let panel = design.panel
        guard design.within.isBalanced, plan.preservesCohortSizes else { return nil }
        let units = panel.unitCount, periods = panel.periodCount, k = design.covariateCount
        let n = design.observationCount
        // Units nested in clusters?
        var unitCluster = [Int32](repeating: 0, count: units)
        for unit in 0..<units {
            let rows = (unit * periods)..<((unit + 1) * periods)
            unitCluster[unit] = design.clusterIndex[rows.lowerBound]
            for row in rows where design.clusterIndex[row] != unitCluster[unit] { return nil }
        }
        self.design = design
        self.unitCluster = unitCluster
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
        for unit in 0..<units {
            let first = unit * periods
            let c = Int(unitCluster[unit])
            for s in 0..<slots {
                var sum = 0.0
                for t in 0..<periods { sum += delta[s * periods + t] * e[first + t] }
                epsilon[s] = sum
                for a in 0..<k {
                    var ax = 0.0
                    for t in 0..<periods { ax += delta[s * periods + t] * x[a * n + first + t] }
                    cross[s * k + a] = ax
                }
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
            for a in 0..<k {
                baseCross[a] += cross[baseline * k + a]
                b0[c * k + a] += cross[baseline * k + a]
                var he = 0.0
                for t in 0..<periods { he += x[a * n + first + t] * e[first + t] }
                h[c * k + a] += he
                for b in 0...a {
                    var xx = 0.0
                    for t in 0..<periods { xx += x[a * n + first + t] * x[b * n + first + t] }
                    gram[(c * k + a) * k + b] += xx
                }
            }
        }
        unitTable = table
        self.baseNumerator = baseNumerator
        self.baseCross = baseCross
        baseTreatmentSquares = Double(units) * squares[baseline]

        // v_c and Ω.
        let dimension = 2 + 2 * k + k * (k + 1) / 2
        zDimension = dimension
        var coefficients = [Double](repeating: 0, count: clusters * dimension)
        for c in 0..<clusters {
            let base = c * dimension
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
        var omega = [Double](repeating: 0, count: dimension * dimension)
        coefficients.withUnsafeBufferPointer { v in
            omega.withUnsafeMutableBufferPointer { o in
                for c in 0..<clusters {
                    let base = c * dimension
                    for a in 0..<dimension {
                        let va = v[base + a]
                        guard va != 0 else { continue }
                        for b in a..<dimension { o[a * dimension + b] += va * v[base + b] }
                    }
                }
                // Off-diagonal entries doubled into the upper triangle: z'Ωz = Σ_{a≤b} Ω_ab z_a z_b.
                for a in 0..<dimension { for b in (a + 1)..<max(dimension, a + 1) { o[a * dimension + b] *= 2 } }
            }
        }
        clusterCoefficients = coefficients
        let padded = (dimension + 7) & ~7
        paddedDimension = padded
        var paddedRows = [Double](repeating: 0, count: clusters * padded)
        for c in 0..<clusters { for a in 0..<dimension { paddedRows[c * padded + a] = coefficients[c * dimension + a] } }
        paddedCoefficients = paddedRows
        self.omega = omega
    }

    func makeWorker() -> any PlaceboWorker { Worker(evaluator: self) }

    final class Worker: PlaceboWorker {
        let evaluator: TWFEBalancedEvaluator
        // Raw buffers (allocated once): class-held arrays would pay a dynamic exclusivity
        // check on every element access in the hot loop.
        let deltaAlpha: UnsafeMutableBufferPointer<Double>, deltaSquares: UnsafeMutableBufferPointer<Double>
        let deltaCross: UnsafeMutableBufferPointer<Double>
        let touched: UnsafeMutableBufferPointer<Bool>, touchedList: UnsafeMutableBufferPointer<Int32>
        let cross: UnsafeMutableBufferPointer<Double>, projection: UnsafeMutableBufferPointer<Double>
        let z: UnsafeMutableBufferPointer<Double>

        init(evaluator: TWFEBalancedEvaluator) {
            self.evaluator = evaluator
            let clusters = evaluator.design.clusterCount, k = evaluator.covariateCount
            func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
                let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
                b.initialize(repeating: value)
                return b
            }
            deltaAlpha = buffer(clusters, 0.0)
            deltaSquares = buffer(clusters, 0.0)
            deltaCross = buffer(clusters * k, 0.0)
            touched = buffer(clusters, false)
            touchedList = buffer(clusters, Int32(0))
            cross = buffer(k, 0.0)
            projection = buffer(k, 0.0)
            z = buffer(evaluator.paddedDimension, 0.0)   // lanes ≥ zDimension stay 0
        }

        deinit {
            for b in [deltaAlpha, deltaSquares, deltaCross, cross, projection, z] { b.deallocate() }
            touched.deallocate()
            touchedList.deallocate()
        }

        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            let ev = evaluator
            let k = ev.covariateCount, stride = k + 2, slots = ev.slotCount, dimension = ev.zDimension
            let deltaAlpha = self.deltaAlpha, deltaSquares = self.deltaSquares, deltaCross = self.deltaCross
            let touched = self.touched, touchedList = self.touchedList
            let cross = self.cross, projection = self.projection, z = self.z
            var numerator = ev.baseNumerator, treatmentSquares = ev.baseTreatmentSquares
            var touchedCount = 0
            for a in 0..<k { cross[a] = ev.baseCross[a] }
            let changed = scratch.changedCount
            ev.unitTable.withUnsafeBufferPointer { table in
                ev.unitCluster.withUnsafeBufferPointer { unitCluster in
                    scratch.changedUnits.withUnsafeBufferPointer { units in
                        scratch.changedSlots.withUnsafeBufferPointer { unitSlots in
                            for m in 0..<changed {
                                let unit = Int(units[m])
                                let row = (unit * slots + Int(unitSlots[m])) * stride
                                let c = Int(unitCluster[unit])
                                numerator += table[row]
                                treatmentSquares += table[row + 1]
                                deltaAlpha[c] += table[row]
                                deltaSquares[c] += table[row + 1]
                                for a in 0..<k {
                                    cross[a] += table[row + 2 + a]
                                    deltaCross[c * k + a] += table[row + 2 + a]
                                }
                                if !touched[c] {
                                    touched[c] = true
                                    touchedList[touchedCount] = Int32(c)
                                    touchedCount += 1
                                }
                            }
                        }
                    }
                }
            }
            var explained = 0.0
            ev.design.covariateInverse.withUnsafeBufferPointer { inverse in
                for a in 0..<k {
                    var sum = 0.0
                    for b in 0..<k { sum += inverse[a * k + b] * cross[b] }
                    projection[a] = sum
                    explained += sum * cross[a]
                }
            }
            let denominator = treatmentSquares - explained
            let beta = numerator / denominator
            // z = (1, β, π, βπ, β π_a π_b).
            z[0] = 1
            z[1] = beta
            for a in 0..<k {
                z[2 + a] = projection[a]
                z[2 + k + a] = beta * projection[a]
            }
            var pair = 2 + 2 * k
            for a in 0..<k { for b in a..<k { z[pair] = beta * projection[a] * projection[b]; pair += 1 } }
            var sum = 0.0
            ev.omega.withUnsafeBufferPointer { omega in
                for a in 0..<dimension {
                    var row = 0.0
                    for b in a..<dimension { row += omega[a * dimension + b] * z[b] }
                    sum += z[a] * row
                }
            }
            let padded = ev.paddedDimension
            ev.paddedCoefficients.withUnsafeBufferPointer { v in
                guard let vBase = v.baseAddress, let zBase = z.baseAddress else { return }
                let zRaw = UnsafeRawPointer(zBase)
                for m in 0..<touchedCount {
                    let c = Int(touchedList[m])
                    // v_c'z eight lanes at a time (rows and z are zero-padded), then a tree sum.
                    let row = UnsafeRawPointer(vBase + c &* padded)
                    var lanes = SIMD8<Double>()
                    var offset = 0
                    while offset < padded {
                        lanes += row.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                            * zRaw.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                        offset &+= 8
                    }
                    let four = lanes.lowHalf + lanes.highHalf
                    let two = four.lowHalf + four.highHalf
                    let base = two[0] + two[1]
                    var change = deltaAlpha[c] - beta * deltaSquares[c]
                    for a in 0..<k { change += 2 * beta * projection[a] * deltaCross[c * k + a]; deltaCross[c * k + a] = 0 }
                    sum += change * (2 * base + change)
                    deltaAlpha[c] = 0
                    deltaSquares[c] = 0
                    touched[c] = false
                }
            }
            guard denominator > 1e-10 * treatmentSquares, beta.isFinite else { return .invalid }
            return PlaceboValue(estimate: beta,
                                standardError: (ev.design.correctionFactor * max(sum, 0)).squareRoot() / denominator,
                                degreesOfFreedom: ev.design.degreesOfFreedom)
        }
    }
}
