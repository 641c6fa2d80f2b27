import Estimators
import Foundation

/// The figure placebo tests of the genre print, as a hand-written SVG: a histogram of the
/// placebo coefficients (as a density), a Gaussian kernel density over it (Silverman's
/// rule-of-thumb bandwidth `0.9·min(sd, IQR/1.34)·n^(−1/5)`), and the observed estimate as a
/// vertical line labelled with its value and the RI p-values. Axes carry "nice" tick labels
/// (``PlotTicks``: steps of 1, 2 or 5 × 10^k), drawn on an ``SVGCanvas``.
public struct PlaceboPlot: Sendable {
    /// The result to draw.
    public let result: PlaceboResult
    /// Canvas size in pixels.
    public var width = 760.0, height = 460.0

    /// Creates a plot.
    public init(_ result: PlaceboResult) { self.result = result }

    /// The SVG document.
    public func svg() -> String {
        let values = result.estimates.filter(\.isFinite).sorted()
        let observed = result.observed.estimate
        let left = 70.0, right = 24.0, top = 48.0, bottom = 58.0
        var canvas = SVGCanvas(width: width, height: height)
        canvas.title("Placebo test: \(result.statisticLabel)", subtitle: subtitle)
        guard values.count >= 2, let low0 = values.first, let high0 = values.last else {
            canvas.emptyMessage("too few valid draws to plot")
            return canvas.svg
        }
        // x range: the draws and the observed estimate, padded.
        var low = min(low0, observed), high = max(high0, observed)
        let pad = (high - low) * 0.06 + 1e-12
        low -= pad; high += pad
        // Histogram (Freedman–Diaconis bins, between 10 and 60).
        let n = Double(values.count)
        let iqr = quantile(values, 0.75) - quantile(values, 0.25)
        let mean = values.reduce(0, +) / n
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let fdWidth = 2 * iqr / pow(n, 1.0 / 3)
        let binCount = max(10, min(60, fdWidth > 0 ? Int(((high0 - low0) / fdWidth).rounded(.up)) : 20))
        let binWidth = max(high0 - low0, 1e-12) / Double(binCount)
        var counts = [Double](repeating: 0, count: binCount)
        for v in values { counts[min(binCount - 1, Int((v - low0) / binWidth))] += 1 }
        let densities = counts.map { $0 / (n * binWidth) }
        // Kernel density.
        let spread = min(sd, iqr > 0 ? iqr / 1.34 : sd)
        let bandwidth = max(0.9 * spread * pow(n, -0.2), 1e-12)
        let gridCount = 200
        var grid: [(Double, Double)] = []
        for g in 0...gridCount {
            let x = low + (high - low) * Double(g) / Double(gridCount)
            var sum = 0.0
            for v in values { let u = (x - v) / bandwidth; sum += exp(-0.5 * u * u) }
            grid.append((x, sum / (n * bandwidth * (2 * Double.pi).squareRoot())))
        }
        let yMax = max(densities.max() ?? 1, grid.map(\.1).max() ?? 1) * 1.12
        let allXTicks = PlotTicks.nice(low, high), xTicks = allXTicks.filter { $0 >= low && $0 <= high }
        let yTicks = PlotTicks.nice(0, yMax)
        let yTop = max(yMax, yTicks.last ?? yMax)
        let frame = PlotFrame(left: left, top: top, width: width - left - right, height: height - top - bottom,
                              x: (low, high), y: (0, yTop))
        let shownY = yTicks.filter { $0 <= yTop }

        // Grid, histogram, density, axes and ticks.
        canvas.horizontalGrid(frame, at: shownY)
        for (k, density) in densities.enumerated() where density > 0 {
            let x0 = frame.x(low0 + Double(k) * binWidth), x1 = frame.x(low0 + Double(k + 1) * binWidth)
            canvas.rect(x: x0, y: frame.y(density), width: max(x1 - x0, 0.5), height: frame.y(0) - frame.y(density),
                        fill: "#9ecae1", stroke: "#6baed6", strokeWidth: 0.5)
        }
        canvas.polyline(grid.map { (frame.x($0.0), frame.y($0.1)) }, stroke: "#08519c", width: 2)
        canvas.line(frame.left, frame.y(0), frame.right, frame.y(0))
        canvas.line(frame.left, frame.top, frame.left, frame.y(0))
        canvas.xTicks(frame, xTicks, labels: xTicks.map { PlotTicks.label($0, step: allXTicks) }, baseline: frame.y(0))
        canvas.yTicks(frame, shownY, labels: shownY.map { PlotTicks.label($0, step: yTicks) })
        canvas.text("placebo coefficient", x: frame.left + frame.width / 2, y: height - 14, anchor: .middle)
        canvas.text("density", x: 18, y: frame.top + frame.height / 2, anchor: .middle, rotated: true)
        // Observed estimate.
        let xo = frame.x(observed)
        let anchor: SVGCanvas.Anchor = xo > frame.left + frame.width * 0.62 ? .end : .start
        let tx = anchor == .end ? xo - 6 : xo + 6
        canvas.line(xo, frame.top, xo, frame.y(0), stroke: "#cb181d", width: 2, dash: "6 3")
        canvas.text("observed = \(Format.significant(observed, digits: 4))", x: tx, y: frame.top + 16, anchor: anchor, fill: "#cb181d")
        canvas.text(pText, x: tx, y: frame.top + 32, anchor: anchor, fill: "#cb181d")
        return canvas.svg
    }

    /// The figure for reports: `placebo.svg` with its title and a caption.
    public var figure: ReportFigure {
        ReportFigure(name: "placebo", title: "Placebo test: \(result.statisticLabel)",
                     caption: "Histogram and kernel density of the placebo coefficients (\(subtitle.components(separatedBy: ";")[0])); "
                        + "the red dashed line is the observed estimate, with the randomization-inference p-values.",
                     svg: svg())
    }

    var subtitle: String {
        var text = "\(result.design.scheme.name) scheme"
        if let strata = result.design.strata { text += " within \(strata)" }
        if let level = result.design.level { text += " by \(level)" }
        text += result.exact ? ", all \(result.drawCount) assignments (exact)" : ", R = \(result.drawCount), seed \(result.seed)"
        return text + "; histogram and kernel density of placebo coefficients"
    }

    var pText: String {
        if result.fakeTiming != nil { return "fake-timing p = \(Format.pValue(result.pValue))" }
        return "p = \(Format.pValue(result.pValue)) (coef), \(Format.pValue(result.pValueStudentized)) (t)"
    }

    func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
