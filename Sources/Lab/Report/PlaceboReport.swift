import Estimators
import Foundation

/// Renders a ``PlaceboResult``: the JSON contract of DESIGN.md, a readable table, and the CSV
/// of every draw. One source for names and numbers.
public struct PlaceboReport: Sendable {
    /// The result.
    public let result: PlaceboResult
    /// Estimator name as on the command line (`twfe`, `event`).
    public let method: String

    /// Creates a report.
    public init(_ result: PlaceboResult, method: String) {
        self.result = result
        self.method = method
    }

    /// How the p-value counts, in words (for JSON and the table).
    public var conventionText: String {
        if result.fakeTiming != nil { return "t-test of the fake-timing coefficient" }
        if result.exact { return "c/M over all M distinct assignments (exact)" }
        return result.convention == .includeObserved ? "(1+c)/(1+R)" : "c/R (Stata ritest)"
    }

    /// The tie rule, in words.
    public var tieText: String {
        let op: String
        switch result.alternative {
        case .twoSided: op = "|T*| >= |T| - tol"
        case .greater: op = "T* >= T - tol"
        case .less: op = "T* <= T + tol"
        }
        return "\(op), tol = \(RandomizationPValue.relativeTolerance) * |T|"
    }

    /// `{"observed": {...}, "permutations": R, "seed": N, "p_value", "p_value_studentized",
    /// "placebo": {"mean","sd","q025","q975"}}` plus the scheme, counts and notes.
    public var output: PlaceboOutput {
        let r = result
        var shift: Int?
        if case .timingShift(let k) = r.design.scheme { shift = k }
        return PlaceboOutput(
            method: method, statistic: r.statisticLabel, cluster: r.clusterName, observed: .init(r.observed),
            permutations: r.drawCount, seed: Seed(r.seed), pValue: r.pValue, pValueStudentized: r.pValueStudentized,
            placebo: .init(mean: r.summary.mean, sd: r.summary.sd, q025: r.summary.q025, q975: r.summary.q975),
            scheme: .init(name: r.design.scheme.name, strata: r.design.strata, level: r.design.level, shift: shift),
            alternative: r.alternative.rawValue, pValueRule: conventionText, ties: tieText,
            extremeDraws: .init(coefficient: r.extremeCount, statistic: r.extremeCountStudentized),
            invalidDraws: r.invalidDraws, exact: r.exact,
            distinctAssignments: r.distinctAssignments.flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil },
            requestedPermutations: r.requestedPermutations, threads: r.threads, path: r.path,
            fakeTiming: r.fakeTiming.map(PlaceboOutput.Value.init), notes: r.notes)
    }

    /// The JSON tree of ``output``.
    public func json() -> JSONValue { JSONValue(encoding: output) }

    /// A readable table.
    public func table() -> String {
        let r = result
        var out = "Randomization inference (placebo test): \(r.statisticLabel)\n"
        var schemeLine = "Scheme: \(r.design.scheme.name)"
        switch r.design.scheme {
        case .cohorts: schemeLine += " (adoption dates permuted, cohort sizes kept)"
        case .randomTiming: schemeLine += " (same number treated, random adoption periods)"
        case .timingShift(let k): schemeLine += " (adoption moved \(k) period\(k == 1 ? "" : "s") earlier)"
        }
        if let strata = r.design.strata { schemeLine += ", within strata of \(strata)" }
        if let level = r.design.level { schemeLine += ", assigned by \(level)" }
        out += schemeLine + "\n"
        if r.fakeTiming == nil {
            var draws = "Draws: \(Format.thousands(r.drawCount))"
            draws += r.exact ? " (every distinct assignment, exact)" : ", seed \(r.seed)"
            if let m = r.distinctAssignments, !r.exact { draws += "; \(Format.thousands(Int(clamping: m))) distinct assignments" }
            out += draws + "\n"
        }
        // The statistic's own variance: CR1 for the regressions, influence functions for CS and dcdh.
        out += "Standard errors (of the t statistic): the estimator's own" + (r.clusterName.map { ", clustered by \($0)" } ?? "")
            + "\n"
        out += "p-value: \(conventionText), \(r.alternative.rawValue); ties: \(tieText)\n\n"
        var rows: [[String]] = [["", "Estimate", "Std. Error", "t value", "p (coef)", "p (t)"]]
        rows.append(["observed", Format.significant(r.observed.estimate), Format.significant(r.observed.standardError),
                     Format.number(r.observed.statistic, digits: 3), Format.pValue(r.pValue),
                     Format.pValue(r.pValueStudentized)])
        if let fake = r.fakeTiming {
            rows[1] = ["observed", Format.significant(r.observed.estimate), Format.significant(r.observed.standardError),
                       Format.number(r.observed.statistic, digits: 3), "", ""]
            rows.append(["fake timing", Format.significant(fake.estimate), Format.significant(fake.standardError),
                         Format.number(fake.statistic, digits: 3), Format.pValue(r.pValue), ""])
        }
        out += Format.alignedColumns(rows)
        if r.fakeTiming == nil {
            out += "\nPlacebo coefficients: mean \(Format.significant(r.summary.mean)), sd \(Format.significant(r.summary.sd)), "
            out += "95% range [\(Format.significant(r.summary.q025)), \(Format.significant(r.summary.q975))]\n"
            out += "At least as extreme: \(r.extremeCount) (coef), \(r.extremeCountStudentized) (t) of \(r.drawCount - r.invalidDraws)\n"
        }
        out += "Path: \(r.path); threads: \(r.threads)\n"
        for note in r.notes { out += "Note: \(note)\n" }
        return out
    }

    /// `draw,estimate,std_error,statistic`, one row per draw (17 significant digits; empty when NaN).
    public func drawsCSV() -> String {
        var out = ""
        writeDrawsCSV { out += $0 }
        return out
    }

    /// The draws CSV in pieces of at most 64k rows, so millions of draws stream to a file
    /// without one string holding them all.
    public func writeDrawsCSV(_ write: (String) throws -> Void) rethrows {
        var out = "draw,estimate,std_error,statistic\n"
        for k in 0..<result.drawCount {
            let b = result.estimates[k], se = result.standardErrors[k]
            out += "\(k),\(PlaceboReport.field(b)),\(PlaceboReport.field(se)),\(PlaceboReport.field(b / se))\n"
            if k % 65_536 == 65_535 { try write(out); out = "" }
        }
        try write(out)
    }

    static func field(_ value: Double) -> String { value.isFinite ? "\(value)" : "" }
}

/// `didlab placebo --format json`: the DESIGN.md contract plus the scheme, counts and notes.
/// Fields in Documentation/JSON.md.
public struct PlaceboOutput: Encodable, Sendable {
    var method, statistic: String, vcov = "CR1", cluster: String?
    var observed: Value, permutations: Int, seed: Seed, pValue, pValueStudentized: Double
    var placebo: Summary, scheme: Scheme, alternative, pValueRule, ties: String
    var extremeDraws: Extremes, invalidDraws: Int, exact: Bool, distinctAssignments: Int?
    var requestedPermutations, threads: Int, path: String
    @Omitted var fakeTiming: Value?
    var notes: [String]

    /// An estimate with its standard error and t.
    struct Value: Encodable, Sendable {
        var estimate, stdError, statistic: Double
        init(_ value: PlaceboValue) { (estimate, stdError, statistic) = (value.estimate, value.standardError, value.statistic) }
    }

    /// The placebo coefficients' distribution.
    struct Summary: Encodable, Sendable {
        var mean, sd, q025, q975: Double
    }

    /// How placebo assignments are drawn.
    struct Scheme: Encodable, Sendable {
        var name: String, strata, level: String?
        @Omitted var shift: Int?
    }

    /// Draws at least as extreme as the observed statistic.
    struct Extremes: Encodable, Sendable {
        var coefficient, statistic: Int
    }
}
