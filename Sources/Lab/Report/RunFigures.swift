import Foundation

/// The figures of a Monte Carlo run (`didlab run --plot DIR`, and the HTML report):
///
/// - `bias`: each method's bias with ±1.96 MCSE bars, by condition (methods that report only a
///   test have no bias and are left out);
/// - `coverage`: coverage against the nominal 1 − α and the rejection rate against α (and the
///   design size of randomization and bootstrap tests, their exact size under exchangeability),
///   each with Wilson 95% score intervals of the proportion (not degenerate at 0 or 1, never
///   outside [0, 1], where ±1.96 MCSE is);
/// - `power`: power curves, raw (solid, with Wilson 95% bars) and size-adjusted (dashed), when the
///   spec has an effect grid: three or more conditions that differ only in one effect parameter
///   (`effect` or `effects.…`, as ``SizeAdjustedPair`` recognises them). One panel per curve.
///
/// Rows are conditions (their names shortened by the parts every condition shares), one line per
/// method within each, coloured by method as the legend says.
public struct RunFigures: Sendable {
    /// The run.
    public let summary: RunSummary

    /// Creates the figures of a run.
    public init(_ summary: RunSummary) { self.summary = summary }

    /// The figures: bias and coverage always, power when the spec has an effect grid.
    public var figures: [ReportFigure] {
        [biasFigure, coverageFigure] + (powerFigure.map { [$0] } ?? [])
    }

    /// Method names in spec order.
    var methodNames: [String] { summary.conditions.first?.results.map(\.methodName) ?? [] }

    /// Condition names without the `, `-separated parts every condition shares (the full names
    /// when that leaves nothing to tell them apart).
    var conditionLabels: [String] {
        let names = summary.conditions.map(\.name)
        guard names.count > 1 else { return names }
        let parts = names.map { $0.components(separatedBy: ", ") }
        let shared = Set(parts[0]).filter { part in parts.allSatisfy { $0.contains(part) } }
        let short = parts.map { $0.filter { !shared.contains($0) }.joined(separator: ", ") }
        return short.contains("") ? names : short
    }

    /// The subtitle: experiment, replications, seed and α, and what the bars are.
    func subtitle(bars: String) -> String {
        "\(summary.experiment): \(Format.thousands(summary.replications)) replications per condition, seed \(summary.seed), "
            + "α = \(Format.significant(summary.alpha, digits: 3)); bars: " + bars
    }

    /// The bars of the bias figure.
    static let mcseBars = "±1.96 MCSE"
    /// The bars of the coverage, rejection and power figures.
    static let wilsonBars = "Wilson 95% intervals"

    /// One plotted row: a condition, a method, and the values drawn.
    struct Row {
        let condition: Int, method: Int
        let result: RunSummary.MethodSummary
    }

    /// Rows by condition, methods in spec order; `include` filters methods.
    func rows(_ include: (RunSummary.MethodSummary) -> Bool) -> [[Row]] {
        summary.conditions.enumerated().map { c, condition in
            condition.results.enumerated().filter { include($0.element) }.map { Row(condition: c, method: $0.offset, result: $0.element) }
        }
    }

    /// The canvas of a dot-plot figure: condition labels on the left, `panels` side by side,
    /// each row's y position, and the legend below. Returns the frames (x ranges from `ranges`).
    func dotCanvas(title: String, subtitle: String, groups: [[Row]], ranges: [(Double, Double)], panelTitles: [String],
                   extraLegend: [LegendEntry] = []) -> (SVGCanvas, [PlotFrame], [Int: [Int: Double]]) {
        let rowHeight = 14.0, groupGap = 12.0, top = 70.0, panelWidth = 330.0, gap = 36.0
        let labels = conditionLabels
        let left = min(360, max(90, (labels.map { SVGCanvas.textWidth($0) }.max() ?? 0) + 24))
        let plotHeight = groups.reduce(0) { $0 + Double($1.count) * rowHeight + groupGap } + groupGap
        let legend = methodLegend(groups) + extraLegend
        let width = max(left + Double(ranges.count) * (panelWidth + gap) - gap + 24,
                        left + 40 + (legend.map { SVGCanvas.textWidth($0.label) }.max() ?? 0), SVGCanvas.textWidth(subtitle) + 40)
        var canvas = SVGCanvas(width: width, height: top + plotHeight + 48 + 20 * Double(legend.count) + 10)
        canvas.title(title, subtitle: subtitle)
        var positions: [Int: [Int: Double]] = [:]
        var y = top + groupGap
        for (g, group) in groups.enumerated() where !group.isEmpty {
            if g % 2 == 1 {
                canvas.rect(x: left, y: y - groupGap / 2, width: Double(ranges.count) * (panelWidth + gap) - gap,
                            height: Double(group.count) * rowHeight + groupGap, fill: "#f5f5f5")
            }
            canvas.text(labels[group[0].condition], x: left - 10, y: y + Double(group.count) * rowHeight / 2 + 4, anchor: .end,
                        data: [("class", "condition")])
            for row in group {
                positions[row.condition, default: [:]][row.method] = y + rowHeight / 2
                y += rowHeight
            }
            y += groupGap
        }
        var frames: [PlotFrame] = []
        for (p, range) in ranges.enumerated() {
            // 3% of room at each end, so a point at a tick-aligned end (a rate of 1) is not cut by the frame.
            let pad = (range.1 - range.0) * 0.03
            let frame = PlotFrame(left: left + Double(p) * (panelWidth + gap), top: top, width: panelWidth, height: plotHeight,
                                  x: (range.0 - pad, range.1 + pad), y: (0, 1))
            let ticks = PlotTicks.nice(range.0, range.1)
            canvas.verticalGrid(frame, at: ticks)
            canvas.frameBox(frame)
            canvas.xTicks(frame, ticks, data: [("data-panel", String(p))])
            canvas.text(panelTitles[p], x: frame.left + panelWidth / 2, y: top - 8, anchor: .middle, size: 13)
            frames.append(frame)
        }
        canvas.legend(legend, x: left, y: top + plotHeight + 44)
        return (canvas, frames, positions)
    }

    /// One legend entry per method drawn.
    func methodLegend(_ groups: [[Row]]) -> [LegendEntry] {
        let drawn = Set(groups.flatMap { $0.map(\.method) })
        return methodNames.enumerated().filter { drawn.contains($0.offset) }.map { m, name in
            let inference = summary.conditions.first?.results[m].inference ?? ""
            return LegendEntry(label: name + (inference.isEmpty ? "" : " (\(inference))"), colour: SVGCanvas.colour(m),
                               width: 1.5, marker: .point)
        }
    }

    /// A point with its bar from `low` to `high` (none when not finite or empty) at row height `y`
    /// of panel `frame`; the bar's class is `bar` ("mcse" or "wilson").
    static func dot(_ canvas: inout SVGCanvas, _ frame: PlotFrame, y: Double, value: Double, low: Double, high: Double,
                    bar: String, colour: String, data: [(String, String?)]) {
        guard value.isFinite else { return }
        if low.isFinite && high.isFinite && high > low {
            canvas.horizontalErrorBar(y: y, low: frame.x(low), high: frame.x(high), stroke: colour, cap: 5,
                                      data: [("class", bar)] + data)
        }
        canvas.circle(cx: frame.x(value), cy: y, r: 3.5, fill: colour, data: [("class", "estimate")] + data)
    }

    static func tags(_ row: Row, _ name: String, panel: Int) -> [(String, String?)] {
        [("data-panel", String(panel)), ("data-condition", String(row.condition)), ("data-method", name)]
    }

    /// `bias`: each method's bias with ±1.96 MCSE bars by condition.
    public var biasFigure: ReportFigure {
        let groups = rows { !$0.isTestOnly }
        let values = groups.flatMap { $0 }.flatMap { row -> [Double] in
            let m = row.result.measures
            return [m.bias - 1.96 * m.biasMCSE, m.bias + 1.96 * m.biasMCSE, m.bias]
        }.filter(\.isFinite) + [0]
        let range = PlotTicks.covering(values.min() ?? 0, values.max() ?? 0)
        let subtitle = self.subtitle(bars: Self.mcseBars)
        var (canvas, frames, positions) = dotCanvas(title: "Bias by method and condition", subtitle: subtitle, groups: groups,
                                                    ranges: [(range.low, range.high)], panelTitles: ["bias (estimate − truth)"])
        let frame = frames[0]
        canvas.verticalReference(frame, at: 0, stroke: "#555")
        for row in groups.flatMap({ $0 }) {
            guard let y = positions[row.condition]?[row.method] else { continue }
            let m = row.result.measures
            Self.dot(&canvas, frame, y: y, value: m.bias, low: m.bias - 1.96 * m.biasMCSE, high: m.bias + 1.96 * m.biasMCSE, bar: "mcse",
                     colour: SVGCanvas.colour(row.method), data: Self.tags(row, row.result.methodName, panel: 0))
        }
        if groups.allSatisfy(\.isEmpty) { canvas.emptyMessage("no method estimates a target in this run") }
        return ReportFigure(
            name: "bias", title: "Bias by method and condition",
            caption: "Mean estimate minus the truth for each method (colour) and condition (row), with ±1.96 Monte Carlo "
                + "standard errors (s/√K); the grey line is no bias. \(subtitle). Methods that report only a test are left out.",
            svg: canvas.svg)
    }

    /// `coverage`: coverage against 1 − α and rejection against α (and the design size), with
    /// Wilson 95% intervals.
    public var coverageFigure: ReportFigure {
        let groups = rows { _ in true }
        let all = groups.flatMap { $0 }
        let subtitle = self.subtitle(bars: Self.wilsonBars)
        let coverageLows = all.map { $0.result.measures }.flatMap { [$0.coverage, $0.coverageWilson.low] }.filter(\.isFinite)
        let coverageRange = PlotTicks.covering(max(0, min(coverageLows.min() ?? 1, 1 - summary.alpha) - 0.02), 1)
        let rejectionHighs = all.flatMap { row -> [Double] in
            let m = row.result.measures
            return [m.rejectionRate, m.rejectionWilson.high, row.result.designSize ?? 0]
        }.filter(\.isFinite) + [summary.alpha * 1.5]
        let rejectionRange = PlotTicks.covering(0, min(1, rejectionHighs.max() ?? 1))
        let hasDesign = all.contains { $0.result.designSize != nil }
        let designEntry = LegendEntry(label: "design size (exact size of a randomization or bootstrap test)", colour: "black",
                                      width: 0, marker: .tick)
        var (canvas, frames, positions) = dotCanvas(
            title: "Coverage and rejection rate by method and condition", subtitle: subtitle, groups: groups,
            ranges: [(coverageRange.low, min(1, coverageRange.high)), (0, rejectionRange.high)],
            panelTitles: ["coverage (nominal \(Format.significant(1 - summary.alpha, digits: 3)))",
                          "rejection rate (α = \(Format.significant(summary.alpha, digits: 3)))"],
            extraLegend: hasDesign ? [designEntry] : [])
        canvas.verticalReference(frames[0], at: 1 - summary.alpha, stroke: "#555", dash: "5,4")
        canvas.verticalReference(frames[1], at: summary.alpha, stroke: "#555", dash: "5,4")
        for row in all {
            guard let y = positions[row.condition]?[row.method] else { continue }
            let m = row.result.measures, colour = SVGCanvas.colour(row.method)
            if !row.result.isTestOnly {
                Self.dot(&canvas, frames[0], y: y, value: m.coverage, low: m.coverageWilson.low, high: m.coverageWilson.high,
                         bar: "wilson", colour: colour, data: Self.tags(row, row.result.methodName, panel: 0))
            }
            Self.dot(&canvas, frames[1], y: y, value: m.rejectionRate, low: m.rejectionWilson.low, high: m.rejectionWilson.high,
                     bar: "wilson", colour: colour, data: Self.tags(row, row.result.methodName, panel: 1))
            if let design = row.result.designSize, design.isFinite {
                canvas.line(frames[1].x(design), y - 6, frames[1].x(design), y + 6, stroke: "black", width: 2,
                            data: [("class", "design-size")] + Self.tags(row, row.result.methodName, panel: 1))
            }
        }
        return ReportFigure(
            name: "coverage", title: "Coverage and rejection rate by method and condition",
            caption: "Left: share of replications whose confidence interval covers the truth, against the nominal "
                + "\(Format.significant(1 - summary.alpha, digits: 3)) (dashed). Right: share rejecting H0: effect = 0 at "
                + "α = \(Format.significant(summary.alpha, digits: 3)) (dashed): the size where the method's truth is 0, "
                + "power otherwise" + (hasDesign ? "; a black tick marks the design size of randomization and bootstrap "
                    + "tests, the level to compare their size with" : "")
                + ". Bars: Wilson 95% score intervals of the proportion over the K replications (they stay within [0, 1] and "
                + "do not vanish at 0 or 1, where ±1.96 MCSE, √(p(1 − p)/K), would). \(subtitle).",
            svg: canvas.svg)
    }
}
