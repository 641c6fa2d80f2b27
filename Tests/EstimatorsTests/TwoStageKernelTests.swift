import Testing
@testable import Estimators

/// Gardner's two stages (``TwoStageFirstStage``) on the fast backend against the reference twin
/// (``ReferenceTwoStage``: dense columns, the per-unit Schur complement, one stage-1 refit per
/// stage-2 column) on the seeded random panels of ``KernelDifferentialTests``: balanced and
/// unbalanced, at most and more than 16 periods, with and without covariates, clustered by unit,
/// by groups of units (nested) and by a row-level block (not nested); stage 1 on `D = 0` and on
/// `D = 0` outside an excluded set of units (the rings' sample); one term (the unit-row path where
/// the panel allows it), event-time terms up to 8 (SIMD lanes) and beyond (plain loops).
///
/// Oracle: the reference twin. Both are exact (a direct solve of the stage-1 normal equations and
/// of the small stage-2 system) and differ only in summation order and in how the units are
/// eliminated (patterns of periods vs one outer product per unit), so they agree to rounding.
/// Tolerance 1e-9 relative to the largest magnitude, with the reasoning of
/// ``KernelDifferentialTests``: rounding is ~1e-15 amplified by the small systems' condition
/// numbers (< 1e4 here), while a wrong term moves results by 1e-3 or more.
@Suite("two-stage kernels: fast vs reference")
struct TwoStageKernelTests {
    typealias Shape = KernelDifferentialTests.Shape

    /// The designs to regress: name, stage-1 sample, stage-2 columns (identified ones are kept).
    static func designs(_ panel: Panel) throws -> [(name: String, firstStage: [Bool], columns: [[Double]])] {
        let n = panel.observationCount
        let treatment = panel.treatmentColumn
        let untreated = treatment.map { $0 == 0 }
        // Units 0, 5, 10, …: excluded from stage 1 while untreated (a stand-in for the rings).
        let excluded = (0..<n).map { panel.unitIndex[$0] % 5 == 0 && treatment[$0] == 0 }
        let outside = (0..<n).map { untreated[$0] && !excluded[$0] }
        let binned = try EventStudy(leads: 3, lags: 3).design(on: panel).columns
        let every = try EventStudy(leads: nil, lags: nil).design(on: panel).columns
        return [("overall", untreated, [treatment]),
                ("event study, leads 3, lags 3", untreated, binned),
                ("every event time", untreated, every),
                ("excluded units", outside, [treatment, excluded.map { $0 ? 1 : 0 }])]
    }

    /// `max |a − b| / max(1, max |b|)`.
    static func difference(_ a: [Double], _ b: [Double]) -> Double {
        KernelDifferentialTests.relativeDifference(a, b)
    }

    @Test("same first stage, coefficients, GMM variance and sums on every shape",
          arguments: KernelDifferentialTests.shapes)
    func fastMatchesReference(_ shape: Shape) throws {
        let panel = try KernelDifferentialTests.panel(shape)
        for design in try Self.designs(panel) {
            let fast = TwoStageFirstStage(panel: panel, firstStage: design.firstStage, backend: .fast)
            let reference = TwoStageFirstStage(panel: panel, firstStage: design.firstStage, backend: .reference)
            let label = "\(shape), \(design.name)"
            #expect(fast.unitCount == reference.unitCount && fast.periodCount == reference.periodCount
                    && fast.firstStageCount == reference.firstStageCount, "\(label): stage-1 counts")
            #expect(fast.pivotKept == reference.pivotKept, "\(label): stage-1 pivots")
            let identified = design.columns.filter { reference.isIdentified($0) }
            #expect(design.columns.map(fast.isIdentified) == design.columns.map(reference.isIdentified),
                    "\(label): identified terms")
            guard !identified.isEmpty else { continue }
            let names = identified.indices.map { "x\($0)" }
            for clusterName in ["unit", "group", "block"] {
                let clustering = try #require(panel.clusterings[clusterName == "unit" ? panel.unitName : clusterName])
                let run = { (stages: TwoStageFirstStage) in
                    Result {
                        try stages.regress(identified, names: names, panel: panel, clusterIndex: clustering.index,
                                           clusterCapacity: clustering.count, clusterName: clusterName,
                                           unitCluster: clustering.unitCluster)
                    }
                }
                let here = "\(label), \(identified.count) terms, clustered by \(clusterName)"
                switch (run(fast), run(reference)) {
                case let (.success(a), .success(b)):
                    #expect(Self.difference(a.coefficients, b.coefficients) < 1e-9, "\(here): coefficients")
                    #expect(Self.difference(a.variance, b.variance) < 1e-9, "\(here): variance")
                    #expect(Self.difference([a.residualSumOfSquares, a.totalSumOfSquares],
                                            [b.residualSumOfSquares, b.totalSumOfSquares]) < 1e-9, "\(here): sums")
                    #expect(a.clusterCount == b.clusterCount && a.observationCount == b.observationCount,
                            "\(here): counts")
                case let (.failure(a), .failure(b)):
                    #expect("\(a)" == "\(b)", "\(here): errors")
                case let (a, b):
                    Issue.record("\(here): fast \(a), reference \(b)")
                }
            }
        }
    }
}
