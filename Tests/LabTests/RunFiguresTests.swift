import Foundation
import Testing
@testable import Lab

/// A run's figures, on a ``RunSummary`` built from hand-made records (no simulation). Oracles:
/// XML well-formedness (`XMLParser`), the summary's own measures (``PerformanceMeasures``, tested
/// elsewhere against their closed forms), read back through each panel's axis transform to within
/// the ±0.005 px rounding of two-decimal coordinates; and the effect-grid rule (three or more
/// conditions differing only in one effect parameter).
@Suite("run figures")
struct RunFiguresTests {
    /// Conditions `effects.att = value` (K = 20 replications each) and two methods: an analytic test
    /// and a randomization test with design size 0.05. The estimate is truth + a fixed spread; the
    /// p-value falls with the effect so that rejection grows along the grid.
    static func summary(effects: [Double], extraParameter: Bool = false) -> RunSummary {
        let names = effects.map { "paper, effects.att=\($0)" + (extraParameter ? ", errors.rho=0.8" : "") }
        let parameters = effects.map { [("effects.att", $0)] + (extraParameter ? [("errors.rho", 0.8)] : []) }
        var records: [ReplicationRecord] = []
        for (c, effect) in effects.enumerated() {
            for r in 0..<20 {
                for m in 0..<2 {
                    let noise = (Double(r) - 9.5) / 40 + (m == 0 ? 0.01 : -0.02)
                    let p = min(1, (Double(r) + 0.5) / 20 / (1 + 10 * effect * Double(m + 1)))
                    records.append(ReplicationRecord(
                        condition: c, replication: r, method: m, estimate: effect + noise, standardError: 0.1,
                        confLow: effect + noise - 0.196, confHigh: effect + noise + 0.196, pValue: p, truth: effect,
                        streamKey: 0, failure: ""))
                }
            }
        }
        return RunSummary(experiment: "figure-test", replications: 20, seed: 1, alpha: 0.05, conditionNames: names,
                          conditionParameters: parameters,
                          methods: [("TWFE", "twfe", "cr1:city", "att"), ("TWFE placebo", "twfe", "placebo:units", "att")],
                          records: records, designSizes: effects.map { _ in [nil, 0.05] })
    }

    /// Checks that the point of (condition, method) in `panel` sits at `value` on the `axis`.
    func expectPoint(_ figure: SVGFigureReader, class name: String = "estimate", panel: String, condition: Int, method: String,
                     axis: String, at value: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let point = figure.elements(class: name, ["data-panel": panel, "data-condition": String(condition), "data-method": method]).first
        let pixel = point?.number(axis == "x" ? "cx" : "cy")
        let drawn = pixel.flatMap { figure.value(atPixel: $0, axis: axis, panel: panel) } ?? .nan
        let tolerance = 0.006 * figure.unitsPerPixel(axis: axis, panel: panel)
        #expect(abs(drawn - value) <= tolerance, "\(name) panel \(panel) condition \(condition) \(method): \(drawn) vs \(value)",
                sourceLocation: sourceLocation)
    }

    @Test("bias, coverage and power figures: well-formed, each point at its measure, MCSE bars and design sizes")
    func effectGrid() throws {
        let summary = Self.summary(effects: [0, 0.1, 0.2, 0.4])
        let figures = RunFigures(summary).figures
        #expect(figures.map(\.name) == ["bias", "coverage", "power"])
        let bias = try #require(SVGFigureReader(figures[0].svg))
        let coverage = try #require(SVGFigureReader(figures[1].svg))
        let power = try #require(SVGFigureReader(figures[2].svg))
        for (c, condition) in summary.conditions.enumerated() {
            for result in condition.results {
                let m = result.measures
                expectPoint(bias, panel: "0", condition: c, method: result.methodName, axis: "x", at: m.bias)
                expectPoint(coverage, panel: "0", condition: c, method: result.methodName, axis: "x", at: m.coverage)
                expectPoint(coverage, panel: "1", condition: c, method: result.methodName, axis: "x", at: m.rejectionRate)
                expectPoint(power, class: "power", panel: "0", condition: c, method: result.methodName, axis: "y", at: m.rejectionRate)
                // The bias bar spans ±1.96 MCSE.
                let bar = bias.elements(class: "mcse", ["data-condition": String(c), "data-method": result.methodName]).first
                let ends = [bar?.number("x1"), bar?.number("x2")].compactMap { $0 }.compactMap { bias.value(atPixel: $0, axis: "x", panel: "0") }
                let tolerance = 0.006 * bias.unitsPerPixel(axis: "x", panel: "0")
                #expect(ends.count == 2 && abs(ends[0] - (m.bias - 1.96 * m.biasMCSE)) <= tolerance
                        && abs(ends[1] - (m.bias + 1.96 * m.biasMCSE)) <= tolerance, "\(ends)")
            }
        }
        // The placebo method's design size is marked on the rejection panel, in every condition.
        let design = coverage.elements(class: "design-size", ["data-method": "TWFE placebo"])
        #expect(design.count == 4)
        let x = design.first?.number("x1").flatMap { coverage.value(atPixel: $0, axis: "x", panel: "1") } ?? .nan
        #expect(abs(x - 0.05) <= 0.006 * coverage.unitsPerPixel(axis: "x", panel: "1"))
        // Size-adjusted curves (dashed) for both methods; condition labels shortened to what differs.
        #expect(power.elements(class: "size-adjusted").count == 2)
        #expect(bias.elements(class: "condition").map(\.text) == ["effects.att=0.0", "effects.att=0.1", "effects.att=0.2", "effects.att=0.4"])
        #expect(figures.allSatisfy { !$0.caption.isEmpty && !$0.title.isEmpty })
    }

    /// Checks that the bar of class `name` of (condition, method) in `panel` runs from `low` to `high` on `axis`.
    func expectBar(_ figure: SVGFigureReader, class name: String, panel: String, condition: Int, method: String, axis: String,
                   from low: Double, to high: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let bar = figure.elements(class: name, ["data-panel": panel, "data-condition": String(condition), "data-method": method]).first
        let keys = axis == "x" ? ["x1", "x2"] : ["y1", "y2"]
        let ends = keys.compactMap { bar?.number($0) }.compactMap { figure.value(atPixel: $0, axis: axis, panel: panel) }
        let tolerance = 0.006 * figure.unitsPerPixel(axis: axis, panel: panel)
        #expect(ends.count == 2 && abs((ends.min() ?? .nan) - low) <= tolerance && abs((ends.max() ?? .nan) - high) <= tolerance,
                "\(name) panel \(panel) condition \(condition) \(method): \(ends) vs [\(low), \(high)]", sourceLocation: sourceLocation)
    }

    @Test("coverage, rejection and power bars are Wilson 95% intervals; bias keeps ±1.96 MCSE")
    func wilsonBars() throws {
        let summary = Self.summary(effects: [0, 0.1, 0.2, 0.4])
        let figures = RunFigures(summary).figures
        let coverage = try #require(SVGFigureReader(figures[1].svg))
        let power = try #require(SVGFigureReader(figures[2].svg))
        for (c, condition) in summary.conditions.enumerated() {
            for result in condition.results {
                let m = result.measures, name = result.methodName
                expectBar(coverage, class: "wilson", panel: "0", condition: c, method: name, axis: "x",
                          from: m.coverageWilson.low, to: m.coverageWilson.high)
                expectBar(coverage, class: "wilson", panel: "1", condition: c, method: name, axis: "x",
                          from: m.rejectionWilson.low, to: m.rejectionWilson.high)
                expectBar(power, class: "wilson", panel: "0", condition: c, method: name, axis: "y",
                          from: m.rejectionWilson.low, to: m.rejectionWilson.high)
            }
        }
        #expect(figures[1].caption.contains("Wilson 95%") && figures[2].caption.contains("Wilson 95%"))
        #expect(coverage.elements.contains { $0.name == "text" && $0.text.hasSuffix("bars: Wilson 95% intervals") })
        #expect(figures[0].caption.contains("±1.96 Monte Carlo"))

        // Rates of 1 and 0 (K = 20): ±1.96 MCSE is 0 there, the Wilson interval is not. Closed form
        // (Wilson 1927): p = 1 gives [K/(K + z²), 1], p = 0 gives [0, z²/(K + z²)], z = 1.959964.
        var records: [ReplicationRecord] = []
        for r in 0..<20 {
            records.append(ReplicationRecord(condition: 0, replication: r, method: 0, estimate: 1, standardError: 0.1, confLow: 0.5,
                                             confHigh: 1.5, pValue: 0.001, truth: 1, streamKey: 0, failure: ""))
            records.append(ReplicationRecord(condition: 0, replication: r, method: 1, estimate: 1, standardError: 0.1, confLow: 2,
                                             confHigh: 3, pValue: 0.9, truth: 1, streamKey: 0, failure: ""))
        }
        let edge = RunSummary(experiment: "edge", replications: 20, seed: 1, alpha: 0.05, conditionNames: ["a"],
                              conditionParameters: [[]], methods: [("sure", "twfe", "cr1:city", "att"),
                                                                   ("never", "twfe", "cr1:city", "att")], records: records)
        let z2 = 1.959963984540054 * 1.959963984540054
        let figure = try #require(SVGFigureReader(RunFigures(edge).coverageFigure.svg))
        #expect(edge.conditions[0].results.map(\.measures.rejectionRate) == [1, 0])
        #expect(edge.conditions[0].results.map(\.measures.coverage) == [1, 0])
        expectBar(figure, class: "wilson", panel: "0", condition: 0, method: "sure", axis: "x", from: 20 / (20 + z2), to: 1)
        expectBar(figure, class: "wilson", panel: "1", condition: 0, method: "sure", axis: "x", from: 20 / (20 + z2), to: 1)
        expectBar(figure, class: "wilson", panel: "0", condition: 0, method: "never", axis: "x", from: 0, to: z2 / (20 + z2))
        expectBar(figure, class: "wilson", panel: "1", condition: 0, method: "never", axis: "x", from: 0, to: z2 / (20 + z2))
    }

    @Test("no effect grid (two effect values, or none): no power figure")
    func noEffectGrid() throws {
        #expect(RunFigures(Self.summary(effects: [0, 0.1])).figures.map(\.name) == ["bias", "coverage"])
        #expect(RunFigures(Self.summary(effects: [0, 0.1, 0.2], extraParameter: true)).powerFigure != nil)
        let noEffect = RunSummary(experiment: "x", replications: 2, seed: 1, alpha: 0.05, conditionNames: ["a", "b", "c"],
                                  conditionParameters: [[("errors.rho", 0.1)], [("errors.rho", 0.5)], [("errors.rho", 0.9)]],
                                  methods: [("TWFE", "twfe", "cr1:city", "att")], records: [])
        let figures = RunFigures(noEffect).figures
        #expect(figures.map(\.name) == ["bias", "coverage"])
        #expect(figures.allSatisfy { SVGFigureReader($0.svg) != nil })
    }
}
