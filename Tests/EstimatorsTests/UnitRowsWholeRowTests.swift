import Testing
@testable import Estimators

/// The whole-row paths of the unit-row kernels on panels with many units (``FusedKernelTests``'
/// shapes mostly have a handful): the within transform's 16-lane stores that spill onto the next
/// unit's slots (``UnitRows/storeWhole(_:to:unit:)``), the branch-free 16-lane loads of the unit
/// sums and of the residual pass, and ``UnitRows/masked(_:)`` for `T` below and above 8. Always the
/// ``KernelBackend/fast`` backend: these kernels are the subject. Oracles:
/// - the SVD dummy regression of ``WithinTransformTests`` for the transform (both exact: 1e-10
///   absolute on O(1) data with a level of 50, as ``FusedKernelTests``), with sentinels around the
///   output that the spilling stores must not touch;
/// - `row * mask` for ``UnitRows/masked(_:)`` (bit for bit: it only skips multiplications by 1);
/// - textbook loops over an explicit residual vector for the RSS and the CR1 meat (1e-12 relative,
///   as ``FusedKernelTests``: the same sums in another order).
@Suite("unit-row kernels, whole rows")
struct UnitRowsWholeRowTests {
    @Test func maskedEqualsTheMaskProduct() throws {
        var random = SplitMix64(seed: 18)
        for periods in 1...UnitRows.capacity {
            let rows = try #require(UnitRows(units: 4, periods: periods))
            for _ in 0..<20 {
                var row = UnitRows.Row()
                for lane in 0..<UnitRows.capacity { row[lane] = Double(Int(random.next() % 2001) - 1000) / 7 }
                let masked = rows.masked(row), product = row * rows.mask
                for lane in 0..<UnitRows.capacity {
                    #expect(masked[lane].bitPattern == product[lane].bitPattern, "T = \(periods), lane \(lane)")
                }
            }
        }
    }

    @Test(arguments: [(30, 14), (25, 3), (17, 16), (41, 9), (19, 1), (12, 8)])
    func transformMatchesDummies(units: Int, periods: Int) {
        let (u, t) = WithinTransformTests.panel(units: units, periods: periods) { _, _ in true }
        let within = TwoWayWithin(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods, backend: .fast)
        #expect(within.rows != nil)
        let x = WithinTransformTests.column(u.count, salt: 1.3).map { $0 + 50 }
        var workspace = TwoWayWithin.Workspace(for: within)
        var buffer = [Double](repeating: -7, count: u.count + 40)
        x.withUnsafeBufferPointer { input in
            buffer.withUnsafeMutableBufferPointer { all in
                _ = within.transform(input, into: UnsafeMutableBufferPointer(rebasing: all[20..<(20 + u.count)]),
                                     workspace: &workspace)
            }
        }
        #expect(buffer[..<20].allSatisfy { $0 == -7 } && buffer[(20 + u.count)...].allSatisfy { $0 == -7 })
        let fast = Array(buffer[20..<(20 + u.count)])
        let oracle = periods == 1 ? [Double](repeating: 0, count: x.count)
            : WithinTransformTests.bruteForce(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods, x: x)
        let worst = zip(fast, oracle).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-10, "T = \(periods), N = \(units): max |fast − oracle| = \(worst)")
    }

    @Test(arguments: [(37, 14), (29, 5), (24, 16)])
    func clusterMomentsMatchTextbook(units: Int, periods: Int) throws {
        let panel = try FusedKernelTests.panel(units: units, periods: periods)
        let within = TwoWayWithin(panel: panel, backend: .fast)
        let design = DemeanedDesign(within: within, termNames: ["treat", "x1", "x2"], outcome: panel.outcome,
                                    regressors: [panel.treatmentColumn] + panel.covariates, crossProducts: true)
        let fit = try LeastSquaresFit(design: design)
        for name in ["unit", "province"] {
            let clustering = try #require(panel.clusterings[name])
            let fused = ResidualMoments(design: design, kept: fit.keptTerms, coefficients: fit.coefficients,
                                        kind: .cluster(clustering))
            let (rss, meat) = FusedKernelTests.textbook(design: design, kept: fit.keptTerms, residuals: fit.residuals,
                                                        clustering: clustering, hetero: false)
            #expect(abs(fused.residualSumOfSquares - rss) <= 1e-12 * rss, "\(name): RSS \(fused.residualSumOfSquares) vs \(rss)")
            let scale = meat.map(abs).max() ?? 1
            let worst = zip(fused.meat, meat).map { abs($0 - $1) }.max() ?? .infinity
            #expect(fused.meat.count == meat.count && worst <= 1e-12 * scale, "\(name): meat off by \(worst) (scale \(scale))")
        }
    }
}
