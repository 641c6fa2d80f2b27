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
public struct SubgroupReport: FormatRendering {
    /// The result.
    public let result: SubgroupResult
    /// Confidence level of the intervals.
    public let level: Double

    /// Creates a report.
    public init(_ result: SubgroupResult, level: Double = 0.95) {
        self.result = result
        self.level = level
    }

    /// LaTeX renders the table.
    public func latex() -> String { table() }

    /// The numbers of one term of an estimate.
    static func term(_ name: String, in estimate: Estimate, level: Double) -> EstimateReport.Row? {
        EstimateReport(estimate, level: level).rows.first { $0.term == name }
    }

    /// The JSON object (see the type's documentation).
    public var output: SubgroupOutput {
        let r = result, e = r.interaction
        let groups = r.groups.map { group in
            var split: CoefficientOutput?
            if let sample = group.splitSample, let row = Self.term("treat", in: sample, level: level) {
                split = CoefficientOutput(row, term: false)
                split?.nObs = sample.observationCount
                split?.nClusters = .some(sample.variance.clusterCount)
            }
            return SubgroupOutput.Group(
                group: group.label, nUnits: group.unitCount, nTreatedUnits: group.treatedUnitCount,
                nObs: group.observationCount, term: group.interactionTerm,
                interaction: group.interactionTerm.flatMap { Self.term($0, in: e, level: level) }.map { CoefficientOutput($0, term: false) },
                splitSample: split, note: group.splitSampleNote)
        }
        var cluster: String?
        if case .cluster(let name) = e.variance.type { cluster = name }
        let permutation = r.permutation.map { p in
            SubgroupOutput.Permutation(
                statistic: p.statisticName, observed: p.observed, pValue: p.pValue, observedWald: p.observedWald,
                pValueWald: p.pValueWald, permutations: p.permutations, validDraws: p.validDraws, scope: p.scope.rawValue,
                seed: Seed(p.seed),
                pValueRule: "(1+c)/(1+R), c = #{\(p.statisticName == "difference" ? "|T*| >= |T|" : "T* >= T")}, "
                    + "tolerance \(RandomizationPValue.relativeTolerance)·|T|")
        }
        return SubgroupOutput(
            by: r.column, outcome: e.outcome, nObs: e.observationCount, nUnits: e.unitCount, nPeriods: e.periodCount,
            nClusters: e.variance.clusterCount, vcov: e.variance.type.jsonName, cluster: cluster,
            df: e.variance.degreesOfFreedom, groups: groups,
            testEqualEffects: .init(statistic: r.wald.statistic, df1: r.wald.numeratorDegreesOfFreedom,
                                    df2: r.wald.denominatorDegreesOfFreedom, pValue: r.wald.pValue),
            permutation: permutation, coefficients: EstimateReport(e, level: level).rows.map { CoefficientOutput($0) },
            notes: e.notes + r.notes)
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
                         row.map { Format.pValue($0.pValue) } ?? "-", row.map { EstimateReport.stars($0.pValue) } ?? "",
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

/// `didlab estimate --by COL --format json` (see ``SubgroupReport``). Fields in
/// Documentation/JSON.md.
public struct SubgroupOutput: Encodable, Sendable {
    var method = "subgroup", by, outcome: String
    var nObs, nUnits, nPeriods: Int, nClusters: Int?, vcov: String, cluster: String?, df: Double
    var groups: [Group], testEqualEffects: Wald, permutation: Permutation?
    var coefficients: [CoefficientOutput], notes: [String]

    /// One group: its counts, its interaction term and its split sample.
    struct Group: Encodable, Sendable {
        var group: String, nUnits, nTreatedUnits, nObs: Int, term: String?
        var interaction: CoefficientOutput?, splitSample: CoefficientOutput?, note: String?
    }

    /// The Wald F test of equal effects.
    struct Wald: Encodable, Sendable {
        var test = "Wald F"
        var statistic: Double, df1: Int, df2, pValue: Double
    }

    /// The permutation test of equal effects.
    struct Permutation: Encodable, Sendable {
        var statistic: String, observed, pValue, observedWald, pValueWald: Double
        var permutations, validDraws: Int, scope: String, seed: Seed, pValueRule: String
    }
}
