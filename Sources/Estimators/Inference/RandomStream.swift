import CGSL

/// A GSL random number generator owned by one task: the stream for (seed, replication, purpose).
///
/// **Derivation.** The stream's 64-bit key is `mix(seed, replication, purpose)`, built by
/// SplitMix64 finalisation (Steele, Lea & Flood 2014): `key = fmix(fmix(fmix(seed) ^ r·φ) ^ p·φ')`
/// with φ the golden-ratio constant. Replication `r` therefore draws the same numbers whichever
/// thread or shard runs it, and no stream depends on which other streams were used.
///
/// **Generator.** GSL's `mt19937` seeds from only the low 32 bits of its seed, so two distinct
/// 64-bit keys collide with probability 2⁻³² each (≈ 100 collisions among 10⁶ replications).
/// DiDLab therefore seeds the *full* 624-word mt19937 state: `gsl_rng_set` with the low 32 bits,
/// then every state word is XOR-ed with a SplitMix64 sequence started from the 64-bit key (the
/// first word keeps a non-zero high bit as Matsumoto & Nishimura's init requires). Distinct keys
/// give distinct states; the cost is ~4 µs per stream, small next to one estimate.
///
/// Owns its `gsl_rng`; not copyable, so the generator cannot be freed twice or used after free.
public struct RandomStream: ~Copyable {
    /// The underlying GSL generator (valid while the stream lives; do not escape it).
    public let generator: UnsafeMutablePointer<gsl_rng>
    /// The 64-bit key this stream was seeded from.
    public let key: UInt64

    /// Purposes, so that the draws for data and for inference never share a stream.
    public enum Purpose: UInt64, Sendable {
        /// Simulating a panel.
        case data = 1
        /// Placebo permutations.
        case permutation = 2
        /// Bootstrap weights.
        case bootstrap = 3
        /// Anything a caller numbers itself.
        case other = 4
    }

    /// The stream for (`seed`, `replication`, `purpose`); see the type's documentation.
    public init(seed: UInt64, replication: UInt64, purpose: Purpose) {
        self.init(key: RandomStream.key(seed: seed, replication: replication, purpose: purpose.rawValue))
    }

    /// A stream seeded directly from a 64-bit key.
    public init(key: UInt64) {
        RandomStream.disableGSLAbort
        guard let rng = gsl_rng_alloc(cgsl_rng_type_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        generator = rng
        self.key = key
        RandomStream.seedFullState(rng, key: key)
    }

    deinit { gsl_rng_free(generator) }

    /// Re-seeds this stream's generator in place from a new key (no allocation).
    public mutating func reseed(key newKey: UInt64) {
        RandomStream.seedFullState(generator, key: newKey)
    }

    /// The SplitMix64 finaliser (Stafford's Mix13), a bijection on 64 bits.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The stream key for (seed, replication, purpose).
    @inlinable
    public static func key(seed: UInt64, replication: UInt64, purpose: UInt64) -> UInt64 {
        mix(mix(mix(seed &+ 0x9E37_79B9_7F4A_7C15) ^ (replication &* 0x9E37_79B9_7F4A_7C15))
            ^ (purpose &* 0xD1B5_4A32_D192_ED03))
    }

    static func seedFullState(_ rng: UnsafeMutablePointer<gsl_rng>, key: UInt64) {
        gsl_rng_set(rng, UInt(truncatingIfNeeded: key & 0xFFFF_FFFF))
        // mt19937 state: struct { unsigned long mt[624]; int mti; }
        guard let state = gsl_rng_state(rng) else { return }
        let words = state.assumingMemoryBound(to: UInt.self)
        var sequence = key
        for k in 0..<624 {
            sequence &+= 0x9E37_79B9_7F4A_7C15
            words[k] = (words[k] ^ UInt(truncatingIfNeeded: mix(sequence))) & 0xFFFF_FFFF
        }
        words[0] |= 0x8000_0000
    }

    /// Turns off GSL's abort-on-error handler once per process; DiDLab checks return codes.
    static let disableGSLAbort: Void = { cgsl_disable_abort_on_error() }()

    /// A uniform draw on [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(generator) }
    /// A standard normal draw (GSL's ziggurat, the fastest normal sampler in GSL).
    @inlinable public func normal() -> Double { gsl_ran_gaussian_ziggurat(generator, 1) }
    /// A uniform integer in `0..<bound` (`bound` ≥ 1).
    @inlinable public func integer(below bound: Int) -> Int { Int(gsl_rng_uniform_int(generator, UInt(bound))) }

    /// Shuffles a buffer in place (GSL's Fisher–Yates `gsl_ran_shuffle`).
    public func shuffle<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        guard let base = buffer.baseAddress, buffer.count > 1 else { return }
        gsl_ran_shuffle(generator, base, buffer.count, MemoryLayout<T>.stride)
    }
}
