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
    private var tail = [Double](repeating: 0, count: 21)

    /// Adds the products of rows `0 ..< count` of `columns` (at most six pointers).
    mutating func add(_ columns: [UnsafePointer<Double>], count: Int) {
        precondition(columns.count <= Self.capacity && !columns.isEmpty)
        // Missing columns read from a zero buffer (only allocated when there are fewer than six).
        let zeros = columns.count < Self.capacity ? [Double](repeating: 0, count: max(count, 8)) : [0]
        zeros.withUnsafeBufferPointer { zero in
            guard let z = zero.baseAddress else { return }
            let c0 = UnsafeRawPointer(columns[0])
            let c1 = UnsafeRawPointer(columns.count > 1 ? columns[1] : z)
            let c2 = UnsafeRawPointer(columns.count > 2 ? columns[2] : z)
            let c3 = UnsafeRawPointer(columns.count > 3 ? columns[3] : z)
            let c4 = UnsafeRawPointer(columns.count > 4 ? columns[4] : z)
            let c5 = UnsafeRawPointer(columns.count > 5 ? columns[5] : z)
            var a00 = p00, a10 = p10, a11 = p11, a20 = p20, a21 = p21, a22 = p22
            var a30 = p30, a31 = p31, a32 = p32, a33 = p33
            var a40 = p40, a41 = p41, a42 = p42, a43 = p43, a44 = p44
            var a50 = p50, a51 = p51, a52 = p52, a53 = p53, a54 = p54, a55 = p55
            var row = 0
            while row &+ 8 <= count {
                let offset = row &* 8
                let x0 = c0.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                let x1 = c1.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                let x2 = c2.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                let x3 = c3.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                let x4 = c4.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                let x5 = c5.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                a00 += x0 * x0
                a10 += x1 * x0; a11 += x1 * x1
                a20 += x2 * x0; a21 += x2 * x1; a22 += x2 * x2
                a30 += x3 * x0; a31 += x3 * x1; a32 += x3 * x2; a33 += x3 * x3
                a40 += x4 * x0; a41 += x4 * x1; a42 += x4 * x2; a43 += x4 * x3; a44 += x4 * x4
                a50 += x5 * x0; a51 += x5 * x1; a52 += x5 * x2; a53 += x5 * x3; a54 += x5 * x4; a55 += x5 * x5
                row &+= 8
            }
            p00 = a00; p10 = a10; p11 = a11; p20 = a20; p21 = a21; p22 = a22
            p30 = a30; p31 = a31; p32 = a32; p33 = a33
            p40 = a40; p41 = a41; p42 = a42; p43 = a43; p44 = a44
            p50 = a50; p51 = a51; p52 = a52; p53 = a53; p54 = a54; p55 = a55
            let pointers = [columns[0], columns.count > 1 ? columns[1] : z, columns.count > 2 ? columns[2] : z,
                            columns.count > 3 ? columns[3] : z, columns.count > 4 ? columns[4] : z,
                            columns.count > 5 ? columns[5] : z]
            while row < count {
                var k = 0
                for a in 0..<Self.capacity {
                    for b in 0...a {
                        tail[k] += pointers[a][row] * pointers[b][row]
                        k += 1
                    }
                }
                row &+= 1
            }
        }
    }

    /// Writes the symmetric `q × q` cross products (row-major) of the first `q` columns.
    func finish(into products: UnsafeMutablePointer<Double>, count q: Int) {
        let lanes = [p00, p10, p11, p20, p21, p22, p30, p31, p32, p33, p40, p41, p42, p43, p44,
                     p50, p51, p52, p53, p54, p55]
        var k = 0
        for a in 0..<Self.capacity {
            for b in 0...a {
                if a < q {
                    let four = lanes[k].lowHalf + lanes[k].highHalf
                    let two = four.lowHalf + four.highHalf
                    let value = (two[0] + two[1]) + tail[k]
                    products[a * q + b] = value
                    products[b * q + a] = value
                }
                k += 1
            }
        }
    }
}
