import Foundation
import Testing
@testable import Estimators

/// The csdid golden files and how a case of them is run: `cs_reference.json`
/// (`scripts/reference/make_cs_reference.py`) and `cs_edge_reference.json`
/// (`scripts/reference/make_cs_edge_reference.py`), both from csdid 0.4.3, the Python port
/// tracking R did 2.5.1. Shared by `CallawaySantAnnaParityTests` and `CallawaySantAnnaEdgeCaseTests`.
enum CallawaySantAnnaReference {
    /// 1e-8 absolute (the CS issue's target): the implementations differ only in summation order,
    /// the least-squares solver (normal equations here, QR there) and the logit's stopping rule
    /// (Newton to 1e-11 here, statsmodels' deviance tolerance 1e-8 there).
    static let tolerance = 1e-8

    /// The case `name` of the golden file `file`.
    static func referenceCase(_ name: String, in file: String) throws -> [String: Any] {
        let cases = Fixtures.json(file)["cases"] as? [[String: Any]] ?? []
        return try #require(cases.first { $0["name"] as? String == name }, "no case \(name)")
    }

    /// The case's data file, or for `keep: "`COL` != 0"` a temporary copy without the rows whose
    /// `COL` is 0 (the reference script's pandas `query`).
    static func dataPath(_ reference: [String: Any]) throws -> String {
        let path = Fixtures.path(try #require(reference["data"] as? String))
        guard let keep = reference["keep"] as? String else { return path }
        let parts = keep.split(separator: "`")
        let column = String(try #require(parts.count == 2 && parts[1].trimmingCharacters(in: .whitespaces) == "!= 0"
                                         ? parts[0] : nil, "unsupported keep filter \(keep)"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst()
        let index = try #require(header.split(separator: ",").firstIndex { $0 == column })
        let kept = lines.filter { $0.split(separator: ",", omittingEmptySubsequences: false)[index] != "0" }
        let target = FileManager.default.temporaryDirectory
            .appendingPathComponent("cs-\(ProcessInfo.processInfo.processIdentifier)-\(column.hashValue).csv").path
        try ([header] + kept).joined(separator: "\n").appending("\n").write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    /// Loads the case's panel and estimates it with the case's options (control group, base
    /// period, method, cluster, sampling-weight column `weights`) plus the given policies and
    /// event-time window.
    static func estimate(_ reference: [String: Any], unbalanced: CallawaySantAnnaOptions.UnbalancedPanelPolicy = .reject,
                         failedCells: CallawaySantAnnaOptions.FailedCellPolicy = .reject,
                         minEventTime: Int? = nil, maxEventTime: Int? = nil) throws -> CallawaySantAnnaResult {
        let cluster = reference["cluster"] as? String
        let spec = PanelSpec(outcome: try #require(reference["outcome"] as? String),
                             unit: try #require(reference["unit"] as? String),
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)),
                             covariates: reference["covariates"] as? [String] ?? [],
                             clusterColumns: cluster.map { [$0] } ?? [],
                             regressionWeights: reference["weights"] as? String)
        let panel = try Panel.load(csv: try dataPath(reference), spec: spec)
        let control = try #require(reference["control"] as? String)
        let base = try #require(reference["base_period"] as? String)
        let method = try #require(reference["est_method"] as? String)
        let options = CallawaySantAnnaOptions(
            controlGroup: try #require(CallawaySantAnnaOptions.ControlGroup(rawValue: control)),
            basePeriod: try #require(CallawaySantAnnaOptions.BasePeriod(rawValue: base)),
            estimationMethod: try #require(CallawaySantAnnaOptions.EstimationMethod(rawValue: method)),
            cluster: cluster, unbalancedPanel: unbalanced, failedCells: failedCells,
            minEventTime: minEventTime, maxEventTime: maxEventTime)
        return try CallawaySantAnna(options: options).estimate(panel)
    }

    /// |a − b|, treating two missing values (NaN / null) as equal and one missing as infinite.
    static func difference(_ actual: Double, _ expected: Any?) -> Double {
        guard let expected = expected as? Double else { return actual.isNaN ? 0 : .infinity }
        return abs(actual - expected)
    }

    /// Checks effects against the reference within ``tolerance`` (estimate and standard error,
    /// missing values by ``difference(_:_:)``), keeping the largest differences for the log.
    final class Comparison {
        let label: String
        private(set) var worstEstimate = 0.0
        private(set) var worstStandardError = 0.0

        init(label: String) { self.label = label }

        func check(_ what: String, _ actual: CallawaySantAnnaResult.Effect, _ want: [String: Any]) {
            let e = difference(actual.estimate, want["estimate"])
            let s = difference(actual.standardError, want["std_error"])
            worstEstimate = max(worstEstimate, e)
            worstStandardError = max(worstStandardError, s)
            #expect(e <= tolerance, "\(label) \(what): estimate \(actual.estimate) vs \(String(describing: want["estimate"]))")
            #expect(s <= tolerance, "\(label) \(what): std. error \(actual.standardError) vs \(String(describing: want["std_error"]))")
        }
    }

    /// Compares the aggregations `kinds` of `result` with the reference's `expected[kind]`.
    static func checkAggregations(_ result: CallawaySantAnnaResult, _ expected: [String: Any],
                                  kinds: [CallawaySantAnnaResult.AggregationKind], comparison: Comparison) throws {
        let caseName = comparison.label
        for kind in kinds {
            let want = try #require(expected[kind.rawValue] as? [String: Any])
            let aggregation = result.aggregation(kind)
            comparison.check("\(kind) overall", aggregation.overall, want)
            guard kind != .simple else { continue }
            let parts = try #require(want["by"] as? [[String: Any]])
            #expect(aggregation.keys.count == parts.count, "\(caseName) \(kind): number of parts")
            for (k, part) in zip(aggregation.keys.indices, parts) {
                let key = kind == .dynamic ? aggregation.keys[k] : Int(result.periodLabel(aggregation.keys[k])) ?? .min
                #expect(key == part["key"] as? Int, "\(caseName) \(kind): key")
                comparison.check("\(kind) \(key)", aggregation.effects[k], part)
            }
        }
    }
}
