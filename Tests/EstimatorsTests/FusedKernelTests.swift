import Testing
@testable import Estimators

/// The fused kernels of the regression path against straightforward computations (always on the
/// ``KernelBackend/fast`` backend, whatever `DIDLAB_KERNELS` says: these kernels are the subject):
/// - the unit-row within transform (balanced, ≤ 16 periods) against the SVD dummy oracle of
///   ``WithinTransformTests`` (closed form: both exact, 1e-10 absolute on O(1) data), including
///   the panel shapes where 16-lane loads and stores would cross the end of a column;
/// - the removed sum of squares against `Σ(x − x̄)² − Σx̃²` (an identity of orthogonal projections);
/// - ``ResidualMoments`` without stored residuals against the same moments from an explicit
///   residual vector (bit for bit) and against textbook loops (1e-12 relative); with the bread as
///   transform, against the explicit product `B M B` of the textbook meat (1e-12 relative);
/// - the treatment column and treated rows from adoption dates against `isTreated(row:)`.
@Suite("fused regression kernels")
struct FusedKernelTests {
    static let shapes: [(units: Int, periods: Int)] = [(1, 4), (2, 1), (3, 2), (7, 3), (5, 5), (9, 7), (4, 14),
                                                        (2, 16), (3, 16), (11, 17), (6, 20)]

    @Test(arguments: shapes.indices)
    func unitRowTransformMatchesDummies(shape: Int) {
        let (units, periods) = Self.shapes[shape]
        let (u, t) = WithinTransformTests.panel(units: units, periods: periods) { _, _ in true }
        let within = TwoWayWithin(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods, backend: .fast)
        #expect(within.isBalanced)
        #expect((within.rows != nil) == (periods <= 16))
        for salt in [0.4, 2.9] {
            let x = WithinTransformTests.column(u.count, salt: salt).map { $0 + 50 }   // a level far from 0
            var workspace = TwoWayWithin.Workspace(for: within)
            // Sentinels on both sides of the output: the row stores must not touch them.
            var buffer = [Double](repeating: -7, count: u.count + 40)
            let removed = x.withUnsafeBufferPointer { input in
                buffer.withUnsafeMutableBufferPointer { all in
                    within.transform(input, into: UnsafeMutableBufferPointer(rebasing: all[20..<(20 + u.count)]),
                                     workspace: &workspace)
                }
            }
            #expect(buffer[..<20].allSatisfy { $0 == -7 } && buffer[(20 + u.count)...].allSatisfy { $0 == -7 })
            let fast = Array(buffer[20..<(20 + u.count)])
            // One unit or one period: the fixed effects fit every observation, x̃ = 0 (and the
            // SVD oracle needs at least as many rows as dummies).
            let oracle = units == 1 || periods == 1 ? [Double](repeating: 0, count: x.count)
                : WithinTransformTests.bruteForce(unitIndex: u, periodIndex: t, unitCount: units,
                                                  periodCount: periods, x: x)
            let worst = zip(fast, oracle).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-10, "T = \(periods), N = \(units): max |fast − oracle| = \(worst)")
            let mean = x.reduce(0, +) / Double(x.count)
            let centred = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            let within2 = fast.reduce(0) { $0 + $1 * $1 }
            let expected = centred - within2
            #expect(abs((removed ?? .nan) - expected) <= 1e-9 * max(centred, 1), "removed \(removed ?? .nan) vs \(expected)")
        }
    }

    /// A small panel with two covariates, a unit clustering, a province clustering (units nested)
    /// and a period clustering (units not nested).
    static func panel(units: Int, periods: Int, drop: Set<Int> = []) throws -> Panel {
        var unit: [Int32] = [], period: [Int32] = []
        for i in 0..<units { for p in 0..<periods where !drop.contains(i * periods + p) {
            unit.append(Int32(i)); period.append(Int32(p))
        } }
        let n = unit.count
        let y = WithinTransformTests.column(n, salt: 0.7).enumerated().map { $0.element + 0.3 * Double($0.offset % 5) }
        let x1 = WithinTransformTests.column(n, salt: 1.9)
        let x2 = WithinTransformTests.column(n, salt: 3.3).map { $0 * 0.01 + 1000 }
        let adoption = (0..<units).map { i -> Int32 in i % 3 == 0 ? Panel.neverTreated : Int32(1 + i % max(periods - 1, 1)) }
        let province = Clustering(name: "province", index: unit.map { $0 / 3 }, count: (units + 2) / 3)
        let byPeriod = Clustering(name: "period", index: period, count: periods)
        return try Panel(unitIndex: unit, periodIndex: period, unitCount: units, periodCount: periods,
                         outcomeName: "y", outcome: y, covariateNames: ["x1", "x2"], covariates: [x1, x2],
                         adoptionPeriod: adoption, clusterings: ["province": province, "period": byPeriod])
    }

    /// Textbook moments from an explicit residual vector: `Σû²`, `Σ û² x̃x̃'`, `Σ_g s_g s_g'`.
    static func textbook(design: DemeanedDesign, kept: [Int], residuals: [Double],
                         clustering: Clustering?, hetero: Bool) -> (Double, [Double]) {
        let n = design.observationCount, m = kept.count
        let rss = residuals.reduce(0) { $0 + $1 * $1 }
        var meat = [Double](repeating: 0, count: m * m)
        if hetero {
            for i in 0..<n { for a in 0..<m { for b in 0..<m {
                meat[a * m + b] += design.matrix[kept[a] * n + i] * design.matrix[kept[b] * n + i] * residuals[i] * residuals[i]
            } } }
        } else if let clustering {
            var scores = [Double](repeating: 0, count: clustering.count * m)
            for i in 0..<n { for a in 0..<m {
                scores[Int(clustering.index[i]) * m + a] += design.matrix[kept[a] * n + i] * residuals[i]
            } }
            for g in 0..<clustering.count { for a in 0..<m { for b in 0..<m {
                meat[a * m + b] += scores[g * m + a] * scores[g * m + b]
            } } }
        }
        return (rss, meat)
    }

    @Test(arguments: [(12, 5, false), (7, 14, false), (6, 20, false), (9, 6, true)])
    func residualMomentsMatchTextbook(units: Int, periods: Int, unbalanced: Bool) throws {
        let panel = try Self.panel(units: units, periods: periods, drop: unbalanced ? [3, 10, 11, 40] : [])
        let within = TwoWayWithin(panel: panel, backend: .fast)
        let design = DemeanedDesign(within: within, termNames: ["treat", "x1", "x2"], outcome: panel.outcome,
                                    regressors: [panel.treatmentColumn] + panel.covariates)
        let fit = try LeastSquaresFit(design: design)
        let kinds: [(String, ResidualMoments.Kind, Clustering?, Bool)] = [
            ("iid", .none, nil, false), ("hetero", .hetero, nil, true),
            ("unit", .cluster(try #require(panel.clusterings["unit"])), panel.clusterings["unit"], false),
            ("province", .cluster(try #require(panel.clusterings["province"])), panel.clusterings["province"], false),
            ("period", .cluster(try #require(panel.clusterings["period"])), panel.clusterings["period"], false),
        ]
        for (name, kind, clustering, hetero) in kinds {
            let fused = ResidualMoments(design: design, kept: fit.keptTerms, coefficients: fit.coefficients, kind: kind)
            let given = ResidualMoments(design: design, kept: fit.keptTerms, residuals: fit.residuals, kind: kind)
            #expect(fused.residualSumOfSquares == given.residualSumOfSquares, "\(name): RSS bit for bit")
            #expect(fused.meat == given.meat, "\(name): meat bit for bit")
            let (rss, meat) = Self.textbook(design: design, kept: fit.keptTerms, residuals: fit.residuals,
                                            clustering: clustering, hetero: hetero)
            #expect(abs(fused.residualSumOfSquares - rss) <= 1e-12 * rss, "\(name): RSS \(fused.residualSumOfSquares) vs \(rss)")
            if case .none = kind { #expect(fused.meat.isEmpty); continue }
            let scale = meat.map(abs).max() ?? 1
            let worst = zip(fused.meat, meat).map { abs($0 - $1) }.max() ?? .infinity
            #expect(fused.meat.count == meat.count && worst <= 1e-12 * scale, "\(name): meat off by \(worst) (scale \(scale))")
            // Scores transformed by the bread before their outer products: B M B, bit for bit between
            // the two entry points, and equal to the explicit product on this well-conditioned design.
            let transformedFused = ResidualMoments(design: design, kept: fit.keptTerms, coefficients: fit.coefficients,
                                                   kind: kind, transform: fit.bread)
            let transformedGiven = ResidualMoments(design: design, kept: fit.keptTerms, residuals: fit.residuals,
                                                   kind: kind, transform: fit.bread)
            #expect(transformedFused.meat == transformedGiven.meat, "\(name): transformed meat bit for bit")
            let m = fit.keptTerms.count
            let product = VarianceEstimator.sandwich(bread: fit.bread, meat: meat, m: m, factor: 1)
            let productScale = product.map(abs).max() ?? 1
            let transformedWorst = zip(transformedFused.meat, product).map { abs($0 - $1) }.max() ?? .infinity
            #expect(transformedFused.meat.count == product.count && transformedWorst <= 1e-12 * productScale,
                    "\(name): B M B off by \(transformedWorst) (scale \(productScale))")
        }
    }

    @Test func unitNestingIsRecordedByThePanel() throws {
        let panel = try Self.panel(units: 9, periods: 4)
        #expect(panel.clusterings["unit"]?.unitCluster == (0..<9).map { Int32($0) })
        #expect(panel.clusterings["province"]?.unitCluster == [0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(panel.clusterings["period"]?.unitCluster == nil)
    }

    @Test(arguments: [false, true])
    func treatmentFromAdoptionDates(unbalanced: Bool) throws {
        let panel = try Self.panel(units: 10, periods: 6, drop: unbalanced ? [2, 7, 8, 13, 30, 59] : [])
        let column = panel.treatmentColumn
        let expected = (0..<panel.observationCount).map { panel.isTreated(row: $0) ? 1.0 : 0.0 }
        #expect(column == expected)
        #expect(panel.treatedRows == (0..<panel.observationCount).filter { panel.isTreated(row: $0) }.map { Int32($0) })
    }

    /// The cross products accumulated while demeaning (registers for ≤ 6 columns, block dots
    /// beyond) against naive sums over the stored demeaned columns.
    @Test(arguments: [(1, 3, 14), (2, 17, 14), (5, 23, 14), (6, 9, 5), (7, 40, 16), (3, 33, 9)])
    func blockCrossProductsMatchNaiveSums(regressors: Int, units: Int, periods: Int) {
        let (u, t) = WithinTransformTests.panel(units: units, periods: periods) { _, _ in true }
        let within = TwoWayWithin(unitIndex: u, periodIndex: t, unitCount: units, periodCount: periods, backend: .fast)
        let n = u.count
        let columns = (0..<regressors).map { j in WithinTransformTests.column(n, salt: 0.37 * Double(j + 1)) }
        let outcome = WithinTransformTests.column(n, salt: 9.1).map { $0 * 2 + 7 }
        let design = DemeanedDesign(within: within, termNames: (0..<regressors).map { "x\($0)" }, outcome: outcome,
                                    regressors: columns, crossProducts: true)
        guard let products = design.crossProducts else { Issue.record("no cross products"); return }
        let q = regressors + 1
        func column(_ j: Int) -> [Double] { j < regressors ? Array(design.matrix[(j * n)..<((j + 1) * n)]) : design.outcome }
        for a in 0..<q {
            for b in 0..<q {
                let naive = zip(column(a), column(b)).reduce(0) { $0 + $1.0 * $1.1 }
                let scale = max(abs(naive), 1)
                #expect(abs(products[a * q + b] - naive) <= 1e-12 * scale, "(\(a), \(b)): \(products[a * q + b]) vs \(naive)")
                #expect(products[a * q + b] == products[b * q + a])
            }
        }
    }
}
