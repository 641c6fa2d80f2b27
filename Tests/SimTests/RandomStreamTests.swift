import CGSL
import Estimators
import Foundation
import Testing

/// The GSL-backed stream: derivation, full-state seeding, the Swift bulk paths against GSL itself.
@Suite("RandomStream")
struct RandomStreamTests {
    /// Oracle: determinism by construction — the same key must replay the same draws, bit for bit.
    @Test func sameKeyReplaysTheSameDraws() {
        let a = RandomStream(seed: 42, replication: 7, purpose: .data)
        let b = RandomStream(seed: 42, replication: 7, purpose: .data)
        #expect(a.key == b.key)
        for _ in 0..<1000 { #expect(a.uniform().bitPattern == b.uniform().bitPattern) }
        var x = [Double](repeating: 0, count: 5000), y = x
        x.withUnsafeMutableBufferPointer { a.fillNormal($0) }
        y.withUnsafeMutableBufferPointer { b.fillNormal($0) }
        #expect(x.map(\.bitPattern) == y.map(\.bitPattern))
    }

    /// Oracle: distinct keys must give distinct streams. Checked over 40 seeds × 40 replications ×
    /// 5 purposes (8000 streams) by their first two 32-bit words (a 64-bit fingerprint: a chance
    /// collision has probability ≈ 8000²/2⁶⁵ ≈ 2·10⁻¹²).
    @Test func distinctKeysGiveDistinctStreams() {
        var keys = Set<UInt64>(), fingerprints = Set<UInt64>()
        let purposes: [RandomStream.Purpose] = [.data, .permutation, .bootstrap, .other, .geography]
        for seed in 0..<40 {
            for replication in 0..<40 {
                for purpose in purposes {
                    let stream = RandomStream(seed: UInt64(seed), replication: UInt64(replication), purpose: purpose)
                    keys.insert(stream.key)
                    fingerprints.insert(UInt64(stream.nextWord()) << 32 | UInt64(stream.nextWord()))
                }
            }
        }
        #expect(keys.count == 8000)
        #expect(fingerprints.count == 8000)
    }

    /// Oracle: GSL's own seeding keeps only 32 bits (keys k and k + 2³² give the same plain
    /// `gsl_rng_set` stream); the full-state seeding must separate them.
    @Test func keysEqualInTheLow32BitsStillDiffer() {
        let low: UInt64 = 0x1234_5678
        let a = RandomStream(key: low), b = RandomStream(key: low | (1 << 32))
        let plainA = gsl_rng_alloc(cgsl_rng_type_mt19937())!, plainB = gsl_rng_alloc(cgsl_rng_type_mt19937())!
        defer { gsl_rng_free(plainA); gsl_rng_free(plainB) }
        gsl_rng_set(plainA, UInt(truncatingIfNeeded: low))
        gsl_rng_set(plainB, UInt(truncatingIfNeeded: low | (1 << 32)))
        #expect(gsl_rng_get(plainA) == gsl_rng_get(plainB))  // the GSL limitation
        let wordsA = (0..<8).map { _ in a.nextWord() }, wordsB = (0..<8).map { _ in b.nextWord() }
        #expect(wordsA != wordsB)
    }

    /// Oracle: GSL's `gsl_rng_get` / `gsl_rng_uniform` on a twin stream. The Swift mt19937 must agree
    /// word for word across several regenerations (2000 > 3 × 624), and interleave with GSL calls.
    @Test func swiftWordsEqualGSLWords() {
        let swift = RandomStream(seed: 3, replication: 1, purpose: .other)
        let gsl = RandomStream(seed: 3, replication: 1, purpose: .other)
        for k in 0..<2000 {
            if k % 7 == 0 {
                #expect(UInt(gsl_rng_get(swift.generator)) == UInt(gsl_rng_get(gsl.generator)))
            } else {
                #expect(UInt(swift.nextWord()) == UInt(gsl_rng_get(gsl.generator)))
            }
        }
        var uniforms = [Double](repeating: 0, count: 1500)
        uniforms.withUnsafeMutableBufferPointer { swift.fillUniform($0) }
        for value in uniforms { #expect(value == gsl_rng_uniform(gsl.generator)) }
        // After a bulk normal fill, GSL continues from where Swift stopped.
        var normals = [Double](repeating: 0, count: 777)
        normals.withUnsafeMutableBufferPointer { swift.fillNormal($0) }
        let twin = RandomStream(seed: 3, replication: 1, purpose: .other)
        for _ in 0..<(2000 + 1500) { _ = twin.nextWord() }
        var twinNormals = [Double](repeating: 0, count: 777)
        twinNormals.withUnsafeMutableBufferPointer { twin.fillNormal($0) }
        #expect(normals == twinNormals)
        #expect(gsl_rng_get(swift.generator) == gsl_rng_get(twin.generator))
    }

    /// Oracle: the standard normal distribution (GSL's `gsl_cdf_ugaussian_P`). n = 400,000 draws:
    /// mean within 4/√n, variance within 4·√(2/n), Kolmogorov–Smirnov D below the 0.1% critical
    /// value 1.95/√n, and the tail beyond r = 3.4426 (sampled by a separate branch) within 4 binomial
    /// SDs of n·2(1 − Φ(r)).
    @Test func bulkNormalsAreStandardNormal() {
        let n = 400_000
        let stream = RandomStream(seed: 11, replication: 0, purpose: .other)
        var draws = [Double](repeating: 0, count: n)
        draws.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot())
        draws.sort()
        var d = 0.0
        for (k, x) in draws.enumerated() {
            let cdf = gsl_cdf_ugaussian_P(x)
            d = max(d, abs(cdf - Double(k) / Double(n)), abs(Double(k + 1) / Double(n) - cdf))
        }
        #expect(d < 1.95 / Double(n).squareRoot(), "KS D = \(d)")
        let r = Ziggurat.tailStart
        let tail = Double(draws.filter { abs($0) > r }.count)
        let p = 2 * gsl_cdf_ugaussian_Q(r)
        #expect(abs(tail - Double(n) * p) < 4 * (Double(n) * p * (1 - p)).squareRoot(), "tail count \(tail)")
    }

    /// Oracle: a stream re-seeded in place equals a fresh stream with that key.
    @Test func reseedEqualsFreshStream() {
        var stream = RandomStream(seed: 1, replication: 0, purpose: .data)
        _ = stream.uniform()
        let key = RandomStream.key(seed: 9, replication: 4, purpose: RandomStream.Purpose.permutation.rawValue)
        stream.reseed(key: key)
        let fresh = RandomStream(key: key)
        #expect(stream.key == key)
        for _ in 0..<700 { #expect(stream.nextWord() == fresh.nextWord()) }
    }

    /// Oracle: GSL's documented error codes. With the aborting handler on, a Cholesky of a matrix
    /// that is not positive definite would kill this test process; with it off, GSL returns GSL_EDOM.
    @Test func gslAbortHandlerIsOff() {
        _ = RandomStream(seed: 0, replication: 0, purpose: .other)
        var values: [Double] = [1, 2, 2, 1]  // eigenvalues 3 and −1
        let status = values.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var view = gsl_matrix_view_array(buffer.baseAddress, 2, 2)
            return gsl_linalg_cholesky_decomp1(&view.matrix)
        }
        #expect(status == GSL_EDOM)
    }
}
