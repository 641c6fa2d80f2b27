import CGSL
import Foundation
import Testing
@testable import Estimators

/// Spillover fixtures: `spillover.csv` and `spillover_reference.json`, made by
/// `scripts/reference/make_spillover_reference.py` (pyfixest 0.60.0, numpy 2.4.6).
enum SpilloverFixtures {
    static var reference: [String: Any] {
        Fixtures.json("spillover_reference.json")
    }

    static func referenceCase(_ metric: UnitCoordinates.Metric) -> [String: Any]? {
        (reference["cases"] as? [String: Any])?[metric.rawValue] as? [String: Any]
    }

    /// The panel (y on x1, cohort timing) and its unit coordinates in `metric`.
    static func load(_ metric: UnitCoordinates.Metric) throws -> (Panel, UnitCoordinates) {
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             covariates: ["x1", "coord_x", "coord_y", "lat", "lon"])
        let names = metric == .planar ? ["coord_x", "coord_y"] : ["lat", "lon"]
        let loaded = try Panel.load(csv: Fixtures.path("spillover.csv"), spec: spec)
        let (panel, columns) = try loaded.separatingCovariates(["coord_x", "coord_y", "lat", "lon"])
        let (first, second) = metric == .planar ? (columns[0], columns[1]) : (columns[2], columns[3])
        return (panel, try UnitCoordinates(panel: panel, first: first, second: second, names: names, metric: metric))
    }

    /// Nearest already-adopted other unit for every row, by a direct double loop (the obvious
    /// implementation, independent of ``RingExposure``'s running minimum).
    static func naiveNearest(_ panel: Panel, _ coordinates: UnitCoordinates) -> [Double] {
        (0..<panel.observationCount).map { row in
            let unit = Int(panel.unitIndex[row]), t = panel.periodIndex[row]
            var best = Double.infinity
            for other in 0..<panel.unitCount where other != unit && panel.adoptionPeriod[other] <= t {
                best = min(best, coordinates.distance(unit, other))
            }
            return best
        }
    }
}

@Suite("spillover rings parity")
struct SpilloverRingParityTests {
    static let edges = [50.0, 100.0, 150.0]
    static let metrics: [UnitCoordinates.Metric] = [.planar, .greatCircle]

    /// Oracle: the `haversine` package's documented value (PyPI haversine ≥ 2.0 README:
    /// Lyon (45.7597, 4.8422) to Paris (48.8567, 2.3508) = 392.2172595594006 km, R = 6371.0088 km).
    /// 1e-12 relative: same formula, rounding only.
    @Test("haversine distance Lyon-Paris")
    func haversine() {
        let d = UnitCoordinates.haversine(latitude1: 45.7597, longitude1: 4.8422, latitude2: 48.8567, longitude2: 2.3508)
        #expect(relativeDifference(d, 392.2172595594006) < 1e-12)
        #expect(UnitCoordinates.haversine(latitude1: 10, longitude1: 20, latitude2: 10, longitude2: 20) == 0)
        let back = UnitCoordinates.haversine(latitude1: 48.8567, longitude1: 2.3508, latitude2: 45.7597, longitude2: 4.8422)
        #expect(relativeDifference(back, d) < 1e-15)
    }

    /// Oracles: the reference script's independent ring construction (counts, nearest distances)
    /// and a direct double loop in Swift (every row's ring).
    @Test("ring assignment matches the reference and a direct loop", arguments: metrics)
    func exposure(metric: UnitCoordinates.Metric) throws {
        let (panel, coordinates) = try SpilloverFixtures.load(metric)
        let exposure = try RingExposure(panel: panel, coordinates: coordinates, edges: Self.edges)
        let reference = try #require(SpilloverFixtures.referenceCase(metric))
        let counts = try #require(reference["ring_observations"] as? [String: Int])
        #expect(exposure.observationCounts == [counts["r1"], counts["r2"], counts["r3"]].compactMap { $0 })
        #expect(exposure.farControlCount == reference["far_controls"] as? Int)
        let nearest = try #require(reference["nearest_first_rows"] as? [Any])
        for (row, value) in nearest.enumerated() {
            if let value = value as? Double {
                #expect(relativeDifference(exposure.nearestTreatedDistance[row], value) < 1e-9, "row \(row)")
            } else {
                #expect(exposure.nearestTreatedDistance[row] == .infinity, "row \(row)")
            }
        }
        let naive = SpilloverFixtures.naiveNearest(panel, coordinates)
        for row in 0..<panel.observationCount {
            let expected: Int32 = panel.isTreated(row: row) ? -1
                : Int32(Self.edges.firstIndex { naive[row] <= $0 } ?? -1)
            #expect(exposure.ring[row] == expected, "row \(row)")
        }
    }

    /// Oracle: `spillover_reference.json` one-stage case — dense QR OLS with dummies and the
    /// explicit fixest CR1 formula, agreeing with pyfixest feols to ~1e-15. 1e-8 relative (the
    /// parity target; observed ~1e-13).
    @Test("one stage matches feols with ring dummies", arguments: metrics)
    func oneStageReference(metric: UnitCoordinates.Metric) throws {
        let (panel, coordinates) = try SpilloverFixtures.load(metric)
        let estimate = try SpilloverRings(edges: Self.edges).estimate(panel, coordinates: coordinates)
        let golden = try #require(SpilloverFixtures.referenceCase(metric)?["one_stage"] as? [String: Any])
        try Self.compare(estimate, golden, names: ["D", "r1", "r2", "r3", "x1"], tolerance: 1e-8)
        #expect(estimate.variance.parameterCount == golden["K"] as? Int)
        #expect(estimate.terms.map(\.name) == ["treat", "ring(0-50]", "ring(50-100]", "ring(100-150]", "x1"])
    }

    /// Oracle: a brute-force regression with explicit unit, year and ring dummies (rings from the
    /// direct double loop), solved by GSL's Householder QR (`gsl_linalg_QR_lssolve`). 1e-10 relative:
    /// two exact solvers on a well-conditioned 900 × 104 design.
    @Test("one stage equals a brute-force dummy regression (GSL QR)", arguments: metrics)
    func oneStageBruteForce(metric: UnitCoordinates.Metric) throws {
        let (panel, coordinates) = try SpilloverFixtures.load(metric)
        let estimate = try SpilloverRings(edges: Self.edges).estimate(panel, coordinates: coordinates)
        let naive = SpilloverFixtures.naiveNearest(panel, coordinates)
        let n = panel.observationCount
        var columns: [[Double]] = [panel.treatmentColumn]
        var lower = -1.0
        for edge in Self.edges {
            let low = lower
            columns.append((0..<n).map { !panel.isTreated(row: $0) && naive[$0] > low && naive[$0] <= edge ? 1 : 0 })
            lower = edge
        }
        columns += panel.covariates
        for unit in 0..<panel.unitCount { columns.append((0..<n).map { panel.unitIndex[$0] == Int32(unit) ? 1 : 0 }) }
        for period in 1..<panel.periodCount { columns.append((0..<n).map { panel.periodIndex[$0] == Int32(period) ? 1 : 0 }) }
        let beta = try Self.leastSquares(columns, panel.outcome)
        for k in 0..<estimate.coefficients.count {
            #expect(relativeDifference(estimate.coefficients[k], beta[k]) < 1e-10, "\(estimate.terms[k].name)")
        }
    }

    /// Oracle: `spillover_reference.json` two-stage case — a dense numpy implementation (explicit
    /// dummies, Gardner's GMM variance with pinv(X₁₀'X₁₀)), which pyfixest 0.60.0 `did2s` matches to
    /// ~1e-9 (its demeaning is iterative). 1e-8 relative.
    @Test("two stage matches Gardner's estimator and GMM variance (did2s)", arguments: metrics)
    func twoStageReference(metric: UnitCoordinates.Metric) throws {
        let (panel, coordinates) = try SpilloverFixtures.load(metric)
        let estimate = try SpilloverRings(edges: Self.edges, stages: .twoStage).estimate(panel, coordinates: coordinates)
        let golden = try #require(SpilloverFixtures.referenceCase(metric)?["two_stage"] as? [String: Any])
        try Self.compare(estimate, golden, names: ["D", "r1", "r2", "r3"], tolerance: 1e-8)
        #expect(estimate.variance.degreesOfFreedom == Double(panel.unitCount - 1))
        #expect(estimate.notes.contains { $0.contains("stage 1 on \(golden["n_first_stage"] as? Int ?? -1) untreated") })
    }

    static func compare(_ estimate: Estimate, _ golden: [String: Any], names: [String], tolerance: Double) throws {
        let values = try #require(golden["estimate"] as? [String: Double])
        let se = try #require(golden["se"] as? [String: Double])
        #expect(estimate.coefficients.count == names.count)
        for (k, name) in names.enumerated() {
            #expect(relativeDifference(estimate.coefficients[k], try #require(values[name])) < tolerance, "\(name) estimate")
            #expect(relativeDifference(estimate.standardError(k), try #require(se[name])) < tolerance, "\(name) SE")
        }
    }

    /// Least squares by GSL's Householder QR; columns are the regressors.
    static func leastSquares(_ columns: [[Double]], _ y: [Double]) throws -> [Double] {
        let n = y.count, p = columns.count
        let a = try #require(gsl_matrix_alloc(n, p)), tau = try #require(gsl_vector_alloc(p))
        let b = try #require(gsl_vector_alloc(n)), x = try #require(gsl_vector_alloc(p)), r = try #require(gsl_vector_alloc(n))
        defer { gsl_matrix_free(a); gsl_vector_free(tau); gsl_vector_free(b); gsl_vector_free(x); gsl_vector_free(r) }
        for i in 0..<n {
            gsl_vector_set(b, i, y[i])
            for j in 0..<p { gsl_matrix_set(a, i, j, columns[j][i]) }
        }
        #expect(gsl_linalg_QR_decomp(a, tau) == 0)
        #expect(gsl_linalg_QR_lssolve(a, tau, b, x, r) == 0)
        return (0..<p).map { gsl_vector_get(x, $0) }
    }
}
