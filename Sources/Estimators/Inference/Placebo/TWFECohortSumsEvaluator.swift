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
    /// `ε_i[s]`, `E_i[s]` (unit-major), `e_i`.
    let centredSums: [Double], indicatorSums: [Double], unitSums: [Double]
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
        self.indicatorSums = indicatorSums
        self.unitSums = unitSums
        self.unitCluster = unitCluster
    }

    func makeWorker() -> any PlaceboWorker { Worker(evaluator: self) }

    final class Worker: PlaceboWorker {
        let evaluator: TWFECohortSumsEvaluator
        // Raw buffers, allocated once.
        let counts: UnsafeMutableBufferPointer<Double>, shift: UnsafeMutableBufferPointer<Double>
        let crossed: UnsafeMutableBufferPointer<Double>, numerators: UnsafeMutableBufferPointer<Double>
        let denominators: UnsafeMutableBufferPointer<Double>

        init(evaluator: TWFECohortSumsEvaluator) {
            self.evaluator = evaluator
            let buffer = UnsafeMutableBufferPointer<Double>.zeroed
            counts = buffer(evaluator.slotCount)
            shift = buffer(evaluator.periodCount)
            crossed = buffer(evaluator.slotCount)
            numerators = buffer(evaluator.design.clusterCount)
            denominators = buffer(evaluator.design.clusterCount)
        }

        deinit { for b in [counts, shift, crossed, numerators, denominators] { b.deallocate() } }

        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            plan.fillUnits(&scratch)
            let e = evaluator, slots = e.slotCount, periods = e.periodCount
            let units = e.unitCluster.count, n = Double(units)
            for s in 0..<slots { counts[s] = 0 }
            scratch.unitSlots.withUnsafeBufferPointer { slot in
                for unit in 0..<units { counts[Int(slot[unit])] += 1 }
            }
            // p_t = c_t − c̄ and p·p, (a·p)_s.
            var grand = 0.0
            e.indicator.withUnsafeBufferPointer { d in
                for t in 0..<periods {
                    var c = 0.0
                    for s in 0..<slots { c += counts[s] / n * d[s * periods + t] }
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
            for c in 0..<numerators.count { numerators[c] = 0; denominators[c] = 0 }
            var numerator = 0.0, denominator = 0.0, scale = 0.0
            scratch.unitSlots.withUnsafeBufferPointer { slot in
                e.centredSums.withUnsafeBufferPointer { eps in
                    e.indicatorSums.withUnsafeBufferPointer { big in
                        e.unitSums.withUnsafeBufferPointer { total in
                            e.unitCluster.withUnsafeBufferPointer { cluster in
                                e.squares.withUnsafeBufferPointer { q in
                                    for unit in 0..<units {
                                        let s = Int(slot[unit])
                                        var w = -grand * total[unit]
                                        for k in 0..<slots { w += counts[k] / n * big[unit * slots + k] }
                                        let cross = eps[unit * slots + s] - w
                                        let square = q[s] - 2 * crossed[s] + shiftSquares
                                        let c = Int(cluster[unit])
                                        numerators[c] += cross
                                        denominators[c] += square
                                        numerator += cross
                                        denominator += square
                                        scale += q[s] + shiftSquares
                                    }
                                }
                            }
                        }
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
