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
