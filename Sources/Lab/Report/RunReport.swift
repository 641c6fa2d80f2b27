import Estimators
import Foundation

/// Renders a ``RunSummary`` as the JSON contract, CSV, Markdown and a terminal table.
public struct RunReport: Sendable {
    /// The summary.
    public let summary: RunSummary

    /// Creates a report.
    public init(_ summary: RunSummary) { self.summary = summary }

    /// The `run` JSON of DESIGN.md, with MCSE for every measure.
    public var output: RunOutput {
        RunOutput(experiment: summary.experiment, replications: summary.replications, seed: Seed(summary.seed),
                  alpha: summary.alpha, dataNotes: summary.dataNotes.isEmpty ? nil : summary.dataNotes,
                  scenarios: summary.conditions.map { condition in
            RunOutput.Condition(name: condition.name, parameters: JSONObject(condition.parameters.map { ($0.0, $0.1) }),
                                results: condition.results.map { RunOutput.Result($0) })
        })
    }

    /// The JSON tree of ``output``.
    public func json() -> JSONValue { JSONValue(encoding: output) }

    static let csvColumns = ["condition", "method", "estimator", "inference", "target", "truth", "mean", "bias",
                             "bias_mcse", "relative_bias", "sd", "rmse", "rmse_mcse", "mean_se", "se_sd_ratio",
                             "coverage", "coverage_mcse", "rejection_rate", "rejection_mcse", "ci_length",
                             "replications", "failures", "design_size", "rejection_wilson_low", "rejection_wilson_high",
                             "coverage_wilson_low", "coverage_wilson_high", "mean_se_mcse", "se_sd_ratio_mcse",
                             "size_adjusted_null", "size_adjusted_critical_p", "size_adjusted_null_rate",
                             "size_adjusted_power", "size_adjusted_power_mcse", "size_adjusted_power_wilson_low",
                             "size_adjusted_power_wilson_high", "error_sd"]

    /// One row per condition × method.
    public func csv() -> String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for condition in summary.conditions {
            for r in condition.results {
                let m = r.measures
                let numbers = [m.truth, m.mean, m.bias, m.biasMCSE, m.relativeBias, m.standardDeviation, m.rmse,
                               m.rmseMCSE, m.meanStandardError, m.standardErrorRatio, m.coverage, m.coverageMCSE,
                               m.rejectionRate, m.rejectionMCSE, m.intervalLength]
                let more = [r.designSize ?? .nan, m.rejectionWilson.low, m.rejectionWilson.high, m.coverageWilson.low,
                            m.coverageWilson.high, m.meanStandardErrorMCSE, m.standardErrorRatioMCSE]
                lines.append(([condition.name, r.methodName, r.estimator, r.inference, r.target].map(CSVText.quote)
                              + numbers.map { $0.isFinite ? "\($0)" : "" }
                              + [String(m.replications), String(m.failures)]
                              + more.map { $0.isFinite ? "\($0)" : "" }
                              + Self.sizeAdjustedCells(r.sizeAdjusted)
                              + [m.errorStandardDeviation.isFinite ? "\(m.errorStandardDeviation)" : ""]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The size-adjusted columns of a CSV row (empty without a pair).
    static func sizeAdjustedCells(_ value: RunSummary.SizeAdjusted?) -> [String] {
        guard let value else { return Array(repeating: "", count: 7) }
        let s = value.measures
        return [CSVText.quote(value.nullCondition)] + [s.criticalPValue, s.nullRejectionRate, s.power, s.powerMCSE,
                                                      s.powerWilson.low, s.powerWilson.high].map { $0.isFinite ? "\($0)" : "" }
    }

    /// "0.0123 (0.0004)": a value with its MCSE.
    static func withMCSE(_ value: Double, _ mcse: Double, digits: Int = 4) -> String {
        guard value.isFinite else { return "–" }
        return Format.number(value, digits: digits) + (mcse.isFinite ? " (" + Format.number(mcse, digits: digits) + ")" : "")
    }

    func rows() -> [[String]] {
        var rows: [[String]] = []
        for condition in summary.conditions {
            for r in condition.results {
                let m = r.measures
                // A test's row leaves bias, RMSE and coverage blank: its number estimates no target.
                func blankIfTest(_ text: String) -> String { r.isTestOnly ? "" : text }
                rows.append([condition.name, r.methodName, r.inference, Format.significant(m.truth, digits: 4),
                             blankIfTest(Self.withMCSE(m.bias, m.biasMCSE, digits: 5)),
                             blankIfTest(Self.withMCSE(m.rmse, m.rmseMCSE, digits: 5)),
                             Format.significant(m.meanStandardError, digits: 4) + " / " + Format.significant(m.errorStandardDeviation, digits: 4),
                             blankIfTest(Self.withMCSE(m.coverage, m.coverageMCSE, digits: 3)),
                             Self.withMCSE(m.rejectionRate, m.rejectionMCSE, digits: 3),
                             r.designSize.map { Format.number($0, digits: 3) } ?? "α", String(m.replications)])
            }
        }
        return rows
    }

    static let headers = ["condition", "method", "inference", "truth", "bias (MCSE)", "RMSE (MCSE)", "mean SE / SD",
                          "coverage (MCSE)", "reject (MCSE)", "design size", "K"]

    /// How to read the main table (the Markdown caption, and a note of the HTML report).
    static let measuresNote = "Monte Carlo standard errors in parentheses; K = replications used. "
        + "Rejection = share of replications with p < α (size when the truth is 0, power otherwise); compare a "
        + "randomization or bootstrap test's size with its design size (its exact size under exchangeability), "
        + "not with α. SE/SD divides by the SD of the errors θ̂ − θ. Wilson intervals of every rate are in "
        + "results.json and results.csv."

    /// A Markdown table with a caption.
    public func markdown() -> String {
        var out = "# \(summary.experiment)\n\n"
        out += "\(summary.replications) replications per condition, seed \(summary.seed), α = \(summary.alpha). "
        out += Self.measuresNote + "\n\n"
        out += "| " + Self.headers.joined(separator: " | ") + " |\n"
        out += "|" + Self.headers.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in rows() { out += "| " + row.joined(separator: " | ") + " |\n" }
        out += pretestSection()
        out += sizeAdjustedSection()
        let notes = failureNotes()
        if !notes.isEmpty { out += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// The measures conditional on passing the pre-trend test, when the spec has one.
    func pretestSection() -> String {
        Self.markdownSection("Conditional on passing the pre-trend test", caption: Self.pretestCaption,
                             headers: Self.pretestHeaders, rows: pretestRows())
    }

    /// A `## title` section with a caption and a Markdown table; empty without rows.
    static func markdownSection(_ title: String, caption: String, headers: [String], rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "" }
        return "\n## \(title)\n\n" + caption + "\n\n"
            + "| " + headers.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }

    static let pretestCaption = "Over the replications whose pre-trend test did not reject at α (Roth 2022: conditioning "
        + "on a pre-test can make the surviving estimates more biased)."
    static let pretestHeaders = ["condition", "method", "K passed", "bias (MCSE)", "coverage (MCSE)", "reject (MCSE)"]

    /// One row per condition × method with a pre-trend test (none without one).
    func pretestRows() -> [[String]] {
        var rows: [[String]] = []
        for condition in summary.conditions {
            for r in condition.results {
                guard let m = r.pretestPassed else { continue }
                rows.append([condition.name, r.methodName, String(m.replications),
                             r.isTestOnly ? "" : Self.withMCSE(m.bias, m.biasMCSE, digits: 5),
                             r.isTestOnly ? "" : Self.withMCSE(m.coverage, m.coverageMCSE, digits: 3),
                             Self.withMCSE(m.rejectionRate, m.rejectionMCSE, digits: 3)])
            }
        }
        return rows
    }

    /// Size-adjusted power of every method in every alternative condition with a paired null.
    func sizeAdjustedSection() -> String {
        Self.markdownSection("Size-adjusted power", caption: Self.sizeAdjustedCaption,
                             headers: Self.sizeAdjustedHeaders, rows: sizeAdjustedRows())
    }

    static let sizeAdjustedCaption = "The critical p-value c is the largest p-value of the null condition's replications "
        + "that at most ⌊αK₀⌋ of them reach (the empirical α-quantile of the p-values, i.e. the (1 − α)-quantile of "
        + "the statistic); the size-adjusted test rejects when p ≤ c. Ties are not broken at random: with a discrete "
        + "p-value (randomization, bootstrap) the null rate at c can fall below α, and is shown; \"none\" means no "
        + "threshold keeps it at or below α (K₀ < 1/α, or the smallest p-values tie). The MCSE is binomial on the "
        + "alternative's K₁ and ignores the critical value's own Monte Carlo noise. Pairs: the spec's `size_adjusted`, "
        + "else each condition with a non-zero effect and the one differing only in a zero effect; only methods whose "
        + "truth is 0 in the null condition and non-zero in the alternative."
    static let sizeAdjustedHeaders = ["alternative", "null", "method", "critical p", "null rate at c",
                                      "size-adjusted power (MCSE)", "Wilson 95%", "unadjusted power (MCSE)", "K₀ / K₁"]

    /// One row per alternative condition × method with a paired null (none without one).
    func sizeAdjustedRows() -> [[String]] {
        var rows: [[String]] = []
        for condition in summary.conditions {
            for r in condition.results {
                guard let value = r.sizeAdjusted else { continue }
                let s = value.measures
                let wilson = s.power.isFinite
                    ? "[" + Format.number(s.powerWilson.low, digits: 3) + ", " + Format.number(s.powerWilson.high, digits: 3) + "]" : "–"
                rows.append([condition.name, value.nullCondition, r.methodName,
                             s.criticalPValue.isFinite ? Format.significant(s.criticalPValue, digits: 4) : "none",
                             s.nullRejectionRate.isFinite ? Format.number(s.nullRejectionRate, digits: 3) : "–",
                             Self.withMCSE(s.power, s.powerMCSE, digits: 3), wilson,
                             Self.withMCSE(r.measures.rejectionRate, r.measures.rejectionMCSE, digits: 3),
                             "\(s.nullReplications) / \(s.replications)"])
            }
        }
        return rows
    }

    /// The reports' notes: what reading a real panel dropped or assumed (`data: …`), then one line
    /// per method and reason for replications that failed (their estimates are left out of K), so
    /// a row of dashes is never unexplained.
    func failureNotes() -> [String] {
        summary.dataNotes.map { "data: " + $0 } + replicationFailureNotes()
    }

    /// The failures part of ``failureNotes()``.
    func replicationFailureNotes() -> [String] {
        var notes: [String] = []
        for condition in summary.conditions {
            for r in condition.results {
                for reason in r.failureReasons.prefix(3) {
                    notes.append("\(condition.name) / \(r.methodName): \(reason.count) of \(summary.replications) "
                                 + "replications failed: \(reason.message)")
                }
            }
        }
        return notes
    }

    /// A terminal table.
    public func table() -> String {
        var out = "\(summary.experiment): \(summary.replications) replications per condition, seed \(summary.seed), "
        out += "alpha \(summary.alpha); MCSE in parentheses\n\n"
        out += Format.alignedColumns([Self.headers] + rows(), leftAligned: [0, 1, 2])
        let notes = failureNotes()
        if !notes.isEmpty { out += notes.map { "Note: \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }
}

/// results.json of `didlab run` (see ``RunReport``). Fields in Documentation/JSON.md.
public struct RunOutput: Encodable, Sendable {
    var experiment: String, replications: Int, seed: Seed, alpha: Double
    /// What reading a real panel dropped or assumed; left out for simulated data.
    @Omitted var dataNotes: [String]?
    var scenarios: [Condition]

    /// One condition: its grid values and one result per method.
    struct Condition: Encodable, Sendable {
        var name: String, parameters: JSONObject<Double>, results: [Result]
    }

    /// The performance measures of one method, each with its MCSE.
    struct Result: Encodable, Sendable {
        var method, estimator, inference, target: String
        var truth, mean, bias, biasMcse, relativeBias, sd, sdMcse, errorSd, rmse, rmseMcse, meanSe, meanSeMcse, seSdRatio,
            seSdRatioMcse: Double
        var coverage, coverageMcse, coverageWilsonLow, coverageWilsonHigh: Double
        var rejectionRate, rejectionMcse, rejectionWilsonLow, rejectionWilsonHigh: Double
        var designSize: Double?
        var ciLength: Double
        var replications, failures: Int
        var failureReasons: [Reason]
        /// Over the replications that passed the pre-trend test (only when the spec has one).
        @Omitted var pretestPassed: Conditional?
        /// Size-adjusted power against the paired null condition (only in an alternative condition).
        @Omitted var sizeAdjusted: SizeAdjusted?

        init(_ result: RunSummary.MethodSummary) {
            let m = result.measures
            (method, estimator, inference, target) = (result.methodName, result.estimator, result.inference, result.target)
            (truth, mean, bias, biasMcse, relativeBias) = (m.truth, m.mean, m.bias, m.biasMCSE, m.relativeBias)
            (sd, sdMcse, errorSd, rmse, rmseMcse) = (m.standardDeviation, m.standardDeviationMCSE, m.errorStandardDeviation,
                                                     m.rmse, m.rmseMCSE)
            (meanSe, meanSeMcse, seSdRatio, seSdRatioMcse) = (m.meanStandardError, m.meanStandardErrorMCSE,
                                                              m.standardErrorRatio, m.standardErrorRatioMCSE)
            (coverage, coverageMcse, coverageWilsonLow, coverageWilsonHigh) = (m.coverage, m.coverageMCSE, m.coverageWilson.low,
                                                                               m.coverageWilson.high)
            (rejectionRate, rejectionMcse, rejectionWilsonLow, rejectionWilsonHigh) = (m.rejectionRate, m.rejectionMCSE,
                                                                                       m.rejectionWilson.low, m.rejectionWilson.high)
            (designSize, ciLength) = (result.designSize, m.intervalLength)
            (replications, failures) = (m.replications, m.failures)
            failureReasons = result.failureReasons.map { Reason(reason: $0.message, count: $0.count) }
            pretestPassed = result.pretestPassed.map(Conditional.init)
            sizeAdjusted = result.sizeAdjusted.map(SizeAdjusted.init)
        }
    }

    /// Size-adjusted power (``SizeAdjustedPower``).
    struct SizeAdjusted: Encodable, Sendable {
        var nullCondition: String
        var criticalPValue, nullRejectionRate: Double
        var nullReplications: Int
        var power, powerMcse, powerWilsonLow, powerWilsonHigh: Double
        var replications: Int

        init(_ value: RunSummary.SizeAdjusted) {
            let s = value.measures
            nullCondition = value.nullCondition
            (criticalPValue, nullRejectionRate, nullReplications) = (s.criticalPValue, s.nullRejectionRate, s.nullReplications)
            (power, powerMcse, powerWilsonLow, powerWilsonHigh) = (s.power, s.powerMCSE, s.powerWilson.low, s.powerWilson.high)
            replications = s.replications
        }
    }

    /// Measures over the replications that passed the pre-trend test.
    struct Conditional: Encodable, Sendable {
        var replications: Int
        var bias, biasMcse, coverage, coverageMcse, rejectionRate, rejectionMcse: Double

        init(_ m: PerformanceMeasures) {
            replications = m.replications
            (bias, biasMcse, coverage, coverageMcse) = (m.bias, m.biasMCSE, m.coverage, m.coverageMCSE)
            (rejectionRate, rejectionMcse) = (m.rejectionRate, m.rejectionMCSE)
        }
    }

    /// Why replications failed, and how many.
    struct Reason: Encodable, Sendable {
        var reason: String, count: Int
    }
}
