import Foundation

extension RunFigures {
    /// One power curve: the conditions that differ only in the effect parameter `key`, by its value.
    struct PowerCurve {
        /// The varying effect parameter (the x axis).
        let key: String
        /// What the conditions share besides it (the panel title).
        let label: String
        /// (effect value, condition index), by value.
        let points: [(value: Double, condition: Int)]
    }

    /// The curves of the spec's effect grid: for each effect parameter, each set of three or more
    /// conditions whose names agree once that parameter's `key=value` part is removed (and that
    /// have the same grid keys). Empty without an effect grid.
    var powerCurves: [PowerCurve] {
        let conditions = summary.conditions, labels = conditionLabels
        var keys: [String] = []
        for condition in conditions {
            for (key, _) in condition.parameters where SizeAdjustedPair.isEffect(key) && !keys.contains(key) { keys.append(key) }
        }
        var curves: [PowerCurve] = []
        for key in keys {
            var groups: [String: [(value: Double, condition: Int)]] = [:], order: [String] = []
            for (c, condition) in conditions.enumerated() {
                guard let value = condition.parameters.first(where: { $0.0 == key })?.1 else { continue }
                let rest = condition.name.components(separatedBy: ", ").filter { !$0.hasPrefix(key + "=") }
                let group = rest.joined(separator: ", ") + "|" + condition.parameters.map(\.0).joined(separator: ",")
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append((value, c))
            }
            for group in order {
                let points = (groups[group] ?? []).sorted { $0.value < $1.value }
                guard Set(points.map(\.value)).count >= 3, let first = points.first else { continue }
                let label = labels[first.condition].components(separatedBy: ", ").filter { !$0.hasPrefix(key + "=") }
                    .joined(separator: ", ")
                curves.append(PowerCurve(key: key, label: label.isEmpty ? "all conditions" : label, points: points))
            }
        }
        return curves
    }

    /// `power`: power curves (raw and size-adjusted) along the spec's effect grid; nil without one.
    public var powerFigure: ReportFigure? {
        let curves = powerCurves
        guard !curves.isEmpty else { return nil }
        let panelWidth = 360.0, panelHeight = 260.0, margin = 62.0, top = 80.0, gapX = 60.0, gapY = 84.0
        let columns = min(2, curves.count), panelRows = (curves.count + columns - 1) / columns
        // A method is drawn on a curve when its truth is not 0 somewhere on it (else its rejections are size).
        func drawn(_ curve: PowerCurve) -> [Int] {
            methodNames.indices.filter { m in
                curve.points.contains { summary.conditions[$0.condition].results[m].measures.truth != 0 }
            }
        }
        let methods = Set(curves.flatMap(drawn)).sorted()
        let legend = methods.map { m in
            LegendEntry(label: methodNames[m] + " (\(summary.conditions[0].results[m].inference))", colour: SVGCanvas.colour(m),
                        width: 2, marker: .point)
        } + [LegendEntry(label: "size-adjusted power", colour: "#555", width: 1.5, dash: "5,4"),
             LegendEntry(label: "α = \(Format.significant(summary.alpha, digits: 3))", colour: "#888", width: 1, dash: "2,3")]
        let subtitle = self.subtitle(bars: Self.wilsonBars) + "; dashed: size-adjusted"
        let width = max(margin + Double(columns) * (panelWidth + gapX) - gapX + 24,
                        margin + 40 + (legend.map { SVGCanvas.textWidth($0.label) }.max() ?? 0), SVGCanvas.textWidth(subtitle) + 40)
        let legendTop = top + Double(panelRows) * (panelHeight + gapY) - gapY + 56
        var canvas = SVGCanvas(width: width, height: legendTop + 20 * Double(legend.count) + 12)
        // Panels centred when the title or legend makes the canvas wider than they are.
        let left = margin + max(0, (width - (margin + Double(columns) * (panelWidth + gapX) - gapX + 24)) / 2)
        canvas.title("Power by effect size", subtitle: subtitle)
        for (p, curve) in curves.enumerated() {
            let x = PlotTicks.covering(curve.points.first?.value ?? 0, curve.points.last?.value ?? 1)
            let frame = PlotFrame(left: left + Double(p % columns) * (panelWidth + gapX),
                                  top: top + Double(p / columns) * (panelHeight + gapY), width: panelWidth, height: panelHeight,
                                  x: (x.low, x.high), y: (-0.03, 1.03))
            let powerTicks = Array(stride(from: 0.0, through: 1.0, by: 0.2))
            canvas.horizontalGrid(frame, at: powerTicks, colour: "#eee")
            canvas.frameBox(frame)
            canvas.yTicks(frame, powerTicks, labels: powerTicks.map { String(format: "%.1f", $0) }, data: [("data-panel", String(p))])
            canvas.xTicks(frame, x.ticks, data: [("data-panel", String(p))])
            canvas.axisTitles(frame, x: curve.key, y: nil)
            canvas.text("rejection rate", x: frame.left - 44, y: frame.top + panelHeight / 2, anchor: .middle, rotated: true)
            canvas.text(curve.label, x: frame.left + panelWidth / 2, y: frame.top - 8, anchor: .middle, size: 13)
            canvas.horizontalReference(frame, at: summary.alpha, stroke: "#888", width: 1, dash: "2,3")
            for m in drawn(curve) {
                drawPowerCurve(&canvas, frame, curve: curve, method: m, panel: p)
            }
        }
        canvas.legend(legend, x: margin, y: legendTop)
        return ReportFigure(
            name: "power", title: "Power by effect size",
            caption: "Share of replications rejecting H0: effect = 0 at α = \(Format.significant(summary.alpha, digits: 3)) "
                + "by effect size, one panel per set of conditions differing only in the effect; solid with Wilson 95% bars: "
                + "power as run (its value at effect 0 is the size); dashed: size-adjusted power, the test's critical value "
                + "set so that it rejects at most α of the paired zero-effect condition's replications. Methods whose truth is 0 "
                + "along a curve are left out of its panel. \(subtitle).",
            svg: canvas.svg)
    }

    /// One method's raw (solid, with Wilson 95% bars) and size-adjusted (dashed) curve.
    func drawPowerCurve(_ canvas: inout SVGCanvas, _ frame: PlotFrame, curve: PowerCurve, method m: Int, panel: Int) {
        let colour = SVGCanvas.colour(m)
        var raw: [(Double, Double)] = [], adjusted: [(Double, Double)] = []
        for point in curve.points {
            let condition = summary.conditions[point.condition], result = condition.results[m]
            let rate = result.measures.rejectionRate
            if let sizeAdjusted = result.sizeAdjusted {
                adjusted.append((point.value, sizeAdjusted.measures.power))
            } else if let pair = curve.points.lazy.compactMap({ summary.conditions[$0.condition].results[m].sizeAdjusted })
                .first(where: { $0.nullCondition == condition.name }) {
                adjusted.append((point.value, pair.measures.nullRejectionRate))  // the null's own size-adjusted rate
            }
            guard rate.isFinite else { continue }
            raw.append((point.value, rate))
            let data: [(String, String?)] = [("data-panel", String(panel)), ("data-condition", String(point.condition)),
                                             ("data-method", result.methodName)]
            let wilson = result.measures.rejectionWilson
            if wilson.low.isFinite && wilson.high.isFinite && wilson.high > wilson.low {
                canvas.verticalErrorBar(x: frame.x(point.value), low: frame.y(wilson.low), high: frame.y(wilson.high),
                                        stroke: colour, width: 1, cap: 5, data: [("class", "wilson")] + data)
            }
            canvas.circle(cx: frame.x(point.value), cy: frame.y(rate), r: 3.5, fill: colour, data: [("class", "power")] + data)
        }
        canvas.polyline(raw.map { (frame.x($0.0), frame.y($0.1)) }, stroke: colour, width: 2)
        canvas.polyline(adjusted.filter { $0.1.isFinite }.map { (frame.x($0.0), frame.y($0.1)) }, stroke: colour, width: 1.5,
                        dash: "5,4", data: [("class", "size-adjusted"), ("data-method", summary.conditions[0].results[m].methodName)])
    }
}
