// CSVDelimiterScanner.swift — the bytes the CSV tokenizer looks for, and the block scanner that finds them.

/// ASCII bytes the parser cares about.
let asciiLF: UInt8 = 0x0A
let asciiCR: UInt8 = 0x0D
let asciiQuote: UInt8 = 0x22
let asciiComma: UInt8 = 0x2C
let asciiSpace: UInt8 = 0x20
let asciiTab: UInt8 = 0x09

/// Finds the next comma, LF or quote for the tokenizer.
///
/// Keeps a 64-bit mask of the bytes below 0x2D (the three delimiters, but also spaces, CR,
/// '+'…) in a 64-byte block of the buffer, so that consecutive fields are found with a few bit
/// operations each instead of a byte loop whose unpredictable length costs a mispredicted
/// branch per field. Candidates that are not delimiters are checked and skipped.
struct CSVDelimiterScanner {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    /// The mask covers `p[blockStart..<blockStart + 64]`; initially no block.
    private var blockStart = -64
    /// Bit k set: `p[blockStart + k]` < 0x2D.
    private var mask: UInt64 = 0

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
    }

    /// The first index at or after `from` holding a comma, LF or quote, or `n`.
    @inline(__always)
    mutating func next(_ from: Int) -> Int {
        var i = from
        while true {
            let offset = i &- blockStart
            if offset >= 0 && offset < 64 {
                var m = mask & (UInt64.max &<< UInt64(truncatingIfNeeded: offset))
                while m != 0 {
                    let k = blockStart &+ m.trailingZeroBitCount
                    let b = p[k]
                    if b == asciiComma || b == asciiLF || b == asciiQuote { return k }
                    m &= m &- 1
                }
                i = blockStart &+ 64
            }
            if i &+ 64 > n { return scalarNext(i) }
            blockStart = i
            mask = Self.lowByteMask(p + i)
        }
    }

    /// `next` over the last bytes, one at a time.
    private func scalarNext(_ from: Int) -> Int {
        var i = from
        while i < n {
            let b = p[i]
            if b <= asciiComma && (b == asciiComma || b == asciiLF || b == asciiQuote) { return i }
            i += 1
        }
        return n
    }

    /// Bit k set when `q[k]` < 0x2D, for k in 0..<64.
    @inline(__always)
    private static func lowByteMask(_ q: UnsafePointer<UInt8>) -> UInt64 {
        var mask: UInt64 = 0
        for w in 0..<8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(q + 8 &* w).loadUnaligned(as: UInt64.self))
            // Per byte: setting the top bit makes the subtraction borrow-free between bytes;
            // the top bit of the difference is then clear exactly when the low seven bits are
            // below 0x2D, and bytes with their own top bit set are excluded.
            let below = ~(((word | 0x8080_8080_8080_8080) &- 0x2D2D_2D2D_2D2D_2D2D) | word) & 0x8080_8080_8080_8080
            // Gather the eight top bits into one byte (bit j from byte j).
            let bits = (below &* 0x0002_0408_1020_4081) >> 56
            mask |= bits << UInt64(8 &* w)
        }
        return mask
    }
}
