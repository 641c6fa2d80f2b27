import Estimators
import Foundation

/// Renders a Goodman-Bacon decomposition (``BaconResult``) with, optionally, the de Chaisemartin
/// & D'Haultfœuille weights (``TWFEWeights``) of the same TWFE coefficient: JSON (the fields
/// below) and a readable table. One source for names and numbers.
///
/// JSON: `{"method": "bacon", "outcome", "n_obs", "n_units", "n_periods", "twfe",
/// "weight_sum", "weighted_sum", "comparisons": [{"type", "treated", "control", "first_period",
/// "last_period", "estimate", "weight"}], "by_type": [{"type", "weight", "average"}],
/// "twfe_weights": {"treated_observations", "negative_count", "negative_sum", "positive_count",
/// "positive_sum", "negative_cells", "sigma_fe", "cells": [{"cohort", "period", "units",
/// "weight", "share"}]}, "notes": [...]}`; period fields carry the data's period labels.
public struct BaconReport: Sendable {
    /// The decomposition.
    public let result: BaconResult
    /// The dCDH weights, when computed.
    public let weights: TWFEWeights?
    /// Period labels (for the windows), indexed by period.
    public let periodLabels: [String]

    /// Creates a report.
    public init(_ result: BaconResult, weights: TWFEWeights? = nil, periodLabels: [String]) {
        self.result = result
        self.weights = weights
        self.periodLabels = periodLabels
    }

    func label(_ period: Int) -> String { period >= 0 && period < periodLabels.count ? periodLabels[period] : String(period) }

    /// The report in `format` (table or JSON; CSV lists the comparisons, LaTeX the table's body).
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .table: return table()
        case .csv: return csv()
        case .latex: return latex()
        }
    }

    /// The JSON object described in the type's documentation.
    public func json() -> JSONValue {
        let r = result
        var fields: [(String, JSONValue)] = [
            ("method", .string("bacon")), ("outcome", .string(r.outcome)),
            ("n_obs", .integer(r.observationCount)), ("n_units", .integer(r.unitCount)),
            ("n_periods", .integer(r.periodCount)), ("twfe", .finite(r.twfeCoefficient)),
            ("weight_sum", .finite(r.weightSum)), ("weighted_sum", .finite(r.weightedSum)),
            ("treatment_variance", .finite(r.treatmentVariance)),
            ("comparisons", .array(r.comparisons.map { c in
                .object([("type", .string(c.type.rawValue)), ("treated", .string(c.treatedLabel)),
                         ("control", .string(c.controlLabel)), ("first_period", .string(label(c.firstPeriod))),
                         ("last_period", .string(label(c.lastPeriod))), ("estimate", .finite(c.estimate)),
                         ("weight", .finite(c.weight))])
            })),
            ("by_type", .array(BaconResult.ComparisonType.allCases.map { type in
                .object([("type", .string(type.rawValue)), ("weight", .finite(r.weight(of: type))),
                         ("average", .finite(r.average(of: type)))])
            })),
        ]
        if let w = weights {
            fields.append(("twfe_weights", .object([
                ("treated_observations", .integer(w.treatedCount)),
                ("negative_count", .integer(w.negativeCount)), ("negative_sum", .finite(w.negativeSum)),
                ("positive_count", .integer(w.positiveCount)), ("positive_sum", .finite(w.positiveSum)),
                ("negative_cells", .integer(w.negativeCellCount)), ("sigma_fe", .finite(w.sigmaFE)),
                ("cells", .array(w.cells.map { cell in
                    .object([("cohort", .string(cell.cohortLabel)), ("period", .string(cell.periodLabel)),
                             ("units", .integer(cell.units)), ("weight", .finite(cell.weight)),
                             ("share", .finite(cell.share))])
                })),
            ])))
        }
        fields.append(("notes", .array((r.notes + (weights?.notes.filter { !r.notes.contains($0) } ?? [])).map { .string($0) })))
        return .object(fields)
    }

    /// A readable table: the comparisons, totals by type, then the TWFE weights summary.
    public func table() -> String {
        let r = result
        var out = "Goodman-Bacon decomposition of the TWFE coefficient\n"
        out += "Dependent variable: \(r.outcome)\n"
        out += "Observations: \(Format.thousands(r.observationCount))   Units x periods: \(r.unitCount) x \(r.periodCount)\n"
        out += "TWFE coefficient: \(Format.significant(r.twfeCoefficient))   Σ weight × estimate: "
            + "\(Format.significant(r.weightedSum))   Σ weight: \(Format.significant(r.weightSum))\n\n"
        var body: [[String]] = [["Comparison", "Treated", "Control", "Window", "Estimate", "Weight"]]
        for c in r.comparisons {
            body.append([c.type.rawValue, c.treatedLabel, c.controlLabel, "\(label(c.firstPeriod))–\(label(c.lastPeriod))",
                         Format.significant(c.estimate), Format.number(c.weight, digits: 4)])
        }
        out += Format.alignedColumns(body, leftAligned: [0, 1, 2, 3]) + "\n"
        var totals: [[String]] = [["Type", "Weight", "Average estimate"]]
        for type in BaconResult.ComparisonType.allCases {
            totals.append([type.rawValue, Format.number(r.weight(of: type), digits: 4),
                           r.average(of: type).map { Format.significant($0) } ?? "–"])
        }
        out += Format.alignedColumns(totals, leftAligned: [0])
        if let w = weights {
            out += "\nde Chaisemartin–D'Haultfœuille weights on \(Format.thousands(w.treatedCount)) treated observations: "
                + "\(w.negativeCount) negative (sum \(Format.number(w.negativeSum, digits: 4))), "
                + "\(w.positiveCount) positive (sum \(Format.number(w.positiveSum, digits: 4))); "
                + "\(w.negativeCellCount) negative cohort × period cells; σ_fe = \(Format.significant(w.sigmaFE))\n"
        }
        if !r.notes.isEmpty { out += r.notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// CSV of the comparisons, with the JSON field names as header.
    public func csv() -> String {
        var lines = ["type,treated,control,first_period,last_period,estimate,weight"]
        for c in result.comparisons {
            lines.append([c.type.rawValue, CSVText.quote(c.treatedLabel), CSVText.quote(c.controlLabel),
                          CSVText.quote(label(c.firstPeriod)), CSVText.quote(label(c.lastPeriod)),
                          "\(c.estimate)", "\(c.weight)"].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A LaTeX tabular of the comparisons.
    public func latex() -> String {
        var out = "% Goodman-Bacon decomposition; TWFE = \(Format.significant(result.twfeCoefficient))\n"
        out += "\\begin{tabular}{lllrr}\n\\toprule\nComparison & Treated & Control & Estimate & Weight \\\\\n\\midrule\n"
        for c in result.comparisons {
            out += "\(LaTeX.escape(c.type.rawValue)) & \(LaTeX.escape(c.treatedLabel)) & \(LaTeX.escape(c.controlLabel)) & "
                + "\(Format.significant(c.estimate)) & \(Format.number(c.weight, digits: 4)) \\\\\n"
        }
        out += "\\bottomrule\n\\end{tabular}\n"
        return out
    }
}
