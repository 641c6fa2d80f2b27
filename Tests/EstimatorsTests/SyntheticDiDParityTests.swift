import Foundation
import XCTest
@testable import Estimators

/// Synthetic DiD against `Tests/Fixtures/sdid_reference.json`, made by
/// `scripts/reference/make_sdid_reference.py` with synthdid-py 0.1.0 (the R package's port:
/// `synthdid_estimate(Y, N0, T0)`, `jackknife_se(est)`, `staggered_synthdid_estimate(...)` and its
/// `.se(method="jackknife")`); synthdid 0.10.1 and diff-diff 3.13 agree with it to 2e-13 (stored there).
///
/// Tolerance 1e-8 (absolute; estimates and SEs are O(0.01–10)): Frank–Wolfe stops on a tolerance and
/// may run its 10⁴ steps, so the weights agree to rounding only along the same path of vertices;
/// the three Python implementations, with different summation orders (BLAS, a Rust kernel, a
/// rescaled Y), agree to 2e-13, so 1e-8 leaves room for our summation order, not for a different path.
final class SyntheticDiDParityTests: XCTestCase {
    static let tolerance = 1e-8

    static func reference(_ name: String) -> [String: Any] {
        let cases = Fixtures.json("sdid_reference.json")["cases"] as? [String: Any] ?? [:]
        return cases[name] as? [String: Any] ?? [:]
    }

    /// mpdta restricted to the given cohorts (and the never treated).
    static func mpdta(cohorts: Set<Int>) throws -> Panel {
        let panel = try Fixtures.mpdta()
        let keepPeriods = Set(cohorts.compactMap { c in panel.periodLabels.firstIndex(of: String(c)).map(Int32.init) })
        let rows = (0..<panel.observationCount).filter { row in
            let adoption = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            return adoption == Panel.neverTreated || keepPeriods.contains(adoption)
        }
        return try panel.restricted(toRows: rows)
    }

    static func california() throws -> Panel {
        try Panel.load(csv: Fixtures.path("california_prop99.csv"),
                       spec: PanelSpec(outcome: "packs", unit: "state", time: "year", treatment: .cohort("cohort")))
    }

    func check(_ result: SyntheticDiDResult, against ref: [String: Any], jackknife: Bool, file: StaticString = #filePath,
               line: UInt = #line) throws {
        let tol = Self.tolerance
        XCTAssertEqual(result.att, ref["att"] as? Double ?? .nan, accuracy: tol, "att", file: file, line: line)
        if jackknife {
            XCTAssertEqual(result.standardError, ref["jackknife_se"] as? Double ?? .nan, accuracy: tol, "jackknife se",
                           file: file, line: line)
        }
        let cohorts = ref["cohorts"] as? [[String: Any]] ?? []
        XCTAssertEqual(result.cohorts.count, cohorts.count, file: file, line: line)
        for (mine, theirs) in zip(result.cohorts, cohorts) {
            let g = theirs["cohort"] as? Int ?? -1
            XCTAssertEqual(mine.label, String(g), file: file, line: line)
            XCTAssertEqual(mine.estimate, theirs["estimate"] as? Double ?? .nan, accuracy: tol, "g=\(g)", file: file, line: line)
            XCTAssertEqual(mine.share, theirs["share"] as? Double ?? .nan, accuracy: 1e-15, "share g=\(g)", file: file, line: line)
            XCTAssertEqual(mine.zetaOmega, theirs["zeta_omega"] as? Double ?? .nan, accuracy: 1e-12, file: file, line: line)
            XCTAssertEqual(mine.zetaLambda, theirs["zeta_lambda"] as? Double ?? .nan, accuracy: 1e-15, file: file, line: line)
            XCTAssertEqual(mine.omegaIterations, theirs["omega_iterations"] as? Int, "ω steps g=\(g)", file: file, line: line)
            XCTAssertEqual(mine.lambdaIterations, theirs["lambda_iterations"] as? Int, "λ steps g=\(g)", file: file, line: line)
            let lambda = theirs["lambda"] as? [Double] ?? []
            XCTAssertEqual(mine.timeWeights.count, lambda.count, file: file, line: line)
            let lambdaDiff = zip(mine.timeWeights, lambda).map { abs($0 - $1) }.max() ?? .nan
            XCTAssertLessThan(lambdaDiff, tol, "λ g=\(g)", file: file, line: line)
            // ω by control label.
            let labels = theirs["controls"] as? [String] ?? []
            let omega = theirs["omega"] as? [Double] ?? []
            let byLabel = Dictionary(uniqueKeysWithValues: zip(result.controlLabels, mine.unitWeights))
            XCTAssertEqual(byLabel.count, labels.count, file: file, line: line)
            let omegaDiff = zip(labels, omega).map { abs((byLabel[$0] ?? .nan) - $1) }.max() ?? .nan
            XCTAssertLessThan(omegaDiff, tol, "ω g=\(g)", file: file, line: line)
            if jackknife, let se = theirs["jackknife_se"] as? Double {
                XCTAssertEqual(mine.standardError ?? .nan, se, accuracy: tol, "cohort jackknife g=\(g)", file: file, line: line)
            }
        }
    }

    func testSingleAdoptionMpdta2006() throws {
        let result = try SyntheticDiD(variance: .jackknife).estimate(Self.mpdta(cohorts: [2006]))
        try check(result, against: Self.reference("mpdta_2006"), jackknife: true)
    }

    func testStaggeredMpdta2006And2007() throws {
        let result = try SyntheticDiD(variance: .jackknife).estimate(Self.mpdta(cohorts: [2006, 2007]))
        try check(result, against: Self.reference("mpdta_staggered"), jackknife: true)
        XCTAssertEqual(result.effectEstimate(named: "g=2007")?.estimate ?? .nan, result.cohorts[1].estimate)
    }

    /// The synthetic panel: three cohorts (2013, 2015, 2017) against 54 never-treated units.
    func testStaggeredSynthetic() throws {
        let panel = try Panel.load(csv: Fixtures.path("synthetic.csv"),
                                   spec: PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort")))
        let result = try SyntheticDiD(variance: .jackknife).estimate(panel)
        try check(result, against: Self.reference("synthetic_staggered"), jackknife: true)
        XCTAssertEqual(result.cohorts.count, 3)
    }

    /// California Proposition 99: the paper's example, −15.604 (one treated unit, so no jackknife).
    func testCaliforniaProp99() throws {
        let panel = try Self.california()
        XCTAssertThrowsError(try SyntheticDiD(variance: .jackknife).estimate(panel))
        let result = try SyntheticDiD(variance: .placebo, replications: 20, seed: 7).estimate(panel)
        try check(result, against: Self.reference("california"), jackknife: false)
        XCTAssertEqual(result.att, -15.604, accuracy: 5e-4, "Arkhangelsky et al. (2021), Table 1")
    }

    /// Placebo and bootstrap refits with the reference's recorded draws (warm-started Frank–Wolfe,
    /// ζ kept): each draw's estimate as synthdid-py's `refit` gives it.
    func testPlaceboAndBootstrapDrawsWithRecordedIndices() throws {
        for (name, panel) in [("mpdta_2006", try Self.mpdta(cohorts: [2006])), ("california", try Self.california())] {
            let ref = Self.reference(name)
            guard let cohort = (ref["cohorts"] as? [[String: Any]])?.first else { return XCTFail("no reference") }
            let problem = try SyntheticDiDProblem(panel: panel)
            let fits = problem.cohorts.map { problem.fit($0, warmStart: nil) }
            // Reference rows index its controls (label order); map them to our control positions.
            let labels = cohort["controls"] as? [String] ?? []
            let position = Dictionary(uniqueKeysWithValues: problem.controls.enumerated().map { (panel.unitLabels[$1], $0) })
            let toMine = labels.map { position[$0] ?? -1 }
            for draw in cohort["placebo_draws"] as? [[String: Any]] ?? [] {
                let rows = (draw["rows"] as? [Int] ?? []).map { toMine[$0] }
                let estimates = SyntheticDiD.placeboEstimates(problem, fits: fits, permutation: rows)
                XCTAssertEqual(estimates[0], draw["estimate"] as? Double ?? .nan, accuracy: Self.tolerance, "\(name) placebo")
            }
            for draw in cohort["bootstrap_draws"] as? [[String: Any]] ?? [] {
                // Reference rows: its controls then its treated (label order); ours: controls, then the cohort's treated.
                let n0 = labels.count
                let treatedPosition = Dictionary(uniqueKeysWithValues: problem.cohorts[0].treated.enumerated()
                    .map { (panel.unitLabels[$1], problem.controls.count + $0) })
                let treatedToMine = (cohort["treated"] as? [String] ?? []).map { treatedPosition[$0] ?? -1 }
                let rows = (draw["rows"] as? [Int] ?? []).map { $0 < n0 ? toMine[$0] : treatedToMine[$0 - n0] }.sorted()
                let estimates = SyntheticDiD.bootstrapEstimates(problem, fits: fits, rows: rows)
                XCTAssertEqual(estimates[0], draw["estimate"] as? Double ?? .nan, accuracy: Self.tolerance, "\(name) bootstrap")
            }
        }
    }

    /// Placebo and bootstrap standard errors are deterministic for a seed, whatever the threads.
    func testDrawsAreDeterministicAcrossThreads() throws {
        // A small staggered panel (60 never-treated counties, the 2006 and 2007 cohorts' first 10 each), for speed.
        let full = try Self.mpdta(cohorts: [2006, 2007])
        var taken: [Int32: Int] = [:]
        let keepUnits = Set((0..<full.unitCount).filter { unit in
            let adoption = full.adoptionPeriod[unit]
            taken[adoption, default: 0] += 1
            return taken[adoption, default: 0] <= (adoption == Panel.neverTreated ? 60 : 10)
        })
        let panel = try full.restricted(toRows: (0..<full.observationCount).filter { keepUnits.contains(Int(full.unitIndex[$0])) })
        for method in [SyntheticDiD.VarianceMethod.placebo, .bootstrap] {
            let one = try SyntheticDiD(variance: method, replications: 6, seed: 42, threads: 1).estimate(panel)
            let three = try SyntheticDiD(variance: method, replications: 6, seed: 42, threads: 3).estimate(panel)
            XCTAssertEqual(one.standardError, three.standardError)
            XCTAssertTrue(one.standardError.isFinite && one.standardError > 0)
            let other = try SyntheticDiD(variance: method, replications: 6, seed: 43, threads: 1).estimate(panel)
            XCTAssertNotEqual(one.standardError, other.standardError)
        }
    }
}
