import Foundation
import Testing
import Estimators
@testable import Lab

/// The event-study figure. Oracles: XML well-formedness (Foundation's `XMLParser`); the figure's
/// own axis transform, recovered from its tick labels, which must map each point back to the
/// number the estimator's report prints (`EstimateReport.rows`, `CallawaySantAnnaReport`'s
/// dynamic rows) — to within the ±0.005 px rounding of two-decimal coordinates.
@Suite("event-study figure")
struct EventStudyPlotTests {
    static func settings(leads: Int? = nil, lags: Int? = nil) -> EstimatorSettings {
        var settings = EstimatorSettings(variance: .cluster("countyreal"))
        settings.leads = leads
        settings.lags = lags
        return settings
    }

    static func series(_ id: String, _ settings: EstimatorSettings, panel: Panel) throws -> EventStudySeries {
        let entry = try #require(EstimatorRegistry.entry(id: id))
        return try #require(EventStudySeries(try entry.make(settings).fit(panel), settings: settings, level: 0.95))
    }

    /// Checks that each point and interval of `series` is drawn where the y axis puts its numbers.
    func expectMapped(_ figure: SVGFigureReader, _ series: EventStudySeries, sourceLocation: SourceLocation = #_sourceLocation) {
        let tolerance = 0.006 * figure.unitsPerPixel(axis: "y")   // two-decimal pixels, plus the transform's rounding
        #expect(tolerance.isFinite && tolerance > 0, sourceLocation: sourceLocation)
        let points = figure.elements(class: "estimate", ["data-series": series.method])
        #expect(points.count == series.points.count, sourceLocation: sourceLocation)
        for point in series.points {
            let tags = ["data-series": series.method, "data-event-time": String(point.eventTime)]
            let circle = figure.elements(class: "estimate", tags).first
            let drawn = circle?.number("cy").flatMap { figure.value(atPixel: $0, axis: "y") } ?? .nan
            #expect(abs(drawn - point.estimate) <= tolerance, "e\(point.eventTime): \(drawn) vs \(point.estimate)",
                    sourceLocation: sourceLocation)
            let line = figure.elements(class: "interval", tags).first
            let ends = [line?.number("y1"), line?.number("y2")].compactMap { $0 }.compactMap { figure.value(atPixel: $0, axis: "y") }
            #expect(ends.count == 2, sourceLocation: sourceLocation)
            if ends.count == 2 {
                #expect(abs(ends.min()! - point.low) <= tolerance && abs(ends.max()! - point.high) <= tolerance,
                        "e\(point.eventTime) interval \(ends) vs [\(point.low), \(point.high)]", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("event study on mpdta: one point per event time at its estimate, CR1 t intervals, hollow reference at e = -1")
    func eventStudy() throws {
        let panel = try LabFixtures.mpdta()
        let settings = Self.settings()
        let estimate = try EventStudy(options: settings.regressionOptions).estimate(panel)
        let series = try #require(EventStudySeries(estimate, settings: settings, level: 0.95))
        // The report's rows are the oracle: the same numbers the table prints.
        let rows = EstimateReport(estimate, level: 0.95).rows.filter { $0.eventTime != nil }
        #expect(series.points.map(\.eventTime) == rows.compactMap(\.eventTime))
        #expect(zip(series.points, rows).allSatisfy { $0.estimate == $1.estimate && $0.low == $1.confLow && $0.high == $1.confHigh })
        #expect(series.reference == -1 && series.interval.contains("t(499)"))
        let plot = EventStudyPlot([series], outcome: "lemp")
        let figure = try #require(SVGFigureReader(plot.svg()))
        expectMapped(figure, series)
        let reference = try #require(figure.elements(class: "reference").first)
        #expect(reference["data-event-time"] == "-1" && reference["fill"] == "white")
        #expect(abs((reference.number("cy").flatMap { figure.value(atPixel: $0, axis: "y") } ?? .nan)) <= 0.006 * figure.unitsPerPixel(axis: "y"))
        #expect(figure.elements.contains { $0.name == "text" && $0.text == "periods relative to treatment" })
        #expect(plot.figure.name == "event-study" && plot.caption.contains("e = -1"))
    }

    @Test("binned endpoints are labelled ≤−K and ≥L")
    func binned() throws {
        let panel = try LabFixtures.mpdta()
        let series = try Self.series("event", Self.settings(leads: 3, lags: 2), panel: panel)
        #expect(series.lowerBin == -3 && series.upperBin == 2)
        let figure = try #require(SVGFigureReader(EventStudyPlot([series], outcome: "lemp").svg()))
        let labels = figure.elements(class: "x-tick").map(\.text)
        #expect(labels == ["≤−3", "−2", "−1", "0", "1", "≥2"], "\(labels)")
        expectMapped(figure, series)
    }

    @Test("overlay of event, cs, sa and bjs: a legend entry per method, dodged points, no reference for cs and bjs")
    func overlay() throws {
        let panel = try LabFixtures.mpdta()
        let windowless = Self.settings()
        let all = [try Self.series("event", Self.settings(lags: 3), panel: panel), try Self.series("cs", windowless, panel: panel),
                   try Self.series("sa", windowless, panel: panel), try Self.series("bjs", Self.settings(lags: 3), panel: panel)]
        #expect(all[1].reference == nil && all[3].reference == nil && all[2].reference == -1)
        #expect(all[1].interval.contains("pointwise") && all[3].interval.contains("normal"))
        #expect(all[3].points.allSatisfy { $0.eventTime >= 0 })
        let plot = EventStudyPlot(all, outcome: "lemp")
        let figure = try #require(SVGFigureReader(plot.svg()))
        let legend = figure.elements(class: "legend").map(\.text)
        for method in ["event", "cs", "sa", "bjs"] {
            #expect(legend.filter { $0.contains("(\(method)):") }.count == 1, "\(method) in \(legend)")
        }
        #expect(legend.contains("omitted reference period, normalised to 0"))
        for series in all { expectMapped(figure, series) }
        // Dodge: at e = 0 the four points sit at four different x positions, in legend order.
        let xs = all.compactMap { s in figure.elements(class: "estimate", ["data-series": s.method, "data-event-time": "0"]).first?.number("cx") }
        #expect(xs.count == 4 && xs == xs.sorted() && Set(xs).count == 4)
        #expect(plot.caption.contains("no omitted reference period for cs") && plot.caption.contains("bjs"))
    }

    @Test("overlay of a binned event study with CS: plain numbers on the axis, the bins and what was fitted in the legend")
    func overlayBinned() throws {
        let panel = try LabFixtures.mpdta()
        // As `estimate --method event --leads 2 --lags 2 --plot-methods event,cs`: cs is fitted without the window.
        let event = try Self.series("event", Self.settings(leads: 2, lags: 2), panel: panel)
        let cs = try Self.series("cs", Self.settings(), panel: panel)
        #expect(event.lowerBin == -2 && event.upperBin == 2 && cs.lowerBin == nil && cs.upperBin == nil)
        // CS has single event times at −2 and 2 and beyond them (mpdta: e = −3…3).
        #expect(cs.points.map(\.eventTime).min() == -3 && cs.points.map(\.eventTime).max() == 3)
        let plot = EventStudyPlot([event, cs], outcome: "lemp")
        let figure = try #require(SVGFigureReader(plot.svg()))
        let labels = figure.elements(class: "x-tick").map(\.text)
        #expect(labels == ["−3", "−2", "−1", "0", "1", "2", "3"], "\(labels)")
        let legend = figure.elements(class: "legend").map(\.text)
        let eventLine = legend.first { $0.contains("(event):") } ?? ""
        let csLine = legend.first { $0.contains("(cs):") } ?? ""
        #expect(eventLine.contains("e ≤ −2 and e ≥ 2 binned") && eventLine.contains("t(499)"), "\(eventLine)")
        #expect(csLine.contains("never-treated controls, varying base period, every event time"), "\(csLine)")
        // The note the README promises is in the SVG itself, not only in the HTML caption.
        let note = figure.elements(class: "note").map(\.text)
        #expect(note.count == 1 && note[0].hasPrefix("no omitted reference period for cs ("), "\(note)")
        #expect(plot.caption.contains("event: e = -2 bins all event times ≤ -2"))
        for series in [event, cs] { expectMapped(figure, series) }
        // With every series binning the same endpoints the axis marks them (two event studies).
        let twice = EventStudyPlot([event, event], outcome: "lemp")
        #expect(try #require(SVGFigureReader(twice.svg())).elements(class: "x-tick").map(\.text).first == "≤−2")
        #expect(SVGFigureReader(twice.svg())?.elements(class: "note").isEmpty == true)
    }

    @Test("control characters in names (a CSV header with \\x0b) become U+FFFD: the SVG stays well-formed XML")
    func controlCharacters() throws {
        // Oracle: XML 1.0 §2.2 (Char excludes C0 controls other than tab, LF, CR); the HTML report shares the escape.
        #expect(SVGCanvas.escape("l\u{0B}emp<&\"'\t") == "l\u{FFFD}emp&lt;&amp;&quot;&#39;\t")
        #expect(HTMLReport.escape("a\u{01}\u{1F}b\u{FFFF}") == "a\u{FFFD}\u{FFFD}b\u{FFFD}")
        let series = EventStudySeries(method: "event", title: "x\u{0B}", interval: "95% CI", points: [
            .init(eventTime: 0, estimate: 1, low: 0, high: 2)])
        let svg = EventStudyPlot([series], outcome: "le\u{0B}mp").svg()
        #expect(!svg.unicodeScalars.contains("\u{0B}"))
        #expect(SVGFigureReader(svg) != nil)
    }

    @Test("CS with bands draws the uniform band the report prints, and says so")
    func uniformBand() throws {
        let panel = try LabFixtures.mpdta()
        let result = try CallawaySantAnna().estimate(panel)
        let bootstrap = MultiplierBootstrap(replications: 199, seed: 7, level: 0.95)
        let series = try #require(EventStudySeries(result, settings: Self.settings(), level: 0.95, bootstrap: bootstrap))
        let report = CallawaySantAnnaReport(result, level: 0.95, bootstrap: bootstrap)
        let bands = report.partRows(.dynamic).compactMap(\.band)
        #expect(series.interval.contains("uniform band") && bands.count == series.points.count)
        #expect(zip(series.points, bands).allSatisfy { $0.low == $1.low && $0.high == $1.high })
    }

    @Test("no event times: twfe and bjs without lags are refused with a reason; the toolkit's ticks follow the 1-2-5 rule")
    func refusals() throws {
        #expect(EventStudySeries.missingEventTimes(method: "twfe", settings: Self.settings()) != nil)
        #expect(EventStudySeries.missingEventTimes(method: "bjs", settings: Self.settings())?.contains("lags") == true)
        #expect(EventStudySeries.missingEventTimes(method: "bjs", settings: Self.settings(lags: 2)) == nil)
        // Oracle: by hand, [-0.013, 0.091] → step 0.02 → [-0.02, 0.1] with seven ticks.
        let axis = PlotTicks.covering(-0.013, 0.091)
        #expect(abs(axis.low + 0.02) < 1e-12 && abs(axis.high - 0.1) < 1e-12 && axis.ticks.count == 7, "\(axis)")
    }
}
