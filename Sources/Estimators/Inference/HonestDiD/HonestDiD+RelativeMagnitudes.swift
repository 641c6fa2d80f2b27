extension HonestDiD {
    /// The C-LF confidence set under `Δ^RM(M̄)` (Rambachan & Roth 2023, Section 4.2; R HonestDiD's
    /// `computeConditionalCS_DeltaRM` with `hybrid_flag = "LF"`, `postPeriodMomentsOnly = TRUE`).
    ///
    /// `Δ^RM(M̄)` is the union over `s ∈ {−(K−1), …, 0}` (which pre-period first difference
    /// `δ_s − δ_{s−1}` is the largest) and its sign of the polyhedra
    /// `|δ_{t+1} − δ_t| ≤ M̄·(±(δ_s − δ_{s−1}))` for post periods `t ≥ 0` (and `≤ 1·` for pre periods,
    /// which `postPeriodMomentsOnly` leaves out of the test, as R does). For each of the `2K`
    /// pieces, ``ConditionalHybridTest`` tests `θ` with the nuisance `τ` spanning `{v: l'v = 0}`
    /// (R's `Γ` with `l'` as its first row); `θ` is accepted when any piece accepts it.
    ///
    /// **Inversion.** Like R, DiDLab tests the grid of ``Options/gridPoints`` points on
    /// `[−20 sd(l'β̂_post), 20 sd(l'β̂_post)]` (when that grid accepts nothing or reaches one of its
    /// ends — an estimate far from 0, a large `M̄` — it is widened around the estimate, doubling up
    /// to 64 times, where R would report an empty or clipped set) and reports its smallest and largest accepted points
    /// (``ConfidenceSet/gridLower``/``gridUpper``); then (``Options/refine``) it bisects between each
    /// of them and its rejected neighbour outside to ``Options/rootTolerance``, giving
    /// ``ConfidenceSet/lower``/``upper``. Accepted points strictly between grid points outside the
    /// grid's accepted range are not searched for (neither does R).
    static func relativeMagnitudesSet(_ es: EventStudyCoefficients, l: [Double], Mbar: Double, alpha: Double,
                                      options: Options) throws -> ConfidenceSet {
        let tests = try relativeMagnitudeTests(es, l: l, Mbar: Mbar, alpha: alpha, options: options)
        func accepts(_ theta: Double) -> Bool { tests.contains { !$0.rejects(theta) } }
        let (estimate, sdTheta) = es.postCombination(l)
        let n = max(options.gridPoints, 2)
        // R's grid first; when it accepts nothing or reaches an end (an estimate more than ~20 sd
        // from 0, or a large M̄), widen it around the estimate, doubling up to 64 times R's width,
        // rather than report an empty or clipped set.
        var low = -20 * sdTheta, high = 20 * sdTheta
        var step = 0.0
        var found: (first: Int, last: Int)?
        for widening in 0...6 {
            if widening > 0 {
                let half = 20 * sdTheta * Double(1 << widening)
                low = min(-20 * sdTheta, estimate - half)
                high = max(20 * sdTheta, estimate + half)
            }
            step = (high - low) / Double(n - 1)
            let (a, b, s) = (low, high, step)
            let point = { (k: Int) -> Double in k == n - 1 ? b : a + Double(k) * s }
            if let first = (0..<n).first(where: { accepts(point($0)) }),
               let last = (0..<n).reversed().first(where: { accepts(point($0)) }) {
                found = (first, last)
                if first > 0 && last < n - 1 { break }
            } else {
                found = nil
            }
        }
        let (gridLow, gridHigh, gridStep) = (low, high, step)
        func grid(_ k: Int) -> Double { k == n - 1 ? gridHigh : gridLow + Double(k) * gridStep }
        guard let (first, last) = found else {
            return ConfidenceSet(restriction: .relativeMagnitudes(Mbar), target: .firstPost, method: .conditionalLeastFavourable,
                                 lower: .nan, upper: .nan, gridLower: .nan, gridUpper: .nan, gridStep: step)
        }
        func boundary(accepted: Double, rejected: Double) -> Double {
            var a = accepted, r = rejected
            while abs(a - r) > options.rootTolerance {
                let mid = (a + r) / 2
                if accepts(mid) { a = mid } else { r = mid }
            }
            return (a + r) / 2
        }
        let lower = options.refine && first > 0 ? boundary(accepted: grid(first), rejected: grid(first - 1)) : grid(first)
        let upper = options.refine && last < n - 1 ? boundary(accepted: grid(last), rejected: grid(last + 1)) : grid(last)
        return ConfidenceSet(restriction: .relativeMagnitudes(Mbar), target: .firstPost, method: .conditionalLeastFavourable,
                             lower: lower, upper: upper, gridLower: grid(first), gridUpper: grid(last), gridStep: gridStep,
                             openAtGridEnd: first == 0 || last == n - 1)
    }

    /// Whether the C-LF test under `Δ^RM(M̄)` rejects `θ = value` (any piece accepting means no).
    static func relativeMagnitudesRejects(_ value: Double, _ es: EventStudyCoefficients, l: [Double], Mbar: Double,
                                          alpha: Double, options: Options) throws -> Bool {
        try relativeMagnitudeTests(es, l: l, Mbar: Mbar, alpha: alpha, options: options).allSatisfy { $0.rejects(value) }
    }

    /// The `2K` pieces' tests, in R's order (`s = −(K−1)…0`, `+` then `−`), each with its
    /// least-favourable critical value (simulated from its own stream, or supplied).
    static func relativeMagnitudeTests(_ es: EventStudyCoefficients, l: [Double], Mbar: Double, alpha: Double,
                                       options: Options) throws -> [ConditionalHybridTest] {
        let K = es.preCount, P = es.postCount
        let kappa = options.hybridKappa ?? alpha / 10
        let gammaInverse = try targetBasisInverse(l)
        let pieces = (-(K - 1)...0).flatMap { s in [(s, true), (s, false)] }
        if let supplied = options.leastFavourableCriticalValues, supplied.count != pieces.count {
            throw HonestDiDError("\(supplied.count) least-favourable critical values were supplied for \(pieces.count) pieces of Δ^RM")
        }
        var beta = SmallMatrix(rows: es.coefficients.count, columns: es.coefficients.count, values: es.covariance)
        beta.values = es.covariance
        return pieces.enumerated().map { index, piece in
            let A = relativeMagnitudeRows(pre: K, post: P, Mbar: Mbar, s: piece.0, positive: piece.1)
            let Y = A.times(es.coefficients)
            let sigmaY = A.times(beta).times(A.transposed)
            let postColumns = Array(K..<(K + P))
            let aGammaInverse = A.selectingColumns(postColumns).times(gammaInverse)
            let a1 = (0..<A.rows).map { aGammaInverse[$0, 0] }
            let X = aGammaInverse.selectingColumns(Array(1..<P))
            var test = ConditionalHybridTest(Y: Y, a1: a1, X: X, sigma: sigmaY, alpha: alpha, kappa: kappa,
                                             truncateAtLeastFavourable: P > 1)
            if let supplied = options.leastFavourableCriticalValues {
                test.leastFavourable = supplied[index]
            } else {
                var stream = RandomStream(key: RandomStream.key(seed: options.seed, replication: UInt64(index),
                                                                purpose: 0x484F_4E45_5354))
                test.leastFavourable = test.leastFavourableCriticalValue(draws: options.leastFavourableDraws, stream: &stream)
            }
            return test
        }
    }

    /// The rows of `A` for the piece (`s`, sign) of `Δ^RM(M̄)` that involve a post period (R's
    /// `.create_A_RM` with the reference column dropped, then `postPeriodMomentsOnly`):
    /// `±(δ_{t+1} − δ_t) − M̄·(±)(δ_s − δ_{s−1}) ≤ 0` for `t = 0…P−1` (the reference period's `δ` is 0).
    /// Columns: the `K` pre then `P` post coefficients.
    static func relativeMagnitudeRows(pre K: Int, post P: Int, Mbar: Double, s: Int, positive: Bool) -> SmallMatrix {
        // Positions in the full vector with the reference period at index K.
        let total = K + P + 1
        var largest = [Double](repeating: 0, count: total)
        largest[K + s - 1] = positive ? -1 : 1
        largest[K + s] = positive ? 1 : -1
        var rows: [[Double]] = []
        for sign in [1.0, -1.0] {
            for r in K..<(K + P) {            // the post-period first differences δ_{r+1} − δ_r
                var row = [Double](repeating: 0, count: total)
                row[r] = -sign
                row[r + 1] = sign
                for j in 0..<total { row[j] -= Mbar * largest[j] }
                row.remove(at: K)
                rows.append(row)
            }
        }
        // R's order: the "+" block then the "−" block, each over all first differences; only the
        // post rows survive postPeriodMomentsOnly, so the order above matches.
        return SmallMatrix(rows: rows.count, columns: K + P, values: rows.flatMap { $0 })
    }

    /// `Γ⁻¹` for R's `Γ`: `l'` as the first row, then the unit vectors `e_j'` that are not in the
    /// span of the rows before (R's reduced-row-echelon pivots of `[l, I]`).
    static func targetBasisInverse(_ l: [Double]) throws -> SmallMatrix {
        let P = l.count
        var rows: [[Double]] = [l]
        for j in 0..<P where rows.count < P {
            var e = [Double](repeating: 0, count: P)
            e[j] = 1
            let candidate = SmallMatrix(rows: rows.count + 1, columns: P, values: (rows + [e]).flatMap { $0 })
            if candidate.rank == rows.count + 1 { rows.append(e) }
        }
        guard rows.count == P, let inverse = SmallMatrix(rows: P, columns: P, values: rows.flatMap { $0 }).inverse() else {
            throw HonestDiDError("the target weights are all zero")
        }
        return inverse
    }
}
