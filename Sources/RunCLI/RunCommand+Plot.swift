import ArgumentParser
import Foundation
import Lab

/// `run --plot DIR` and `merge --plot DIR`: the run's figures as SVG files.
public struct RunPlotOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Write the run's figures into this directory: bias.svg, coverage.svg, and power.svg when the spec has an effect grid.",
        discussion: "bias.svg: bias with ±1.96 MCSE bars by method and condition; coverage.svg: coverage against 1 - alpha and "
            + "rejection against alpha (and the design size of randomization and bootstrap tests); power.svg: power curves, "
            + "raw and size-adjusted, when three or more conditions differ only in one effect parameter."))
    public var plot: String?

    /// Creates the option (ArgumentParser fills it in).
    public init() {}

    /// Creates the directory up front, so a path that cannot hold the figures fails before the work.
    /// - Throws: ``AtomicFile/WriteError`` naming the directory and the reason.
    public func prepare() throws {
        guard let plot else { return }
        try AtomicFile.createDirectory(plot)
    }

    /// Writes every figure of `summary` into the directory (created if missing), atomically, all or none.
    public func write(_ summary: RunSummary) throws {
        guard let plot else { return }
        try prepare()
        let figures = RunFigures(summary).figures
        let paths = figures.map { plot + "/" + $0.name + ".svg" }
        let files = try OutputFiles(paths)
        for (figure, path) in zip(figures, paths) { try files.write(figure.svg, to: path) }
        try files.commit()
    }
}

extension RunPlan {
    /// Writes the run's figures when `--plot DIR` was given (``RunFigures``); a plan runs them once,
    /// after the whole run is summarised (single process, merge, or MPI rank 0).
    public func writeFigures(_ summary: RunSummary) throws { try figures.write(summary) }

    /// Creates the `--plot` directory up front (``RunPlotOption/prepare()``), so that a path that
    /// cannot hold the figures fails before any computation.
    public func prepareFigures() throws { try figures.prepare() }
}
