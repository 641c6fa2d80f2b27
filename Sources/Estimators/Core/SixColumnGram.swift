/// The cross products of up to six columns (five regressors and the outcome: a TWFE fit with
/// up to four covariates), accumulated in registers: for every eight rows the six columns are
/// loaded once and the 21 products `x_a ⊙ x_b` (a ≥ b) added lane-wise into 21 `SIMD8`
/// accumulators (21 + 6 vectors fit AVX-512's 32 registers). Against 21 separate dot products
/// this loads each value once instead of up to six times, and sums horizontally once per pair
/// at the very end instead of once per pair and block.
///
/// Order (fixed, so results are reproducible): per pair, lane `l` sums rows `8j + l` over the
/// chunks in order; rows past the last whole chunk of each call go to a scalar sum per pair;
/// ``finish(into:count:)`` adds the lanes in a tree and then the scalar sum.
struct SixColumnGram {
    typealias Lanes = SIMD8<Double>
    /// Columns handled (`≤ 6`); missing columns read as zeros.
    static let capacity = 6

    private var p00 = Lanes(), p10 = Lanes(), p11 = Lanes(), p20 = Lanes(), p21 = Lanes(), p22 = Lanes()
    private var p30 = Lanes(), p31 = Lanes(), p32 = Lanes(), p33 = Lanes()
    private var p40 = Lanes(), p41 = Lanes(), p42 = Lanes(), p43 = Lanes(), p44 = Lanes()
    private var p50 = Lanes(), p51 = Lanes(), p52 = Lanes(), p53 = Lanes(), p54 = Lanes(), p55 = Lanes()
    /// Scalar sums of the rows after the whole chunks, lower triangle row-major (21 entries).
    private var tail = (Lanes(), Lanes(), Lanes())

    /// Adds the products of rows `start ..< start + count` of the first `columnCount` (≤ 6)
    /// columns, `column(c)` being column `c`'s first row; missing columns count as zeros.
    @inline(__always)
    mutating func add(columnCount: Int, start: Int, count: Int, column: (Int) -> UnsafePointer<Double>) {
        precondition(columnCount >= 1 && columnCount <= Self.capacity)
        // Missing columns alias column 0 and are masked to zero with a factor of 0.
        let c0 = UnsafeRawPointer(column(0) + start)
        func pick(_ c: Int) -> UnsafeRawPointer { c < columnCount ? UnsafeRawPointer(column(c) + start) : c0 }
        let c1 = pick(1), c2 = pick(2), c3 = pick(3), c4 = pick(4), c5 = pick(5)
        let f1 = Lanes(repeating: columnCount > 1 ? 1 : 0), f2 = Lanes(repeating: columnCount > 2 ? 1 : 0)
        let f3 = Lanes(repeating: columnCount > 3 ? 1 : 0), f4 = Lanes(repeating: columnCount > 4 ? 1 : 0)
        let f5 = Lanes(repeating: columnCount > 5 ? 1 : 0)
        var a00 = p00, a10 = p10, a11 = p11, a20 = p20, a21 = p21, a22 = p22
        var a30 = p30, a31 = p31, a32 = p32, a33 = p33
        var a40 = p40, a41 = p41, a42 = p42, a43 = p43, a44 = p44
        var a50 = p50, a51 = p51, a52 = p52, a53 = p53, a54 = p54, a55 = p55
        var row = 0
        // `masked` is a constant at each call below, so the all-columns loop has no multiplies
        // by the factors.
        @inline(__always) func chunks(masked: Bool) {
            while row &+ 8 <= count {
                let offset = row &* 8
                var x1 = c1.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                var x2 = c2.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                var x3 = c3.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                var x4 = c4.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                var x5 = c5.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                if masked { x1 *= f1; x2 *= f2; x3 *= f3; x4 *= f4; x5 *= f5 }
                let x0 = c0.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                a00 += x0 * x0
                a10 += x1 * x0; a11 += x1 * x1
                a20 += x2 * x0; a21 += x2 * x1; a22 += x2 * x2
                a30 += x3 * x0; a31 += x3 * x1; a32 += x3 * x2; a33 += x3 * x3
                a40 += x4 * x0; a41 += x4 * x1; a42 += x4 * x2; a43 += x4 * x3; a44 += x4 * x4
                a50 += x5 * x0; a51 += x5 * x1; a52 += x5 * x2; a53 += x5 * x3; a54 += x5 * x4; a55 += x5 * x5
                row &+= 8
            }
        }
        if columnCount == Self.capacity { chunks(masked: false) } else { chunks(masked: true) }
        p00 = a00; p10 = a10; p11 = a11; p20 = a20; p21 = a21; p22 = a22
        p30 = a30; p31 = a31; p32 = a32; p33 = a33
        p40 = a40; p41 = a41; p42 = a42; p43 = a43; p44 = a44
        p50 = a50; p51 = a51; p52 = a52; p53 = a53; p54 = a54; p55 = a55
        guard row < count else { return }
        // The remaining rows, one at a time, into 21 scalar sums (three lane vectors).
        @inline(__always) func value(_ c: Int, _ byte: Int) -> Double {
            switch c {
            case 0: return c0.load(fromByteOffset: byte, as: Double.self)
            case 1: return c1.load(fromByteOffset: byte, as: Double.self) * f1[0]
            case 2: return c2.load(fromByteOffset: byte, as: Double.self) * f2[0]
            case 3: return c3.load(fromByteOffset: byte, as: Double.self) * f3[0]
            case 4: return c4.load(fromByteOffset: byte, as: Double.self) * f4[0]
            default: return c5.load(fromByteOffset: byte, as: Double.self) * f5[0]
            }
        }
        while row < count {
            var k = 0
            for a in 0..<Self.capacity {
                let xa = value(a, row &* 8)
                for b in 0...a {
                    let product = xa * value(b, row &* 8)
                    switch k / 8 {
                    case 0: tail.0[k % 8] += product
                    case 1: tail.1[k % 8] += product
                    default: tail.2[k % 8] += product
                    }
                    k += 1
                }
            }
            row &+= 1
        }
    }

    /// Accumulator `k` of the lower triangle in row-major order (`k = a(a+1)/2 + b`).
    private func accumulator(_ k: Int) -> Lanes {
        switch k {
        case 0: return p00
        case 1: return p10
        case 2: return p11
        case 3: return p20
        case 4: return p21
        case 5: return p22
        case 6: return p30
        case 7: return p31
        case 8: return p32
        case 9: return p33
        case 10: return p40
        case 11: return p41
        case 12: return p42
        case 13: return p43
        case 14: return p44
        case 15: return p50
        case 16: return p51
        case 17: return p52
        case 18: return p53
        case 19: return p54
        default: return p55
        }
    }

    /// Writes the symmetric `q × q` cross products (row-major) of the first `q` columns.
    func finish(into products: UnsafeMutablePointer<Double>, count q: Int) {
        var k = 0
        for a in 0..<Self.capacity {
            for b in 0...a {
                if a < q {
                    let tailSum = k < 8 ? tail.0[k] : (k < 16 ? tail.1[k - 8] : tail.2[k - 16])
                    let value = treeSum(accumulator(k)) + tailSum
                    products[a * q + b] = value
                    products[b * q + a] = value
                }
                k += 1
            }
        }
    }
}
