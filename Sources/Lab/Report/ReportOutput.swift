import Estimators
import Foundation

/// A report that renders one result in every ``ReportFormat``: JSON from its Encodable
/// ``output`` (through ``JSONOutput``), the other formats from its own renderers.
public protocol FormatRendering: Sendable {
    /// The output type whose JSON is the report's `--format json`.
    associatedtype Output: Encodable
    /// The JSON output as a value.
    var output: Output { get }
    /// A fixest/Stata-style text table.
    func table() -> String
    /// CSV with the JSON field names as header.
    func csv() -> String
    /// A LaTeX rendering.
    func latex() -> String
}

extension FormatRendering {
    /// The report in `format`.
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .table: return table()
        case .json: return JSONOutput.render(output)
        case .csv: return csv()
        case .latex: return latex()
        }
    }

    /// The JSON tree of ``output``.
    public func json() -> JSONValue { JSONValue(encoding: output) }
}

/// `didlab estimate --format json` for TWFE, event study, SA, BJS and the rings (and, with the
/// bootstrap fields, `--inference wcb`): the DESIGN.md estimate object. Fields in
/// Documentation/JSON.md.
public struct EstimateOutput: Encodable, Sendable {
    var method, outcome: String
    var nObs, nUnits, nPeriods: Int, nClusters: Int?, vcov: String, cluster: String?
    /// `--inference wcb`: `"wcb"`, the draws, the weights and how the bootstrap was made.
    @Omitted var inference: String? = nil
    @Omitted var reps: Int? = nil
    @Omitted var weights: String? = nil
    @Omitted var bootstrap: WildBootstrapOutput? = nil
    var df: Double, smallSampleK: Int, coefficients: [CoefficientOutput], dropped: [String]
    var fixedEffects: [FixedEffectOutput], rmse, r2Within: Double, notes: [String]
    /// `--honest`: HonestDiD's robust sets for the event study.
    @Omitted var honest: HonestDiDOutput? = nil
}

/// One absorbed fixed effect.
public struct FixedEffectOutput: Encodable, Sendable {
    var name: String, levels: Int
}

/// A coefficient: the numbers of ``EstimateReport/Row``, with the fields that some reports add.
public struct CoefficientOutput: Encodable, Sendable {
    @Omitted var term: String?
    @Omitted var eventTime: Int?
    /// Callaway–Sant'Anna aggregations by cohort or by period: the cohort or the period.
    @Omitted var group: PeriodOutput? = nil
    @Omitted var time: PeriodOutput? = nil
    var estimate, stdError, statistic, pValue, confLow, confHigh: Double
    /// CR2 and CR3: the term's own t degrees of freedom (CR2's Satterthwaite df, CR3's `G − 1`).
    @Omitted var df: Double? = nil
    /// Callaway–Sant'Anna with `--bands`: the uniform band.
    @Omitted var bandLow: Double? = nil
    @Omitted var bandHigh: Double? = nil
    /// Wild bootstrap: the fields of ``WildBootstrapTerm``, in this object.
    @Omitted var wildBootstrap: WildBootstrapTerm? = nil
    /// Subgroup split samples: their size.
    @Omitted var nObs: Int? = nil
    @Omitted var nClusters: Int?? = nil

    /// The row's numbers, with its term unless `term` is false and its event time if given.
    init(_ row: EstimateReport.Row, term: Bool = true, eventTime: Int? = nil) {
        self.init(term: term ? row.term : nil, eventTime: eventTime, estimate: row.estimate, stdError: row.standardError,
                  statistic: row.statistic, pValue: row.pValue, confLow: row.confLow, confHigh: row.confHigh)
        df = row.degreesOfFreedom
    }

    init(term: String?, eventTime: Int? = nil, estimate: Double, stdError: Double, statistic: Double, pValue: Double,
         confLow: Double, confHigh: Double) {
        self.term = term
        self.eventTime = eventTime
        (self.estimate, self.stdError, self.statistic, self.pValue, self.confLow, self.confHigh)
            = (estimate, stdError, statistic, pValue, confLow, confHigh)
    }
}

/// The fields `--inference wcb` adds to a coefficient: `"wcb"` (or `"cr1"` alone for a term not
/// bootstrapped), draws, weights, the other p-value (equal-tailed when the reported one is
/// symmetric, and vice versa), `conf_unbounded: true` when the interval is unbounded, and the
/// CR1 p-value and interval beside.
struct WildBootstrapTerm: InlineFields, Sendable {
    var inference: String
    @Omitted var reps: Int? = nil
    @Omitted var weights: String? = nil
    @Omitted var pValueEqualTailed: Double? = nil
    @Omitted var pValueSymmetric: Double? = nil
    @Omitted var confUnbounded: Bool? = nil
    @Omitted var pValueCr1: Double? = nil
    @Omitted var confLowCr1: Double? = nil
    @Omitted var confHighCr1: Double? = nil
}

/// The `"bootstrap"` object of `--inference wcb`: options and counts shared by every
/// bootstrapped term.
public struct WildBootstrapOutput: Encodable, Sendable {
    var type, weights, cluster: String, nClusters: Int, treatedClusters: Int?, reps, requestedReps: Int
    var enumerated: Bool, seed: Seed, nullValue: Double, pValueType, ties: String, level: Double, threads: Int
    var pValueRule, interval: String
}

/// A period as JSON: its numeric value (an integer when whole), else its label.
public enum PeriodOutput: Encodable, Sendable {
    case integer(Int)
    case number(Double)
    case label(String)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .label(let value): try container.encode(value)
        }
    }
}
