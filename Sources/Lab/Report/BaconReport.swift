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
public struct BaconReport: FormatRendering {
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

    /// The JSON object described in the type's documentation.
    public var output: BaconOutput {
        let r = result
        let twfeWeights = weights.map { w in
            BaconOutput.Weights(
                treatedObservations: w.treatedCount, negativeCount: w.negativeCount, negativeSum: w.negativeSum,
                positiveCount: w.positiveCount, positiveSum: w.positiveSum, negativeCells: w.negativeCellCount,
                sigmaFe: w.sigmaFE,
                cells: w.cells.map { .init(cohort: $0.cohortLabel, period: $0.periodLabel, units: $0.units, weight: $0.weight, share: $0.share) })
        }
        return BaconOutput(
            outcome: r.outcome, nObs: r.observationCount, nUnits: r.unitCount, nPeriods: r.periodCount,
            twfe: r.twfeCoefficient, weightSum: r.weightSum, weightedSum: r.weightedSum, treatmentVariance: r.treatmentVariance,
            comparisons: r.comparisons.map { c in
                .init(type: c.type.rawValue, treated: c.treatedLabel, control: c.controlLabel, firstPeriod: label(c.firstPeriod),
                      lastPeriod: label(c.lastPeriod), estimate: c.estimate, weight: c.weight)
            },
            byType: BaconResult.ComparisonType.allCases.map { .init(type: $0.rawValue, weight: r.weight(of: $0), average: r.average(of: $0)) },
            twfeWeights: twfeWeights, notes: r.notes + (weights?.notes.filter { !r.notes.contains($0) } ?? []))
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

/// `didlab estimate --method bacon --format json` (see ``BaconReport``). Fields in
/// Documentation/JSON.md.
public struct BaconOutput: Encodable, Sendable {
    var method = "bacon", outcome: String, nObs, nUnits, nPeriods: Int
    var twfe, weightSum, weightedSum, treatmentVariance: Double, comparisons: [Comparison], byType: [TypeTotal]
    @Omitted var twfeWeights: Weights?
    var notes: [String]

    /// One 2×2 comparison.
    struct Comparison: Encodable, Sendable {
        var type, treated, control, firstPeriod, lastPeriod: String, estimate, weight: Double
    }

    /// Weight and average estimate of one comparison type.
    struct TypeTotal: Encodable, Sendable {
        var type: String, weight: Double, average: Double?
    }

    /// The de Chaisemartin & D'Haultfœuille weights.
    struct Weights: Encodable, Sendable {
        var treatedObservations: Int, negativeCount: Int, negativeSum: Double
        var positiveCount: Int, positiveSum: Double, negativeCells: Int, sigmaFe: Double, cells: [Cell]
    }

    /// The weight of one cohort × period cell.
    struct Cell: Encodable, Sendable {
        var cohort, period: String, units: Int, weight, share: Double
    }
}
