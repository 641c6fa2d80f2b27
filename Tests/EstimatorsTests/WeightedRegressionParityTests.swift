import Foundation
import Testing
@testable import Estimators

/// Regression weights (R fixest's `weights = ~w`) in TWFE, the event study and Sun–Abraham,
/// against `Tests/Fixtures/weights_reference.json` from `scripts/reference/make_weights_reference.py`:
/// dense weighted least squares with explicit unit and year dummies (numpy QR on √w-scaled data)
/// and fixest's weighted iid / hetero / CR1 formulas (n = rows, K and df as unweighted), with
/// pyfixest 0.60.0's `feols(..., weights="w")` beside (agreement ≤ 6e-15 on every number). mpdta
/// is weighted by `lpop` (constant within county), the synthetic panels by a row-varying `w`, so
/// the balanced synthetic panel has no closed-form demeaning.
///
/// Tolerance 1e-8 relative (the issue's target): both sides are exact solves, observed ~1e-12.
/// The suite runs under the fast and the reference kernels (`DIDLAB_KERNELS`).
@Suite("regression weights parity")
struct WeightedRegressionParityTests {
    static var cases: [[String: Any]] { Fixtures.json("weights_reference.json")["cases"] as? [[String: Any]] ?? [] }

    static func panel(_ reference: [String: Any]) throws -> Panel {
        let clusters = ((reference["variances"] as? [[String: Any]]) ?? []).compactMap { $0["cluster"] as? String }
        let unit = try #require(reference["unit"] as? String)
        return try Panel.load(csv: Fixtures.path(try #require(reference["data"] as? String)),
                              spec: PanelSpec(outcome: try #require(reference["outcome"] as? String), unit: unit,
                                              time: try #require(reference["time"] as? String),
                                              treatment: .cohort(try #require(reference["cohort"] as? String)),
                                              covariates: reference["covariates"] as? [String] ?? [],
                                              clusterColumns: Array(Set(clusters.filter { $0 != unit })).sorted(),
                                              regressionWeights: try #require(reference["weights"] as? String)))
    }

    static func estimate(_ method: String, _ panel: Panel, variance: VarianceType) throws -> Estimate {
        let options = RegressionOptions(variance: variance)
        switch method {
        case "twfe": return try TwoWayFixedEffects(options: options).estimate(panel)
        case "event": return try EventStudy(options: options).estimate(panel)
        default: return try SunAbraham(options: options).estimate(panel)
        }
    }

    @Test("estimates, SEs, K and df match fixest's weighted formulas",
          arguments: ["mpdta_twfe", "mpdta_event", "mpdta_sa", "synthetic_twfe", "synthetic_event", "synthetic_sa",
                      "unbalanced_twfe", "unbalanced_event", "unbalanced_sa"])
    func matchesReference(name: String) throws {
        let reference = try #require(Self.cases.first { $0["name"] as? String == name })
        let panel = try Self.panel(reference)
        #expect(panel.observationCount == reference["n_obs"] as? Int, "\(name): n")
        let expected = try #require(reference["estimate"] as? [String: Double])
        let method = try #require(reference["method"] as? String)
        for entry in try #require(reference["variances"] as? [[String: Any]]) {
            let kind = try #require(entry["vcov"] as? String)
            let variance: VarianceType = kind == "iid" ? .iid : kind == "hetero" ? .hetero
                : .cluster(try #require(entry["cluster"] as? String))
            let estimate = try Self.estimate(method, panel, variance: variance)
            let label = "\(name) \(kind) \(entry["cluster"] as? String ?? "")"
            #expect(estimate.terms.map(\.name) == reference["terms"] as? [String], "\(label): terms")
            #expect(estimate.observationCount == reference["n_obs"] as? Int, "\(label): n")
            #expect(estimate.variance.degreesOfFreedom == Double(try #require(entry["df"] as? Int)), "\(label): df")
            if method != "sa" { #expect(estimate.variance.parameterCount == entry["K"] as? Int, "\(label): K") }
            let se = try #require(entry["std_error"] as? [String: Double])
            for (index, term) in estimate.terms.enumerated() {
                #expect(relativeDifference(estimate.coefficients[index], try #require(expected[term.name])) < 1e-8,
                        "\(label) \(term.name): estimate")
                #expect(relativeDifference(estimate.standardError(index), try #require(se[term.name])) < 1e-8,
                        "\(label) \(term.name): SE")
            }
            #expect(estimate.notes.contains { $0.hasPrefix("regression weights") }, "\(label): note")
        }
    }

    /// Closed form: weights all equal to one give the unweighted fit (to rounding: the weighted
    /// path is a different exact algorithm on balanced panels).
    @Test("unit weights reproduce the unweighted fit")
    func unitWeights() throws {
        let plain = try Fixtures.mpdta()
        let ones = try Panel(unitIndex: plain.unitIndex, periodIndex: plain.periodIndex, unitCount: plain.unitCount,
                             periodCount: plain.periodCount, outcomeName: plain.outcomeName, outcome: plain.outcome,
                             adoptionPeriod: plain.adoptionPeriod, unitName: plain.unitName,
                             regressionWeights: [Double](repeating: 1, count: plain.observationCount))
        let unweighted = try Panel(unitIndex: plain.unitIndex, periodIndex: plain.periodIndex, unitCount: plain.unitCount,
                                   periodCount: plain.periodCount, outcomeName: plain.outcomeName, outcome: plain.outcome,
                                   adoptionPeriod: plain.adoptionPeriod, unitName: plain.unitName)
        for method in ["twfe", "event", "sa"] {
            for variance in [VarianceType.iid, .hetero, .cluster(plain.unitName)] {
                let a = try Self.estimate(method, ones, variance: variance)
                let b = try Self.estimate(method, unweighted, variance: variance)
                #expect(a.terms.map(\.name) == b.terms.map(\.name))
                for index in a.terms.indices {
                    #expect(abs(a.coefficients[index] - b.coefficients[index]) < 1e-12, "\(method) \(variance)")
                    #expect(relativeDifference(a.standardError(index), b.standardError(index)) < 1e-10, "\(method) \(variance)")
                }
            }
        }
    }

    /// fixest drops zero-weight observations: a file with some zero weights gives the fit of the
    /// file without those rows, and the drop is counted in the notes.
    @Test("zero weights drop their rows, as fixest does")
    func zeroWeights() throws {
        let source = try String(contentsOfFile: Fixtures.path("synthetic_weights.csv"), encoding: .utf8)
        var lines = source.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        let wColumn = try #require(header.split(separator: ",").firstIndex(of: "w"))
        var zeroed: [String] = [header], kept: [String] = [header]
        for (k, line) in lines.enumerated() {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if k % 7 == 3 {
                fields[wColumn] = "0"
                zeroed.append(fields.joined(separator: ","))
            } else {
                zeroed.append(line)
                kept.append(line)
            }
        }
        let directory = FileManager.default.temporaryDirectory
        let zeroPath = directory.appendingPathComponent("didlab-zero-weights-\(UUID().uuidString).csv").path
        let keptPath = directory.appendingPathComponent("didlab-kept-weights-\(UUID().uuidString).csv").path
        try (zeroed.joined(separator: "\n") + "\n").write(toFile: zeroPath, atomically: true, encoding: .utf8)
        try (kept.joined(separator: "\n") + "\n").write(toFile: keptPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: zeroPath); try? FileManager.default.removeItem(atPath: keptPath) }
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"), covariates: ["x1"],
                             regressionWeights: "w")
        let withZeros = try Panel.load(csv: zeroPath, spec: spec)
        let without = try Panel.load(csv: keptPath, spec: spec)
        #expect(withZeros.observationCount == without.observationCount)
        #expect(withZeros.notes.contains { $0.contains("zero regression weight dropped") })
        let a = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster("unit"))).estimate(withZeros)
        let b = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster("unit"))).estimate(without)
        #expect(a.coefficients == b.coefficients)
        #expect(a.variance.matrix == b.variance.matrix)
    }

    /// Bad weights: negative, non-numeric, infinite, or all zero, each one line naming the file,
    /// line and column.
    @Test("bad weights are refused naming file, line and column")
    func badWeights() throws {
        let header = "unit,year,cohort,y,w"
        func body(_ weight: (Int) -> String) -> String {
            var rows = [header]
            for unit in 1...4 { for year in 2001...2004 {
                let cohort = unit <= 2 ? 2003 : 0
                rows.append("u\(unit),\(year),\(cohort),\(Double(unit * year % 7)),\(weight(unit * 10000 + year))")
            } }
            return rows.joined(separator: "\n") + "\n"
        }
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"), regressionWeights: "w")
        let cases: [(String, String)] = [
            (body { $0 == 12002 ? "-1" : "1" }, "w.csv:3: column 'w': expected a regression weight (a finite number >= 0), found '-1'"),
            (body { $0 == 12002 ? "abc" : "1" }, "w.csv:3: column 'w': expected a regression weight (a finite number >= 0), found 'abc'"),
            (body { $0 == 12002 ? "1e400" : "1" }, "w.csv:3: column 'w': expected a regression weight (a finite number >= 0), found '1e400'"),
            (body { _ in "0" }, "w.csv: column 'w' (the regression weights): every weight of the 16 rows used is zero; expected some positive weights"),
        ]
        for (text, message) in cases {
            let table = try CSVTable(data: Array(text.utf8), path: "w.csv")
            #expect(throws: (any Error).self) { try Panel.load(table: table, spec: spec) }
            do { _ = try Panel.load(table: table, spec: spec) } catch {
                #expect("\(error)" == message)
            }
        }
        let table = try CSVTable(data: Array(body { _ in "1" }.utf8), path: "w.csv")
        do {
            _ = try Panel.load(table: table, spec: PanelSpec(outcome: "y", unit: "unit", time: "year",
                                                             treatment: .cohort("cohort"), regressionWeights: "pop"))
            Issue.record("a missing weight column was accepted")
        } catch {
            #expect("\(error)".hasPrefix("w.csv: column 'pop' (from the regression-weight column) is not in the header"))
        }
    }

    /// Estimators without weights refuse a weighted panel through the registry, naming the role.
    @Test("estimators without weights refuse them")
    func refusals() throws {
        let panel = try Self.panel(try #require(Self.cases.first { $0["name"] as? String == "synthetic_twfe" }))
        for id in ["bjs", "did2s", "bacon"] {
            let entry = try EstimatorRegistry.require(id)
            var settings = EstimatorSettings(variance: .cluster("unit"))
            if id == "bacon" { settings = EstimatorSettings(variance: .iid) }
            do {
                _ = try entry.make(settings).fit(panel)
                Issue.record("\(id) accepted regression weights")
            } catch let error as InvalidParameter {
                #expect(error.parameter == .regressionWeights, "\(id)")
            }
        }
        #expect(throws: InvalidParameter.self) {
            _ = try WildClusterBootstrap(cluster: "unit", replications: 9).run(on: panel)
        }
    }
}
