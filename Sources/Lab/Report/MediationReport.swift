import Estimators
import Foundation

/// Renders a ``MediationResult`` as the DESIGN.md JSON contract of `didlab mediate` or as a
/// readable table.
///
/// JSON: `{"steps": [{"step": 1|2|3, "outcome", "mediator", "coefficients": [...]}], "indirect":
/// {"estimate", "std_error", "conf_low", "conf_high", "interval"}, "sobel": {"statistic", "p_value"},
/// "joint_significance": {...}, "bootstrap": {...} | null, "proportion_mediated"}` with one
/// mediator; with several, `indirect`, `sobel`, `joint_significance`, `bootstrap` and
/// `proportion_mediated` are lists of objects keyed by `"mediator"` (one per mediator, in order).
/// `indirect.std_error` is the Sobel (delta-method) standard error; `conf_low`/`conf_high` are the
/// bootstrap percentile interval when the bootstrap ran, else the Sobel normal interval, as
/// `indirect.interval` says. Coefficient objects have the fields of `didlab estimate`.
public struct MediationReport: Sendable {
    /// The result to render.
    public let result: MediationResult

    /// Creates the report.
    public init(_ result: MediationResult) { self.result = result }

    /// `table` or `json` (other formats render the table).
    public func render(_ format: ReportFormat) -> String {
        format == .json ? json().rendered() + "\n" : table()
    }

    // MARK: JSON

    /// The JSON object (see the type's documentation).
    public func json() -> JSONValue {
        let total = result.totalModel
        let clusterName: JSONValue
        if case .cluster(let name) = total.variance.type { clusterName = .string(name) } else { clusterName = .null }
        var steps: [JSONValue] = [step(1, total, mediator: nil)]
        for path in result.paths {
            steps.append(step(2, path.mediatorModel, mediator: path.mediator))
            steps.append(step(3, path.outcomeModel, mediator: path.mediator))
        }
        var fields: [(String, JSONValue)] = [
            ("method", .string("mediation")),
            ("outcome", .string(total.outcome)),
            ("mediators", .array(result.paths.map { .string($0.mediator) })),
            ("n_obs", .integer(total.observationCount)),
            ("n_units", .integer(total.unitCount)),
            ("n_periods", .integer(total.periodCount)),
            ("n_clusters", total.variance.clusterCount.map { .integer($0) } ?? .null),
            ("vcov", .string(total.variance.type.jsonName)),
            ("cluster", clusterName),
            ("level", .number(result.level)),
            ("steps", .array(steps)),
        ]
        let single = result.paths.count == 1
        if single { fields.append(("mediator", .string(result.paths[0].mediator))) }
        func perMediator(_ key: String, _ value: (MediationPath) -> JSONValue) {
            if single {
                fields.append((key, value(result.paths[0])))
            } else {
                fields.append((key, .array(result.paths.map { path in
                    let inner = value(path)
                    if case .object(let pairs) = inner { return .object([("mediator", .string(path.mediator))] + pairs) }
                    return .object([("mediator", .string(path.mediator)), ("estimate", inner)])
                })))
            }
        }
        perMediator("indirect", indirect)
        perMediator("sobel") { .object([("statistic", .finite($0.sobelStatistic)), ("p_value", .finite($0.sobelPValue))]) }
        perMediator("joint_significance") { path in
            .object([("alpha", .number(path.alpha)), ("a_p_value", .finite(path.aPValue)),
                     ("b_p_value", .finite(path.bPValue)), ("p_value", .finite(path.jointPValue)),
                     ("significant", .bool(path.jointlySignificant))])
        }
        perMediator("bootstrap", bootstrap)
        perMediator("proportion_mediated") { .finite($0.proportionMediated) }
        fields.append(("notes", .array(result.notes.map { .string($0) })))
        return .object(fields)
    }

    func step(_ number: Int, _ estimate: Estimate, mediator: String?) -> JSONValue {
        let rows = EstimateReport(estimate, level: result.level).rows
        return .object([
            ("step", .integer(number)),
            ("outcome", .string(estimate.outcome)),
            ("mediator", mediator.map { .string($0) } ?? .null),
            ("n_obs", .integer(estimate.observationCount)),
            ("small_sample_k", .integer(estimate.variance.parameterCount)),
            ("df", .finite(estimate.variance.degreesOfFreedom)),
            ("coefficients", .array(rows.map { row in
                .object([("term", .string(row.term)), ("estimate", .finite(row.estimate)),
                         ("std_error", .finite(row.standardError)), ("statistic", .finite(row.statistic)),
                         ("p_value", .finite(row.pValue)), ("conf_low", .finite(row.confLow)),
                         ("conf_high", .finite(row.confHigh))])
            })),
            ("dropped", .array(estimate.droppedTerms.map { .string($0) })),
            ("r2_within", .finite(estimate.withinRSquared)),
        ])
    }

    func indirect(_ path: MediationPath) -> JSONValue {
        let interval = path.interval(level: result.level)
        return .object([("estimate", .finite(path.indirect)), ("std_error", .finite(path.sobelStandardError)),
                        ("conf_low", .finite(interval.low)), ("conf_high", .finite(interval.high)),
                        ("interval", .string(interval.method))])
    }

    func bootstrap(_ path: MediationPath) -> JSONValue {
        guard let summary = path.bootstrap else { return .null }
        return .object([("reps", .integer(summary.requested)), ("valid", .integer(summary.valid)),
                        ("seed", summary.seed <= UInt64(Int.max) ? .integer(Int(summary.seed)) : .string(String(summary.seed))),
                        ("cluster", result.bootstrapCluster.map { .string($0) } ?? .null),
                        ("std_error", .finite(summary.standardError)), ("conf_low", .finite(summary.confLow)),
                        ("conf_high", .finite(summary.confHigh)), ("p_value", .finite(summary.pValue))])
    }

    // MARK: Table

    /// A readable report: header, the three steps' coefficients, then per mediator the effects
    /// and tests, then the notes.
    public func table() -> String {
        let total = result.totalModel
        let percent = Format.number(result.level * 100, digits: 0)
        var out = "Three-step mediation (Baron-Kenny / Wen et al. 2004) with unit and period fixed effects\n"
        out += "Outcome: \(total.outcome)   Mediators: \(result.paths.map(\.mediator).joined(separator: ", "))\n"
        out += "Observations: \(Format.thousands(total.observationCount))   Units x periods: \(total.unitCount) x "
            + "\(total.periodCount)" + (total.observationCount == total.unitCount * total.periodCount ? " (balanced)\n" : " (unbalanced)\n")
        var seLine = "Standard errors: \(total.variance.type.label)"
        if let g = total.variance.clusterCount { seLine += ", \(Format.thousands(g)) clusters, CR1" }
        out += seLine + "; t(\(Format.thousands(Int(total.variance.degreesOfFreedom)))) for coefficient p-values\n\n"

        let header = ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)", "", "[\(percent)% CI]"]
        func rows(_ estimate: Estimate) -> [[String]] {
            EstimateReport(estimate, level: result.level).rows.map { row in
                ["  " + row.term, Format.significant(row.estimate), Format.significant(row.standardError),
                 Format.number(row.statistic, digits: 3), Format.pValue(row.pValue), Self.stars(row.pValue),
                 "[\(Format.significant(row.confLow)), \(Format.significant(row.confHigh))]"]
            }
        }
        // Section headings go between the aligned rows, so they do not widen the first column.
        var sections: [(heading: String, rows: [[String]])] = [("Step 1: \(total.outcome) ~ treat + X (c)", rows(total))]
        for path in result.paths {
            sections.append(("Step 2: \(path.mediator) ~ treat + X (a)", rows(path.mediatorModel)))
            sections.append(("Step 3: \(total.outcome) ~ treat + \(path.mediator) + X (c', b)", rows(path.outcomeModel)))
        }
        var lines = Format.alignedColumns([header] + sections.flatMap(\.rows), leftAligned: [0, 5])
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var position = 1
        for section in sections {
            lines.insert(section.heading, at: position)
            position += section.rows.count + 1
        }
        out += lines.joined(separator: "\n")
        out += "---\nSignif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        for path in result.paths {
            out += "\nMediator \(path.mediator)\n"
            let interval = path.interval(level: result.level)
            var lines: [[String]] = [
                ["  total effect c", Format.significant(path.total)],
                ["  direct effect c'", Format.significant(path.direct)],
                ["  a (treat -> \(path.mediator))", Format.significant(path.a), Self.pText(path.aPValue)],
                ["  b (\(path.mediator) -> \(total.outcome))", Format.significant(path.b), Self.pText(path.bPValue)],
                ["  indirect a*b", Format.significant(path.indirect),
                 "[\(Format.significant(interval.low)), \(Format.significant(interval.high))] \(percent)% \(interval.method)"],
                ["  proportion mediated a*b/c", Format.significant(path.proportionMediated)],
                ["  Sobel test", "z = " + Format.number(path.sobelStatistic, digits: 3),
                 Self.pText(path.sobelPValue) + " (se " + Format.significant(path.sobelStandardError) + ")"],
                ["  joint significance", path.jointlySignificant ? "yes" : "no",
                 "a and b both significant at \(Format.significant(path.alpha))? max p = " + Format.pValue(path.jointPValue)],
            ]
            if let summary = path.bootstrap {
                // No draw on the far side of 0: the percentile p-value is below 1/B, not 0.
                let p = summary.pValue == 0 ? "p < " + Format.pValue(1 / Double(max(summary.valid, 1)))
                    : Self.pText(summary.pValue)
                lines.append(["  bootstrap", "se = " + Format.significant(summary.standardError),
                              p + " (\(summary.valid) of \(summary.requested) draws, "
                                + "clusters: \(result.bootstrapCluster ?? "unit"), seed \(summary.seed))"])
            }
            out += Format.alignedColumns(lines, leftAligned: [0, 2])
        }
        if !result.notes.isEmpty { out += "\n" + result.notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// "p = 0.0123", or "p < 2.2e-16".
    static func pText(_ p: Double) -> String {
        let text = Format.pValue(p)
        return text.hasPrefix("<") ? "p " + text : "p = " + text
    }

    /// Significance stars with R's cut points.
    static func stars(_ p: Double) -> String {
        p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : ""
    }
}
