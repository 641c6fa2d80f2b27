import Estimators
import Foundation

extension CallawaySantAnnaReport {
    /// A text table in the spirit of R `did`'s `summary()` of `att_gt` and `aggte`.
    public func table() -> String {
        let r = result, o = r.options
        var out = "\(methodTitle)\n"
        out += "Dependent variable: \(r.outcomeName)\n"
        let balance = r.observationCount == r.unitCount * r.periodCount ? "balanced" : "unbalanced"
        out += "Observations: \(Format.thousands(r.observationCount))   Units x periods: \(r.unitCount) x \(r.periodCount) (\(balance))\n"
        let covariates = r.covariateNames.isEmpty ? "no covariates" : "covariates: " + r.covariateNames.joined(separator: ", ")
        out += "Comparison group: \(controlText)   Base period: \(o.basePeriod.rawValue)   "
            + (o.anticipation > 0 ? "Anticipation: \(o.anticipation) period\(o.anticipation == 1 ? "" : "s")   " : "")
            + "Estimation: \(o.estimationMethod.title) (\(covariates))\n"
        let percent = Format.number(level * 100, digits: 0)
        out += "Standard errors: influence function, clustered by \(r.clusterName) (\(Format.thousands(r.clusterCount)) clusters); "
            + "normal p-values and \(percent)% pointwise intervals\n"
        if let bootstrap {
            out += "Uniform bands: multiplier bootstrap, \(Format.thousands(bootstrap.replications)) \(bootstrap.weights.rawValue) "
                + "replications, seed \(bootstrap.seed)\n"
        }

        out += "\nOverall ATT (simple aggregation):\n"
        out += effectTable([overallRow(.simple)], firstColumn: "", showBand: false, percent: percent)

        out += "\nGroup-time average treatment effects:\n"
        out += effectTable(groupTimeRows, firstColumn: "ATT(g,t)", showBand: bands["att_gt"] != nil, percent: percent)
        let failed = groupTimeRows.filter { $0.failure != nil }
        if !failed.isEmpty {
            out += "Not estimable (left out of the aggregations below):\n"
            out += failed.map { "  \($0.term): \($0.failure ?? "")" }.joined(separator: "\n") + "\n"
        }
        if let test = r.preTest {
            out += "Pre-test of parallel trends (every ATT(g,t) with t < g is 0, R did's Wald test): "
                + "chi2(\(test.degreesOfFreedom)) = \(Format.number(test.statistic, digits: 4)), p = \(Format.pValue(test.pValue))\n"
        }

        let titles: [(Kind, String)] = [(.dynamic, "Dynamic effects (event time e = t - g)"),
                                        (.group, "Group effects (by cohort)"), (.calendar, "Calendar-time effects")]
        for (kind, title) in titles {
            let overall = r.aggregation(kind).overall
            let scope = kind == .dynamic ? "mean over e >= 0" : "overall"
            out += "\n\(title); \(scope): \(Format.significant(overall.estimate)) (\(Format.significant(overall.standardError)))\n"
            out += effectTable(partRows(kind), firstColumn: "", showBand: bands[kind.rawValue] != nil, percent: percent)
        }
        out += "---\nSignif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        if !r.notes.isEmpty { out += r.notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    func effectTable(_ rows: [Row], firstColumn: String, showBand: Bool, percent: String) -> String {
        var header = [firstColumn, "Estimate", "Std. Error", "z value", "Pr(>|z|)", "", "[\(percent)% CI]"]
        if showBand { header.append("[\(percent)% simult. band]") }
        var body: [[String]] = []
        for row in rows {
            let e = row.effect, interval = e.confidenceInterval(level: level)
            let stars = e.pValue.isFinite ? EstimateReport.stars(e.pValue) : ""
            // R prints NA where there is no standard error (a universal base period's reference)
            // and where the cell could not be estimated.
            if row.failure != nil {
                body.append([row.term, "NA", "NA", "NA", "NA", "", "not estimable"] + (showBand ? ["NA"] : []))
                continue
            }
            guard e.standardError.isFinite else {
                body.append([row.term, Format.significant(e.estimate), "NA", "NA", "NA", "", "NA"] + (showBand ? ["NA"] : []))
                continue
            }
            var cells = [row.term, Format.significant(e.estimate), Format.significant(e.standardError),
                         Format.number(e.statistic, digits: 3), Format.pValue(e.pValue), stars,
                         "[\(Format.significant(interval.low)), \(Format.significant(interval.high))]"]
            if showBand {
                cells.append(row.band.map { "[\(Format.significant($0.low)), \(Format.significant($0.high))]" } ?? "")
            }
            body.append(cells)
        }
        return Format.alignedColumns([header] + body, leftAligned: [0, 5])
    }

    /// A LaTeX tabular (booktabs): the overall ATT, then the event-study, cohort and calendar
    /// effects, standard errors in parentheses.
    public func latex() -> String {
        let r = result
        var out = "% \(methodTitle); dependent variable: \(r.outcomeName); comparison group: \(controlText)\n"
        out += "\\begin{tabular}{lc}\n\\toprule\n & \(LaTeX.escape(r.outcomeName)) \\\\\n\\midrule\n"
        func line(_ label: String, _ e: CallawaySantAnnaResult.Effect, escaped: Bool = true) {
            let stars = e.pValue.isFinite ? EstimateReport.stars(e.pValue).replacingOccurrences(of: ".", with: "\\dagger") : ""
            out += "\(escaped ? LaTeX.escape(label) : label) & \(Format.significant(e.estimate))$^{\(stars)}$ \\\\\n"
            out += " & (\(Format.significant(e.standardError))) \\\\\n"
        }
        line("ATT (simple)", r.simple.overall)
        for (kind, title) in [(Kind.dynamic, "Event time"), (.group, "Cohort"), (.calendar, "Period")] {
            out += "\\midrule\n\\multicolumn{2}{l}{\\emph{\(title)}} \\\\\n"
            for row in partRows(kind) where row.effect.standardError.isFinite { line(row.term, row.effect) }
            line(kind == .dynamic ? "Mean over $e \\geq 0$" : "Overall", r.aggregation(kind).overall, escaped: false)
        }
        out += "\\midrule\n"
        out += "Observations & \(Format.thousands(r.observationCount)) \\\\\n"
        out += "Units & \(Format.thousands(r.unitCount)) \\\\\n"
        out += "Comparison group & \(controlText) \\\\\n"
        out += "Estimation & \(LaTeX.escape(r.options.estimationMethod.title)) \\\\\n"
        out += "\\bottomrule\n\\end{tabular}\n"
        out += "% *** p<0.001, ** p<0.01, * p<0.05, \\dagger p<0.1; normal p-values, influence-function SEs "
            + "clustered by \(r.clusterName)\n"
        return out
    }
}
