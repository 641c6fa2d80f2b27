/// The TWFE path for balanced panels without covariates under designs whose cohort sizes change
/// from draw to draw (whole `--level` groups swap dates, random timing), with units nested in
/// the clusters.
///
/// ## The algebra
/// With `D_it = d_s(t) = 1{t ≥ g_s}` for unit `i` in slot `s`, the two-way demeaned treatment on
/// a balanced panel is `D̃_it = a_s(t) − p_t`, `a_s(t) = d_s(t) − m_s` (`m_s` its mean over t),
/// `p_t = c_t − c̄`, `c_t = Σ_s (n_s/N) d_s(t)`: only `p` depends on the draw's cohort sizes
/// `n_s`, through O(S·T) numbers. With the demeaned outcome `e` and, per unit and slot, the fixed
/// tables `ε_i[s] = Σ_t a_s(t) e_it` and `E_i[s] = Σ_t d_s(t) e_it`, `e_i = Σ_t e_it`:
/// - `Σ_t D̃_it e_it = ε_i[s(i)] − w_i`, `w_i = Σ_t p_t e_it = Σ_s (n_s/N) E_i[s] − c̄ e_i`;
/// - `Σ_t D̃_it² = q_s(i) − 2 (a·p)_s(i) + p·p`, `q_s = Σ_t a_s(t)²`, `(a·p)_s = Σ_t a_s(t) p_t`;
/// - `β̂ = Σ_i (ε_i − w_i) / Σ_i Σ_t D̃²`, and the CR1 score of cluster `c` is
///   `Σ_{i∈c} (ε_i − w_i) − β̂ Σ_{i∈c} Σ_t D̃²` (units nested in clusters).
///
/// Cost per assignment O(N·S + S·T + G) instead of the general path's O(N·T) passes; no
/// allocation. Equal to re-estimation up to summation order (tested at 1e-10).
struct TWFECohortSumsEvaluator: PlaceboEvaluator {
    let design: TWFEPartialledDesign
    let slotCount: Int
    let periodCount: Int
    /// `d_s(t)` and `a_s(t)`, slot-major.
    let indicator: [Double], centred: [Double]
    /// `q_s`.
    let squares: [Double]
    /// `ε_i[s]` (unit-major), `e_i`.
    let centredSums: [Double], unitSums: [Double]
    /// `E_i[s]` slot-major, each slot's row zero-padded to `paddedUnits` (a multiple of 8), and
    /// `e_i` padded the same way, so that `w_i` is formed eight units at a time.
    let indicatorSumsBySlot: [Double], paddedUnitSums: [Double]
    let paddedUnits: Int
    let unitCluster: [Int32]
    var observed: PlaceboValue? { design.observed }
    var pathName: String { "cohort sums (balanced, no covariates, cohort sizes vary; O(units·cohorts) per draw)" }

    init?(design: TWFEPartialledDesign, plan: AssignmentPlan) {
        let panel = design.panel
        guard design.within.isBalanced, design.covariateCount == 0, let unitCluster = design.unitCluster,
              unitCluster.count == panel.unitCount else { return nil }
        let units = panel.unitCount, periods = panel.periodCount, slots = plan.slotPeriods.count
        // Balanced and sorted: unit i's rows are unitStart[i] + t for t = 0..<T.
        for unit in 0..<units where panel.unitStart[unit + 1] - panel.unitStart[unit] != periods { return nil }
        var indicator = [Double](repeating: 0, count: slots * periods)
        var centred = indicator
        var squares = [Double](repeating: 0, count: slots)
        for s in 0..<slots {
            for t in 0..<periods where Int64(t) >= Int64(plan.slotPeriods[s]) { indicator[s * periods + t] = 1 }
            let mean = indicator[(s * periods)..<((s + 1) * periods)].reduce(0, +) / Double(periods)
            for t in 0..<periods {
                centred[s * periods + t] = indicator[s * periods + t] - mean
                squares[s] += centred[s * periods + t] * centred[s * periods + t]
            }
        }
        var centredSums = [Double](repeating: 0, count: units * slots)
        var indicatorSums = centredSums
        var unitSums = [Double](repeating: 0, count: units)
        let e = design.outcomeResidual
        for unit in 0..<units {
            let start = panel.unitStart[unit]
            for t in 0..<periods { unitSums[unit] += e[start + t] }
            for s in 0..<slots {
                var a = 0.0, d = 0.0
                for t in 0..<periods {
                    a += centred[s * periods + t] * e[start + t]
                    d += indicator[s * periods + t] * e[start + t]
                }
                centredSums[unit * slots + s] = a
                indicatorSums[unit * slots + s] = d
            }
        }
        self.design = design
        slotCount = slots
        periodCount = periods
        self.indicator = indicator
        self.centred = centred
        self.squares = squares
        self.centredSums = centredSums
        self.unitSums = unitSums
        let padded = (units + 7) & ~7
        paddedUnits = padded
        var bySlot = [Double](repeating: 0, count: slots * padded)
        for unit in 0..<units { for s in 0..<slots { bySlot[s * padded + unit] = indicatorSums[unit * slots + s] } }
        indicatorSumsBySlot = bySlot
        paddedUnitSums = unitSums + [Double](repeating: 0, count: padded - units)
        self.unitCluster = unitCluster
    }

    func makeWorker() -> any PlaceboWorker { Worker(evaluator: self) }

    final class Worker: PlaceboWorker {
        let evaluator: TWFECohortSumsEvaluator
        // Raw buffers, allocated once.
        let counts: UnsafeMutableBufferPointer<Double>, shift: UnsafeMutableBufferPointer<Double>
        let crossed: UnsafeMutableBufferPointer<Double>, numerators: UnsafeMutableBufferPointer<Double>
        let denominators: UnsafeMutableBufferPointer<Double>
        /// `γ_s = n_s/N`, per-slot `Σ_t D̃²` and its scale term, `w_i` (padded), each unit's slot.
        let shares: UnsafeMutableBufferPointer<Double>, slotSquares: UnsafeMutableBufferPointer<Double>
        let slotScale: UnsafeMutableBufferPointer<Double>, w: UnsafeMutableBufferPointer<Double>
        let slotOfUnit: UnsafeMutableBufferPointer<Int32>

        init(evaluator: TWFECohortSumsEvaluator) {
            self.evaluator = evaluator
            let buffer = UnsafeMutableBufferPointer<Double>.zeroed
            counts = buffer(evaluator.slotCount)
            shift = buffer(evaluator.periodCount)
            crossed = buffer(evaluator.slotCount)
            numerators = buffer(evaluator.design.clusterCount)
            denominators = buffer(evaluator.design.clusterCount)
            shares = buffer(evaluator.slotCount)
            slotSquares = buffer(evaluator.slotCount)
            slotScale = buffer(evaluator.slotCount)
            w = buffer(evaluator.paddedUnits)
            slotOfUnit = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(evaluator.unitCluster.count, 1))
            slotOfUnit.initialize(repeating: 0)
        }

        deinit {
            for b in [counts, shift, crossed, numerators, denominators, shares, slotSquares, slotScale, w] { b.deallocate() }
            slotOfUnit.deallocate()
        }

        /// Every number is formed by the same operations in the same order as the unit-by-unit
        /// loop it replaces (`w_i = −c̄ e_i + Σ_k (n_k/N) E_i[k]` in slot order, the per-unit terms
        /// added in unit order), so results are bit-identical to it: only the slot-independent
        /// parts are hoisted (`n_k/N`, the per-slot `Σ_t D̃²`) and `w_i` is formed for eight units
        /// at once, each lane its own unit.
        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            let e = evaluator, slots = e.slotCount, periods = e.periodCount
            let units = e.unitCluster.count, n = Double(units)
            let baseline = plan.baselineSlot
            // Each unit's slot and the cohort sizes, from the changed-unit list.
            let slotOfUnit = self.slotOfUnit
            for unit in 0..<units { slotOfUnit[unit] = baseline }
            for s in 0..<slots { counts[s] = 0 }
            counts[Int(baseline)] = Double(units - scratch.changedCount)
            scratch.changedUnits.withUnsafeBufferPointer { changed in
                scratch.changedSlots.withUnsafeBufferPointer { changedSlot in
                    for m in 0..<scratch.changedCount {
                        slotOfUnit[Int(changed[m])] = changedSlot[m]
                        counts[Int(changedSlot[m])] += 1
                    }
                }
            }
            for s in 0..<slots { shares[s] = counts[s] / n }
            // p_t = c_t − c̄ and p·p, (a·p)_s.
            var grand = 0.0
            e.indicator.withUnsafeBufferPointer { d in
                for t in 0..<periods {
                    var c = 0.0
                    for s in 0..<slots { c += shares[s] * d[s * periods + t] }
                    shift[t] = c
                    grand += c
                }
            }
            grand /= Double(periods)
            var shiftSquares = 0.0
            for t in 0..<periods { shift[t] -= grand; shiftSquares += shift[t] * shift[t] }
            e.centred.withUnsafeBufferPointer { a in
                for s in 0..<slots {
                    var sum = 0.0
                    for t in 0..<periods { sum += a[s * periods + t] * shift[t] }
                    crossed[s] = sum
                }
            }
            for s in 0..<slots {
                slotSquares[s] = e.squares[s] - 2 * crossed[s] + shiftSquares
                slotScale[s] = e.squares[s] + shiftSquares
            }
            // w_i = −c̄ e_i + Σ_k γ_k E_i[k], eight units per vector, slots in order.
            let padded = e.paddedUnits
            e.indicatorSumsBySlot.withUnsafeBufferPointer { big in
                e.paddedUnitSums.withUnsafeBufferPointer { total in
                    guard let bigBase = big.baseAddress, let totalBase = total.baseAddress,
                          let wBase = w.baseAddress else { return }
                    let bigRaw = UnsafeRawPointer(bigBase), totalRaw = UnsafeRawPointer(totalBase)
                    let wRaw = UnsafeMutableRawPointer(wBase)
                    let lead = SIMD8<Double>(repeating: -grand)
                    var unit = 0
                    while unit < padded {
                        let byte = unit &* 8
                        var sum = lead * totalRaw.loadUnaligned(fromByteOffset: byte, as: SIMD8<Double>.self)
                        for k in 0..<slots {
                            sum += SIMD8<Double>(repeating: shares[k])
                                * bigRaw.loadUnaligned(fromByteOffset: (k &* padded &+ unit) &* 8, as: SIMD8<Double>.self)
                        }
                        wRaw.storeBytes(of: sum, toByteOffset: byte, as: SIMD8<Double>.self)
                        unit &+= 8
                    }
                }
            }
            for c in 0..<numerators.count { numerators[c] = 0; denominators[c] = 0 }
            var numerator = 0.0, denominator = 0.0, scale = 0.0
            e.centredSums.withUnsafeBufferPointer { eps in
                e.unitCluster.withUnsafeBufferPointer { cluster in
                    for unit in 0..<units {
                        let s = Int(slotOfUnit[unit])
                        let cross = eps[unit &* slots &+ s] - w[unit]
                        let square = slotSquares[s]
                        let c = Int(cluster[unit])
                        numerators[c] += cross
                        denominators[c] += square
                        numerator += cross
                        denominator += square
                        scale += slotScale[s]
                    }
                }
            }
            let beta = numerator / denominator
            guard denominator > 1e-10 * scale, beta.isFinite else { return .invalid }
            var sum = 0.0
            for c in 0..<numerators.count {
                let score = numerators[c] - beta * denominators[c]
                sum += score * score
            }
            return PlaceboValue(estimate: beta, standardError: (e.design.correctionFactor * sum).squareRoot() / denominator,
                                degreesOfFreedom: e.design.degreesOfFreedom)
        }
    }
}
