import Foundation

/// The event-study figure (coefplot style), as a hand-written SVG: each series' point estimates
/// with their intervals by event time, the omitted reference period as a hollow point at 0, a
/// dashed vertical line between the last pre-treatment period (e = −1) and the first treated one
/// (e = 0), a line at 0, and binned endpoints labelled "≤−K" and "≥L" on the axis when every series
/// bins them. Several series are drawn side by side with a small horizontal dodge and a legend
/// whose lines say what each estimator fitted (its control group and window, binned endpoints
/// included); a note under the legend names the series without a reference period.
public struct EventStudyPlot: Sendable {
    /// The series, in legend order.
    public let series: [EventStudySeries]
    /// The outcome's name (the y axis).
    public let outcome: String
    /// Width of the plot area's canvas in pixels (widened for a long legend line).
    public var width = 760.0
    /// Height of the plot area (the legend adds rows below it).
    public var plotHeight = 460.0

    /// Creates a figure of one or more series.
    public init(_ series: [EventStudySeries], outcome: String) {
        self.series = series
        self.outcome = outcome
    }

    /// The event times on the x axis: every series' points and references.
    var eventTimes: [Int] {
        Array(Set(series.flatMap { $0.points.map(\.eventTime) + ($0.reference.map { [$0] } ?? []) })).sorted()
    }

    /// Horizontal offset of series `k` (event-time units): centred, at most 0.12 apart.
    func dodge(_ k: Int) -> Double {
        let step = min(0.12, 0.6 / Double(max(series.count, 1)))
        return (Double(k) - Double(series.count - 1) / 2) * step
    }

    /// "−3", "≤−5" (a binned first term), "≥3" (a binned last term). An endpoint is marked only
    /// when every series bins it: another estimator's point there is that single event time (the
    /// legend line of a series that bins says so instead).
    func tickLabel(_ e: Int) -> String {
        let number = EventStudySeries.signed(e)
        if series.allSatisfy({ $0.lowerBin == e }) { return "≤" + number }
        if series.allSatisfy({ $0.upperBin == e }) { return "≥" + number }
        return number
    }

    var legendEntries: [LegendEntry] {
        series.enumerated().map { k, s in
            LegendEntry(label: "\(s.title) (\(s.method)): " + (s.fitted.isEmpty ? "" : s.fitted + "; ") + s.interval,
                        colour: SVGCanvas.colour(k), width: 1.8, marker: .point)
        } + (series.contains { $0.reference != nil }
            ? [LegendEntry(label: "omitted reference period, normalised to 0", colour: "#555", width: 0, marker: .hollow)] : [])
    }

    /// "no omitted reference period for cs (it …) or bjs (it …)", nil when every series has one.
    var missingReferenceNote: String? {
        let without = series.filter { $0.reference == nil }
        guard !without.isEmpty else { return nil }
        let why = ["bjs": "imputes untreated outcomes from the untreated observations",
                   "cs": "compares each period with its own base period"]
        return "no omitted reference period for " + without.map { s in
            s.method + (why[s.method].map { " (it " + $0 + ")" } ?? "")
        }.joined(separator: " or ")
    }

    /// The SVG document.
    public func svg() -> String {
        let left = 78.0, right = 24.0, top = 52.0, bottom = 58.0
        let entries = legendEntries, note = missingReferenceNote
        let legendRows = Double(entries.count + (note == nil ? 0 : 1))
        let longest = (entries.map { SVGCanvas.textWidth($0.label) } + [note.map { SVGCanvas.textWidth($0) - 32 } ?? 0]).max() ?? 0
        let subtitle = series.count == 1 ? series[0].title + ", " + series[0].interval
            : "estimates by event time with the intervals each estimator reports (legend)"
        let canvasWidth = max(width, left + 32 + longest + right, SVGCanvas.textWidth(subtitle) + 40)
        var canvas = SVGCanvas(width: canvasWidth, height: plotHeight + legendRows * 20 + 8)
        canvas.title("Event study: \(outcome)", subtitle: subtitle)
        let times = eventTimes
        guard let first = times.first, let last = times.last else {
            canvas.emptyMessage("no event-time estimates to plot")
            return canvas.svg
        }
        let values = series.flatMap { $0.points.flatMap { [$0.estimate, $0.low, $0.high] } }.filter(\.isFinite) + [0]
        let low = values.min() ?? 0, high = values.max() ?? 0
        let pad = (high - low) * 0.04
        let y = PlotTicks.covering(low - pad, high + pad)
        let frame = PlotFrame(left: left, top: top, width: canvasWidth - left - right, height: plotHeight - top - bottom,
                              x: (Double(first) - 0.6, Double(last) + 0.6), y: (y.low, y.high))
        let xTicks = stride(from: first, through: last, by: max(1, Int(PlotTicks.step(Double(last - first), target: 14))))
            .map { $0 }
        canvas.horizontalGrid(frame, at: y.ticks)
        canvas.frameBox(frame)
        canvas.yTicks(frame, y.ticks)
        canvas.xTicks(frame, xTicks.map(Double.init), labels: xTicks.map(tickLabel))
        canvas.axisTitles(frame, x: "periods relative to treatment", y: outcome)
        canvas.horizontalReference(frame, at: 0, stroke: "#555")
        if first < 0 && last >= 0 {
            canvas.verticalReference(frame, at: -0.5, stroke: "#888", dash: "5,4")
            canvas.text("pre", x: frame.x(-0.5) - 6, y: frame.top + 14, anchor: .end, fill: "#888")
            canvas.text("post", x: frame.x(-0.5) + 6, y: frame.top + 14, fill: "#888")
        }
        for (k, s) in series.enumerated() {
            let colour = SVGCanvas.colour(k), offset = dodge(k)
            for point in s.points {
                let x = frame.x(Double(point.eventTime) + offset)
                let data = [("data-series", s.method), ("data-event-time", String(point.eventTime))]
                if point.low.isFinite && point.high.isFinite {
                    canvas.verticalErrorBar(x: x, low: frame.y(point.low), high: frame.y(point.high), stroke: colour, width: 1.8,
                                            data: [("class", "interval")] + data)
                }
                canvas.circle(cx: x, cy: frame.y(point.estimate), r: 3.5, fill: colour, data: [("class", "estimate")] + data)
            }
            if let reference = s.reference {
                canvas.circle(cx: frame.x(Double(reference) + offset), cy: frame.y(0), r: 4, fill: "white", stroke: colour,
                              width: 1.5, data: [("class", "reference"), ("data-series", s.method),
                                                 ("data-event-time", String(reference))])
            }
        }
        let below = canvas.legend(entries, x: left, y: plotHeight + 4)
        if let note { canvas.text(note + ".", x: left, y: below + 4, fill: "#555", data: [("class", "note")]) }
        return canvas.svg
    }

    /// What the figure shows, in words: the intervals of each series, the reference periods and
    /// which estimators have none, and the binned endpoints.
    public var caption: String {
        var parts = ["Point estimates of \(outcome) by event time (periods relative to treatment) with "
            + series.map { "\($0.interval) (\($0.method))" }.joined(separator: "; ")]
        let withReference = series.filter { $0.reference != nil }
        if !withReference.isEmpty {
            parts.append("hollow points: the omitted reference period, normalised to 0 ("
                + withReference.map { "\($0.method): e = \($0.reference ?? -1)" }.joined(separator: ", ") + ")")
        }
        if let note = missingReferenceNote { parts.append(note) }
        parts.append("the dashed vertical line separates pre-treatment (e < 0) from treated periods (e ≥ 0)")
        for s in series {
            if let bin = s.lowerBin { parts.append("\(s.method): e = \(bin) bins all event times ≤ \(bin)") }
            if let bin = s.upperBin { parts.append("\(s.method): e = \(bin) bins all event times ≥ \(bin)") }
        }
        return parts.joined(separator: "; ") + "."
    }

    /// The figure for reports (`event-study.svg`).
    public var figure: ReportFigure {
        ReportFigure(name: "event-study", title: "Event study: \(outcome)", caption: caption, svg: svg())
    }
}
