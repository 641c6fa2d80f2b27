/// A faster evaluation of ``WildBootstrapKernel`` for sign weights (`v_g = ±1`: Rademacher draws
/// and the full enumeration) on the nested path (every unit inside one cluster).
///
/// **Algebra.** With `z_g = v_g a_g − R_g·y`, `y = L v` (``WildBootstrapKernel``) and `v_g² = 1`,
///
///     Σ_g z_g² = Σ_g a_g² − 2 u·y + y'My,     u = Σ_g v_g a_g R_g,   M = Σ_g R_g R_g'
///
/// and, for the restricted bootstrap's cross term, `Σ_g z⁰_g z¹_g = Σ_g a⁰_g a¹_g − u⁰·y¹ − u¹·y⁰ +
/// y⁰'My¹`. A draw therefore needs only the linear functionals `n = a·v`, `y = L v` and `u` of its
/// sign vector (`2 + 4·rank` numbers for WCR), plus two `rank × rank` products, instead of the
/// kernel's `4·rank·G` multiply-adds.
///
/// **Sign tables.** Every linear functional of a sign vector is a sum over clusters of `±c_g`
/// (`c_g` the cluster's column of all functionals). Clusters are taken four at a time: chunk `j`
/// (clusters `4j … 4j+3`) stores all 16 signed sums `Σ_i ±c_{4j+i}`, indexed by the four sign bits
/// (bit set: `+1`), so a draw is `⌈G/4⌉` table rows added together — for G = 282 and rank 19,
/// 71 rows of 80 numbers (the table is 0.7 MB, read from L2) against 21,000 multiply-adds.
///
/// **Numbers.** The functionals are the kernel's sums in another order, but `Σz²` is expanded
/// rather than summed from the `z_g`, so draws agree with ``WildBootstrapKernel/evaluate`` to
/// rounding, not bit for bit (the expansion cancels only the small `R_g·y` corrections: relative
/// differences ~1e-15 on the test panels). Results do not depend on the thread count.
struct WildBootstrapSignTable: Sendable {
    let groups: Int
    let rank: Int
    let restricted: Bool
    /// Number of four-cluster chunks and of lane vectors per table row.
    let chunks: Int, vectors: Int
    /// `chunks × 16` rows of `vectors` lane vectors: row `16j + s` is `Σ_i ±c_{4j+i}` with the
    /// sign of cluster `4j + i` from bit `i` of `s`. Lanes: `n⁰, n¹, y⁰, y¹, u⁰, u¹` (WCR) or
    /// `n⁰, y⁰, u⁰` (WCU), then zeros.
    let rows: [SIMD8<Double>]
    /// `M = Σ_g R_g R_g'`, column-major with columns padded to `paddedRank` (zeros beyond `rank`).
    let gram: [Double]
    let paddedRank: Int
    /// `Σ a⁰²`, `Σ a⁰a¹`, `Σ a¹²`.
    let squares00: Double, squares01: Double, squares11: Double

    /// Lane offsets of the functionals in a row.
    var offsetY0: Int { restricted ? 2 : 1 }
    var offsetY1: Int { 2 + rank }
    var offsetU0: Int { restricted ? 2 + 2 * rank : 1 + rank }
    var offsetU1: Int { 2 + 3 * rank }
    /// Numbers per row (before padding).
    var width: Int { restricted ? 2 + 4 * rank : 1 + 2 * rank }

    /// Most bytes a table may take (beyond this the kernel's own loop is used).
    static let byteLimit = 8 << 20

    /// The tables of `kernel`, or nil when it is not on the nested path, has fewer than 16
    /// clusters (the kernel's loop is cheap there), or the table would exceed ``byteLimit``.
    init?(kernel: WildBootstrapKernel) {
        let groups = kernel.clusterCount, rank = kernel.rank
        guard kernel.dense0 == nil, groups >= 16 else { return nil }
        let restricted = kernel.restricted
        let width = restricted ? 2 + 4 * rank : 1 + 2 * rank
        let vectors = (width + 7) / 8
        let chunks = (groups + 3) / 4
        guard chunks * 16 * vectors * 64 <= WildBootstrapSignTable.byteLimit else { return nil }
        self.groups = groups
        self.rank = rank
        self.restricted = restricted
        self.chunks = chunks
        self.vectors = vectors
        // Column c_g of every functional.
        let offsetY0 = restricted ? 2 : 1, offsetY1 = 2 + rank
        let offsetU0 = restricted ? 2 + 2 * rank : 1 + rank, offsetU1 = 2 + 3 * rank
        var columns = [Double](repeating: 0, count: groups * vectors * 8)
        let a0 = kernel.a0, a1 = kernel.a1, l0 = kernel.left0, l1 = kernel.left1, right = kernel.rightTransposed
        for g in 0..<groups {
            let base = g * vectors * 8
            columns[base] = a0[g]
            if restricted { columns[base + 1] = a1[g] }
            for k in 0..<rank {
                columns[base + offsetY0 + k] = l0[k * groups + g]
                columns[base + offsetU0 + k] = a0[g] * right[g * rank + k]
                if restricted {
                    columns[base + offsetY1 + k] = l1[k * groups + g]
                    columns[base + offsetU1 + k] = a1[g] * right[g * rank + k]
                }
            }
        }
        // Signed sums: row 0 is −Σ c; row s adds 2c of its highest set bit to row s − 2^h.
        var rows = [SIMD8<Double>](repeating: SIMD8(), count: chunks * 16 * vectors)
        columns.withUnsafeBufferPointer { c in
            rows.withUnsafeMutableBufferPointer { out in
                guard let cBase = c.baseAddress else { return }
                let cRaw = UnsafeRawPointer(cBase)
                func column(_ g: Int, _ v: Int) -> SIMD8<Double> {
                    cRaw.loadUnaligned(fromByteOffset: ((g * vectors + v) * 8) * 8, as: SIMD8<Double>.self)
                }
                for j in 0..<chunks {
                    let first = 4 * j, members = min(4, groups - first)
                    let chunkBase = j * 16 * vectors
                    for v in 0..<vectors {
                        var sum = SIMD8<Double>()
                        for i in 0..<members { sum -= column(first + i, v) }
                        out[chunkBase + v] = sum
                    }
                    for s in 1..<16 {
                        let high = Int.bitWidth - 1 - s.leadingZeroBitCount
                        let from = chunkBase + (s - (1 << high)) * vectors, to = chunkBase + s * vectors
                        for v in 0..<vectors {
                            out[to + v] = high < members ? out[from + v] + 2 * column(first + high, v) : out[from + v]
                        }
                    }
                }
            }
        }
        self.rows = rows
        // M = Σ_g R_g R_g' and the constant sums of squares.
        let padded = (rank + 7) & ~7
        paddedRank = padded
        // Column a accumulates R_ga·R_g over the clusters in order, a lane vector at a time.
        let laneVectors = padded / 8
        var columnsOfM = [SIMD8<Double>](repeating: SIMD8(), count: rank * laneVectors)
        var row = [SIMD8<Double>](repeating: SIMD8(), count: laneVectors)
        for g in 0..<groups {
            for k in 0..<rank { row[k / 8][k % 8] = right[g * rank + k] }
            for a in 0..<rank {
                let weight = SIMD8<Double>(repeating: right[g * rank + a])
                for v in 0..<laneVectors { columnsOfM[a * laneVectors + v] += weight * row[v] }
            }
        }
        var gram = [Double](repeating: 0, count: rank * padded)
        for a in 0..<rank { for b in 0..<rank { gram[a * padded + b] = columnsOfM[a * laneVectors + b / 8][b % 8] } }
        self.gram = gram
        var s00 = 0.0, s01 = 0.0, s11 = 0.0
        for g in 0..<groups {
            s00 += a0[g] * a0[g]
            s01 += a0[g] * a1[g]
            s11 += a1[g] * a1[g]
        }
        squares00 = s00
        squares01 = restricted ? s01 : 0
        squares11 = restricted ? s11 : 0
    }

    /// Scratch for ``evaluate(signs:into:scratch:)``, one per worker.
    final class Scratch {
        /// Row offsets of the draw's chunks.
        let offsets: UnsafeMutableBufferPointer<Int>
        /// The draw's functionals (row layout, padded) and `M y⁰`, `M y¹` (padded).
        let sums: UnsafeMutableBufferPointer<Double>
        let products: UnsafeMutableBufferPointer<Double>

        init(_ table: WildBootstrapSignTable) {
            offsets = .allocate(capacity: max(table.chunks, 1))
            offsets.initialize(repeating: 0)
            sums = .allocate(capacity: table.vectors * 8 + 8)
            sums.initialize(repeating: 0)
            products = .allocate(capacity: 2 * table.paddedRank + 8)
            products.initialize(repeating: 0)
        }

        deinit {
            offsets.deallocate()
            sums.deallocate()
            products.deallocate()
        }
    }

    /// One draw: `signs` holds the sign bits (cluster `g` is bit `g mod 32` of word `⌊g/32⌋`,
    /// set for `+1`); writes its ``WildBootstrapDraw`` to `out`.
    func evaluate(signs: UnsafePointer<UInt32>, into out: UnsafeMutablePointer<WildBootstrapDraw>, scratch: Scratch) {
        let chunks = self.chunks, vectors = self.vectors
        let offsets = scratch.offsets, sums = scratch.sums, products = scratch.products
        for j in 0..<chunks {
            let nibble = Int((signs[j >> 3] >> UInt32((j & 7) << 2)) & 15)
            offsets[j] = (j &* 16 &+ nibble) &* vectors
        }
        // Σ_j row_j: up to four lane vectors at a time, the chunks in order, even and odd chunks
        // in two partial sums (each row's vectors are contiguous, so a pass streams 256 bytes per
        // chunk; the partial sums fit the registers of AVX2 as well as AVX-512).
        rows.withUnsafeBufferPointer { table in
            guard let sumBase = sums.baseAddress, let tableBase = table.baseAddress else { return }
            let sumRaw = UnsafeMutableRawPointer(sumBase), tableRaw = UnsafeRawPointer(tableBase)
            @inline(__always) func row(_ j: Int, _ v: Int) -> SIMD8<Double> {
                tableRaw.load(fromByteOffset: (offsets[j] &+ v) &* 64, as: SIMD8<Double>.self)
            }
            var v = 0
            while v &+ 4 <= vectors {
                var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>(), a3 = SIMD8<Double>()
                var b0 = SIMD8<Double>(), b1 = SIMD8<Double>(), b2 = SIMD8<Double>(), b3 = SIMD8<Double>()
                var j = 0
                while j &+ 2 <= chunks {
                    a0 += row(j, v); a1 += row(j, v &+ 1); a2 += row(j, v &+ 2); a3 += row(j, v &+ 3)
                    b0 += row(j &+ 1, v); b1 += row(j &+ 1, v &+ 1); b2 += row(j &+ 1, v &+ 2); b3 += row(j &+ 1, v &+ 3)
                    j &+= 2
                }
                if j < chunks { a0 += row(j, v); a1 += row(j, v &+ 1); a2 += row(j, v &+ 2); a3 += row(j, v &+ 3) }
                sumRaw.storeBytes(of: a0 + b0, toByteOffset: v &* 64, as: SIMD8<Double>.self)
                sumRaw.storeBytes(of: a1 + b1, toByteOffset: (v &+ 1) &* 64, as: SIMD8<Double>.self)
                sumRaw.storeBytes(of: a2 + b2, toByteOffset: (v &+ 2) &* 64, as: SIMD8<Double>.self)
                sumRaw.storeBytes(of: a3 + b3, toByteOffset: (v &+ 3) &* 64, as: SIMD8<Double>.self)
                v &+= 4
            }
            while v < vectors {
                var a = SIMD8<Double>(), b = SIMD8<Double>()
                var j = 0
                while j &+ 2 <= chunks {
                    a += row(j, v)
                    b += row(j &+ 1, v)
                    j &+= 2
                }
                if j < chunks { a += row(j, v) }
                sumRaw.storeBytes(of: a + b, toByteOffset: v &* 64, as: SIMD8<Double>.self)
                v &+= 1
            }
        }
        let rank = self.rank, padded = paddedRank
        let y0 = offsetY0, u0 = offsetU0
        // M y⁰ (and M y¹), lane vectors over the padded rank.
        gram.withUnsafeBufferPointer { m in
            guard let mBase = m.baseAddress, let pBase = products.baseAddress else { return }
            let mRaw = UnsafeRawPointer(mBase), pRaw = UnsafeMutableRawPointer(pBase)
            let parts = restricted ? 2 : 1
            for part in 0..<parts {
                let y = part == 0 ? y0 : offsetY1
                var offset = 0
                while offset < padded {
                    var acc = SIMD8<Double>()
                    for k in 0..<rank {
                        acc += SIMD8<Double>(repeating: sums[y &+ k])
                            * mRaw.loadUnaligned(fromByteOffset: (k &* padded &+ offset) &* 8, as: SIMD8<Double>.self)
                    }
                    pRaw.storeBytes(of: acc, toByteOffset: (part &* padded &+ offset) &* 8, as: SIMD8<Double>.self)
                    offset &+= 8
                }
            }
        }
        var uy00 = 0.0, yMy00 = 0.0
        for k in 0..<rank {
            uy00 += sums[u0 &+ k] * sums[y0 &+ k]
            yMy00 += sums[y0 &+ k] * products[k]
        }
        let d0 = squares00 - 2 * uy00 + yMy00
        guard restricted else {
            out.pointee = WildBootstrapDraw(n0: sums[0], n1: 0, d0: d0, d1: 0, d2: 0)
            return
        }
        let y1 = offsetY1, u1 = offsetU1
        var uy01 = 0.0, uy10 = 0.0, uy11 = 0.0, yMy01 = 0.0, yMy11 = 0.0
        for k in 0..<rank {
            uy01 += sums[u0 &+ k] * sums[y1 &+ k]
            uy10 += sums[u1 &+ k] * sums[y0 &+ k]
            uy11 += sums[u1 &+ k] * sums[y1 &+ k]
            yMy01 += sums[y0 &+ k] * products[padded &+ k]
            yMy11 += sums[y1 &+ k] * products[padded &+ k]
        }
        out.pointee = WildBootstrapDraw(n0: sums[0], n1: sums[1], d0: d0,
                                        d1: squares01 - uy01 - uy10 + yMy01,
                                        d2: squares11 - 2 * uy11 + yMy11)
    }
}
