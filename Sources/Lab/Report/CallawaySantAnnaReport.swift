import Estimators
import Foundation

/// Renders a ``CallawaySantAnnaResult`` in every ``ReportFormat``: the JSON contract of
/// DESIGN.md (`"att_gt"` and `"aggregates"` with `"simple"`, `"dynamic"`, `"group"`,
/// `"calendar"`), a table like R `did`'s `summary()`, CSV and LaTeX. One source for names
/// and numbers.
///
/// An ATT(g,t) that could not be estimated appears with `"estimable": false`, its `"reason"` and
/// null numbers (JSON), empty numbers (CSV), or `NA` and a list of reasons under the table.
///
/// Intervals are pointwise normal (`estimate ± z·se`, as R `did`); with a bootstrap the report
/// adds uniform bands (`estimate ± c·se_boot`, R `did`'s `cband = TRUE`) for the ATT(g,t) and
/// for the parts of each aggregation.
public struct CallawaySantAnnaReport: FormatRendering {
    /// The estimates.
    public let result: CallawaySantAnnaResult
    /// Confidence level of the intervals.
    public let level: Double
    /// The bootstrap behind the uniform bands, if any.
    public let bootstrap: MultiplierBootstrap?
    /// Uniform bands of the ATT(g,t) and of the parts of dynamic, group and calendar.
    public let bands: [String: MultiplierBootstrap.Band]

    typealias Kind = CallawaySantAnnaResult.AggregationKind

    /// Creates a report; with `bootstrap`, runs it (at `level`) for the ATT(g,t) and every
    /// aggregation's parts.
    public init(_ result: CallawaySantAnnaResult, level: Double = 0.95, bootstrap: MultiplierBootstrap? = nil) {
        self.result = result
        self.level = level
        var bands: [String: MultiplierBootstrap.Band] = [:]
        if var bootstrap {
            bootstrap.level = level
            bands["att_gt"] = result.bootstrap(.groupTime, bootstrap)
            for kind in [Kind.dynamic, .group, .calendar] { bands[kind.rawValue] = result.bootstrap(.aggregation(kind), bootstrap) }
            self.bootstrap = bootstrap
        } else {
            self.bootstrap = nil
        }
        self.bands = bands
    }

    // MARK: - Shared numbers

    /// One reported effect with its labels.
    struct Row {
        let section: String
        let term: String
        let group: Int?, time: Int?, eventTime: Int?
        let effect: CallawaySantAnnaResult.Effect
        let band: (low: Double, high: Double)?
        /// Why the ATT(g,t) could not be estimated (nil for estimated cells and aggregations).
        var failure: String? = nil
    }

    func band(_ key: String, index: Int, effect: CallawaySantAnnaResult.Effect) -> (low: Double, high: Double)? {
        guard let band = bands[key], index < band.standardErrors.count else { return nil }
        let se = band.standardErrors[index]
        return (effect.estimate - band.criticalValue * se, effect.estimate + band.criticalValue * se)
    }

    var groupTimeRows: [Row] {
        result.groupTime.enumerated().map { k, cell in
            let effect = CallawaySantAnnaResult.Effect(estimate: cell.estimate, standardError: cell.standardError)
            return Row(section: "att_gt", term: "ATT(\(result.periodLabel(cell.group)),\(result.periodLabel(cell.time)))",
                       group: cell.group, time: cell.time, eventTime: cell.eventTime, effect: effect,
                       band: band("att_gt", index: k, effect: effect), failure: cell.failure)
        }
    }

    func partRows(_ kind: Kind) -> [Row] {
        let aggregation = result.aggregation(kind)
        return aggregation.keys.enumerated().map { k, key in
            Row(section: kind.rawValue, term: result.termName(kind, key: key), group: kind == .group ? key : nil,
                time: kind == .calendar ? key : nil, eventTime: kind == .dynamic ? key : nil,
                effect: aggregation.effects[k], band: band(kind.rawValue, index: k, effect: aggregation.effects[k]))
        }
    }

    func overallRow(_ kind: Kind) -> Row {
        Row(section: kind == .simple ? "simple" : "\(kind.rawValue)_overall", term: kind == .simple ? "att" : kind.rawValue,
            group: nil, time: nil, eventTime: nil, effect: result.aggregation(kind).overall, band: nil)
    }

    /// A period as JSON: its numeric value (an integer when whole), else its label.
    func period(_ index: Int) -> PeriodOutput {
        if let value = result.periodValue(index) {
            return value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)
        }
        return .label(result.periodLabel(index))
    }

    func coefficient(_ row: Row) -> CoefficientOutput {
        let interval = row.effect.confidenceInterval(level: level)
        var out = CoefficientOutput(
            term: row.term, eventTime: row.section == "dynamic" ? row.eventTime : nil, estimate: row.effect.estimate,
            stdError: row.effect.standardError, statistic: row.effect.statistic, pValue: row.effect.pValue,
            confLow: interval.low, confHigh: interval.high)
        if row.section == "group" { out.group = row.group.map(period) }
        if row.section == "calendar" { out.time = row.time.map(period) }
        (out.bandLow, out.bandHigh) = (row.band?.low, row.band?.high)
        return out
    }

    var methodTitle: String { "Callaway & Sant'Anna (2021) group-time ATT" }

    var controlText: String { result.options.controlGroup == .neverTreated ? "never treated" : "not yet treated" }

    // MARK: - JSON

    /// The JSON object of the DESIGN.md contract, plus descriptive extras.
    public var output: CallawaySantAnnaOutput {
        let o = result.options
        let cells = zip(result.groupTime, groupTimeRows).map { cell, row in
            let interval = row.effect.confidenceInterval(level: level)
            return CallawaySantAnnaOutput.Cell(
                group: period(cell.group), time: period(cell.time), eventTime: cell.eventTime, post: cell.isPost,
                estimable: cell.isEstimable, reason: cell.failure, estimate: cell.estimate, stdError: cell.standardError,
                confLow: interval.low, confHigh: interval.high, bandLow: row.band?.low, bandHigh: row.band?.high)
        }
        let aggregates = CallawaySantAnnaOutput.Aggregates(
            simple: coefficient(overallRow(.simple)),
            dynamic: partRows(.dynamic).map(coefficient), dynamicOverall: coefficient(overallRow(.dynamic)),
            group: partRows(.group).map(coefficient), groupOverall: coefficient(overallRow(.group)),
            calendar: partRows(.calendar).map(coefficient), calendarOverall: coefficient(overallRow(.calendar)),
            criticalValues: bands.isEmpty ? nil : .init(attGt: bands["att_gt"]?.criticalValue, dynamic: bands["dynamic"]?.criticalValue,
                                                         group: bands["group"]?.criticalValue, calendar: bands["calendar"]?.criticalValue))
        return CallawaySantAnnaOutput(
            outcome: result.outcomeName, nObs: result.observationCount, nUnits: result.unitCount,
            nPeriods: result.periodCount, nClusters: result.clusterCount, cluster: result.clusterName,
            controlGroup: o.controlGroup.rawValue, basePeriod: o.basePeriod.rawValue, anticipation: o.anticipation,
            estMethod: o.estimationMethod.rawValue,
            covariates: result.covariateNames, unbalancedPanel: o.unbalancedPanel.rawValue, failedCells: o.failedCells.rawValue,
            level: level, inference: bootstrap == nil ? "analytic" : "multiplier bootstrap", reps: bootstrap?.replications,
            weights: bootstrap?.weights.rawValue, seed: bootstrap.map { Seed($0.seed) }, attGt: cells,
            aggregates: aggregates,
            pretest: result.preTest.map { .init(statistic: $0.statistic, df: $0.degreesOfFreedom, pValue: $0.pValue) },
            notes: result.notes)
    }

    // MARK: - CSV

    /// One row per reported effect: `section` is att_gt, simple, dynamic, dynamic_overall, group,
    /// group_overall, calendar or calendar_overall; periods are written as their labels.
    public func csv() -> String {
        var lines = ["section,term,group,time,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high,band_low,band_high"]
        var rows = groupTimeRows + [overallRow(.simple)]
        for kind in [Kind.dynamic, .group, .calendar] { rows += partRows(kind) + [overallRow(kind)] }
        for row in rows {
            let interval = row.effect.confidenceInterval(level: level)
            let numbers = [row.effect.estimate, row.effect.standardError, row.effect.statistic, row.effect.pValue,
                           interval.low, interval.high, row.band?.low ?? .nan, row.band?.high ?? .nan]
            let cells = [row.section, CSVText.quote(row.term), row.group.map { CSVText.quote(result.periodLabel($0)) } ?? "",
                         row.time.map { CSVText.quote(result.periodLabel($0)) } ?? "", row.eventTime.map(String.init) ?? ""]
            lines.append((cells + numbers.map { $0.isFinite ? "\($0)" : "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `didlab estimate --method cs --format json`: the DESIGN.md contract (`att_gt`, `aggregates`)
/// plus the options used. Fields in Documentation/JSON.md.
public struct CallawaySantAnnaOutput: Encodable, Sendable {
    var method = "cs", outcome: String, nObs, nUnits, nPeriods, nClusters: Int
    var vcov = "influence function", cluster, controlGroup, basePeriod: String, anticipation: Int, estMethod: String
    var covariates: [String]
    var unbalancedPanel, failedCells: String, level: Double, inference: String
    @Omitted var reps: Int?
    @Omitted var weights: String?
    @Omitted var seed: Seed?
    var attGt: [Cell], aggregates: Aggregates
    /// R did's pre-test of parallel trends; absent when not reported (the notes say why).
    @Omitted var pretest: PreTest?
    var notes: [String]

    /// The Wald pre-test of parallel trends (every ATT(g,t) with t < g is 0).
    struct PreTest: Encodable, Sendable {
        var statistic: Double, df: Int, pValue: Double
    }

    /// One ATT(g,t).
    struct Cell: Encodable, Sendable {
        var group, time: PeriodOutput, eventTime: Int, post, estimable: Bool
        @Omitted var reason: String?
        var estimate, stdError, confLow, confHigh: Double
        @Omitted var bandLow: Double?
        @Omitted var bandHigh: Double?
    }

    /// R did's aggregations.
    struct Aggregates: Encodable, Sendable {
        var simple: CoefficientOutput
        var dynamic: [CoefficientOutput], dynamicOverall: CoefficientOutput
        var group: [CoefficientOutput], groupOverall: CoefficientOutput
        var calendar: [CoefficientOutput], calendarOverall: CoefficientOutput
        @Omitted var criticalValues: CriticalValues?
    }

    /// Critical values of the uniform bands.
    struct CriticalValues: Encodable, Sendable {
        var attGt, dynamic, group, calendar: Double?
    }
}
