/// What the variance estimators need from the residuals of a least-squares fit: the residual sum
/// of squares and the "meat" of the sandwich, accumulated in one pass over the rows.
///
/// The fused initialiser ``init(design:kept:coefficients:kind:)`` never materialises the residual
/// vector. On a balanced panel of at most 16 periods, with no clustering or one that nests units,
/// it goes one unit row at a time (``UnitRows``): the unit's residual row `û = ỹ − X̃β` (column by
/// column, in the order of ``LeastSquaresFit``), its squares and its CR1 scores, in registers.
/// Otherwise each block of rows gets its residuals in a small buffer that feeds the sum of squares
/// and the scores while it is in L1; blocks end at cluster boundaries, so a cluster's score is
/// summed in one run. ``init(design:kept:residuals:kind:)`` takes the same paths from a stored
/// residual vector, so the two agree bit for bit.
///
/// **Transformed scores.** With a `transform` `T` (the bread `B = (X̃'X̃)⁻¹`), the meat is
/// accumulated from the transformed scores: `Σ_g (T s_g)(T s_g)'`, or `Σ_i û_i² (T x̃_i)(T x̃_i)'`,
/// which is `T M T'` in exact arithmetic. Forming `M` first and multiplying `B M B` afterwards
/// cancels catastrophically when one score dwarfs the others: an outcome outlier of 1e8 gives
/// its cluster a score of ~1e8, so `M` has entries ~5e15, while the variance of a coefficient the
/// outlier does not move is ~1e-4 — its share of `B M B` cancels exactly in exact arithmetic but
/// leaves rounding of order `ε‖B‖²‖M‖` ≈ 6e-3, enough for negative variances. Transformed first,
/// each cluster contributes a square (`T s_g` carries only `ε‖T‖‖s_g‖` of rounding), so the
/// result is positive semi-definite by construction and accurate to that rounding.
struct ResidualMoments: Sendable {
    /// Which meat to accumulate.
    public enum Kind: Sendable {
        /// None (iid variance): only the residual sum of squares.
        case none
        /// `Σ_i û_i² x̃_i x̃_i'` (heteroskedasticity-robust).
        case hetero
        /// `Σ_g s_g s_g'` with `s_g = Σ_{i∈g} x̃_i û_i` (cluster-robust).
        case cluster(Clustering)
    }

    /// Rows per block of the fused pass.
    static let blockRows = 512

    /// `Σ û²`.
    public let residualSumOfSquares: Double
    /// Symmetric `m × m` meat over the kept terms, row-major; empty for ``Kind/none``. With a
    /// ``transform`` `T` it is `T M T'`, accumulated from transformed scores (see the type).
    public let meat: [Double]
    /// The `m × m` row-major matrix the scores were multiplied by before their outer products
    /// (normally the bread), or nil when ``meat`` is `M` itself.
    public let transform: [Double]?

    /// The moments of the residuals of `ỹ` on the kept columns of `design` with `coefficients`,
    /// computed block by block without storing the residuals. `transform`, when given, is an
    /// `m × m` row-major matrix (the bread) applied to every score before its outer product.
    public init(design: DemeanedDesign, kept: [Int], coefficients: [Double], kind: Kind, transform: [Double]? = nil) {
        precondition(kept.count == coefficients.count)
        precondition(transform.map { $0.count == kept.count * kept.count } ?? true)
        if design.backend == .reference {
            let residuals = ReferenceKernels.residuals(design: design, kept: kept, coefficients: coefficients)
            self = ReferenceKernels.moments(design: design, kept: kept, residuals: residuals, kind: kind,
                                            transform: transform)
            return
        }
        let n = design.observationCount
        let offsets = kept.map { $0 * n }
        if let rows = design.unitRows, let plan = UnitPlan(kind: kind) {
            self = design.outcome.withUnsafeBufferPointer { y in
                Self.rowPass(design: design, kept: kept, rows: rows, plan: plan, start: y, coefficients: coefficients,
                             transform: transform)
            }
            return
        }
        self = design.matrix.withUnsafeBufferPointer { x in
            design.outcome.withUnsafeBufferPointer { y in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.blockRows) { buffer in
                    guard let xBase = x.baseAddress, let yBase = y.baseAddress, let u = buffer.baseAddress else {
                        return ResidualMoments(residualSumOfSquares: 0, meat: [], transform: transform)
                    }
                    return Self.accumulate(design: design, kept: kept, kind: kind, transform: transform) { start, count in
                        // û = ((ỹ − β₀x̃₀) − β₁x̃₁) − …, the order of LeastSquaresFit's residuals.
                        u.update(from: yBase + start, count: count)
                        for (r, offset) in offsets.enumerated() {
                            ResidualMoments.subtractScaled(coefficients[r], xBase + (offset &+ start), from: u, count: count)
                        }
                        return UnsafePointer(u)
                    }
                }
            }
        }
    }

    /// The moments of given residuals (`residuals.count` must equal the design's rows), with the
    /// same optional `transform` as ``init(design:kept:coefficients:kind:transform:)``.
    public init(design: DemeanedDesign, kept: [Int], residuals: [Double], kind: Kind, transform: [Double]? = nil) {
        precondition(residuals.count == design.observationCount)
        precondition(transform.map { $0.count == kept.count * kept.count } ?? true)
        if design.backend == .reference {
            self = ReferenceKernels.moments(design: design, kept: kept, residuals: residuals, kind: kind,
                                            transform: transform)
            return
        }
        if let rows = design.unitRows, let plan = UnitPlan(kind: kind) {
            self = residuals.withUnsafeBufferPointer { u in
                Self.rowPass(design: design, kept: kept, rows: rows, plan: plan, start: u, coefficients: [],
                             transform: transform)
            }
            return
        }
        self = residuals.withUnsafeBufferPointer { u in
            guard let base = u.baseAddress else { return ResidualMoments(residualSumOfSquares: 0, meat: [], transform: transform) }
            return Self.accumulate(design: design, kept: kept, kind: kind, transform: transform) { start, _ in base + start }
        }
    }

    init(residualSumOfSquares: Double, meat: [Double], transform: [Double]?) {
        self.residualSumOfSquares = residualSumOfSquares
        self.meat = meat
        self.transform = transform
    }

    /// The shared pass: `residualsOf(start, count)` returns the residuals of rows
    /// `start ..< start + count` (valid until the next call).
    @inline(__always)
    private static func accumulate(design: DemeanedDesign, kept: [Int], kind: Kind, transform: [Double]?,
                                   residualsOf: (Int, Int) -> UnsafePointer<Double>) -> ResidualMoments {
        let n = design.observationCount, m = kept.count
        var squares = SquareSum()
        var meat = [Double](repeating: 0, count: { if case .none = kind { return 0 } else { return m * m } }())
        design.matrix.withUnsafeBufferPointer { x in
            meat.withUnsafeMutableBufferPointer { meatBuffer in
                guard let xBase = x.baseAddress else { return }
                let columns = kept.map { xBase + $0 &* n }
                switch kind {
                case .none:
                    var start = 0
                    while start < n {
                        let count = min(blockRows, n &- start)
                        squares.add(residualsOf(start, count), count: count)
                        start &+= count
                    }
                case .hetero:
                    guard let out = meatBuffer.baseAddress else { return }
                    // With a transform, the block's rows of X̃ are first mapped to Z = T X̃ (column
                    // a of Z: Σ_b T[a, b] x̃_b, vectorised over the block's rows, b ascending).
                    let blockColumns = transform == nil ? 0 : m &* blockRows
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(blockColumns, 1)) { zBlock in
                        guard let zBase = zBlock.baseAddress else { return }
                        var start = 0
                        while start < n {
                            let count = min(blockRows, n &- start)
                            let u = residualsOf(start, count)
                            squares.add(u, count: count)
                            let z: [UnsafePointer<Double>]
                            if let transform {
                                for a in 0..<m {
                                    let target = zBase + a &* blockRows
                                    target.update(repeating: 0, count: count)
                                    for b in 0..<m where transform[a &* m &+ b] != 0 {
                                        subtractScaled(-transform[a &* m &+ b], columns[b] + start, from: target, count: count)
                                    }
                                }
                                z = (0..<m).map { UnsafePointer(zBase + $0 &* blockRows) }
                            } else {
                                z = columns.map { UnsafePointer($0 + start) }
                            }
                            for k in 0..<count {
                                let u2 = u[k] * u[k]
                                for a in 0..<m { for b in 0...a {
                                    out[a &* m &+ b] += z[a][k] * z[b][k] * u2
                                } }
                            }
                            start &+= count
                        }
                    }
                    for a in 0..<m { for b in 0..<a { out[b &* m &+ a] = out[a &* m &+ b] } }
                case .cluster(let clustering):
                    let g = clustering.count
                    var scores = [Double](repeating: 0, count: g * m)
                    clustering.index.withUnsafeBufferPointer { cluster in
                        scores.withUnsafeMutableBufferPointer { s in
                            precondition(cluster.count >= n)
                            guard let clusterBase = cluster.baseAddress, let sBase = s.baseAddress else { return }
                            var start = 0
                            while start < n {
                                // The block: whole runs of one cluster while they fit; a longer run is split.
                                var end = start
                                while end < n {
                                    var runEnd = end &+ 1
                                    while runEnd < n && clusterBase[runEnd] == clusterBase[end] { runEnd &+= 1 }
                                    if runEnd &- start > blockRows {
                                        if end == start { end = start &+ blockRows }
                                        break
                                    }
                                    end = runEnd
                                }
                                let u = residualsOf(start, end &- start)
                                squares.add(u, count: end &- start)
                                var runStart = start
                                while runStart < end {
                                    let label = clusterBase[runStart]
                                    var runEnd = runStart &+ 1
                                    while runEnd < end && clusterBase[runEnd] == label { runEnd &+= 1 }
                                    let length = runEnd &- runStart
                                    let residualRun = u + (runStart &- start)
                                    let target = sBase + Int(label)
                                    for a in 0..<m {
                                        target[a &* g] += runDot(columns[a] + runStart, residualRun, count: length)
                                    }
                                    runStart = runEnd
                                }
                                start = end
                            }
                        }
                    }
                    let clusterMeat = Self.clusterMeat(scores: scores, clusters: g, m: m, transform: transform)
                    for k in 0..<(m * m) { meatBuffer[k] = clusterMeat[k] }
                }
            }
        }
        return ResidualMoments(residualSumOfSquares: squares.total, meat: meat, transform: transform)
    }

    /// What the unit-row pass accumulates: nothing beyond `Σ û²`, or the scores of a clustering
    /// in which every unit lies in one cluster (they are sums of per-unit scores).
    private struct UnitPlan {
        let unitCluster: [Int32]?
        let clusterCount: Int

        /// Nil when the row pass does not apply (hetero meat, or clusters that split units).
        init?(kind: Kind) {
            switch kind {
            case .none: unitCluster = nil; clusterCount = 0
            case .hetero: return nil
            case .cluster(let clustering):
                guard let units = clustering.unitCluster else { return nil }
                unitCluster = units
                clusterCount = clustering.count
            }
        }
    }

    /// The pass over a balanced panel one unit row at a time (see ``UnitRows``). Unit `i`'s
    /// residual row is `((r − β₀x̃₀) − β₁x̃₁) − …` with `r` its row of `start` (the demeaned
    /// outcome; or the residuals themselves, with no `coefficients`), lanes `≥ T` zeroed.
    private static func rowPass(design: DemeanedDesign, kept: [Int], rows: UnitRows, plan: UnitPlan,
                                start: UnsafeBufferPointer<Double>, coefficients: [Double],
                                transform: [Double]?) -> ResidualMoments {
        let n = design.observationCount, m = kept.count
        precondition(start.count == n && (coefficients.isEmpty || coefficients.count == m))
        var squares = UnitRows.Row()
        var scores = [Double](repeating: 0, count: plan.clusterCount * m)
        let labels = plan.unitCluster ?? []
        let hasScores = plan.unitCluster != nil && m > 0
        let clusters = plan.clusterCount
        precondition(plan.unitCluster == nil || labels.count == rows.units)
        // Offsets and coefficients as plain `Int` / `Double` arrays (arrays of pointers or of SIMD
        // rows would cost a generic-metadata lookup per call).
        let offsets = kept.map { $0 &* n }
        let fitted = coefficients.count
        squares = design.matrix.withUnsafeBufferPointer { x in
            scores.withUnsafeMutableBufferPointer { s in
                // The accumulator is local to this closure, so it stays in registers.
                var sum = UnitRows.Row()
                guard let xBase = x.baseAddress, let startBase = start.baseAddress else { return sum }
                offsets.withUnsafeBufferPointer { offset in
                    coefficients.withUnsafeBufferPointer { beta in
                        // Whole rows first (16-lane loads with no bounds branch; the same arithmetic as
                        // the loop below, so the same bits), then the last units lane by lane.
                        @inline(__always) func residual(_ unit: Int) -> UnitRows.Row {
                            var u = rows.loadWhole(startBase, unit: unit)
                            for r in 0..<fitted {
                                u -= UnitRows.Row(repeating: beta[r]) * rows.loadWhole(xBase + offset[r], unit: unit)
                            }
                            return rows.masked(u)
                        }
                        labels.withUnsafeBufferPointer { label in
                            if hasScores, let sBase = s.baseAddress, let labelBase = label.baseAddress {
                                for unit in 0..<rows.wholeRowUnits {
                                    let u = residual(unit)
                                    sum += u * u
                                    let target = sBase + Int(labelBase[unit])
                                    for a in 0..<m {
                                        target[a &* clusters] += UnitRows.horizontalSum(rows.loadWhole(xBase + offset[a], unit: unit) * u)
                                    }
                                }
                            } else {
                                for unit in 0..<rows.wholeRowUnits {
                                    let u = residual(unit)
                                    sum += u * u
                                }
                            }
                        }
                        for unit in rows.wholeRowUnits..<rows.units {
                            var u = rows.load(startBase, unit: unit)
                            for r in 0..<fitted {
                                u -= UnitRows.Row(repeating: beta[r]) * rows.load(xBase + offset[r], unit: unit)
                            }
                            u = rows.masked(u)
                            sum += u * u
                            guard hasScores, let sBase = s.baseAddress else { continue }
                            let target = sBase + Int(labels[unit])
                            for a in 0..<m {
                                target[a &* clusters] += UnitRows.horizontalSum(rows.load(xBase + offset[a], unit: unit) * u)
                            }
                        }
                    }
                }
                return sum
            }
        }
        return ResidualMoments(residualSumOfSquares: UnitRows.horizontalSum(squares),
                               meat: plan.unitCluster == nil ? []
                                   : clusterMeat(scores: scores, clusters: plan.clusterCount, m: m, transform: transform),
                               transform: transform)
    }

    /// `Σ_g s_g s_g'` (symmetric, row-major) from term-major scores (`scores[a · g + cluster]`):
    /// entry `(a, b)` is the dot product of the two terms' score columns over the clusters
    /// (``dot(_:_:)-(UnsafeBufferPointer<Double>,_)``, fixed order). Products commute, so the
    /// result is exactly symmetric; with many terms (event studies, Sun–Abraham) this is
    /// `m(m+1)/2` vectorised dots rather than a scalar triple loop. With a `transform` `T`, the
    /// scores are first replaced by `T s_g` (``transformed(scores:clusters:m:transform:)``).
    private static func clusterMeat(scores: [Double], clusters: Int, m: Int, transform: [Double]?) -> [Double] {
        let scores = transform.map { transformed(scores: scores, clusters: clusters, m: m, transform: $0) } ?? scores
        var meat = [Double](repeating: 0, count: m * m)
        scores.withUnsafeBufferPointer { s in
            guard let base = s.baseAddress, s.count >= clusters * m else { return }
            for a in 0..<m {
                let x = UnsafeBufferPointer(start: base + a * clusters, count: clusters)
                for b in 0...a {
                    let value = dot(x, UnsafeBufferPointer(start: base + b * clusters, count: clusters))
                    meat[a * m + b] = value
                    meat[b * m + a] = value
                }
            }
        }
        return meat
    }

    /// `T S` for term-major scores `S` (`scores[b · g + cluster]`) and row-major `m × m` `T`: row
    /// `a` of the result is `Σ_b T[a, b] · (row b of S)`, accumulated over `b` in ascending order
    /// (a fixed order, so reproducible bit for bit).
    static func transformed(scores: [Double], clusters: Int, m: Int, transform: [Double]) -> [Double] {
        precondition(scores.count >= clusters * m && transform.count == m * m)
        var out = [Double](repeating: 0, count: clusters * m)
        scores.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                guard let sBase = s.baseAddress, let oBase = o.baseAddress else { return }
                for a in 0..<m {
                    let target = oBase + a &* clusters
                    for b in 0..<m {
                        let weight = transform[a &* m &+ b]
                        guard weight != 0 else { continue }
                        // target += weight · source (subtractScaled with the weight negated).
                        subtractScaled(-weight, sBase + b &* clusters, from: target, count: clusters)
                    }
                }
            }
        }
        return out
    }

    /// `u[k] -= coefficient · x[k]` for `k < count`, eight at a time.
    @inline(__always)
    static func subtractScaled(_ coefficient: Double, _ x: UnsafePointer<Double>,
                                       from u: UnsafeMutablePointer<Double>, count: Int) {
        let rx = UnsafeRawPointer(x), ru = UnsafeMutableRawPointer(u)
        let stride = MemoryLayout<Double>.stride
        let scale = SIMD8<Double>(repeating: coefficient)
        var k = 0
        while k &+ 8 <= count {
            let offset = k &* stride
            ru.storeBytes(of: ru.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self)
                            - scale * rx.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self),
                          toByteOffset: offset, as: SIMD8<Double>.self)
            k &+= 8
        }
        while k < count { u[k] -= coefficient * x[k]; k &+= 1 }
    }

    /// `Σ_{k<count} x_k y_k` for a short run (a cluster's rows): one `SIMD2` accumulator whose
    /// lanes are added at the end, then an odd last product. Fixed order; no call overhead.
    @inline(__always)
    static func runDot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Double>.stride
        var accumulator = SIMD2<Double>()
        var k = 0
        while k &+ 1 < count {
            let offset = k &* stride
            accumulator += rx.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
            k &+= 2
        }
        var sum = accumulator[0] + accumulator[1]
        if k < count { sum += x[k] * y[k] }
        return sum
    }
}

/// `Σ û²` over consecutive blocks: two `SIMD8` accumulators over 16-element chunks of each
/// block, then its tail, all in a fixed order.
struct SquareSum {
    private var even = SIMD8<Double>(), odd = SIMD8<Double>()
    private var tail = 0.0

    @inline(__always)
    mutating func add(_ u: UnsafePointer<Double>, count: Int) {
        let raw = UnsafeRawPointer(u)
        let stride = MemoryLayout<Double>.stride
        var k = 0
        while k &+ 16 <= count {
            let a = raw.loadUnaligned(fromByteOffset: k &* stride, as: SIMD8<Double>.self)
            let b = raw.loadUnaligned(fromByteOffset: (k &+ 8) &* stride, as: SIMD8<Double>.self)
            even += a * a
            odd += b * b
            k &+= 16
        }
        while k < count { tail += u[k] * u[k]; k &+= 1 }
    }

    var total: Double { (even + odd).sum() + tail }
}
