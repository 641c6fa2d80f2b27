import Foundation

/// "Nice" axis ticks: multiples of 1, 2 or 5 × 10^k (Heckbert's rule, as R's `pretty()` and
/// most plotting libraries), and their labels.
public enum PlotTicks {
    /// About `target` ticks at multiples of 1, 2 or 5 × 10^k covering [low, high] from inside:
    /// the smallest such step giving at most `target + 1` intervals.
    public static func nice(_ low: Double, _ high: Double, target: Double = 5) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let step = Self.step(span, target: target)
        var ticks: [Double] = []
        var t = (low / step).rounded(.up) * step
        while t <= high + step * 1e-9 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return ticks
    }

    /// The 1-2-5 step for a span.
    static func step(_ span: Double, target: Double) -> Double {
        let magnitude = pow(10, (log10(span / target)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= target + 1 } ?? 10 * magnitude
    }

    /// The range widened outwards to whole steps, with its ticks: an axis whose ends are ticks.
    /// A degenerate range (low = high) is widened by ±1 (±|low|/2 when larger) first.
    public static func covering(_ low: Double, _ high: Double, target: Double = 5)
        -> (low: Double, high: Double, ticks: [Double]) {
        var (low, high) = (low, high)
        if !(high > low) {
            let half = max(1e-12, abs(low) / 2, low == 0 ? 1 : 0)
            (low, high) = (low - half, high + half)
        }
        let step = Self.step(high - low, target: target)
        // A bound within 10⁻⁹ steps of a multiple is that multiple (no extra step for rounding noise).
        let outerLow = (low / step + 1e-9).rounded(.down) * step, outerHigh = (high / step - 1e-9).rounded(.up) * step
        return (outerLow, outerHigh, nice(outerLow, outerHigh, target: target))
    }

    /// Tick label with as many decimals as the step needs.
    public static func label(_ value: Double, step ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : max(abs(value), 1)
        let decimals = max(0, Int((-log10(step) - 1e-9).rounded(.up)))
        return String(format: "%.\(min(decimals, 10))f", value)
    }
}

/// A linear map from data values to pixels: `domain.low ↦ range.start`, `domain.high ↦ range.end`
/// (a y scale runs from the bottom pixel up).
public struct LinearScale: Sendable {
    /// Data interval.
    public var low: Double, high: Double
    /// Pixels of `low` and of `high`.
    public var start: Double, end: Double
    // Made by ``PlotFrame`` (the memberwise initializer).

    /// The pixel of `value`.
    public func callAsFunction(_ value: Double) -> Double { start + (value - low) / (high - low) * (end - start) }
}

/// A plot area (a rectangle of the canvas) with its x and y scales, and the axes of the house
/// style drawn around it.
public struct PlotFrame: Sendable {
    /// Left and top edge, width and height, in pixels.
    public var left: Double, top: Double, width: Double, height: Double
    /// The scales.
    public var x: LinearScale, y: LinearScale

    /// A frame mapping [xLow, xHigh] × [yLow, yHigh] onto the rectangle.
    public init(left: Double, top: Double, width: Double, height: Double, x: (Double, Double), y: (Double, Double)) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.x = LinearScale(low: x.0, high: x.1, start: left, end: left + width)
        self.y = LinearScale(low: y.0, high: y.1, start: top + height, end: top)
    }

    /// Right and bottom edges.
    public var right: Double { left + width }
    /// The bottom edge.
    public var bottom: Double { top + height }
}

extension SVGCanvas {
    /// Horizontal grid lines across the frame at each value.
    public mutating func horizontalGrid(_ frame: PlotFrame, at values: [Double], colour: String = "#ddd") {
        for value in values { line(frame.left, frame.y(value), frame.right, frame.y(value), stroke: colour) }
    }

    /// Vertical grid lines across the frame at each value.
    public mutating func verticalGrid(_ frame: PlotFrame, at values: [Double], colour: String = "#eee") {
        for value in values { line(frame.x(value), frame.top, frame.x(value), frame.bottom, stroke: colour) }
    }

    /// x ticks below `baseline` (default: the frame's bottom), `tickLength` long, labels `labelOffset`
    /// below the baseline; `labels` default to ``PlotTicks/label(_:step:)``. Each label carries
    /// `class="x-tick"` and its exact value.
    public mutating func xTicks(_ frame: PlotFrame, _ ticks: [Double], labels: [String]? = nil, baseline: Double? = nil,
                                tickLength: Double = 5, labelOffset: Double = 19, stroke: String = "black",
                                data: [(String, String?)] = []) {
        let y0 = baseline ?? frame.bottom
        for tick in ticks where tickLength > 0 { line(frame.x(tick), y0, frame.x(tick), y0 + tickLength, stroke: stroke) }
        for (k, tick) in ticks.enumerated() {
            text(labels?[k] ?? PlotTicks.label(tick, step: ticks), x: frame.x(tick), y: y0 + labelOffset, anchor: .middle,
                 data: [("class", "x-tick"), ("data-value", "\(tick)")] + data)
        }
    }

    /// y ticks left of the frame, `tickLength` long, labels `labelGap` left of the frame, 4 px
    /// below the tick. Each label carries `class="y-tick"` and its exact value.
    public mutating func yTicks(_ frame: PlotFrame, _ ticks: [Double], labels: [String]? = nil, tickLength: Double = 5,
                                labelGap: Double = 8, stroke: String = "black", data: [(String, String?)] = []) {
        for tick in ticks where tickLength > 0 { line(frame.left - tickLength, frame.y(tick), frame.left, frame.y(tick), stroke: stroke) }
        for (k, tick) in ticks.enumerated() {
            text(labels?[k] ?? PlotTicks.label(tick, step: ticks), x: frame.left - labelGap, y: frame.y(tick) + 4, anchor: .end,
                 data: [("class", "y-tick"), ("data-value", "\(tick)")] + data)
        }
    }

    /// Axis titles: the x title centred `xOffset` below the frame, the y title read upwards at `yTitleX`.
    public mutating func axisTitles(_ frame: PlotFrame, x: String?, y: String?, xOffset: Double = 38, yTitleX: Double = 18) {
        if let x { text(x, x: frame.left + frame.width / 2, y: frame.bottom + xOffset, anchor: .middle) }
        if let y { text(y, x: yTitleX, y: frame.top + frame.height / 2, anchor: .middle, rotated: true) }
    }

    /// A horizontal reference line across the frame at `value` (e.g. zero, α, the nominal coverage).
    public mutating func horizontalReference(_ frame: PlotFrame, at value: Double, stroke: String = "#555",
                                             width: Double? = nil, dash: String? = nil) {
        line(frame.left, frame.y(value), frame.right, frame.y(value), stroke: stroke, width: width, dash: dash)
    }

    /// A vertical reference line across the frame at `value`.
    public mutating func verticalReference(_ frame: PlotFrame, at value: Double, stroke: String = "#555",
                                           width: Double? = nil, dash: String? = nil) {
        line(frame.x(value), frame.top, frame.x(value), frame.bottom, stroke: stroke, width: width, dash: dash)
    }

    /// A grey box around the frame.
    public mutating func frameBox(_ frame: PlotFrame, stroke: String = "#999") {
        rect(x: frame.left, y: frame.top, width: frame.width, height: frame.height, fill: "none", stroke: stroke)
    }

    /// A message in the middle of the canvas, for a figure with nothing to draw.
    public mutating func emptyMessage(_ message: String) {
        text(message, x: width / 2, y: height / 2, anchor: .middle)
    }
}
