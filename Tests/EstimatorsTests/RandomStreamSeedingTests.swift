import CGSL
import Testing
@testable import Estimators

/// ``RandomStream`` seeds the full mt19937 state in one fused loop; the definition is GSL's own
/// seeding (`gsl_rng_set`, GSL 2.7 `rng/mt.c`) followed by an XOR pass with SplitMix64 words.
/// The oracle below does exactly that with GSL, and every word and the position must agree.
@Suite("random stream seeding")
struct RandomStreamSeedingTests {
    /// The definition: `gsl_rng_set(rng, key mod 2³²)`, then word k ^= SplitMix64 word k (low 32
    /// bits), top bit of word 0 set.
    static func reference(key: UInt64) -> ([UInt], Int32) {
        guard let rng = gsl_rng_alloc(cgsl_rng_type_mt19937()) else { return ([], -1) }
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: key & 0xFFFF_FFFF))
        guard let state = gsl_rng_state(rng) else { return ([], -1) }
        let words = state.assumingMemoryBound(to: UInt.self)
        var sequence = key
        for k in 0..<624 {
            sequence &+= 0x9E37_79B9_7F4A_7C15
            words[k] = (words[k] ^ UInt(truncatingIfNeeded: RandomStream.mix(sequence))) & 0xFFFF_FFFF
        }
        words[0] |= 0x8000_0000
        let position = (state + 624 * MemoryLayout<UInt>.stride).assumingMemoryBound(to: Int32.self).pointee
        return ((0..<624).map { words[$0] }, position)
    }

    static func seeded(key: UInt64) -> ([UInt], Int32) {
        let stream = RandomStream(key: key)
        guard let state = gsl_rng_state(stream.generator) else { return ([], -1) }
        let words = state.assumingMemoryBound(to: UInt.self)
        let position = (state + 624 * MemoryLayout<UInt>.stride).assumingMemoryBound(to: Int32.self).pointee
        return ((0..<624).map { words[$0] }, position)
    }

    @Test func fusedSeedingEqualsGSLSeedingPlusXOR() {
        var keys: [UInt64] = [0, 1, 4357, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xDEAD_BEEF_0000_0000]
        var x: UInt64 = 12345
        for _ in 0..<300 { x = RandomStream.mix(x &+ 1); keys.append(x) }
        for key in keys {
            let (expected, expectedPosition) = Self.reference(key: key)
            let (actual, position) = Self.seeded(key: key)
            #expect(actual == expected, "state words differ for key \(key)")
            #expect(position == expectedPosition && position == 624)
        }
    }

    @Test func reseedingEqualsAFreshStream() {
        var stream = RandomStream(key: 7)
        _ = (0..<1000).map { _ in stream.nextWord() }
        stream.reseed(key: 99)
        let fresh = RandomStream(key: 99)
        #expect((0..<2000).map { _ in stream.nextWord() } == (0..<2000).map { _ in fresh.nextWord() })
    }
}
