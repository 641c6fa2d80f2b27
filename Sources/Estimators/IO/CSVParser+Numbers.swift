// CSVParser+Numbers.swift — decimal number and integer parsing of CSV fields (bit-identical to strtod).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CSVParser {
    /// Parses `p[start..<end]` as a finite decimal number (see `CSVTable.double(row:column:)`).
    ///
    /// The grammar is checked here. With at most 19 significant digits (the mantissa is then
    /// exact in a `UInt64`) the value is computed with the Eisel–Lemire algorithm
    /// (`eiselLemire`); longer mantissas and the rare cases Eisel–Lemire cannot decide go to
    /// `strtod`, so results are always bit-identical to `strtod`. (Clinger's fast path, one
    /// correctly rounded multiplication or division, is not used: Eisel–Lemire is about as
    /// fast, and choosing between the two per field is a branch the CPU mispredicts on mixed
    /// 16- and 17-digit data.)
    ///
    /// Digits are read eight bytes at a time, possibly from before `start`: all of `p[0..<end]`
    /// must be readable (`p` is the start of the buffer).
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var s = start, e = end
        while s < e && (p[s] == asciiSpace || p[s] == asciiTab) { s += 1 }
        while e > s && (p[e - 1] == asciiSpace || p[e - 1] == asciiTab) { e -= 1 }
        if s == e { return nil }
        var i = s
        // Branch-free sign: random signs would defeat the branch predictor.
        let first = p[i]
        let negative = first == UInt8(ascii: "-")
        i &+= (negative || first == UInt8(ascii: "+")) ? 1 : 0
        // Accumulate every digit; the mantissa is exact while there are at most 19 significant
        // ones, which is the only case the fast paths below use.
        var mantissa: UInt64 = 0
        let integerStart = i
        i = accumulateDigits(p, i, e, &mantissa)
        var digitCount = i &- integerStart
        var fractionDigits = 0
        if i < e && p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            i = accumulateDigits(p, i, e, &mantissa)
            fractionDigits = i &- fractionStart
            digitCount &+= fractionDigits
        }
        if digitCount == 0 { return nil }
        var exponent = -fractionDigits  // value = mantissa * 10^exponent when exact
        if i != e {
            // Only an exponent may follow.
            let written = exponentPart(p, i, e)
            if written == invalidExponent { return nil }
            exponent &+= written
        }

        if digitCount <= 19 || significantDigitCount(p, integerStart, e, digitCount) <= 19 {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            let bits = eiselLemireInline(mantissa, exponent)
            if bits != undecided {
                if bits >= infinityBits { return nil }
                return Double(bitPattern: negative ? bits | (1 << 63) : bits)
            }
        }
        return slowParse(p + s, e - s)
    }

    /// `exponentPart`'s answer when `p[start..<end]` is not an exponent.
    private static let invalidExponent = Int.min

    /// The value of the exponent `p[start..<end]` (`e` or `E`, an optional sign, at least one
    /// digit; magnitudes above 10^6 are capped there), or `invalidExponent`.
    @inline(never)
    private static func exponentPart(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        if p[i] | 0x20 != UInt8(ascii: "e") { return invalidExponent }
        i += 1
        var negative = false
        if i < end && p[i] == UInt8(ascii: "-") {
            negative = true; i += 1
        } else if i < end && p[i] == UInt8(ascii: "+") {
            i += 1
        }
        var value = 0
        let digitsStart = i
        while i < end {
            let d = p[i] &- UInt8(ascii: "0")
            if d > 9 { return invalidExponent }
            if value < 1_000_000 { value = value &* 10 &+ Int(d) }
            i += 1
        }
        if i == digitsStart { return invalidExponent }
        return negative ? -value : value
    }

    /// Appends the run of decimal digits starting at `p[start]` (stopping at `end` or at the
    /// first non-digit) to `mantissa` (wrapping on overflow) and returns the index after the
    /// run. Takes eight digits at a time, then the last 0...7 in one go without branching on
    /// their count; may read any of `p[0..<end]`.
    @inline(__always)
    private static func accumulateDigits(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                                         _ mantissa: inout UInt64) -> Int {
        var i = start
        var m = mantissa
        // Bytes p[i..<i+8] (zeros past `end`) less '0' each. A digit byte becomes its value
        // 0...9; any other byte gets its top bit set in `digits` or in `digits + 0x76` per byte.
        // Borrows and carries only move upwards, so the lowest non-digit byte is flagged
        // exactly and the bytes below it hold exact digit values.
        var digits: UInt64
        var nonDigits: UInt64
        while true {
            let word: UInt64
            if i &+ 8 <= end {
                word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            } else {
                word = loadWord(p, i, end)
            }
            digits = word &- 0x3030_3030_3030_3030
            nonDigits = (digits | (digits &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
            if nonDigits != 0 { break }  // always so when the word ran past `end`
            m = m &* 100_000_000 &+ eightDigitValue(digits)
            i &+= 8
        }
        let n = nonDigits.trailingZeroBitCount &>> 3  // leading digits, 0...7
        // Shifting the n digits to the top leaves zeros (leading zero digits) below them.
        m = m &* smallPowersOfTen[n] &+ eightDigitValue(digits << UInt64(truncatingIfNeeded: (8 &- n) &* 8))
        mantissa = m
        return i &+ n
    }

    /// 10^0 ... 10^8.
    private static let smallPowersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ]

    /// `p[i..<min(i + 8, end)]` as a little-endian word, zero bytes past `end`.
    @inline(__always)
    private static func loadWord(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt64 {
        if end >= 8 {
            // Eight bytes ending at `end` at the latest (they may start before `i`, inside the
            // buffer), shifted so that p[i] is the lowest byte.
            let base = min(i, end &- 8)
            let word = UInt64(littleEndian: UnsafeRawPointer(p + base).loadUnaligned(as: UInt64.self))
            return word >> UInt64(truncatingIfNeeded: (i &- base) &* 8)
        }
        var word: UInt64 = 0
        var k = end
        while k > i {
            k -= 1
            word = word << 8 | UInt64(p[k])
        }
        return word
    }

    /// The value of eight digits 0...9, one a byte, the most significant in the lowest byte.
    @inline(__always)
    private static func eightDigitValue(_ digits: UInt64) -> UInt64 {
        var v = (digits &* 10 &+ (digits >> 8)) & 0x00FF_00FF_00FF_00FF  // pairs in 16-bit lanes
        v = (v &* 100 &+ (v >> 16)) & 0x0000_FFFF_0000_FFFF  // quadruples in 32-bit lanes
        return (v &* 10_000 &+ (v >> 32)) & 0xFFFF_FFFF
    }

    /// `digitCount` less the leading zeros of the already validated mantissa (decimal point
    /// allowed) that starts at `p[start]` and ends before `end`.
    @inline(never)
    private static func significantDigitCount(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                                              _ digitCount: Int) -> Int {
        var zeros = 0
        var i = start
        while i < end {
            let b = p[i]
            if b == UInt8(ascii: "0") {
                zeros += 1
            } else if b != UInt8(ascii: ".") {
                break
            }
            i += 1
        }
        return digitCount - zeros
    }

    /// Bit pattern of +infinity; `eiselLemire` results at or above it overflowed.
    private static let infinityBits: UInt64 = 0x7FF0_0000_0000_0000
    /// `eiselLemire`'s answer when it cannot decide the rounding (never a positive double).
    private static let undecided: UInt64 = .max

    /// The bit pattern of the double nearest to `w` × 10^`q` (ties to even), as `strtod`
    /// rounds it, for `w` > 0; `infinityBits` or more on overflow, or `undecided`.
    ///
    /// Eisel–Lemire (D. Lemire, "Number parsing at a gigabyte per second", Software: Practice
    /// and Experience 51(8), 2021). With `w` shifted so that its top bit is set and T the
    /// 128-bit truncation of 5^q scaled into [2^127, 2^128) (`powersOfFive128`), let X be the
    /// exact w·5^q at the scale of w·T / 2^64. The top 128 bits (hi, lo) of w·T satisfy
    /// (hi, lo) <= X < (hi, lo) + 2 (T is rounded down, and the dropped low word of w·T adds
    /// less than 1), and w·T_hi alone is less than 2^64 below X. The double needs the leading
    /// bit, 52 more bits and the rounding bit, all of them in hi at bit 9 or above:
    /// - if the low nine bits of hi (after the first product) are not all ones, what is
    ///   missing cannot carry past them, so those bits are exact;
    /// - otherwise the second product w·T_lo is added; then only `lo` = 2^64 − 1 with those
    ///   nine bits all ones again can carry (never for q in [0, 55], where T is exact and so
    ///   is the product). That case goes to `exactDyadicOrUndecided`: values with q < 0 that
    ///   are binary fractions of at most 54 significant bits (0.5, 2.25, ties such as
    ///   4503599627370496.5) always land there, as X then ends in zero bits just above
    ///   (hi, lo).
    /// Otherwise the result is the 53 bits rounded on the rounding bit alone, except for exact
    /// halfway cases. Those need 5^q to fit in 54 bits next to w < 2^64, so q in [-4, 23]; for
    /// q in [0, 23] the product is exact and a tie shows as the rounding bit set with zeros
    /// below it (then ties go to even); for q in [-4, -1] ties are exact binary fractions,
    /// handled as above. Subnormal results are rounded the same way at a larger shift (a
    /// subnormal is never exactly halfway).
    static func eiselLemire(_ w: UInt64, _ q: Int) -> UInt64 { eiselLemireInline(w, q) }

    @inline(__always)
    private static func eiselLemireInline(_ w: UInt64, _ q: Int) -> UInt64 {
        if q < powerOfFiveSmallestExponent { return 0 }  // below 10^-323 / 2: rounds to zero
        if q > powerOfFiveLargestExponent { return infinityBits }  // at least 10^309
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w << UInt64(leadingZeros)
        let index = (q &- powerOfFiveSmallestExponent) &* 2
        var (hi, lo) = normalized.multipliedFullWidth(by: powersOfFive128[index])
        if hi & 0x1FF == 0x1FF {
            let correction = normalized.multipliedFullWidth(by: powersOfFive128[index &+ 1]).high
            let (sum, carry) = lo.addingReportingOverflow(correction)
            lo = sum
            if carry { hi &+= 1 }
            if hi & 0x1FF == 0x1FF && lo == .max && (q < 0 || q > 55) {
                return exactDyadicOrUndecided(w, q)
            }
        }
        // hi is in [2^62, 2^64); `upper` is 1 when its top bit is set.
        let upper = Int(truncatingIfNeeded: hi >> 63)
        // Biased exponent: floor(q log2 10) = (217706 q) >> 16 over the table's range.
        let biased = ((217706 &* q) >> 16) &+ 63 &+ upper &- leadingZeros &+ 1023
        if biased <= 0 {
            // Subnormal: keep 52 + biased - 1 bits below the leading one, plus the rounding bit.
            let shift = 10 &+ upper &- biased  // the rounding bit's position in hi
            if shift >= 64 { return 0 }  // below half the smallest subnormal
            let m = ((hi >> UInt64(shift)) &+ 1) >> 1
            return m  // 2^52 here is the smallest normal double, as it should be
        }
        let dropped = UInt64(9 &+ upper)
        let withRoundingBit = hi >> dropped  // 54 bits: leading one, 52 bits, rounding bit
        var m = (withRoundingBit &+ 1) >> 1
        if q >= 0 && q <= 23 {
            if withRoundingBit & 3 == 1 && lo == 0 && hi & ((1 << dropped) &- 1) == 0 {
                m = withRoundingBit >> 1  // exactly halfway and the lower neighbour is even
            }
        }
        // m is in [2^52, 2^53]; 2^53 carries into the exponent field, as it should.
        return (UInt64(truncatingIfNeeded: biased &- 1) << 52) &+ m
    }

    /// `eiselLemire` when w·T fell just below a carry: the exact value when `w` × 10^`q` is a
    /// binary fraction (5^-q divides `w`, so -q <= 27), otherwise `undecided`.
    @inline(never)
    private static func exactDyadicOrUndecided(_ w: UInt64, _ q: Int) -> UInt64 {
        guard q < 0 && q >= -27 else { return undecided }
        let power = powersOfFiveUpTo27[-q]
        if w % power != 0 { return undecided }
        // w / 5^k converts to Double correctly rounded (to nearest, ties to even), and the
        // scaling by 2^q is exact (the result is at least 2^-27, far from subnormal).
        return (Double(w / power) * Double(sign: .plus, exponent: q, significand: 1)).bitPattern
    }

    /// 5^0 ... 5^27 (5^27 < 2^64 < 5^28).
    private static let powersOfFiveUpTo27: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...27 { powers.append(powers[powers.count - 1] &* 5) }
        return powers
    }()

    /// `strtod` on a NUL-terminated copy of an already validated number; nil unless finite.
    private static func slowParse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        let v: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { tmp in
            let base = tmp.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: count)
            base[count] = 0
            var stop: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(base, &stop)
            if stop == base + count { return v }
            // Only reachable when the process switched LC_NUMERIC to a locale whose decimal
            // point is not '.'; Swift's parser is locale-independent.
            return Double(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)) ?? .nan
        }
        return v.isFinite ? v : nil
    }

    /// Parses `p[start..<end]` as an exact integer (see `CSVTable.integer(row:column:)`).
    ///
    /// Same grammar as `parseDouble`, but evaluated in exact decimal arithmetic: the value is
    /// (nonzero digits) × 10^power, an integer only when `power` ≥ 0 after trailing zeros move
    /// into it, and it must fit in `Int`.
    static func parseInteger(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var s = start, e = end
        while s < e && (p[s] == asciiSpace || p[s] == asciiTab) { s += 1 }
        while e > s && (p[e - 1] == asciiSpace || p[e - 1] == asciiTab) { e -= 1 }
        if s == e { return nil }
        var i = s
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true; i += 1
        } else if p[i] == UInt8(ascii: "+") {
            i += 1
        }
        var magnitude: UInt64 = 0  // the digits up to the last nonzero one
        var pendingZeros = 0  // zeros after it, not yet multiplied in
        var power = 0  // value = magnitude * 10^(pendingZeros + power)
        var overflow = false
        var digitCount = 0
        var inFraction = false
        while i < e {
            let b = p[i]
            if b == UInt8(ascii: ".") && !inFraction {
                inFraction = true
                i += 1
                continue
            }
            let d = b &- UInt8(ascii: "0")
            if d > 9 { break }
            digitCount += 1
            if inFraction { power -= 1 }
            if d == 0 {
                pendingZeros += 1
            } else {
                if !overflow {
                    let scaled = multiplyByPowerOfTen(magnitude, pendingZeros + 1)
                    let (sum, o) = (scaled ?? 0).addingReportingOverflow(UInt64(d))
                    if scaled == nil || o { overflow = true } else { magnitude = sum }
                }
                pendingZeros = 0
            }
            i += 1
        }
        if digitCount == 0 { return nil }
        if i < e && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < e && p[i] == UInt8(ascii: "-") {
                exponentNegative = true; i += 1
            } else if i < e && p[i] == UInt8(ascii: "+") {
                i += 1
            }
            var value = 0
            let exponentStart = i
            while i < e {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if value < 1_000_000 { value = value &* 10 &+ Int(d) }
                i += 1
            }
            if i == exponentStart { return nil }
            power += exponentNegative ? -value : value
        }
        if i != e { return nil }
        if magnitude == 0 && !overflow { return 0 }
        // Past here either the value does not fit, or it has a nonzero digit after the point.
        if overflow || pendingZeros + power < 0 { return nil }
        guard let exact = multiplyByPowerOfTen(magnitude, pendingZeros + power) else { return nil }
        if negative {
            return exact <= UInt64(1) << 63 ? Int(truncatingIfNeeded: 0 &- exact) : nil
        }
        return exact <= UInt64(Int.max) ? Int(exact) : nil
    }

    /// `value * 10^count`, or nil on `UInt64` overflow.
    @inline(__always)
    private static func multiplyByPowerOfTen(_ value: UInt64, _ count: Int) -> UInt64? {
        if value == 0 { return 0 }
        if count > 19 { return nil }
        var v = value
        for _ in 0..<count {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            if o { return nil }
            v = m
        }
        return v
    }
}
