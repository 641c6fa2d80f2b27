import Testing
@testable import Estimators

/// The sign-table path of the wild cluster bootstrap (``WildBootstrapSignTable``: Rademacher and
/// enumerated sign vectors, units nested in clusters) against the kernel's own O(G·rank) loop
/// (``WildBootstrapKernel/evaluate``, itself tested against brute-force re-estimation and
/// wildboottest). Oracle: the same draws (same streams) through the loop. Tolerance: 1e-11
/// relative on every t* — the table sums the same products in another order and expands Σz², so
/// the two agree to rounding (~1e-15 observed), not bit for bit; p-values must be equal.
@Suite("Wild bootstrap sign tables")
struct WildBootstrapSignTableTests {
    @Test("sign tables equal the kernel loop, draw by draw, at several nulls", arguments: [true, false])
    func tableEqualsLoop(imposeNull: Bool) throws {
        let panel = try WildBootstrapSupport.synthetic()   // 120 units: G = 120 city clusters
        let fast = WildClusterBootstrap(cluster: "unit", replications: 64, imposeNull: imposeNull, seed: 3,
                                        threads: 2)
        var slow = fast
        slow.useSignTables = false
        let tables = try fast.run(on: panel).results, loop = try slow.run(on: panel).results
        #expect(tables.count == loop.count)
        for (a, b) in zip(tables, loop) {
            for null in [0.0, 0.5, -1.0] {
                let x = a.distribution.statistics(null: null), y = b.distribution.statistics(null: null)
                var worst = 0.0
                for (s, t) in zip(x, y) { worst = max(worst, abs(s - t) / max(abs(t), 1e-3)) }
                #expect(worst < 1e-11, "\(a.term) at r = \(null): worst relative difference \(worst)")
            }
            #expect(a.pValue == b.pValue)
            #expect(a.pValueEqualTailed == b.pValueEqualTailed)
            #expect(abs(a.confLow - b.confLow) <= 1e-9 * a.standardError)
            #expect(abs(a.confHigh - b.confHigh) <= 1e-9 * a.standardError)
        }
    }

    @Test("a partial last chunk and unused sign bits (G = 23 city clusters)")
    func partialChunk() throws {
        let panel = try WildBootstrapSupport.synthetic(provinces: ["p12", "p03"])   // 16 + 7 units
        let fast = WildClusterBootstrap(cluster: "unit", replications: 64, seed: 9, threads: 1)
        var slow = fast
        slow.useSignTables = false
        let a = try fast.run(on: panel).results[0], b = try slow.run(on: panel).results[0]
        var worst = 0.0
        for (s, t) in zip(a.bootstrapStatistics, b.bootstrapStatistics) {
            worst = max(worst, abs(s - t) / max(abs(t), 1e-3))
        }
        #expect(worst < 1e-11, "worst relative difference \(worst)")
        #expect(a.pValue == b.pValue)
    }
}
