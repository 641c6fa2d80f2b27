/// Deterministic 64-bit generator for test inputs: SplitMix64 (Steele, Lea & Flood 2014), so
/// random inputs are reproducible from their seed. Shared by the CSV and float-parsing tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<bound (bound > 0; the tiny modulo bias does not matter here).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func digits(_ count: Int) -> String {
        var s = ""
        for _ in 0..<count { s.append(Character(Unicode.Scalar(UInt8(48 + below(10))))) }
        return s
    }
}
