import ArgumentParser
import Estimators
import Foundation
import Lab

/// `estimate --plot FILE.svg [--plot-methods event,cs,sa,bjs]`: the event-study figure.
struct EventPlotOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Write the event-study figure (SVG) to this file: estimates by event time with the intervals the report prints.",
        discussion: "Methods with event times: " + EventStudySeries.methods.joined(separator: ", ")
            + " (bjs with --lags). With --plot-methods, each listed estimator is fitted with the same options and drawn "
            + "side by side."))
    var plot: String?

    @Option(help: "--plot: overlay these estimators on one figure, comma-separated (e.g. event,cs,sa,bjs; default: --method).")
    var plotMethods: String?
}

/// The `--plot FILE` of estimate, placebo and diagnose: the figure is SVG, so a file name with
/// another extension (x.png, p.pdf) is refused rather than filled with SVG under that name.
enum SVGFileName {
    /// Throws one line naming `flag` unless `path` is nil or ends in `.svg` (any case).
    static func check(_ path: String?, flag: String = "--plot") throws {
        guard let path, !path.lowercased().hasSuffix(".svg") else { return }
        throw ValidationError("\(flag) writes SVG: expected a file name ending in .svg, got '\(path)'")
    }
}

extension EstimateCommand {
    /// The estimators drawn: --plot-methods, or --method.
    func plottedMethods() throws -> [EstimatorEntry] {
        guard let list = plotting.plotMethods else { return [method] }
        let ids = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var entries: [EstimatorEntry] = []
        for id in ids {
            guard let entry = EstimatorRegistry.entry(id: id) else {
                throw ValidationError("--plot-methods: unknown estimator '\(id)'; expected some of "
                                      + EventStudySeries.methods.joined(separator: ", "))
            }
            guard !entries.contains(where: { $0.id == id }) else { throw ValidationError("--plot-methods: '\(id)' is listed twice") }
            entries.append(entry)
        }
        return entries
    }

    /// The settings of an overlaid estimator: the command's, without a control group or an event
    /// window it does not take (cs and sa report every relative period).
    func plotSettings(_ entry: EstimatorEntry) -> EstimatorSettings {
        var settings = self.settings
        if let control = settings.control, !entry.controls.contains(control) { settings.control = nil }
        if entry.minimumLeads == nil { (settings.leads, settings.lags) = (nil, nil) }
        return settings
    }

    /// Refuses --plot where there is no event-time figure to draw, naming the flag.
    func validatePlot() throws {
        try SVGFileName.check(plotting.plot)
        guard plotting.plot != nil else {
            if plotting.plotMethods != nil { throw ValidationError("--plot-methods applies only with --plot FILE.svg") }
            return
        }
        let flag = plotting.plotMethods == nil ? "--method" : "--plot-methods"
        if inferenceFamily == .wcb { throw ValidationError("--plot draws analytic intervals; it cannot be combined with --inference wcb") }
        if by != nil { throw ValidationError("--plot draws event-time estimates; it cannot be combined with --by") }
        for entry in try plottedMethods() {
            if let reason = EventStudySeries.missingEventTimes(method: entry.id, settings: plotSettings(entry)) {
                throw ValidationError("--plot: \(flag) \(entry.id): \(reason)")
            }
            guard entry.id != method.id else { continue }
            do {
                try entry.check(plotSettings(entry), inference: inferenceSpec)
            } catch let error as InvalidParameter {
                throw ValidationError("--plot-methods \(entry.id): " + Flags.message(for: error))
            }
        }
    }

    /// The event-study figure of the fitted `primary` output and of every other plotted method.
    func eventStudyFigure(primary: any EstimatorOutput, data: Panel, bootstrap: MultiplierBootstrap?) throws -> String {
        var series: [EventStudySeries] = []
        for entry in try plottedMethods() {
            let settings = plotSettings(entry)
            let output: any EstimatorOutput
            if entry.id == method.id {
                output = primary
            } else {
                do {
                    output = try entry.make(settings).fit(data)
                } catch let error as CallawaySantAnnaError {
                    throw ValidationError("--plot-methods \(entry.id): " + error.commandLineMessage)
                }
            }
            guard let one = EventStudySeries(output, settings: settings, level: confLevel,
                                             bootstrap: entry.id == "cs" ? bootstrap : nil) else {
                throw ValidationError("--plot: \(entry.id) estimated no event-time coefficient on this panel (see its notes)")
            }
            series.append(one)
        }
        return EventStudyPlot(series, outcome: panel.y).svg()
    }
}
