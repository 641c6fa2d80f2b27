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
public struct CallawaySantAnnaReport: Sendable {
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

    /// The report in `format`.
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .table: return table()
        case .json: return json().rendered() + "\n"
        case .csv: return csv()
        case .latex: return latex()
        }
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
    func period(_ index: Int) -> JSONValue {
        if let value = result.periodValue(index) {
            return value == value.rounded() && abs(value) < 1e15 ? .integer(Int(value)) : .number(value)
        }
        return .string(result.periodLabel(index))
    }

    func coefficient(_ row: Row) -> JSONValue {
        let interval = row.effect.confidenceInterval(level: level)
        var fields: [(String, JSONValue)] = [("term", .string(row.term))]
        if let e = row.eventTime, row.section == "dynamic" { fields.append(("event_time", .integer(e))) }
        if let g = row.group, row.section == "group" { fields.append(("group", period(g))) }
        if let t = row.time, row.section == "calendar" { fields.append(("time", period(t))) }
        fields += [("estimate", .finite(row.effect.estimate)), ("std_error", .finite(row.effect.standardError)),
                   ("statistic", .finite(row.effect.statistic)), ("p_value", .finite(row.effect.pValue)),
                   ("conf_low", .finite(interval.low)), ("conf_high", .finite(interval.high))]
        if let band = row.band { fields += [("band_low", .finite(band.low)), ("band_high", .finite(band.high))] }
        return .object(fields)
    }

    var methodTitle: String { "Callaway & Sant'Anna (2021) group-time ATT" }

    var controlText: String { result.options.controlGroup == .neverTreated ? "never treated" : "not yet treated" }

    // MARK: - JSON

    /// The JSON object of the DESIGN.md contract, plus descriptive extras.
    public func json() -> JSONValue {
        let o = result.options
        var fields: [(String, JSONValue)] = [
            ("method", .string("cs")),
            ("outcome", .string(result.outcomeName)),
            ("n_obs", .integer(result.observationCount)),
            ("n_units", .integer(result.unitCount)),
            ("n_periods", .integer(result.periodCount)),
            ("n_clusters", .integer(result.clusterCount)),
            ("vcov", .string("influence function")),
            ("cluster", .string(result.clusterName)),
            ("control_group", .string(o.controlGroup.rawValue)),
            ("base_period", .string(o.basePeriod.rawValue)),
            ("est_method", .string(o.estimationMethod.rawValue)),
            ("covariates", .array(result.covariateNames.map { .string($0) })),
            ("unbalanced_panel", .string(o.unbalancedPanel.rawValue)),
            ("failed_cells", .string(o.failedCells.rawValue)),
            ("level", .number(level)),
        ]
        if let bootstrap {
            fields += [("inference", .string("multiplier bootstrap")), ("reps", .integer(bootstrap.replications)),
                       ("weights", .string(bootstrap.weights.rawValue)),
                       ("seed", bootstrap.seed <= UInt64(Int.max) ? .integer(Int(bootstrap.seed)) : .string(String(bootstrap.seed)))]
        } else {
            fields.append(("inference", .string("analytic")))
        }
        fields.append(("att_gt", .array(result.groupTime.enumerated().map { k, cell in
            let row = groupTimeRows[k]
            let interval = row.effect.confidenceInterval(level: level)
            var object: [(String, JSONValue)] = [
                ("group", period(cell.group)), ("time", period(cell.time)), ("event_time", .integer(cell.eventTime)),
                ("post", .bool(cell.isPost)), ("estimable", .bool(cell.isEstimable)),
            ]
            if let failure = cell.failure { object.append(("reason", .string(failure))) }
            object += [
                ("estimate", .finite(cell.estimate)),
                ("std_error", .finite(cell.standardError)), ("conf_low", .finite(interval.low)),
                ("conf_high", .finite(interval.high)),
            ]
            if let band = row.band { object += [("band_low", .finite(band.low)), ("band_high", .finite(band.high))] }
            return .object(object)
        })))
        var aggregates: [(String, JSONValue)] = [("simple", coefficient(overallRow(.simple)))]
        for kind in [Kind.dynamic, .group, .calendar] {
            aggregates.append((kind.rawValue, .array(partRows(kind).map(coefficient))))
            aggregates.append(("\(kind.rawValue)_overall", coefficient(overallRow(kind))))
        }
        if !bands.isEmpty {
            aggregates.append(("critical_values", .object(["att_gt", "dynamic", "group", "calendar"].map { key in
                (key, JSONValue.finite(bands[key]?.criticalValue))
            })))
        }
        fields.append(("aggregates", .object(aggregates)))
        fields.append(("notes", .array(result.notes.map { .string($0) })))
        return .object(fields)
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
