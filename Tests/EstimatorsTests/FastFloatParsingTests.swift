// FastFloatParsingTests.swift — CSVParser.parseDouble (Eisel–Lemire with strtod fallback)
// against the C library's strtod, bit for bit.
//
// Expected values come from the platform's strtod (glibc on Linux), which rounds correctly
// (to nearest, ties to even) for every input: it is the oracle here. A field is expected to
// parse to strtod's result when that is finite, and to nil when strtod overflows to infinity.
// All random inputs come from fixed-seed generators, so failures are reproducible.

import Testing
@testable import Estimators

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Harness

/// Compares `CSVParser.parseDouble` with strtod on many inputs, keeping the first mismatches.
private struct StrtodComparison {
    var checked = 0
    var mismatches: [String] = []

    /// Checks `text` (a valid number) twice: as a whole buffer of its own (so that buffers
    /// shorter than eight bytes take the byte-by-byte path) and inside a larger buffer after
    /// digits and a comma (the 8-byte loads may then start before the field; those bytes
    /// must not leak into the value).
    mutating func check(_ text: String) {
        checked += 1
        var consumed = 0
        let expected: Double = text.withCString { start in
            var stop: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(start, &stop)
            consumed = stop.map { UnsafePointer($0) - start } ?? 0
            return v
        }
        let bytes = Array(text.utf8)
        if consumed != bytes.count {
            record("strtod did not consume all of \(text) (test input is not a plain number)")
            return
        }
        let alone = bytes.withUnsafeBufferPointer { CSVParser.parseDouble($0.baseAddress!, 0, $0.count) }
        let padded = Array("98765432109876543210,".utf8) + bytes + Array(",123\n".utf8)
        let inside = padded.withUnsafeBufferPointer { CSVParser.parseDouble($0.baseAddress!, 21, 21 + bytes.count) }
        for (how, got) in [("alone", alone), ("inside a buffer", inside)] {
            if expected.isFinite {
                if got?.bitPattern != expected.bitPattern {
                    record("\(text) (\(how)): got \(got.map { "\($0)" } ?? "nil") "
                        + "bits \(got.map { String($0.bitPattern, radix: 16) } ?? "-"), "
                        + "strtod \(expected) bits \(String(expected.bitPattern, radix: 16))")
                }
            } else if got != nil {
                record("\(text) (\(how)): got \(got!), strtod overflows to \(expected)")
            }
        }
    }

    mutating func record(_ message: String) {
        if mismatches.count < 20 { mismatches.append(message) }
        else if mismatches.count == 20 { mismatches.append("...") }
    }

    func expectClean(minimumChecked: Int, _ sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(checked >= minimumChecked, sourceLocation: sourceLocation)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }
}


/// printf-style formatting through the C library (e.g. "%.17g", the form `didlab simulate`
/// and many tools write).
private func format(_ spec: String, _ args: CVarArg...) -> String {
    var buffer = [CChar](repeating: 0, count: 1200)
    _ = withVaList(args) { vsnprintf(&buffer, buffer.count, spec, $0) }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// A random finite double from a uniformly random bit pattern (all binades, subnormals and
/// zeros included, either sign).
private func randomFiniteDouble(_ rng: inout SplitMix64) -> Double {
    while true {
        let v = Double(bitPattern: rng.next())
        if v.isFinite { return v }
    }
}

// MARK: - Known hard cases

@Test func fastFloatKnownHardCasesMatchStrtod() {
    var c = StrtodComparison()
    let cases = [
        // Subnormals and the normal/subnormal boundary.
        "4.9e-324", "5e-324", "4.9406564584124654e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "7.4109846876186982e-324", "1e-323", "1.5e-323", "3e-324",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
        "2.2250738585072009e-308", "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.4501477170144023e-308", "6.631236846766476e-316", "3.2378839133029012e-319",
        "1e-320", "9.8813129168249309e-324", "1.2345678901234567e-310",
        // Largest values and overflow to infinity (nil).
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1.797693134862315807e308", "1.797693134862315808e308", "1e308", "1e309", "-1e309",
        "9.9999999999999999e307", "8.98846567431158e307", "0.1e309", "10e307",
        // Exact halfway cases and their neighbours (round half to even).
        "9007199254740993", "9007199254740992", "9007199254740994", "9007199254740995",
        "9007199254740997", "18014398509481986", "18014398509481990", "36028797018963970",
        "9007199254740993.0", "9007199254740993.00000000000000000001", "9007199254740992.99999999999999999999",
        "4503599627370497.5", "4503599627370496.5", "2251799813685248.25", "2251799813685248.75",
        "1125899906842624.125", "1125899906842624.375", "562949953421312.0625",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "1e23", "8.589973e9", "1e22", "1e-22", "1e-23", "7.2057594037927933e16",
        "7.3177701707893310e15", "1.448997445238699", "9.5e-1", "2.5", "0.5", "1.5",
        "10000000000000000000000", "99999999999999999999e3",
        // Famous shortest-round-trip values.
        "0.1", "0.2", "0.3", "0.30000000000000004", "0.12345678901234567", "-1234.5678901234567",
        "3.141592653589793", "2.718281828459045", "1.7976931348623157e+308", "2.2250738585072014E-308",
        // Mantissa edge: 19 digits fit, 20 do not (strtod fallback).
        "9999999999999999999", "1844674407370955161", "18446744073709551615", "18446744073709551616",
        "10000000000000000000", "0.9999999999999999999", "99999999999999999999",
        // Leading zeros are not significant digits.
        "00000000000000000000001.5", "0.000000000000000000000000000000001234567890123456789",
        "0000000000000000000000000000000000000000", "-0.00000000000000000000000000000000000000000",
        // Decimal exponents at and beyond the table's range [-342, 308].
        "1e-342", "1e-343", "9999999999999999999e-343", "1234567890123456789e-342", "1e-400",
        "1e-99999999", "1e99999999", "0e999999", "123e-20000", "0.000001e-320", "1000000e302",
        // Signs and zeros.
        "-0", "-0.0", "+0", "0", "-0e10", "+1", "-1", "-.5", "+.5e1", "5.", "-5.e-1",
        // Short fields (buffers under eight bytes) and long digit runs.
        "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
        "1.2345678", "12345678.9", "1234567890123456.7", "0.0000000000000001",
        "3.0000000000000000000000000000000000000000000000000001",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999",
        "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
    ]
    for text in cases { c.check(text) }
    c.expectClean(minimumChecked: cases.count)
}

// MARK: - Random inputs (>= 200,000 in all)

@Test func fastFloatRandomDoublesPrintedWith17DigitsMatchStrtod() {
    var rng = SplitMix64(seed: 0xD1D_1AB)
    var c = StrtodComparison()
    for k in 0..<60_000 {
        let v: Double
        switch k % 4 {
        case 0, 1: v = randomFiniteDouble(&rng)  // any binade, subnormals included
        case 2:  // the benchmark's shape: N(0, 1) × 100-ish values, 16-17 digits
            v = (Double(rng.next() >> 11) * 0x1p-53 - 0.5) * Double(1 << (rng.below(20)))
        default:  // subnormals only
            v = Double(bitPattern: rng.next() & 0x800F_FFFF_FFFF_FFFF)
        }
        c.check(format("%.17g", v))
    }
    c.expectClean(minimumChecked: 60_000)
}

@Test func fastFloatShortestRoundTripAndOtherPrecisionsMatchStrtod() {
    var rng = SplitMix64(seed: 20_250_101)
    var c = StrtodComparison()
    let specs = ["%.15g", "%.16g", "%.18g", "%.19g", "%.20g", "%.16e", "%.18e", "%.3e", "%.10f", "%.25g"]
    for k in 0..<40_000 {
        let v = randomFiniteDouble(&rng)
        if k % 2 == 0 {
            c.check("\(v)")  // Swift's shortest round-trip form ("1e-05", "5e-324", ...)
        } else {
            c.check(format(specs[rng.below(specs.count)], v))
        }
    }
    c.expectClean(minimumChecked: 40_000)
}

@Test func fastFloatRandomDecimalStringsMatchStrtod() {
    // 1-19 significant digits with the point anywhere, optional leading zeros, optional
    // e-notation with decimal exponents across the whole range and beyond.
    var rng = SplitMix64(seed: 77_001)
    var c = StrtodComparison()
    for _ in 0..<60_000 {
        let significant = 1 + rng.below(19)
        var digits = rng.digits(significant)
        if rng.below(4) == 0 { digits = String(repeating: "0", count: 1 + rng.below(6)) + digits }
        let point = rng.below(digits.count + 1)
        var text = String(digits.prefix(point))
        if point < digits.count || rng.below(2) == 0 {
            text += "." + digits.dropFirst(point)
        }
        if rng.below(3) != 0 {
            let exponent = rng.below(700) - 360
            text += (rng.below(2) == 0 ? "e" : "E") + (exponent >= 0 && rng.below(2) == 0 ? "+" : "") + String(exponent)
        }
        switch rng.below(3) {
        case 0: text = "-" + text
        case 1: if rng.below(4) == 0 { text = "+" + text }
        default: break
        }
        c.check(text)
    }
    c.expectClean(minimumChecked: 60_000)
}

@Test func fastFloatLongDigitStringsMatchStrtod() {
    // More than 19 significant digits: the strtod fallback.
    var rng = SplitMix64(seed: 4_242)
    var c = StrtodComparison()
    for _ in 0..<15_000 {
        let digits = String(1 + rng.below(9)) + rng.digits(19 + rng.below(30))
        let point = rng.below(digits.count + 1)
        var text = String(digits.prefix(point)) + "." + digits.dropFirst(point)
        if rng.below(2) == 0 { text += "e" + String(rng.below(640) - 330) }
        c.check(rng.below(2) == 0 ? "-" + text : text)
    }
    c.expectClean(minimumChecked: 15_000)
}

@Test func fastFloatExactHalfwayCasesAndNeighboursMatchStrtod() {
    // Values exactly halfway between two doubles, written with at most 19 digits, and the
    // decimal neighbours one unit in the last digit away. A halfway value is o × 2^E with
    // o odd and 2^53 < o < 2^54; in decimal that needs q in [-4, 23] (see
    // CSVParser.eiselLemire).
    var rng = SplitMix64(seed: 31_337)
    var c = StrtodComparison()
    func neighbours(_ w: UInt64, _ suffix: String) -> [String] {
        ["\(w)\(suffix)", "\(w - 1)\(suffix)", "\(w + 1)\(suffix)"]
    }
    var powersOfFive: [UInt64] = [1]
    for _ in 1...27 { powersOfFive.append(powersOfFive.last! * 5) }
    for _ in 0..<5_000 {
        // Integers: o × 2^k for k in 0...10 (mantissa up to 2^64, the larger ones fall back).
        let o = (UInt64(1) << 53) | (rng.next() >> 11) | 1
        let k = rng.below(11)
        if o.leadingZeroBitCount >= k {
            for text in neighbours(o << UInt64(k), "") { c.check(text) }
        }
        // q in [1, 23]: o = r × 5^q with r odd, value = r × 2^j × 10^q.
        let q = 1 + rng.below(23)
        let p = powersOfFive[q]
        let low = ((UInt64(1) << 53) + p - 1) / p, high = ((UInt64(1) << 54) - 1) / p
        if low <= high {
            var r = low + rng.next() % (high - low + 1)
            if r % 2 == 0 { r = r < high ? r + 1 : r - 1 }
            if r >= low && r <= high {
                var w = r
                let shifts = rng.below(4)
                for _ in 0..<shifts where w < UInt64(1_000_000_000_000_000_000) / 2 { w *= 2 }
                for text in neighbours(w, "e\(q)") { c.check(text) }
                if w < UInt64(1_000_000_000_000_000_000) / 10 {
                    for text in neighbours(w * 10, "e\(q - 1)") { c.check(text) }
                }
            }
        }
        // q in [-4, -1]: value = o × 2^-k = (o × 5^k) × 10^-k, written with a point too.
        let kk = 1 + rng.below(4)
        let w = o * powersOfFive[kk]
        if w / powersOfFive[kk] == o && w < UInt64(1_000_000_000_000_000_000) {
            for text in neighbours(w, "e-\(kk)") { c.check(text) }
            let s = "\(w)"
            c.check(String(s.dropLast(kk)) + "." + String(s.suffix(kk)))
        }
    }
    c.expectClean(minimumChecked: 50_000)
}

#if arch(x86_64) && !os(Windows) && !os(Android)
@Test func fastFloatNearHalfwayCasesMatchStrtod() {
    // The exact midpoint between a random double and the next one (computed in Float80,
    // whose 64-bit significand holds it exactly), printed with 17-19 significant digits
    // (so slightly above or below the midpoint) and with 30 (more than 19: fallback).
    var rng = SplitMix64(seed: 9_001)
    var c = StrtodComparison()
    for _ in 0..<12_000 {
        let v = abs(randomFiniteDouble(&rng))
        if v == .greatestFiniteMagnitude { continue }
        let midpoint = (Float80(v) + Float80(v.nextUp)) / 2
        for spec in ["%.16Le", "%.17Le", "%.18Le"] { c.check(format(spec, midpoint)) }
        if rng.below(4) == 0 { c.check(format("%.29Le", midpoint)) }
    }
    c.expectClean(minimumChecked: 36_000)
}
#endif

// MARK: - Grammar

/// The documented grammar, checked independently: optional spaces/tabs around, an optional
/// sign, digits with an optional point (at least one digit), an optional exponent; the value
/// is then strtod's, nil unless finite.
private func referenceParse(_ field: [UInt8]) -> Double? {
    var s = 0, e = field.count
    while s < e && (field[s] == 0x20 || field[s] == 0x09) { s += 1 }
    while e > s && (field[e - 1] == 0x20 || field[e - 1] == 0x09) { e -= 1 }
    let t = Array(field[s..<e])
    var i = 0
    func isDigit(_ k: Int) -> Bool { k < t.count && t[k] >= 0x30 && t[k] <= 0x39 }
    if i < t.count && (t[i] == 0x2B || t[i] == 0x2D) { i += 1 }
    var digits = 0
    while isDigit(i) { i += 1; digits += 1 }
    if i < t.count && t[i] == 0x2E {
        i += 1
        while isDigit(i) { i += 1; digits += 1 }
    }
    if digits == 0 { return nil }
    if i < t.count && (t[i] == 0x65 || t[i] == 0x45) {
        i += 1
        if i < t.count && (t[i] == 0x2B || t[i] == 0x2D) { i += 1 }
        if !isDigit(i) { return nil }
        while isDigit(i) { i += 1 }
    }
    if i != t.count { return nil }
    let v = (t.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
    return v.isFinite ? v : nil
}

@Test func fastFloatGrammarFuzzMatchesReference() {
    // Random byte strings near the grammar (digits, signs, points, exponents, blanks, and
    // bytes just outside the digit range or with the top bit set), placed at random offsets
    // in a buffer of random bytes, so the 8-byte loads see all kinds of neighbours.
    var rng = SplitMix64(seed: 5_150)
    let alphabet: [UInt8] = Array("0123456789012345678901234567890123456789..--++eeE  \t".utf8)
        + [0x2F, 0x3A, 0x2C, 0x0A, 0x00, 0xB0, 0xB9, 0xFF, 0x64, 0x78, 0x69, 0x6E]
    var checked = 0
    var failures: [String] = []
    for _ in 0..<40_000 {
        let length = rng.below(28)
        let field = (0..<length).map { _ in alphabet[rng.below(alphabet.count)] }
        let prefix = (0..<rng.below(12)).map { _ in alphabet[rng.below(alphabet.count)] }
        let suffix = (0..<rng.below(12)).map { _ in alphabet[rng.below(alphabet.count)] }
        let buffer = prefix + field + suffix
        let expected = referenceParse(field)
        let got: Double? = buffer.isEmpty ? nil : buffer.withUnsafeBufferPointer {
            CSVParser.parseDouble($0.baseAddress!, prefix.count, prefix.count + field.count)
        }
        checked += 1
        if got?.bitPattern != expected?.bitPattern && failures.count < 20 {
            failures.append("\(field): got \(got.map { "\($0)" } ?? "nil"), expected \(expected.map { "\($0)" } ?? "nil")")
        }
    }
    #expect(checked == 40_000)
    #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
}

// MARK: - Table

@Test func powersOfFiveTableIsExactWhereCheckable() {
    // q in [0, 55]: 5^q fits in 128 bits, so the entry must be 5^q shifted to the top bit.
    var hi: UInt64 = 0, lo: UInt64 = 1  // 5^q, exactly
    for q in 0...55 {
        let index = (q - CSVParser.powerOfFiveSmallestExponent) * 2
        var (h, l) = (hi, lo)
        let shift = hi != 0 ? hi.leadingZeroBitCount : 64 + lo.leadingZeroBitCount
        if shift >= 64 {
            (h, l) = (lo << UInt64(shift - 64), 0)
        } else if shift > 0 {
            (h, l) = (hi << UInt64(shift) | lo >> UInt64(64 - shift), lo << UInt64(shift))
        }
        #expect(CSVParser.powersOfFive128[index] == h && CSVParser.powersOfFive128[index + 1] == l, "q = \(q)")
        // Multiply by 5.
        let product = lo.multipliedFullWidth(by: 5)
        (hi, lo) = (hi &* 5 &+ product.high, UInt64(product.low))
    }
    // q in [-27, -1]: T = floor(2^N / 5^k) with N = 127 + bitlength(5^k), so
    // T × 5^k < 2^N < (T + 1) × 5^k.
    var p: UInt64 = 1
    for k in 1...27 {
        p *= 5
        let index = (-k - CSVParser.powerOfFiveSmallestExponent) * 2
        let tHi = CSVParser.powersOfFive128[index], tLo = CSVParser.powersOfFive128[index + 1]
        #expect(tHi >> 63 == 1, "q = \(-k)")
        // T × p as three words (w2, w1, w0).
        let a = tLo.multipliedFullWidth(by: p), b = tHi.multipliedFullWidth(by: p)
        let w0 = UInt64(a.low)
        let (w1, c1) = a.high.addingReportingOverflow(UInt64(b.low))
        let w2 = b.high &+ (c1 ? 1 : 0)
        let bits = 64 - p.leadingZeroBitCount
        let top = UInt64(1) << UInt64(bits - 1)  // 2^N = top × 2^128
        #expect(w2 < top, "q = \(-k): T × 5^k must be below 2^N")
        // (T + 1) × 5^k = T × 5^k + p must exceed 2^N.
        let (sum0, c0) = w0.addingReportingOverflow(p)
        let (sum1, c2) = w1.addingReportingOverflow(c0 ? 1 : 0)
        let sum2 = w2 &+ (c2 ? 1 : 0)
        #expect(sum2 > top || (sum2 == top && (sum1 != 0 || sum0 != 0)), "q = \(-k): (T + 1) × 5^k must exceed 2^N")
    }
}

@Test func eiselLemireDirectValues() {
    // A few direct checks of the bit patterns, including the "undecided" answer's absence
    // for ordinary values and the range ends.
    #expect(CSVParser.eiselLemire(1, 0) == (1.0).bitPattern)
    #expect(CSVParser.eiselLemire(5, -1) == (0.5).bitPattern)
    #expect(CSVParser.eiselLemire(17_976_931_348_623_157, 292) == Double.greatestFiniteMagnitude.bitPattern)
    #expect(CSVParser.eiselLemire(49, -325) == Double.leastNonzeroMagnitude.bitPattern)
    #expect(CSVParser.eiselLemire(22_250_738_585_072_014, -324) == Double.leastNormalMagnitude.bitPattern)
    #expect(CSVParser.eiselLemire(1, -343) == 0)
    #expect(CSVParser.eiselLemire(1, 309) >= Double.infinity.bitPattern)
    #expect(CSVParser.eiselLemire(9_007_199_254_740_993, 0) == (9_007_199_254_740_992.0).bitPattern)
    #expect(CSVParser.eiselLemire(9_007_199_254_740_995, 0) == (9_007_199_254_740_996.0).bitPattern)
}
