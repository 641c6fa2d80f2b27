import Foundation

/// The diagnosis figure, as a hand-written SVG: one panel per source with each effect test's
/// power curve (solid, from its size at δ = 0) and its size-adjusted curve (dashed), the α line,
/// the target-power line and each method's MDE as a dot; methods that over-reject are drawn
/// thin and named so in the legend.
public struct DiagnosisPlot: Sendable {
    /// The report drawn.
    public let report: DiagnosisReport
    /// Target power (the MDE line).
    public let power: Double

    /// Creates the plot.
    public init(_ report: DiagnosisReport, power: Double) {
        self.report = report
        self.power = power
    }

    /// The SVG document.
    public func svg() -> String {
        let panelWidth = 440.0, panelHeight = 320.0, left = 62.0, top = 76.0, gap = 70.0, bottom = 52.0
        let sources = report.sources
        let methods = sources.first?.methods.filter { $0.kind == "effect" } ?? []
        let legendHeight = 20.0 * Double(methods.count) + 30
        let high = report.effects.max() ?? 1
        let ticks = PlotTicks.nice(0, high)
        let f = SVGCanvas.number
        var canvas = SVGCanvas(width: left + Double(sources.count) * (panelWidth + gap) - gap / 2 + 20,
                               height: top + panelHeight + bottom + legendHeight)
        canvas.title("Design diagnosis: power by effect size",
                     subtitle: "solid: power; dashed: size-adjusted power; dot: MDE at power \(f(power)); "
                        + "grey: α = \(f(report.alpha)); thin: over-rejects", subtitleY: 40)
        for (s, source) in sources.enumerated() {
            let frame = PlotFrame(left: left + Double(s) * (panelWidth + gap), top: top, width: panelWidth, height: panelHeight,
                                  x: (0, high), y: (0, 1))
            canvas.text("\(source.source) (\(source.replications) replications)", x: frame.left + panelWidth / 2, y: top - 8,
                        anchor: .middle, size: 13)
            canvas.frameBox(frame)
            let powerTicks = Array(stride(from: 0.0, through: 1.0, by: 0.2))
            canvas.horizontalGrid(frame, at: powerTicks, colour: "#eee")
            canvas.yTicks(frame, powerTicks, labels: powerTicks.map { String(format: "%.1f", $0) }, tickLength: 0, labelGap: 6)
            canvas.xTicks(frame, ticks, labelOffset: 18, stroke: "#555")
            canvas.axisTitles(frame, x: "effect (outcome units)", y: nil)
            canvas.horizontalReference(frame, at: report.alpha, stroke: "#888", dash: "2,3")
            canvas.horizontalReference(frame, at: power, stroke: "#bbb")
            let holding = Set(report.verdict.filter { $0.source == source.source && $0.holdsSize }.map(\.method))
            for (m, method) in source.methods.filter({ $0.kind == "effect" }).enumerated() {
                let colour = SVGCanvas.palette[m % SVGCanvas.palette.count]
                let lineWidth = holding.contains(method.name) ? 2 : 0.8
                let raw = [(0.0, method.size.rejection)] + method.power.map { ($0.effect, $0.rejection) }
                let adjusted = [(0.0, method.size.rejection.isFinite ? min(method.size.rejection, report.alpha) : .nan)]
                    + method.power.map { ($0.effect, $0.sizeAdjusted) }
                for (points, dash) in [(raw, nil), (adjusted, "5,4")] {
                    let finite = points.filter { $0.1.isFinite }
                    canvas.polyline(finite.map { (frame.x($0.0), frame.y($0.1)) }, stroke: colour, width: lineWidth, dash: dash)
                }
                if let mde = method.mde, mde.effect <= high {
                    canvas.circle(cx: frame.x(mde.effect), cy: frame.y(mde.power), r: 4, fill: colour)
                }
            }
        }
        let entries = methods.enumerated().map { m, method -> LegendEntry in
            let verdicts = report.verdict.filter { $0.method == method.name }
            let overRejects = verdicts.contains { !$0.holdsSize }
            let mdes = report.sources.map { source -> String in
                let mde = source.methods.first { $0.name == method.name }?.mde
                return source.source + " " + (mde.map { DiagnosisReport.format($0.effect) } ?? "–")
            }.joined(separator: ", ")
            return LegendEntry(label: method.name + (overRejects ? " (over-rejects)" : "") + "; MDE: " + mdes,
                               colour: SVGCanvas.palette[m % SVGCanvas.palette.count])
        }
        canvas.legend(entries, x: left, y: top + panelHeight + bottom + 8)
        return canvas.svg
    }

    /// The figure for reports: `power.svg` with its title and a caption.
    public var figure: ReportFigure {
        ReportFigure(name: "power", title: "Design diagnosis: power by effect size",
                     caption: "Power of each effect test by effect size and source (solid), size-adjusted power (dashed), "
                        + "the MDE at power \(Format.number(power, digits: 2)) (dot), α = \(Format.number(report.alpha, digits: 2)) "
                        + "(grey dotted); a method that over-rejects under the null is drawn thin.",
                     svg: svg())
    }
}
