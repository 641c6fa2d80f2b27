import Estimators
import Foundation

/// The figure placebo tests of the genre print, as a hand-written SVG: a histogram of the
/// placebo coefficients (as a density), a Gaussian kernel density over it (Silverman's
/// rule-of-thumb bandwidth `0.9·min(sd, IQR/1.34)·n^(−1/5)`), and the observed estimate as a
/// vertical line labelled with its value and the RI p-values. Axes carry "nice" tick labels
/// (steps of 1, 2 or 5 × 10^k).
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
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">\(escape("Placebo test: \(result.statisticLabel)"))</text>
        <text x="\(f(width / 2))" y="38" text-anchor="middle" fill="#555">\(escape(subtitle))</text>

        """
        guard values.count >= 2, let low0 = values.first, let high0 = values.last else {
            return out + "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" text-anchor=\"middle\">too few valid draws to plot</text>\n</svg>\n"
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
        let xTicks = PlaceboPlot.niceTicks(low, high)
        let yTicks = PlaceboPlot.niceTicks(0, yMax)
        let yTop = max(yMax, yTicks.last ?? yMax)
        func px(_ x: Double) -> Double { left + (x - low) / (high - low) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / yTop * plotHeight }

        // Axes, grid and ticks.
        out += "<g stroke=\"#ddd\">\n"
        for t in yTicks where t <= yTop { out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(t)))\"/>\n" }
        out += "</g>\n"
        out += "<g fill=\"#9ecae1\" stroke=\"#6baed6\" stroke-width=\"0.5\">\n"
        for (k, density) in densities.enumerated() where density > 0 {
            let x0 = px(low0 + Double(k) * binWidth), x1 = px(low0 + Double(k + 1) * binWidth)
            out += "<rect x=\"\(f(x0))\" y=\"\(f(py(density)))\" width=\"\(f(max(x1 - x0, 0.5)))\" height=\"\(f(py(0) - py(density)))\"/>\n"
        }
        out += "</g>\n"
        out += "<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\""
        out += grid.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ") + "\"/>\n"
        out += "<g stroke=\"black\">\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(0)))\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(py(0)))\"/>\n"
        for t in xTicks where t >= low && t <= high { out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(py(0)))\" x2=\"\(f(px(t)))\" y2=\"\(f(py(0) + 5))\"/>\n" }
        for t in yTicks where t <= yTop { out += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\"/>\n" }
        out += "</g>\n"
        for t in xTicks where t >= low && t <= high {
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(py(0) + 19))\" text-anchor=\"middle\">\(PlaceboPlot.label(t, step: xTicks))</text>\n"
        }
        for t in yTicks where t <= yTop {
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(PlaceboPlot.label(t, step: yTicks))</text>\n"
        }
        out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">placebo coefficient</text>\n"
        out += "<text transform=\"translate(18 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">density</text>\n"
        // Observed estimate.
        let xo = px(observed)
        let anchorEnd = xo > left + plotWidth * 0.62
        let tx = anchorEnd ? xo - 6 : xo + 6
        out += "<line x1=\"\(f(xo))\" y1=\"\(f(top))\" x2=\"\(f(xo))\" y2=\"\(f(py(0)))\" stroke=\"#cb181d\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n"
        out += "<text x=\"\(f(tx))\" y=\"\(f(top + 16))\" fill=\"#cb181d\" text-anchor=\"\(anchorEnd ? "end" : "start")\">"
        out += escape("observed = \(Format.significant(observed, digits: 4))") + "</text>\n"
        out += "<text x=\"\(f(tx))\" y=\"\(f(top + 32))\" fill=\"#cb181d\" text-anchor=\"\(anchorEnd ? "end" : "start")\">"
        out += escape(pText) + "</text>\n"
        out += "</svg>\n"
        return out
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

    func f(_ value: Double) -> String { String(format: "%.2f", value) }

    func escape(_ text: String) -> String { Self.escape(text) }

    /// XML escaping of text placed in an SVG element.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// About five ticks at multiples of 1, 2 or 5 × 10^k covering [low, high].
    static func niceTicks(_ low: Double, _ high: Double, target: Double = 5) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = span / target
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        // The smallest 1-2-5 step giving at most target + 1 intervals.
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= target + 1 } ?? 10 * magnitude
        var ticks: [Double] = []
        var t = (low / step).rounded(.up) * step
        while t <= high + step * 1e-9 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return ticks
    }

    /// Tick label with as many decimals as the step needs.
    static func label(_ value: Double, step ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : max(abs(value), 1)
        let decimals = max(0, Int((-log10(step) - 1e-9).rounded(.up)))
        return String(format: "%.\(min(decimals, 10))f", value)
    }
}
