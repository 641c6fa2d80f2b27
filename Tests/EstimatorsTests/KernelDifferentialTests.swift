import Testing
@testable import Estimators

/// The fast kernels against the reference kernels (``KernelBackend``) on seeded random panels:
/// balanced and unbalanced, at most and more than 16 periods, more periods than units, with and
/// without covariates, clustered by unit, by groups of units (nested) and by period or a
/// row-level block (not nested), with iid, hetero and cluster variances.
///
/// Oracle: the reference backend (plain loops: closed-form means on complete panels, an exact
/// normal-equations solve otherwise; dot products; stored residuals; textbook meat). Both
/// backends are exact algorithms that differ only in summation order and in how the unbalanced
/// system is eliminated, so they agree to rounding. Tolerance 1e-9 relative (to the column's or
/// the matrix's largest magnitude): rounding is ~1e-15 relative, amplified by at most the
/// condition number of the small normal equations, which stays below ~1e4 on these designs
/// (covariates are O(1) noise, the treatment a 0/1 column); 1e-9 leaves that margin several
/// orders wide while any wrong formula (a missing mean, a wrong cluster, a dropped term) moves
/// results by 1e-3 or more. Every failure names its shape and seed.
@Suite("fast vs reference kernels")
struct KernelDifferentialTests {
    /// A panel shape to draw.
    struct Shape: CustomStringConvertible, Sendable {
        let units: Int, periods: Int
        /// Share of unit–period cells left out (0: balanced).
        let missing: Double
        let covariates: Int, seed: UInt64
        var description: String {
            "N = \(units), T = \(periods), missing \(missing), covariates \(covariates), seed \(seed)"
        }
    }

    static let shapes: [Shape] = {
        var shapes: [Shape] = []
        var seed: UInt64 = 1
        for (units, periods) in [(40, 6), (25, 16), (30, 17), (12, 24), (5, 30), (60, 11)] {
            for missing in [0, 0.15] {
                for covariates in [0, 2] {
                    shapes.append(Shape(units: units, periods: periods, missing: missing, covariates: covariates,
                                        seed: seed))
                    seed += 1
                }
            }
        }
        return shapes
    }()

    /// SplitMix64: a seeded generator for the test data (uniform on [0, 1)).
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
    }

    /// A random panel of `shape` (unit-major rows), with clusterings "group" (units in groups of
    /// three: nested), "period" and "block" (row-level labels: not nested).
    static func panel(_ shape: Shape) throws -> Panel {
        var random = Generator(state: shape.seed)
        var unit: [Int32] = [], period: [Int32] = []
        for i in 0..<shape.units {
            for t in 0..<shape.periods where shape.missing == 0 || t == i % shape.periods || random.next() >= shape.missing {
                unit.append(Int32(i)); period.append(Int32(t))
            }
        }
        let n = unit.count
        let adoption = (0..<shape.units).map { _ -> Int32 in
            let draw = random.next()
            return draw < 0.3 ? Panel.neverTreated : Int32(1 + Int(draw * 1000) % max(shape.periods - 1, 1))
        }
        let covariates = (0..<shape.covariates).map { c in
            (0..<n).map { _ in random.next() * Double(c + 1) + (c == 1 ? 50 : 0) }
        }
        var outcome = [Double](repeating: 0, count: n)
        for row in 0..<n {
            let treated = adoption[Int(unit[row])] <= period[row] ? 1.5 : 0
            outcome[row] = treated + 0.2 * Double(unit[row] % 7) - 0.1 * Double(period[row]) + random.next()
                + covariates.reduce(0) { $0 + 0.3 * $1[row] }
        }
        let group = Clustering(name: "group", index: unit.map { $0 / 3 }, count: (shape.units + 2) / 3)
        let byPeriod = Clustering(name: "period", index: period, count: shape.periods)
        let block = Clustering(name: "block", index: (0..<n).map { Int32((Int(unit[$0]) + 2 * Int(period[$0])) % 7) },
                               count: 7)
        return try Panel(unitIndex: unit, periodIndex: period, unitCount: shape.units, periodCount: shape.periods,
                         outcomeName: "y", outcome: outcome,
                         covariateNames: (0..<shape.covariates).map { "x\($0)" }, covariates: covariates,
                         adoptionPeriod: adoption,
                         clusterings: ["group": group, "period": byPeriod, "block": block])
    }

    /// `max |a − b| / max(1, max |b|)`.
    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = max(1, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// The regression chain of ``FixedEffectsRegression`` on one backend.
    struct Fit {
        let design: DemeanedDesign
        let solution: NormalEquationsSolution
        let residuals: [Double]
        let variances: [String: VarianceEstimate]
    }

    static let varianceTypes: [VarianceType] = [.iid, .hetero, .cluster("unit"), .cluster("group"),
                                                .cluster("period"), .cluster("block")]

    static func fit(_ panel: Panel, backend: KernelBackend) throws -> Fit {
        let within = TwoWayWithin(panel: panel, backend: backend)
        #expect(within.backend == backend)
        let design = DemeanedDesign(within: within, termNames: ["treat"] + panel.covariateNames, outcome: panel.outcome,
                                    regressors: [panel.treatmentColumn] + panel.covariates, crossProducts: true)
        let solution = try NormalEquationsSolution(design: design)
        let stored = try LeastSquaresFit(design: design)
        var variances: [String: VarianceEstimate] = [:]
        for type in varianceTypes {
            let (kind, clustering) = try VarianceEstimator.momentKind(type: type, panel: panel)
            let moments = ResidualMoments(design: design, kept: solution.keptTerms, coefficients: solution.coefficients,
                                          kind: kind, transform: solution.bread)
            variances["\(type)"] = VarianceEstimator.estimate(bread: solution.bread, moments: moments,
                                                              clustering: clustering, design: design, panel: panel,
                                                              type: type)
            // The stored-residual entry point agrees with the fused one.
            let given = try VarianceEstimator.estimate(fit: stored, design: design, panel: panel, type: type)
            #expect(relativeDifference(given.matrix, variances["\(type)"]?.matrix ?? []) < 1e-9, "\(type) stored vs fused")
        }
        return Fit(design: design, solution: solution, residuals: stored.residuals, variances: variances)
    }

    @Test(arguments: shapes)
    func fastMatchesReference(shape: Shape) throws {
        let panel = try Self.panel(shape)
        let fast = try Self.fit(panel, backend: .fast)
        let reference = try Self.fit(panel, backend: .reference)
        let tolerance = 1e-9
        #expect(fast.design.fixedEffectRank == reference.design.fixedEffectRank, "\(shape): fixed-effect rank")
        #expect(Self.relativeDifference(fast.design.outcome, reference.design.outcome) < tolerance,
                "\(shape): demeaned outcome")
        #expect(Self.relativeDifference(fast.design.matrix, reference.design.matrix) < tolerance,
                "\(shape): demeaned regressors")
        #expect(fast.solution.keptTerms == reference.solution.keptTerms, "\(shape): kept terms")
        #expect(Self.relativeDifference(fast.solution.coefficients, reference.solution.coefficients) < tolerance,
                "\(shape): coefficients")
        #expect(Self.relativeDifference(fast.residuals, reference.residuals) < tolerance, "\(shape): residuals")
        for type in Self.varianceTypes {
            let a = try #require(fast.variances["\(type)"]), b = try #require(reference.variances["\(type)"])
            #expect(Self.relativeDifference(a.matrix, b.matrix) < tolerance, "\(shape): \(type) vcov")
            #expect(a.parameterCount == b.parameterCount && a.degreesOfFreedom == b.degreesOfFreedom,
                    "\(shape): \(type) counts")
        }
    }

    /// A complete panel whose rows are not unit-major: the fast backend takes its exact unbalanced
    /// solve, the reference its closed form; both must give the same demeaned column.
    @Test(arguments: [(9, 5), (4, 20)])
    func shuffledCompletePanel(units: Int, periods: Int) {
        var random = Generator(state: UInt64(units * 100 + periods))
        var cells = (0..<(units * periods)).map { $0 }
        for k in stride(from: cells.count - 1, to: 0, by: -1) { cells.swapAt(k, Int(random.next() * Double(k + 1))) }
        let unit = cells.map { Int32($0 / periods) }, period = cells.map { Int32($0 % periods) }
        let x = cells.map { _ in random.next() * 10 }
        let fast = TwoWayWithin(unitIndex: unit, periodIndex: period, unitCount: units, periodCount: periods, backend: .fast)
        let reference = TwoWayWithin(unitIndex: unit, periodIndex: period, unitCount: units, periodCount: periods,
                                     backend: .reference)
        #expect(!fast.isBalanced && fast.fixedEffectRank == reference.fixedEffectRank)
        #expect(Self.relativeDifference(fast.transform(x), reference.transform(x)) < 1e-9, "N = \(units), T = \(periods)")
    }

    /// A disconnected panel (two blocks of units observed in disjoint periods): both backends
    /// find the same rank deficiency and the same residuals.
    @Test func disconnectedPanel() {
        var unit: [Int32] = [], period: [Int32] = []
        for i in 0..<8 { for t in 0..<6 where (i < 4) == (t < 3) { unit.append(Int32(i)); period.append(Int32(t)) } }
        var random = Generator(state: 7)
        let x = unit.map { _ in random.next() }
        let fast = TwoWayWithin(unitIndex: unit, periodIndex: period, unitCount: 8, periodCount: 6, backend: .fast)
        let reference = TwoWayWithin(unitIndex: unit, periodIndex: period, unitCount: 8, periodCount: 6, backend: .reference)
        #expect(fast.fixedEffectRank == 12 && reference.fixedEffectRank == 12)
        #expect(Self.relativeDifference(fast.transform(x), reference.transform(x)) < 1e-9)
    }

    @Test func environmentValues() {
        #expect(KernelBackend.parse(nil) == .success(.fast))
        #expect(KernelBackend.parse("") == .success(.fast))
        #expect(KernelBackend.parse("reference") == .success(.reference))
        #expect(KernelBackend.parse("Fast") == .failure(KernelBackendError(value: "Fast")))
        #expect(KernelBackendError(value: "slow").description
                == "DIDLAB_KERNELS='slow' is not a kernel backend; expected 'fast' or 'reference' (or unset for 'fast')")
    }
}
