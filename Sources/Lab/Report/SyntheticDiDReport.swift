import Estimators
import Foundation

/// Renders a synthetic DiD result (``SyntheticDiDResult``): the ATT and each cohort's estimate
/// with normal intervals (R synthdid's), then each cohort's block, tuning and weights.
///
/// JSON: `{"method": "sdid", "outcome", "n_obs", "n_units", "n_periods", "variance",
/// "replications"?, "seed"?, "coefficients": [{"term": "att" | "g=PERIOD", "group"?, "estimate",
/// "std_error", "statistic", "p_value", "conf_low", "conf_high"}], "cohorts": [{"cohort",
/// "estimate", "std_error" (null when undefined), "n_treated", "n_control", "n_pre", "n_post",
/// "share", "noise_level", "zeta_omega", "zeta_lambda", "omega_iterations", "lambda_iterations",
/// "unit_weights": [{"unit", "weight"}] (non-zero ones), "time_weights": [{"period", "weight"}]}],
/// "notes"}`.
public struct SyntheticDiDReport: FormatRendering {
    /// The result.
    public let result: SyntheticDiDResult
    /// Confidence level of the intervals.
    public let level: Double

    /// Creates a report.
    public init(_ result: SyntheticDiDResult, level: Double = 0.95) {
        self.result = result
        self.level = level
    }

    /// Rows: the ATT, then each cohort with a standard error.
    var rows: [(term: String, cohort: SyntheticDiDResult.Cohort?, effect: EffectEstimate)] {
        var rows: [(term: String, cohort: SyntheticDiDResult.Cohort?, effect: EffectEstimate)] =
            [("att", nil, EffectEstimate(estimate: result.att, standardError: result.standardError))]
        for cohort in result.cohorts {
            if let se = cohort.standardError {
                rows.append(("g=" + cohort.label, cohort, EffectEstimate(estimate: cohort.estimate, standardError: se)))
            }
        }
        return rows
    }

    var varianceLabel: String {
        switch result.variance {
        case .jackknife, .automatic: return "jackknife (fixed weights)"
        case .placebo: return "placebo (\(result.replications ?? 0) draws, seed \(result.seed ?? 0))"
        case .bootstrap: return "bootstrap (\(result.replications ?? 0) draws, seed \(result.seed ?? 0))"
        }
    }

    func period(_ label: String) -> PeriodOutput {
        if let value = Double(label) {
            return value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)
        }
        return .label(label)
    }

    /// The JSON object described in the type's documentation.
    public var output: SyntheticDiDOutput {
        let coefficients = rows.map { row -> CoefficientOutput in
            let interval = row.effect.confidenceInterval(level: level)
            var out = CoefficientOutput(term: row.term, estimate: row.effect.estimate, stdError: row.effect.standardError,
                                        statistic: row.effect.statistic, pValue: row.effect.pValue,
                                        confLow: interval.low, confHigh: interval.high)
            if let cohort = row.cohort { out.group = period(cohort.label) }
            return out
        }
        let cohorts = result.cohorts.map { c in
            SyntheticDiDOutput.Cohort(
                cohort: period(c.label), estimate: c.estimate, stdError: c.standardError, nTreated: c.treatedCount,
                nControl: c.controlCount, nPre: c.preCount, nPost: c.postCount, share: c.share, noiseLevel: c.noiseLevel,
                zetaOmega: c.zetaOmega, zetaLambda: c.zetaLambda, omegaIterations: c.omegaIterations,
                lambdaIterations: c.lambdaIterations,
                unitWeights: zip(result.controlLabels, c.unitWeights).filter { $0.1 != 0 }.map { .init(unit: $0.0, weight: $0.1) },
                timeWeights: zip(result.preLabels, c.timeWeights).map { .init(period: $0.0, weight: $0.1) })
        }
        return SyntheticDiDOutput(outcome: result.outcome, nObs: result.observationCount, nUnits: result.unitCount,
                                  nPeriods: result.periodCount, variance: result.variance.rawValue,
                                  replications: result.replications, seed: result.seed.map(Seed.init),
                                  coefficients: coefficients, cohorts: cohorts, notes: result.notes)
    }

    /// A readable table: the effects, then one line per cohort and its largest unit weights.
    public func table() -> String {
        let r = result
        var out = "Synthetic DiD (Arkhangelsky et al. 2021)\n"
        out += "Dependent variable: \(r.outcome)\n"
        out += "Observations: \(Format.thousands(r.observationCount))   Units x periods: \(r.unitCount) x \(r.periodCount)\n"
        out += "Standard errors: \(varianceLabel); normal reference\n\n"
        let percent = Format.number(level * 100, digits: 0)
        var body: [[String]] = [["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "[\(percent)% CI]"]]
        for row in rows {
            let interval = row.effect.confidenceInterval(level: level)
            body.append([row.term, Format.significant(row.effect.estimate), Format.significant(row.effect.standardError),
                         Format.number(row.effect.statistic, digits: 3), Format.number(row.effect.pValue, digits: 4),
                         "[\(Format.significant(interval.low)), \(Format.significant(interval.high))]"])
        }
        out += Format.alignedColumns(body) + "\n"
        var cohorts: [[String]] = [["Cohort", "Treated", "Controls", "Pre", "Post", "Share", "Effective N0", "Effective T0", "zeta_omega"]]
        for c in r.cohorts {
            let effectiveUnits = 1 / c.unitWeights.reduce(0) { $0 + $1 * $1 }
            let effectivePeriods = 1 / c.timeWeights.reduce(0) { $0 + $1 * $1 }
            cohorts.append([c.label, String(c.treatedCount), String(c.controlCount), String(c.preCount), String(c.postCount),
                            Format.number(c.share, digits: 4), Format.number(effectiveUnits, digits: 1),
                            Format.number(effectivePeriods, digits: 1), Format.significant(c.zetaOmega)])
        }
        out += Format.alignedColumns(cohorts) + "\n"
        for c in r.cohorts {
            let top = zip(r.controlLabels, c.unitWeights).filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }.prefix(5)
            out += "Cohort \(c.label): largest unit weights " + top.map { "\($0.0) \(Format.number($0.1, digits: 3))" }
                .joined(separator: ", ") + "; time weights " + zip(r.preLabels, c.timeWeights).filter { $0.1 > 0 }
                .map { "\($0.0) \(Format.number($0.1, digits: 3))" }.joined(separator: ", ") + "\n"
        }
        if !r.notes.isEmpty { out += r.notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One row per effect, with the JSON field names.
    public func csv() -> String {
        var lines = ["term,estimate,std_error,statistic,p_value,conf_low,conf_high"]
        for row in rows {
            let interval = row.effect.confidenceInterval(level: level)
            lines.append([CSVText.quote(row.term), "\(row.effect.estimate)", "\(row.effect.standardError)", "\(row.effect.statistic)",
                          "\(row.effect.pValue)", "\(interval.low)", "\(interval.high)"].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A LaTeX tabular of the effects.
    public func latex() -> String {
        var out = "% Synthetic DiD; standard errors: \(varianceLabel)\n"
        out += "\\begin{tabular}{lrr}\n\\toprule\n & Estimate & Std. Error \\\\\n\\midrule\n"
        for row in rows {
            out += "\(LaTeX.escape(row.term)) & \(Format.significant(row.effect.estimate)) & "
                + "(\(Format.significant(row.effect.standardError))) \\\\\n"
        }
        return out + "\\bottomrule\n\\end{tabular}\n"
    }
}

/// `didlab estimate --method sdid --format json` (see ``SyntheticDiDReport``).
public struct SyntheticDiDOutput: Encodable, Sendable {
    var method = "sdid", outcome: String, nObs, nUnits, nPeriods: Int, variance: String
    @Omitted var replications: Int?
    @Omitted var seed: Seed?
    var coefficients: [CoefficientOutput], cohorts: [Cohort], notes: [String]

    /// One cohort's block.
    struct Cohort: Encodable, Sendable {
        var cohort: PeriodOutput, estimate: Double, stdError: Double?, nTreated, nControl, nPre, nPost: Int
        var share, noiseLevel, zetaOmega, zetaLambda: Double, omegaIterations, lambdaIterations: Int
        var unitWeights: [UnitWeight], timeWeights: [TimeWeight]
    }

    /// A unit weight.
    struct UnitWeight: Encodable, Sendable { var unit: String, weight: Double }
    /// A time weight.
    struct TimeWeight: Encodable, Sendable { var period: String, weight: Double }
}

extension SyntheticDiDResult: ReportableOutput {
    public func report(panel: Panel, level: Double, bootstrap: MultiplierBootstrap?, format: ReportFormat) -> String {
        SyntheticDiDReport(self, level: level).render(format)
    }
}
