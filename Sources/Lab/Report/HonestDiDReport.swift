import Estimators
import Foundation

/// HonestDiD's sensitivity analysis of an event study (`didlab estimate --method event --honest …`):
/// the original interval, one robust set per bound and the breakdown value, rendered as a table
/// after the event study's, and as the `honest` object of its JSON.
public struct HonestDiDAnalysis: Sendable {
    /// The event study's coefficients that HonestDiD used (reference period dropped).
    public var input: HonestDiD.EventStudyCoefficients
    /// Their term names, in order.
    public var terms: [String]
    /// The target.
    public var target: HonestDiD.Target
    /// 1 − the confidence level.
    public var alpha: Double
    /// The interval under parallel trends.
    public var original: HonestDiD.ConfidenceSet
    /// One robust set per bound, in the order asked.
    public var sets: [HonestDiD.ConfidenceSet]
    /// The breakdown value of the family asked.
    public var breakdown: HonestDiD.Breakdown

    /// Runs the analysis on an event-study estimate.
    /// - Throws: ``HonestDiDError`` (no pre period, non-consecutive event times, a target outside
    ///   the post periods, bad bounds).
    public init(estimate: Estimate, restrictions: [HonestDiD.Restriction], target: HonestDiD.Target, alpha: Double,
                options: HonestDiD.Options = HonestDiD.Options()) throws {
        guard let kind = restrictions.first?.kind else { throw HonestDiDError("no bound was given") }
        let input = try HonestDiD.EventStudyCoefficients(estimate: estimate)
        self.input = input
        terms = estimate.terms.compactMap { $0.eventTime }.sorted().map(EventStudy.termName)
        self.target = target
        self.alpha = alpha
        original = try HonestDiD.originalConfidenceSet(eventStudy: input, target: target, alpha: alpha)
        sets = try restrictions.map {
            try HonestDiD.confidenceSet(eventStudy: input, restriction: $0, target: target, alpha: alpha, options: options)
        }
        breakdown = try HonestDiD.breakdown(eventStudy: input, kind: kind, target: target, alpha: alpha, options: options)
    }

    /// The `honest` JSON object.
    public var output: HonestDiDOutput {
        let n = input.coefficients.count
        return HonestDiDOutput(
            restriction: breakdown.kind == .relativeMagnitudes ? "relative_magnitudes" : "smoothness",
            target: target.name, alpha: alpha, numPrePeriods: input.preCount, numPostPeriods: input.postCount,
            terms: terms, betahat: input.coefficients,
            sigma: (0..<n).map { Array(input.covariance[($0 * n)..<(($0 + 1) * n)]) },
            original: .init(lower: original.lower, upper: original.upper, method: original.method.rawValue),
            bounds: sets.map { set in
                HonestDiDOutput.Bound(bound: set.restriction?.bound ?? .nan, lower: set.lower, upper: set.upper,
                                      method: set.method.rawValue, gridLower: set.gridLower, gridUpper: set.gridUpper,
                                      gridStep: set.gridStep, openAtGridEnd: set.gridStep == nil ? nil : set.openAtGridEnd)
            },
            breakdown: .init(value: breakdown.value, how: breakdown.how))
    }

    /// The table printed after the event study's.
    public func table() -> String {
        let symbol = breakdown.kind == .relativeMagnitudes ? "Mbar" : "M"
        var out = "\nHonestDiD (Rambachan & Roth 2023): "
        out += breakdown.kind == .relativeMagnitudes ? "relative magnitudes, C-LF" : "smoothness, FLCI"
        out += "; target \(target.name)"
        out += target == .firstPost ? " (e+0)" : ""
        out += "; \(Format.number((1 - alpha) * 100, digits: 0))% sets\n"
        var rows = [[symbol, "Lower", "Upper", "Method"]]
        rows.append(["(parallel trends)", Format.significant(original.lower), Format.significant(original.upper), "Original"])
        for set in sets {
            let empty = !set.lower.isFinite || !set.upper.isFinite
            rows.append([Format.significant(set.restriction?.bound ?? .nan, digits: 4),
                         empty ? "empty" : Format.significant(set.lower), empty ? "empty" : Format.significant(set.upper),
                         set.method.rawValue + (set.openAtGridEnd ? " (open at grid end)" : "")
                             + (empty ? " (every θ on the grid rejected)" : "")])
        }
        out += Format.alignedColumns(rows, leftAligned: [0, 3])
        out += "Breakdown \(symbol): " + (breakdown.value.map { Format.significant($0, digits: 4) } ?? "none")
            + " (\(breakdown.how))\n"
        if sets.contains(where: { $0.gridStep != nil }) {
            out += "C-LF bounds: test inversion refined by bisection to 1e-8 from R's 1000-point grid on ±20 sd(θ̂), "
                + "widened around the estimate when that grid accepts nothing or reaches an end.\n"
        }
        return out
    }
}

/// The `honest` object in `didlab estimate --format json` for an event study.
public struct HonestDiDOutput: Encodable, Sendable {
    var restriction, target: String
    var alpha: Double
    var numPrePeriods, numPostPeriods: Int
    var terms: [String]
    var betahat: [Double]
    var sigma: [[Double]]
    var original: Interval
    var bounds: [Bound]
    var breakdown: BreakdownOutput

    /// An interval and how it was made.
    struct Interval: Encodable, Sendable {
        var lower, upper: Double
        var method: String
    }

    /// One bound's robust set: refined bounds, and for C-LF the grid's.
    struct Bound: Encodable, Sendable {
        var bound, lower, upper: Double
        var method: String
        @Omitted var gridLower: Double? = nil
        @Omitted var gridUpper: Double? = nil
        @Omitted var gridStep: Double? = nil
        @Omitted var openAtGridEnd: Bool? = nil
    }

    /// The breakdown value (null when none) and how it was found.
    struct BreakdownOutput: Encodable, Sendable {
        var value: Double?
        var how: String
    }
}

extension Estimate {
    /// The event study's report with HonestDiD's analysis: the table followed by HonestDiD's, or
    /// the JSON object with an `honest` field (table and JSON only).
    public func report(panel: Panel, level: Double, honest: HonestDiDAnalysis, format: ReportFormat) -> String {
        var estimate = self
        if case .cluster(let name) = variance.type { estimate.notes += ClusterAdequacy.notes(panel: panel, clustering: name) }
        let report = EstimateReport(estimate, level: level)
        switch format {
        case .json:
            var output = report.output
            output.honest = honest.output
            return JSONOutput.render(output)
        default:
            return report.table() + honest.table()
        }
    }
}
