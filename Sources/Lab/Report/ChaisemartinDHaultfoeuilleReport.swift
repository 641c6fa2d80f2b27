import Estimators
import Foundation

/// Renders a ``ChaisemartinDHaultfoeuilleResult`` in every ``ReportFormat``: a table in the spirit
/// of R `did_multiplegt_dyn`'s print (effects, placebos, average total effect, switcher counts),
/// the JSON below, CSV and LaTeX. One source for names and numbers.
///
/// JSON: `{"method": "dcdh", "outcome", "n_obs", "n_units", "n_periods", "n_switchers",
/// "n_never_switchers", "n_clusters", "vcov": "influence function", "cluster", "level",
/// "coefficients": [{"term", "event_time", "estimate", "std_error", "statistic", "p_value",
/// "conf_low", "conf_high", "n_switchers"}], "notes"}`: the placebos `e-K…e-2`, the effects
/// `e+0…`, then the average total effect `att` (no `event_time`). Normal p-values and intervals.
public struct ChaisemartinDHaultfoeuilleReport: FormatRendering {
    /// The estimates.
    public let result: ChaisemartinDHaultfoeuilleResult
    /// Confidence level of the intervals.
    public let level: Double

    /// Creates a report at the given confidence level.
    public init(_ result: ChaisemartinDHaultfoeuilleResult, level: Double = 0.95) {
        self.result = result
        self.level = level
    }

    /// Rows in report order: placebos by event time, effects, then `att`.
    var rows: [ChaisemartinDHaultfoeuilleResult.Horizon] {
        result.placebos.sorted { ($0.eventTime ?? 0) < ($1.eventTime ?? 0) } + result.effects + [result.average]
    }

    func coefficient(_ row: ChaisemartinDHaultfoeuilleResult.Horizon) -> ChaisemartinDHaultfoeuilleOutput.Coefficient {
        let e = row.effect, interval = e.confidenceInterval(level: level)
        // A zero (or non-finite) standard error, e.g. a constant outcome, supports no inference.
        let usable = EstimateReport.supportsInference(coefficient: e.estimate, standardError: e.standardError)
        return .init(term: row.term, eventTime: row.eventTime, estimate: e.estimate,
                     stdError: e.standardError.isFinite ? e.standardError : .nan,
                     statistic: usable ? e.statistic : .nan, pValue: usable ? e.pValue : .nan,
                     confLow: usable ? interval.low : .nan, confHigh: usable ? interval.high : .nan,
                     nSwitchers: row.switcherCount)
    }

    /// The notes, plus one naming the terms without inference.
    var notes: [String] {
        let blank = rows.filter { !EstimateReport.supportsInference(coefficient: $0.effect.estimate,
                                                                     standardError: $0.effect.standardError) }
        guard !blank.isEmpty else { return result.notes }
        return result.notes + ["no inference for " + blank.map(\.term).joined(separator: ", ") + ": the standard error "
                               + "is zero or not finite (is the outcome constant?); z, p and the interval are left out"]
    }

    /// The JSON object described in the type's documentation.
    public var output: ChaisemartinDHaultfoeuilleOutput {
        let r = result
        return ChaisemartinDHaultfoeuilleOutput(
            outcome: r.outcomeName, nObs: r.observationCount, nUnits: r.unitCount, nPeriods: r.periodCount,
            nSwitchers: r.switcherCount, nNeverSwitchers: r.neverSwitcherCount, nClusters: r.unitCount,
            cluster: r.unitName, level: level, coefficients: rows.map(coefficient), notes: notes)
    }

    var methodTitle: String { "de Chaisemartin & D'Haultfoeuille (2024) event study (did_multiplegt_dyn)" }

    /// A text table: header, then placebos, effects and the average total effect.
    public func table() -> String {
        let r = result
        var out = "\(methodTitle)\n"
        out += "Dependent variable: \(r.outcomeName)\n"
        let balance = r.observationCount == r.unitCount * r.periodCount ? "balanced" : "unbalanced"
        out += "Observations: \(Format.thousands(r.observationCount))   Units x periods: \(r.unitCount) x \(r.periodCount) "
            + "(\(balance))   Switchers: \(Format.thousands(r.switcherCount))   Never switching: "
            + "\(Format.thousands(r.neverSwitcherCount))\n"
        out += "Comparison group: not yet treated (same baseline treatment)   Base period: the last before adoption\n"
        let percent = Format.number(level * 100, digits: 0)
        out += "Standard errors: influence function, clustered by \(r.unitName) (\(Format.thousands(r.unitCount)) clusters); "
            + "normal p-values and \(percent)% intervals\n\n"
        var body: [[String]] = [["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "", "[\(percent)% CI]", "Switchers"]]
        for (k, row) in rows.enumerated() {
            if k == r.placebos.count || k == r.placebos.count + r.effects.count { body.append(Array(repeating: "", count: 8)) }
            let c = coefficient(row)
            guard c.pValue.isFinite else {
                body.append([row.term, Format.significant(c.estimate), c.stdError.isFinite ? Format.significant(c.stdError) : "–",
                             "–", "–", "", "–", Format.thousands(row.switcherCount)])
                continue
            }
            body.append([row.term, Format.significant(c.estimate), Format.significant(c.stdError),
                         Format.number(c.statistic, digits: 3), Format.pValue(c.pValue), EstimateReport.stars(c.pValue),
                         "[\(Format.significant(c.confLow)), \(Format.significant(c.confHigh))]",
                         Format.thousands(row.switcherCount)])
        }
        out += Format.alignedColumns(body, leftAligned: [0, 5])
        out += "---\ne+K: effect K periods after adoption (R's Effect_K+1); e-K: placebo comparing period F-K with F-1 "
            + "(R's Placebo_K-1); att: average total effect (R's Av_tot_effect)\n"
        out += "Signif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        if !notes.isEmpty { out += notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One row per coefficient, with the JSON field names as header.
    public func csv() -> String {
        var lines = ["term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high,n_switchers"]
        for c in output.coefficients {
            let numbers = [c.estimate, c.stdError, c.statistic, c.pValue, c.confLow, c.confHigh]
            lines.append(([c.term, c.eventTime.map(String.init) ?? ""] + numbers.map { $0.isFinite ? "\($0)" : "" }
                          + [String(c.nSwitchers)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A LaTeX tabular (booktabs), standard errors in parentheses.
    public func latex() -> String {
        let r = result
        var out = "% \(methodTitle); dependent variable: \(r.outcomeName)\n"
        out += "\\begin{tabular}{lc}\n\\toprule\n & \(LaTeX.escape(r.outcomeName)) \\\\\n\\midrule\n"
        for row in rows {
            let e = row.effect
            let stars = EstimateReport.stars(coefficient(row).pValue).replacingOccurrences(of: ".", with: "\\dagger")
            out += "\(LaTeX.escape(row.term)) & \(Format.significant(e.estimate))$^{\(stars)}$ \\\\\n"
            out += " & (\(Format.significant(e.standardError))) \\\\\n"
        }
        out += "\\midrule\n"
        out += "Observations & \(Format.thousands(r.observationCount)) \\\\\n"
        out += "Units & \(Format.thousands(r.unitCount)) \\\\\n"
        out += "Switchers & \(Format.thousands(r.switcherCount)) \\\\\n"
        out += "\\bottomrule\n\\end{tabular}\n"
        out += "% *** p<0.001, ** p<0.01, * p<0.05, \\dagger p<0.1; normal p-values, influence-function SEs "
            + "clustered by \(LaTeX.escape(r.unitName))\n"
        return out
    }
}

/// `didlab estimate --method dcdh --format json`. Fields in Documentation/JSON.md.
public struct ChaisemartinDHaultfoeuilleOutput: Encodable, Sendable {
    var method = "dcdh", outcome: String, nObs, nUnits, nPeriods, nSwitchers, nNeverSwitchers, nClusters: Int
    var vcov = "influence function", cluster: String, level: Double
    var coefficients: [Coefficient]
    var notes: [String]

    /// One effect, placebo or the average total effect.
    struct Coefficient: Encodable, Sendable {
        var term: String
        @Omitted var eventTime: Int?
        var estimate, stdError, statistic, pValue, confLow, confHigh: Double
        var nSwitchers: Int
    }
}

extension ChaisemartinDHaultfoeuilleResult: ReportableOutput {
    public func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String {
        var result = self
        result.notes += ClusterAdequacy.notes(panel: panel, clustering: unitName)
        return ChaisemartinDHaultfoeuilleReport(result, level: level).render(format)
    }
}
