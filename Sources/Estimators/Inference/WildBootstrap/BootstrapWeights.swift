/// The distributions of the wild bootstrap's cluster weights `v_g` (mean 0, variance 1).
///
/// | name | values | probabilities | `E v³` | used by |
/// |---|---|---|---|---|
/// | Rademacher | ±1 | ½, ½ | 0 | boottest, wildboottest, fwildclusterboot default |
/// | Webb (2023) | ±√(1/2), ±1, ±√(3/2) | ⅙ each | 0 | recommended when G ≤ 12 (2^G too few distinct draws) |
/// | Mammen (1993) | −(√5−1)/2, (√5+1)/2 | (√5+1)/(2√5), (√5−1)/(2√5) | 1 | asymmetric; as wildboottest's `mammen` |
///
/// Draws come from 32-bit mt19937 words (GSL's generator, advanced in Swift):
/// - Rademacher: one bit per cluster, bit `b` of word `⌊g/32⌋` (bit set → +1);
/// - Webb: an unbiased integer in 0..<6 per cluster by Lemire's (2019) multiply-and-reject, index
///   `k` ↦ `(−√(3/2), −1, −√(1/2), √(1/2), 1, √(3/2))[k]`;
/// - Mammen: one uniform `u = word/2³²` per cluster, the negative point when `u < (√5+1)/(2√5)`.
///
/// **Full enumeration** (Rademacher only): the 2^G sign vectors in lexicographic order with −1
/// before +1 and cluster 0 most significant — vector `b` has `v_g = +1` exactly when bit
/// `G − 1 − g` of `b` is set. This is the order of `itertools.product([-1, 1], repeat=G)` in
/// wildboottest, so bootstrap statistics can be compared draw by draw.
public enum BootstrapWeights: String, Sendable, CaseIterable {
    /// ±1 with probability ½.
    case rademacher
    /// Webb's six-point distribution.
    case webb
    /// Mammen's two-point distribution (skewed, `E v³ = 1`).
    case mammen

    /// The six Webb points, in the order the integer draw indexes them.
    static let webbPoints: [Double] = [-(1.5).squareRoot(), -1, -(0.5).squareRoot(), (0.5).squareRoot(), 1,
                                       (1.5).squareRoot()]
    /// Mammen's negative point `−(√5 − 1)/2` and its probability `(√5 + 1)/(2√5)`.
    static let mammenLow = -(5.0.squareRoot() - 1) / 2
    static let mammenHigh = (5.0.squareRoot() + 1) / 2
    static let mammenLowProbability = (5.0.squareRoot() + 1) / (2 * 5.0.squareRoot())

    /// Writes one draw's `count` cluster weights to `v[0], v[stride], v[2·stride], …` from the
    /// stream's cursor.
    @inline(__always)
    func draw(into v: UnsafeMutablePointer<Double>, count: Int, stride: Int, _ cursor: inout MersenneCursor) {
        switch self {
        case .rademacher:
            var g = 0
            while g < count {
                var word = cursor.next()
                let end = min(g + 32, count)
                while g < end {
                    v[g * stride] = (word & 1) == 1 ? 1 : -1
                    word >>= 1
                    g += 1
                }
            }
        case .webb:
            BootstrapWeights.webbPoints.withUnsafeBufferPointer { points in
                for g in 0..<count { v[g * stride] = points[BootstrapWeights.uniformIndex(below: 6, &cursor)] }
            }
        case .mammen:
            for g in 0..<count {
                let u = Double(cursor.next()) * 0x1p-32
                v[g * stride] = u < BootstrapWeights.mammenLowProbability ? BootstrapWeights.mammenLow : BootstrapWeights.mammenHigh
            }
        }
    }

    /// An unbiased integer in `0..<bound` from 32-bit words (Lemire 2019, "Fast random integer
    /// generation in an interval", ACM TOMACS 29(1)).
    @inline(__always)
    static func uniformIndex(below bound: UInt32, _ cursor: inout MersenneCursor) -> Int {
        var product = UInt64(cursor.next()) &* UInt64(bound)
        var low = UInt32(truncatingIfNeeded: product)
        if low < bound {
            let threshold = (0 &- bound) % bound
            while low < threshold {
                product = UInt64(cursor.next()) &* UInt64(bound)
                low = UInt32(truncatingIfNeeded: product)
            }
        }
        return Int(product >> 32)
    }

    /// Writes sign vector `index` of the full enumeration (see the type's documentation).
    @inline(__always)
    static func enumerated(_ index: UInt64, into v: UnsafeMutablePointer<Double>, count: Int, stride: Int) {
        for g in 0..<count { v[g * stride] = (index >> UInt64(count - 1 - g)) & 1 == 1 ? 1 : -1 }
    }
}
