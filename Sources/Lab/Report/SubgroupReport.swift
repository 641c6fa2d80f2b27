import Estimators
import Foundation

/// Renders a ``SubgroupResult`` (`didlab estimate --by COL`): JSON, a readable table and CSV.
///
/// JSON:
/// ```json
/// { "method": "subgroup", "by": "region", "outcome": "y", "n_obs": 3948, "n_units": 282,
///   "vcov": "CR1", "cluster": "city", "df": 281,
///   "groups": [ { "group": "east", "n_units": 98, "n_treated_units": 30, "n_obs": 1372,
///                 "term": "treat:region=east",
///                 "interaction": {"estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"},
///                 "split_sample": {… same fields, "n_obs", "n_clusters"} | null, "note": null } ],
///   "test_equal_effects": { "test": "Wald F", "statistic", "df1", "df2", "p_value" },
///   "permutation": { "statistic": "difference" | "range", "observed", "p_value", "observed_wald",
///                    "p_value_wald", "permutations", "valid_draws", "scope", "seed", "p_value_rule" } | null,
///   "coefficients": [ …the interaction model's terms, as in `estimate` ],
///   "notes": [ … ] }
/// ```
public struct SubgroupReport: Sendable {
    /// The result.
    public let result: SubgroupResult
    /// Confidence level of the intervals.
    public let level: Double

    /// Creates a report.
    public init(_ result: SubgroupResult, level: Double = 0.95) {
        self.result = result
        self.level = level
    }

    /// The report in `format` (LaTeX falls back to the table).
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .csv: return csv()
        case .table, .latex: return table()
        }
    }

    /// The numbers of one term of an estimate.
    static func term(_ name: String, in estimate: Estimate, level: Double) -> EstimateReport.Row? {
        EstimateReport(estimate, level: level).rows.first { $0.term == name }
    }

    static func object(_ row: EstimateReport.Row) -> [(String, JSONValue)] {
        [("estimate", .finite(row.estimate)), ("std_error", .finite(row.standardError)),
         ("statistic", .finite(row.statistic)), ("p_value", .finite(row.pValue)),
         ("conf_low", .finite(row.confLow)), ("conf_high", .finite(row.confHigh))]
    }

    /// The JSON object (see the type's documentation).
    public func json() -> JSONValue {
        let r = result, e = r.interaction
        let groups: [JSONValue] = r.groups.map { group in
            var fields: [(String, JSONValue)] = [
                ("group", .string(group.label)), ("n_units", .integer(group.unitCount)),
                ("n_treated_units", .integer(group.treatedUnitCount)), ("n_obs", .integer(group.observationCount)),
                ("term", group.interactionTerm.map { .string($0) } ?? .null),
            ]
            if let term = group.interactionTerm, let row = Self.term(term, in: e, level: level) {
                fields.append(("interaction", .object(Self.object(row))))
            } else {
                fields.append(("interaction", .null))
            }
            if let split = group.splitSample, let row = Self.term("treat", in: split, level: level) {
                fields.append(("split_sample", .object(Self.object(row) + [
                    ("n_obs", .integer(split.observationCount)),
                    ("n_clusters", split.variance.clusterCount.map { .integer($0) } ?? .null)])))
            } else {
                fields.append(("split_sample", .null))
            }
            fields.append(("note", group.splitSampleNote.map { .string($0) } ?? .null))
            return .object(fields)
        }
        var cluster: JSONValue = .null
        if case .cluster(let name) = e.variance.type { cluster = .string(name) }
        var permutation: JSONValue = .null
        if let p = r.permutation {
            permutation = .object([
                ("statistic", .string(p.statisticName)), ("observed", .finite(p.observed)), ("p_value", .finite(p.pValue)),
                ("observed_wald", .finite(p.observedWald)), ("p_value_wald", .finite(p.pValueWald)),
                ("permutations", .integer(p.permutations)), ("valid_draws", .integer(p.validDraws)),
                ("scope", .string(p.scope.rawValue)),
                ("seed", p.seed <= UInt64(Int.max) ? .integer(Int(p.seed)) : .string(String(p.seed))),
                ("p_value_rule", .string("(1+c)/(1+R), c = #{\(p.statisticName == "difference" ? "|T*| >= |T|" : "T* >= T")}, "
                                         + "tolerance \(RandomizationPValue.relativeTolerance)·|T|")),
            ])
        }
        let coefficients: [JSONValue] = EstimateReport(e, level: level).rows.map { row in
            .object([("term", .string(row.term))] + Self.object(row))
        }
        return .object([
            ("method", .string("subgroup")), ("by", .string(r.column)), ("outcome", .string(e.outcome)),
            ("n_obs", .integer(e.observationCount)), ("n_units", .integer(e.unitCount)),
            ("n_periods", .integer(e.periodCount)),
            ("n_clusters", e.variance.clusterCount.map { .integer($0) } ?? .null),
            ("vcov", .string(e.variance.type.jsonName)), ("cluster", cluster),
            ("df", .finite(e.variance.degreesOfFreedom)),
            ("groups", .array(groups)),
            ("test_equal_effects", .object([
                ("test", .string("Wald F")), ("statistic", .finite(r.wald.statistic)),
                ("df1", .integer(r.wald.numeratorDegreesOfFreedom)), ("df2", .finite(r.wald.denominatorDegreesOfFreedom)),
                ("p_value", .finite(r.wald.pValue))])),
            ("permutation", permutation),
            ("coefficients", .array(coefficients)),
            ("notes", .array((e.notes + r.notes).map { .string($0) })),
        ])
    }

    /// One row per group: interaction and split-sample numbers.
    public func csv() -> String {
        var lines = ["group,n_units,n_treated_units,estimate,std_error,p_value,conf_low,conf_high,"
                     + "split_estimate,split_std_error,split_p_value"]
        func number(_ value: Double?) -> String { value.map { $0.isFinite ? "\($0)" : "" } ?? "" }
        for group in result.groups {
            let row = group.interactionTerm.flatMap { Self.term($0, in: result.interaction, level: level) }
            let split = group.splitSample.flatMap { Self.term("treat", in: $0, level: level) }
            lines.append([CSVText.quote(group.label), String(group.unitCount), String(group.treatedUnitCount),
                          number(row?.estimate), number(row?.standardError), number(row?.pValue), number(row?.confLow),
                          number(row?.confHigh), number(split?.estimate), number(split?.standardError),
                          number(split?.pValue)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A readable table.
    public func table() -> String {
        let r = result, e = r.interaction
        var out = "Subgroup heterogeneity by \(r.column) (TWFE)\n"
        out += "Dependent variable: \(e.outcome)\n"
        out += "Observations: \(Format.thousands(e.observationCount))   Units x periods: \(e.unitCount) x \(e.periodCount)\n"
        out += "Standard errors: \(e.variance.type.label)"
        if let g = e.variance.clusterCount { out += ", \(Format.thousands(g)) clusters, CR1" }
        out += "\n\n"
        let header = ["Group", "Units", "Treated", "Interaction", "Std. Error", "Pr(>|t|)", "", "Split sample",
                      "Std. Error", "Pr(>|t|)"]
        var body: [[String]] = []
        for group in r.groups {
            let row = group.interactionTerm.flatMap { Self.term($0, in: e, level: level) }
            let split = group.splitSample.flatMap { Self.term("treat", in: $0, level: level) }
            body.append([group.label, String(group.unitCount), String(group.treatedUnitCount),
                         row.map { Format.significant($0.estimate) } ?? "-",
                         row.map { Format.significant($0.standardError) } ?? "-",
                         row.map { Format.pValue($0.pValue) } ?? "-", row.map { EstimateReport.starsText($0.pValue) } ?? "",
                         split.map { Format.significant($0.estimate) } ?? "-",
                         split.map { Format.significant($0.standardError) } ?? "-",
                         split.map { Format.pValue($0.pValue) } ?? "-"])
        }
        out += Format.alignedColumns([header] + body, leftAligned: [0, 6])
        out += "---\n"
        out += "Equal effects (Wald): F(\(r.wald.numeratorDegreesOfFreedom), "
            + "\(Format.thousands(Int(r.wald.denominatorDegreesOfFreedom)))) = \(Format.number(r.wald.statistic, digits: 3)), "
            + "p = \(Format.pValue(r.wald.pValue))\n"
        if let p = r.permutation {
            let scope = p.scope == .treatedUnits ? "labels permuted among treated units" : "labels permuted across all units"
            out += "Permutation (\(Format.thousands(p.permutations)) draws, \(scope), seed \(p.seed)): "
                + "\(p.statisticName) = \(Format.significant(p.observed)), p = \(Format.pValue(p.pValue)); "
                + "Wald F p = \(Format.pValue(p.pValueWald))"
            if p.validDraws < p.permutations { out += " (\(p.validDraws) valid draws)" }
            out += "\n"
        }
        out += "Signif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        let notes = e.notes + r.notes
        if !notes.isEmpty { out += notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }
}
