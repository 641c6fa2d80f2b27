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

    static let palette = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6cab", "#e07a5f", "#3d405b",
                          "#81b29a", "#2e4057", "#f2cc8f", "#6d597a"]

    /// The SVG document.
    public func svg() -> String {
        let panelWidth = 440.0, panelHeight = 320.0, left = 62.0, top = 76.0, gap = 70.0, bottom = 52.0
        let sources = report.sources
        let methods = sources.first?.methods.filter { $0.kind == "effect" } ?? []
        let legendHeight = 20.0 * Double(methods.count) + 30
        let width = left + Double(sources.count) * (panelWidth + gap) - gap / 2 + 20
        let height = top + panelHeight + bottom + legendHeight
        let high = report.effects.max() ?? 1
        let ticks = PlaceboPlot.niceTicks(0, high)
        let escape = PlaceboPlot.escape
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">Design diagnosis: power by effect size</text>
        <text x="\(f(width / 2))" y="40" text-anchor="middle" fill="#555">solid: power; dashed: size-adjusted power; \
        dot: MDE at power \(f(power)); grey: α = \(f(report.alpha)); thin: over-rejects</text>

        """
        for (s, source) in sources.enumerated() {
            let x0 = left + Double(s) * (panelWidth + gap)
            func px(_ x: Double) -> Double { x0 + x / high * panelWidth }
            func py(_ y: Double) -> Double { top + panelHeight - y * panelHeight }
            out += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(top - 8))\" text-anchor=\"middle\" font-size=\"13\">"
                + escape("\(source.source) (\(source.replications) replications)") + "</text>\n"
            out += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(panelWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
            for y in stride(from: 0.0, through: 1.0, by: 0.2) {
                out += "<line x1=\"\(f(x0))\" x2=\"\(f(x0 + panelWidth))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#eee\"/>\n"
                out += "<text x=\"\(f(x0 - 6))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", y))</text>\n"
            }
            for tick in ticks {
                out += "<line x1=\"\(f(px(tick)))\" x2=\"\(f(px(tick)))\" y1=\"\(f(top + panelHeight))\" y2=\"\(f(top + panelHeight + 5))\" stroke=\"#555\"/>\n"
                out += "<text x=\"\(f(px(tick)))\" y=\"\(f(top + panelHeight + 18))\" text-anchor=\"middle\">"
                    + PlaceboPlot.label(tick, step: ticks) + "</text>\n"
            }
            out += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(top + panelHeight + 38))\" text-anchor=\"middle\">effect (outcome units)</text>\n"
            out += "<line x1=\"\(f(x0))\" x2=\"\(f(x0 + panelWidth))\" y1=\"\(f(py(report.alpha)))\" y2=\"\(f(py(report.alpha)))\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>\n"
            out += "<line x1=\"\(f(x0))\" x2=\"\(f(x0 + panelWidth))\" y1=\"\(f(py(power)))\" y2=\"\(f(py(power)))\" stroke=\"#bbb\"/>\n"
            let holding = Set(report.verdict.filter { $0.source == source.source && $0.holdsSize }.map(\.method))
            for (m, method) in source.methods.filter({ $0.kind == "effect" }).enumerated() {
                let colour = Self.palette[m % Self.palette.count]
                let widthAttribute = holding.contains(method.name) ? "2" : "0.8"
                let raw = [(0.0, method.size.rejection)] + method.power.map { ($0.effect, $0.rejection) }
                let adjusted = [(0.0, method.size.rejection.isFinite ? min(method.size.rejection, report.alpha) : .nan)]
                    + method.power.map { ($0.effect, $0.sizeAdjusted) }
                for (points, dash) in [(raw, ""), (adjusted, " stroke-dasharray=\"5,4\"")] {
                    let finite = points.filter { $0.1.isFinite }
                    guard finite.count >= 2 else { continue }
                    let path = finite.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                    out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(widthAttribute)\"\(dash)/>\n"
                }
                if let mde = method.mde, mde.effect <= high {
                    out += "<circle cx=\"\(f(px(mde.effect)))\" cy=\"\(f(py(mde.power)))\" r=\"4\" fill=\"\(colour)\"/>\n"
                }
            }
        }
        var y = top + panelHeight + bottom + 8
        for (m, method) in methods.enumerated() {
            let colour = Self.palette[m % Self.palette.count]
            let verdicts = report.verdict.filter { $0.method == method.name }
            let overRejects = verdicts.contains { !$0.holdsSize }
            let mdes = report.sources.map { source -> String in
                let mde = source.methods.first { $0.name == method.name }?.mde
                return source.source + " " + (mde.map { DiagnosisReport.format($0.effect) } ?? "–")
            }.joined(separator: ", ")
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + 24))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            let label: String = method.name + (overRejects ? " (over-rejects)" : "") + "; MDE: " + mdes
            out += "<text x=\"\(f(left + 32))\" y=\"\(f(y + 4))\">" + escape(label) + "</text>\n"
            y += 20
        }
        return out + "</svg>\n"
    }
}
