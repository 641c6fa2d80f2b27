import Estimators
import Foundation

/// Output formats of `didlab estimate` and friends.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// A fixest/Stata-style text table.
    case table
    /// The JSON contract of DESIGN.md.
    case json
    /// One row per coefficient, with the JSON field names as header.
    case csv
    /// A LaTeX `tabular`.
    case latex
}

/// Renders an ``Estimate`` in every ``ReportFormat``; one source for names and numbers.
public struct EstimateReport: FormatRendering {
    /// The estimate to render.
    public let estimate: Estimate
    /// Confidence level of the intervals.
    public let level: Double
    /// Human name of the method, e.g. "TWFE (static DiD)".
    public var methodTitle: String { Self.title(ofMethod: estimate.method) }

    /// The human title of an estimator id (`Estimate.method`), from ``EstimatorRegistry``; the id
    /// itself when unknown. The one place reports map a method to its title.
    public static func title(ofMethod method: String) -> String { EstimatorRegistry.entry(id: method)?.title ?? method }

    /// Creates a report at the given confidence level.
    public init(_ estimate: Estimate, level: Double = 0.95) {
        self.estimate = estimate
        self.level = level
    }

    /// Per-term numbers, in output order.
    public struct Row: Sendable {
        public let term: String
        public let eventTime: Int?
        public let estimate: Double
        public let standardError: Double
        public let statistic: Double
        public let pValue: Double
        public let confLow: Double
        public let confHigh: Double
        /// The term's own t degrees of freedom, when the variance gives each term one (CR2's
        /// Satterthwaite df, CR3's `G − 1`); nil when every term uses the estimate's `df`.
        public var degreesOfFreedom: Double? = nil
    }

    /// One ``Row`` per kept term. A term whose standard error is not a positive finite number
    /// (an exact fit) has no t value, p-value or interval: they are NaN here, left out of every
    /// format, and ``notes`` says why.
    public var rows: [Row] {
        estimate.terms.indices.map { k in
            let interval = estimate.confidenceInterval(k, level: level)
            let coefficient = estimate.coefficients[k]
            let standardError = estimate.standardError(k)
            guard Self.supportsInference(coefficient: coefficient, standardError: standardError) else {
                return Row(term: estimate.terms[k].name, eventTime: estimate.terms[k].eventTime,
                           estimate: coefficient, standardError: standardError.isFinite ? standardError : .nan,
                           statistic: .nan, pValue: .nan, confLow: .nan, confHigh: .nan,
                           degreesOfFreedom: estimate.variance.termDegreesOfFreedom.map { _ in .nan })
            }
            return Row(term: estimate.terms[k].name, eventTime: estimate.terms[k].eventTime,
                       estimate: coefficient, standardError: standardError,
                       statistic: estimate.statistic(k), pValue: estimate.pValue(k),
                       confLow: interval.low, confHigh: interval.high,
                       degreesOfFreedom: estimate.variance.termDegreesOfFreedom?[k])
        }
    }

    /// Whether a t statistic can be formed: a finite estimate and a positive finite standard
    /// error above rounding noise (10⁻¹² of the estimate; below it the fit is exact and t, p
    /// and the interval would be artefacts of rounding).
    public static func supportsInference(coefficient: Double, standardError: Double) -> Bool {
        coefficient.isFinite && standardError.isFinite && standardError > 0
            && standardError > 1e-12 * coefficient.magnitude
    }

    /// The estimate's notes, plus one for statistics that cannot be computed.
    public var notes: [String] {
        var notes = estimate.notes
        let exact = estimate.terms.indices.filter {
            !Self.supportsInference(coefficient: estimate.coefficients[$0], standardError: estimate.standardError($0))
        }
        let m = estimate.terms.count
        let negative = exact.filter { estimate.variance.matrix.indices.contains($0 * m + $0)
            && estimate.variance.matrix[$0 * m + $0] < 0 }
        let zero = exact.filter { !negative.contains($0) }
        func list(_ terms: [Int]) -> String {
            terms.prefix(5).map { estimate.terms[$0].name }.joined(separator: ", ") + (terms.count > 5 ? ", …" : "")
        }
        if !negative.isEmpty {
            notes.append("no inference for \(list(negative)): its variance is negative (\(estimate.variance.type.label) "
                         + "is not positive semi-definite here); t, p and the interval are left out")
        }
        if !zero.isEmpty {
            notes.append("no inference for \(list(zero)): the standard error is zero or not finite (an exact fit: is the "
                         + "outcome constant, or determined by the regressors?); t, p and the interval are left out")
        }
        if !estimate.withinRSquared.isFinite {
            notes.append("within R2 left out: the outcome has no variation left after the fixed effects")
        }
        return notes
    }

    var clusterName: String? {
        switch estimate.variance.type {
        case .cluster(let name), .cr2(let name), .cr3(let name): return name
        case let .twoWayCluster(first, second): return first + "+" + second
        default: return nil
        }
    }

    /// The JSON object of the DESIGN.md contract, plus descriptive extras.
    public var output: EstimateOutput {
        let e = estimate
        return EstimateOutput(
            method: e.method, outcome: e.outcome, nObs: e.observationCount, nUnits: e.unitCount, nPeriods: e.periodCount,
            nClusters: e.variance.clusterCount, vcov: e.variance.type.jsonName, cluster: clusterName,
            df: e.variance.degreesOfFreedom, smallSampleK: e.variance.parameterCount,
            coefficients: rows.map { CoefficientOutput($0, eventTime: $0.eventTime) },
            dropped: e.droppedTerms, fixedEffects: e.fixedEffects.map { .init(name: $0.name, levels: $0.levels) },
            rmse: e.rootMeanSquaredError, r2Within: e.withinRSquared, notes: notes)
    }

    /// CSV with the JSON field names as header, one row per term.
    public func csv() -> String {
        let termDF = estimate.variance.termDegreesOfFreedom != nil
        var lines = ["term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high" + (termDF ? ",df" : "")]
        for row in rows {
            let values = [row.estimate, row.standardError, row.statistic, row.pValue, row.confLow, row.confHigh]
                + (termDF ? [row.degreesOfFreedom ?? .nan] : [])
            lines.append(([CSVText.quote(row.term), row.eventTime.map(String.init) ?? ""]
                          + values.map { $0.isFinite ? "\($0)" : "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Significance stars with R's cut points: *** 0.001, ** 0.01, * 0.05, . 0.1.
    static func stars(_ p: Double) -> String {
        p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : ""
    }

    /// A fixest/Stata-style table.
    public func table() -> String {
        let e = estimate
        var out = Self.tableHead(e, title: methodTitle)
        var seLine = "Standard errors: \(e.variance.type.label)"
        if let g = e.variance.clusterCount {
            // CR2 and CR3 name themselves in the label.
            var kind = ", CR1"
            switch e.variance.type { case .cluster: break; default: kind = "" }
            seLine += ", \(Format.thousands(g)) clusters" + (e.method == "bjs" ? "" : kind)
        }
        let df = e.variance.degreesOfFreedom
        let satterthwaite: Bool
        if case .cr2 = e.variance.type, e.variance.termDegreesOfFreedom != nil { satterthwaite = true } else { satterthwaite = false }
        if satterthwaite {
            seLine += "; t with each term's Satterthwaite df (Bell-McCaffrey / Pustejovsky-Tipton) for p-values and intervals"
        } else {
            seLine += df.isFinite ? "; t(\(Format.thousands(Int(df)))) for p-values and intervals" : "; normal p-values and intervals"
        }
        out += seLine + "\n\n"
        let percent = Format.number(level * 100, digits: 0)
        let header = ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)", "", "[\(percent)% CI]"] + (satterthwaite ? ["df"] : [])
        var body: [[String]] = []
        for row in rows {
            body.append([row.term, Format.significant(row.estimate), Format.significant(row.standardError),
                         Format.number(row.statistic, digits: 3), Format.pValue(row.pValue), Self.stars(row.pValue),
                         row.confLow.isNaN ? Format.notAvailable
                            : "[\(Format.significant(row.confLow)), \(Format.significant(row.confHigh))]"]
                        + (satterthwaite ? [row.degreesOfFreedom.map { $0.isFinite ? Format.number($0, digits: 2) : Format.notAvailable }
                                            ?? Format.notAvailable] : []))
        }
        out += Format.alignedColumns([header] + body, leftAligned: [0, 5])
        return out + Self.tableFoot(e, notes: notes)
    }

    /// The table's first lines: title, outcome, sample size and fixed effects.
    static func tableHead(_ e: Estimate, title: String) -> String {
        var out = "\(title)\n"
        out += "Dependent variable: \(e.outcome)\n"
        out += "Observations: \(Format.thousands(e.observationCount))   Units x periods: \(e.unitCount) x \(e.periodCount)"
        if e.method == "stacked" {
            out += " (observations are stacked sub-experiment rows)\n"  // a unit-period may enter several
        } else {
            out += e.observationCount == e.unitCount * e.periodCount ? " (balanced)\n" : " (unbalanced)\n"
        }
        out += "Fixed effects: " + e.fixedEffects.map { "\($0.name) (\($0.levels))" }.joined(separator: ", ") + "\n"
        return out
    }

    /// The table's last lines: significance codes, fit statistics and notes.
    static func tableFoot(_ e: Estimate, notes: [String]) -> String {
        var out = "---\nSignif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        out += "RMSE: \(Format.significant(e.rootMeanSquaredError))   Within R2: \(Format.significant(e.withinRSquared))\n"
        if !notes.isEmpty { out += notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// A LaTeX tabular (booktabs), one row per term, SEs in parentheses below.
    public func latex() -> String {
        let e = estimate
        var out = "% \(methodTitle); dependent variable: \(e.outcome)\n"
        out += "\\begin{tabular}{lc}\n\\toprule\n & \(LaTeX.escape(e.outcome)) \\\\\n\\midrule\n"
        for row in rows {
            out += "\(LaTeX.escape(row.term)) & \(Format.significant(row.estimate))$^{\(Self.stars(row.pValue).replacingOccurrences(of: ".", with: "\\dagger"))}$ \\\\\n"
            out += " & (\(Format.significant(row.standardError))) \\\\\n"
        }
        out += "\\midrule\n"
        out += "Observations & \(Format.thousands(e.observationCount)) \\\\\n"
        for fe in e.fixedEffects { out += "\(LaTeX.escape(fe.name)) fixed effects & Yes \\\\\n" }
        out += "Standard errors & \(LaTeX.escape(e.variance.type.label)) \\\\\n"
        out += "Within $R^2$ & \(Format.number(e.withinRSquared, digits: 4)) \\\\\n"
        out += "\\bottomrule\n\\end{tabular}\n"
        out += "% *** p<0.001, ** p<0.01, * p<0.05, \\dagger p<0.1\n"
        out += notes.map { "% Note: \($0)\n" }.joined()
        return out
    }
}

/// Number formatting shared by the text reports.
public enum Format {
    /// `1234567` → "1,234,567".
    public static func thousands(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// The text printed for a number that cannot be computed (never "NaN").
    public static let notAvailable = "–"

    /// Fixed decimals; ``notAvailable`` for NaN, "Inf"/"-Inf" for infinite bounds.
    public static func number(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? notAvailable : (value > 0 ? "Inf" : "-Inf") }
        return String(format: "%.\(digits)f", value)
    }

    /// Six significant digits, like R's default print.
    public static func significant(_ value: Double, digits: Int = 6) -> String {
        guard value.isFinite else { return number(value, digits: 0) }
        return String(format: "%.\(digits)g", value)
    }

    /// p-values as R prints them: "< 2.2e-16" below machine precision, else 4 significant digits.
    public static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return notAvailable }
        return p < 2.2e-16 ? "< 2.2e-16" : String(format: "%.4g", p)
    }

    /// Right-aligned columns (left-aligned where asked), separated by two spaces.
    public static func alignedColumns(_ rows: [[String]], leftAligned: Set<Int> = [0]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
        var out = ""
        for row in rows {
            var cells: [String] = []
            for (k, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[k] - cell.count)
                cells.append(leftAligned.contains(k) ? cell + pad : pad + cell)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

/// CSV field quoting (RFC 4180).
public enum CSVText {
    /// Quotes a field when it holds a comma, quote or line break.
    public static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// LaTeX escaping of plain text.
public enum LaTeX {
    /// Escapes the characters LaTeX treats specially.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "_", "%", "&", "#", "$", "{", "}": out += "\\\(c)"
            case "\\": out += "\\textbackslash{}"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            default: out.append(c)
            }
        }
        return out
    }
}
