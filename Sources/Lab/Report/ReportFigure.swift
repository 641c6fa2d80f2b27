/// One figure of a report: an SVG document with the title and caption an HTML report prints
/// beside it, and the file stem it is written under (`NAME.svg`).
///
/// Made by ``RunFigures`` (a Monte Carlo run's bias, coverage and power figures),
/// ``DiagnosisPlot/figure`` (diagnose's power curves), ``EventStudyPlot/figure`` and
/// ``PlaceboPlot/figure``.
public struct ReportFigure: Sendable {
    /// The file stem, e.g. `"bias"` for `bias.svg`.
    public let name: String
    /// The figure's title.
    public let title: String
    /// What the figure shows, how to read it, and what it leaves out.
    public let caption: String
    /// The SVG document.
    public let svg: String

    /// Creates a figure.
    public init(name: String, title: String, caption: String, svg: String) {
        self.name = name
        self.title = title
        self.caption = caption
        self.svg = svg
    }
}
