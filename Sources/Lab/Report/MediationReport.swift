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
public struct MediationReport: FormatRendering {
    /// The result to render.
    public let result: MediationResult

    /// Creates the report.
    public init(_ result: MediationResult) { self.result = result }

    /// CSV and LaTeX render the table.
    public func csv() -> String { table() }
    /// CSV and LaTeX render the table.
    public func latex() -> String { table() }

    // MARK: JSON

    /// The JSON object (see the type's documentation).
    public var output: MediationOutput {
        let total = result.totalModel
        var clusterName: String?
        if case .cluster(let name) = total.variance.type { clusterName = name }
        var steps = [step(1, total, mediator: nil)]
        for path in result.paths {
            steps.append(step(2, path.mediatorModel, mediator: path.mediator))
            steps.append(step(3, path.outcomeModel, mediator: path.mediator))
        }
        let single = result.paths.count == 1
        func perMediator<Value: Encodable & Sendable>(_ value: (MediationPath) -> Value) -> MediationOutput.PerMediator<Value> {
            single ? .single(value(result.paths[0])) : .several(result.paths.map { ($0.mediator, value($0)) })
        }
        return MediationOutput(
            outcome: total.outcome, mediators: result.paths.map(\.mediator), nObs: total.observationCount,
            nUnits: total.unitCount, nPeriods: total.periodCount, nClusters: total.variance.clusterCount,
            vcov: total.variance.type.jsonName, cluster: clusterName, level: result.level, steps: steps,
            mediator: single ? result.paths[0].mediator : nil,
            indirect: perMediator(indirect),
            sobel: perMediator { .init(statistic: $0.sobelStatistic, pValue: $0.sobelPValue) },
            jointSignificance: perMediator { .init(alpha: $0.alpha, aPValue: $0.aPValue, bPValue: $0.bPValue,
                                                   pValue: $0.jointPValue, significant: $0.jointlySignificant) },
            bootstrap: perMediator(bootstrap), proportionMediated: perMediator(\.proportionMediated), notes: result.notes)
    }

    func step(_ number: Int, _ estimate: Estimate, mediator: String?) -> MediationOutput.Step {
        MediationOutput.Step(
            step: number, outcome: estimate.outcome, mediator: mediator, nObs: estimate.observationCount,
            smallSampleK: estimate.variance.parameterCount, df: estimate.variance.degreesOfFreedom,
            coefficients: EstimateReport(estimate, level: result.level).rows.map { CoefficientOutput($0) },
            dropped: estimate.droppedTerms, r2Within: estimate.withinRSquared)
    }

    func indirect(_ path: MediationPath) -> MediationOutput.Indirect {
        let interval = path.interval(level: result.level)
        return .init(estimate: path.indirect, stdError: path.sobelStandardError, confLow: interval.low,
                     confHigh: interval.high, interval: interval.method)
    }

    func bootstrap(_ path: MediationPath) -> MediationOutput.Bootstrap? {
        guard let summary = path.bootstrap else { return nil }
        return .init(reps: summary.requested, valid: summary.valid, seed: Seed(summary.seed), cluster: result.bootstrapCluster,
                     stdError: summary.standardError, confLow: summary.confLow, confHigh: summary.confHigh,
                     pValue: summary.pValue)
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
                 Format.number(row.statistic, digits: 3), Format.pValue(row.pValue), EstimateReport.stars(row.pValue),
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
}

/// `didlab mediate --format json` (see ``MediationReport``). Fields in Documentation/JSON.md.
public struct MediationOutput: Encodable, Sendable {
    var method = "mediation", outcome: String, mediators: [String]
    var nObs, nUnits, nPeriods: Int, nClusters: Int?, vcov: String, cluster: String?
    var level: Double, steps: [Step]
    @Omitted var mediator: String?
    var indirect: PerMediator<Indirect>
    var sobel: PerMediator<Sobel>
    var jointSignificance: PerMediator<Joint>
    var bootstrap: PerMediator<Bootstrap?>
    var proportionMediated: PerMediator<Double>
    var notes: [String]

    /// One regression of the three steps.
    struct Step: Encodable, Sendable {
        var step: Int, outcome: String, mediator: String?, nObs, smallSampleK: Int, df: Double
        var coefficients: [CoefficientOutput], dropped: [String], r2Within: Double
    }

    /// The indirect effect a·b.
    struct Indirect: Encodable, Sendable {
        var estimate, stdError, confLow, confHigh: Double, interval: String
    }

    /// The Sobel test.
    struct Sobel: Encodable, Sendable {
        var statistic, pValue: Double
    }

    /// The joint-significance test.
    struct Joint: Encodable, Sendable {
        var alpha, aPValue, bPValue, pValue: Double, significant: Bool
    }

    /// The cluster bootstrap of a·b.
    struct Bootstrap: Encodable, Sendable {
        var reps, valid: Int, seed: Seed, cluster: String?, stdError, confLow, confHigh, pValue: Double
    }

    /// With one mediator, the value itself; with several, a list of objects that start with
    /// `"mediator"` (a value that is not an object is keyed `"estimate"`).
    enum PerMediator<Value: Encodable & Sendable>: Encodable, Sendable {
        case single(Value)
        case several([(String, Value)])

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .single(let value): try value.encode(to: encoder)
            case .several(let values):
                let items: [JSONValue] = values.map { mediator, value in
                    let inner = JSONValue(encoding: value)
                    if case .object(let pairs) = inner { return .object([("mediator", .string(mediator))] + pairs) }
                    return .object([("mediator", .string(mediator)), ("estimate", inner)])
                }
                try items.encode(to: encoder)
            }
        }
    }
}
