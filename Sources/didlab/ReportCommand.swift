import ArgumentParser
import Foundation
import Lab

/// `didlab report`: one self-contained HTML page for a `run` or `diagnose` output directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page for a run or diagnose output directory.",
        discussion: """
        The page holds the aims, the tables, the figures (inline SVG), the notes, and the
        command line and build that produced the directory; it loads nothing from outside
        (no scripts, fonts or network). A run's tables are reduced again from its records
        (give every shard's directory to report a sharded run); a diagnosis is read from
        its diagnosis.json. `didlab run --html` and `didlab diagnose --out DIR --html`
        write the same page. scripts/check-report.sh renders it in headless Chromium.
        """)

    @Argument(help: "The output directory of didlab run or didlab diagnose --out (or every shard directory of one run).")
    var directories: [String]

    @Option(help: "Where to write the page (default: DIR/report.html, in the first directory).")
    var out: String?

    func run() throws {
        let target = out ?? directories[0] + "/report.html"
        let report = try ReportDirectory.report(directories: directories)
        try ReportDirectory.write(report, to: target)
        print(target)
    }
}
