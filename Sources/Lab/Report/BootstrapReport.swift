import Estimators
import Foundation

/// Renders an estimate whose coefficients were tested by the wild cluster bootstrap
/// (`didlab estimate --inference wcb`).
///
/// JSON is ``EstimateReport``'s object (the DESIGN.md contract) with, for every bootstrapped
/// coefficient, `p_value`, `conf_low` and `conf_high` from the bootstrap and the fields
/// `"inference": "wcb"`, `"reps"` (draws used: `2^G` under full enumeration) and `"weights"`;
/// the CR1 numbers stay beside them as `p_value_cr1`, `conf_low_cr1`, `conf_high_cr1`. An
/// unbounded bootstrap interval has `null` bounds and `"conf_unbounded": true`. Other
/// coefficients (covariates) keep CR1 inference and say `"inference": "cr1"`. The top level says
/// `"inference": "wcb"`, `"reps"`, `"weights"`, and a `"bootstrap"` object records how it was made.
public struct BootstrapReport: FormatRendering {
    /// The bootstrap run (its CR1 estimate and one result per bootstrapped term).
    public let run: WildBootstrapRun
    /// Human title of the method (from ``EstimateReport``).
    public var methodTitle: String { base.methodTitle }
    let base: EstimateReport

    /// Creates a report; the interval level is the bootstrap's.
    public init(_ run: WildBootstrapRun) {
        self.run = run
        base = EstimateReport(run.estimate, level: run.results.first?.level ?? 0.95)
    }

    var first: WildBootstrapResult? { run.results.first }

    /// The `"bootstrap"` object: options and counts shared by every bootstrapped term.
    var bootstrapOutput: WildBootstrapOutput? {
        guard let r = first else { return nil }
        return WildBootstrapOutput(
            type: r.kindName, weights: r.weights.rawValue, cluster: r.clusterName, nClusters: r.clusterCount,
            treatedClusters: r.treatedClusterCount, reps: r.drawCount, requestedReps: r.requestedReplications,
            enumerated: r.enumerated, seed: Seed(r.seed), nullValue: r.nullValue, pValueType: r.pValueType.rawValue,
            ties: r.ties.rawValue, level: r.level, threads: r.threads,
            pValueRule: "c/B, c = #{|t*| \(r.ties == .count ? ">=" : ">") |t|} (tolerance \(RandomizationPValue.relativeTolerance)·|t|)",
            interval: "test inversion: {r : p(r) >= \(Format.number(1 - r.level, digits: 2))}")
    }

    /// ``EstimateReport``'s object with the bootstrap fields (see the type's documentation).
    public var output: EstimateOutput {
        var output = base.output
        guard let r = first else { return output }
        output.coefficients = zip(base.rows, output.coefficients).map { coefficient($1, row: $0) }
        output.inference = "wcb"
        output.reps = r.drawCount
        output.weights = r.weights.rawValue
        output.bootstrap = bootstrapOutput
        output.notes = notes
        return output
    }

    /// Estimate notes followed by the bootstrap's, without repeats.
    var notes: [String] {
        var seen = Set<String>(), out: [String] = []
        for note in run.estimate.notes + run.results.flatMap(\.notes) where seen.insert(note).inserted { out.append(note) }
        return out
    }

    /// A coefficient with bootstrap p-value and interval and the CR1 ones beside (CR1 only, and
    /// `"inference": "cr1"`, for a term not bootstrapped).
    func coefficient(_ cr1: CoefficientOutput, row: EstimateReport.Row) -> CoefficientOutput {
        var out = cr1
        guard let r = run.result(for: row.term) else {
            out.wildBootstrap = WildBootstrapTerm(inference: "cr1")
            return out
        }
        (out.pValue, out.confLow, out.confHigh) = (r.pValue, r.confLow, r.confHigh)
        var extra = WildBootstrapTerm(inference: "wcb", reps: r.drawCount, weights: r.weights.rawValue)
        if r.pValueType == .symmetric { extra.pValueEqualTailed = r.pValueEqualTailed } else { extra.pValueSymmetric = r.pValueSymmetric }
        // An unbounded bootstrap set has null bounds (JSON has no infinity) and says so.
        if !r.confLow.isFinite || !r.confHigh.isFinite { extra.confUnbounded = true }
        (extra.pValueCr1, extra.confLowCr1, extra.confHighCr1) = (cr1.pValue, cr1.confLow, cr1.confHigh)
        out.wildBootstrap = extra
        return out
    }

    /// CSV: ``EstimateReport``'s columns with bootstrap p-values and intervals, plus `inference`.
    public func csv() -> String {
        var lines = ["term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high,inference,reps,weights"]
        for row in base.rows {
            let r = run.result(for: row.term)
            let values = [row.estimate, row.standardError, row.statistic, r?.pValue ?? row.pValue,
                          r?.confLow ?? row.confLow, r?.confHigh ?? row.confHigh]
            lines.append(([CSVText.quote(row.term), row.eventTime.map(String.init) ?? ""]
                          + values.map { $0.isFinite ? "\($0)" : ($0.isNaN ? "" : ($0 > 0 ? "Inf" : "-Inf")) }
                          + [r == nil ? "cr1" : "wcb", r.map { String($0.drawCount) } ?? "", r?.weights.rawValue ?? ""])
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line describing the bootstrap.
    var bootstrapLine: String {
        guard let r = first else { return "" }
        var line = "Wild cluster bootstrap: \(r.kindName), \(r.weights.rawValue) weights, \(Format.thousands(r.drawCount)) draws"
        if r.enumerated { line += " (full enumeration of 2^\(r.clusterCount))" }
        line += ", seed \(r.seed); p = c/B (\(r.pValueType.rawValue), ties \(r.ties == .count ? "counted" : "excluded"))"
        return line
    }

    /// A fixest/Stata-style table: bootstrap p-values and intervals, CR1 p beside them.
    public func table() -> String {
        let e = run.estimate
        var out = EstimateReport.tableHead(e, title: methodTitle)
        out += "Standard errors: \(e.variance.type.label)"
        if let g = e.variance.clusterCount { out += ", \(Format.thousands(g)) clusters, CR1" }
        out += "\n\(bootstrapLine)\n\n"
        let percent = Format.number(base.level * 100, digits: 0)
        let header = ["", "Estimate", "Std. Error", "t value", "Pr(>|t|) WCB", "", "[\(percent)% CI, WCB]", "Pr(>|t|) CR1"]
        var body: [[String]] = []
        for row in base.rows {
            let r = run.result(for: row.term)
            let p = r?.pValue ?? row.pValue
            let low = r?.confLow ?? row.confLow, high = r?.confHigh ?? row.confHigh
            let shown: String
            if let r { shown = p == 0 ? "< " + Format.pValue(1 / Double(r.drawCount)) : Format.pValue(p) } else {
                shown = "(CR1) " + Format.pValue(p)
            }
            body.append([row.term, Format.significant(row.estimate), Format.significant(row.standardError),
                         Format.number(row.statistic, digits: 3), shown,
                         EstimateReport.stars(p), "[\(Format.significant(low)), \(Format.significant(high))]",
                         Format.pValue(row.pValue)])
        }
        out += Format.alignedColumns([header] + body, leftAligned: [0, 5])
        return out + EstimateReport.tableFoot(e, notes: notes)
    }

    /// A LaTeX tabular: stars from the bootstrap p-values, bootstrap intervals in brackets.
    public func latex() -> String {
        let e = run.estimate
        var out = "% \(methodTitle); dependent variable: \(e.outcome); \(bootstrapLine)\n"
        out += "\\begin{tabular}{lc}\n\\toprule\n & \(LaTeX.escape(e.outcome)) \\\\\n\\midrule\n"
        for row in base.rows {
            let r = run.result(for: row.term)
            let stars = EstimateReport.stars(r?.pValue ?? row.pValue).replacingOccurrences(of: ".", with: "\\dagger")
            out += "\(LaTeX.escape(row.term)) & \(Format.significant(row.estimate))$^{\(stars)}$ \\\\\n"
            out += " & (\(Format.significant(row.standardError))) \\\\\n"
            if let r { out += " & [\(Format.significant(r.confLow)), \(Format.significant(r.confHigh))] \\\\\n" }
        }
        out += "\\midrule\nObservations & \(Format.thousands(e.observationCount)) \\\\\n"
        out += "Inference & wild cluster bootstrap (\(LaTeX.escape(first?.clusterName ?? ""))) \\\\\n"
        out += "\\bottomrule\n\\end{tabular}\n"
        out += "% *** p<0.001, ** p<0.01, * p<0.05, \\dagger p<0.1 (wild cluster bootstrap p-values); brackets: bootstrap CI\n"
        return out
    }
}
