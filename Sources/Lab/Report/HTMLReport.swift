import Foundation

/// One self-contained HTML page for a `run` or `diagnose` directory (`didlab report DIR`,
/// `--html`): the aims, the tables, the figures inline as SVG, the notes, and the command line
/// and build that produced it.
///
/// The page needs nothing outside itself: the CSS is inline, there is no script, no font, no
/// image file and no network address. Every string from data is escaped (``escape(_:)``); the
/// figures are SVG text made by DiDLab's own plot types. The markup is XHTML-compatible (every
/// element closed, no named entities), so an XML parser reads it too. Accessibility: `lang`,
/// tables with `<caption>` and `<th scope>`, figures with `<figcaption>` and `role="img"`,
/// scrollable table regions focusable by keyboard. Layout: a readable column at desktop width;
/// on a narrow screen each table scrolls sideways inside its own wrapper; printing expands the
/// wrappers and keeps rows and figures whole.
public struct HTMLReport: Sendable {
    /// A figure: its title, a caption in words, and an SVG document (an XML prolog is dropped).
    public typealias Figure = ReportFigure

    /// A table of text cells.
    public struct Table: Sendable {
        /// The caption (the table's accessible name).
        public var caption: String
        /// Column headers.
        public var headers: [String]
        /// Rows of cells, as many as headers.
        public var rows: [[String]]
        /// Leading columns that head their row (`<th scope="row">`).
        public var rowHeaderColumns = 1
        /// Rows sharing their first cell form a group whose first cell spans them
        /// (`<th scope="rowgroup">`), e.g. the conditions of a run.
        public var groupsByFirstColumn = false
        /// A note printed under the table.
        public var note: String?

        /// Creates a table.
        public init(caption: String, headers: [String], rows: [[String]], rowHeaderColumns: Int = 1,
                    groupsByFirstColumn: Bool = false, note: String? = nil) {
            (self.caption, self.headers, self.rows, self.rowHeaderColumns) = (caption, headers, rows, rowHeaderColumns)
            (self.groupsByFirstColumn, self.note) = (groupsByFirstColumn, note)
        }
    }

    /// One piece of a section.
    public indirect enum Block: Sendable {
        /// A paragraph of text.
        case paragraph(String)
        /// A heading inside the section.
        case heading(String)
        /// A table.
        case table(Table)
        /// A figure.
        case figure(Figure)
        /// A bulleted list.
        case list([String])
        /// A list of findings, each marked (a word shown beside it, and a style).
        case findings([(mark: String, style: FindingStyle, text: String)])
        /// Term–value pairs.
        case definitions([(String, String)])
        /// Blocks folded under a summary line (`<details>`), opened by the reader.
        case folded(title: String, blocks: [Block])
        /// Preformatted text (a spec, a command line) under a heading, folded when `folded`.
        case preformatted(title: String, text: String, folded: Bool)
    }

    /// How a finding is marked.
    public enum FindingStyle: String, Sendable {
        /// A method that holds its size.
        case good
        /// A method that does not (over-rejects, fails, cannot reject).
        case bad
        /// Neither.
        case neutral
        /// The recommendation.
        case best
    }

    /// A section: a heading and its blocks.
    public struct Section: Sendable {
        /// The heading.
        public var title: String
        /// The content.
        public var blocks: [Block]

        /// Creates a section.
        public init(_ title: String, _ blocks: [Block]) { (self.title, self.blocks) = (title, blocks) }
    }

    /// What produced the report: shown last, under "How this was produced".
    public struct Provenance: Sendable {
        /// The command line that wrote the directory (nil when its manifest predates recording it).
        public var commandLine: String?
        /// The build-info stamp of the `didlab` that wrote the directory: the `didlab` object of its
        /// manifest or results JSON (`didlab --version`: version, git commit, build flags), nil when
        /// the files carry none. Rendered by ``buildStampBlock(_:)``.
        public var build: JSONValue?
        /// Facts of the manifest (experiment, replications, seed, directory).
        public var facts: [(String, String)]
        /// The input as recorded (the spec text, or the diagnosis's inputs), with its title.
        public var input: (title: String, text: String)?

        /// Creates a provenance record.
        public init(commandLine: String?, build: JSONValue?, facts: [(String, String)], input: (title: String, text: String)?) {
            (self.commandLine, self.build, self.facts, self.input) = (commandLine, build, facts, input)
        }
    }

    /// The page title (`<title>` and the heading).
    public var title: String
    /// The line under the heading.
    public var subtitle: String
    /// The sections, in order.
    public var sections: [Section]
    /// What produced it.
    public var provenance: Provenance

    /// Creates a report.
    public init(title: String, subtitle: String, sections: [Section], provenance: Provenance) {
        (self.title, self.subtitle, self.sections, self.provenance) = (title, subtitle, sections, provenance)
    }

    /// `&`, `<`, `>`, `"` and `'` as character references, control characters as U+FFFD
    /// (``MarkupText/escape(_:)``, shared with the SVG figures).
    public static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// The page.
    public func html() -> String {
        var ids = IDMaker()
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="didlab report" />
        <title>\(Self.escape(title))</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <header>
        <h1>\(Self.escape(title))</h1>
        <p class="subtitle">\(Self.escape(subtitle))</p>

        """
        let all = sections + [provenanceSection()]
        out += "<nav aria-label=\"Contents\"><ul>"
        var sectionIDs: [String] = []
        for section in all {
            let id = ids.make(section.title)
            sectionIDs.append(id)
            out += "<li><a href=\"#\(id)\">\(Self.escape(section.title))</a></li>"
        }
        out += "</ul></nav>\n</header>\n<main>\n"
        for (section, id) in zip(all, sectionIDs) {
            out += "<section aria-labelledby=\"\(id)\">\n<h2 id=\"\(id)\">\(Self.escape(section.title))</h2>\n"
            for block in section.blocks { out += Self.render(block, ids: &ids) }
            out += "</section>\n"
        }
        // Neutral about which command wrote it: `didlab report DIR`, `run --html` and `diagnose --html` write the same page.
        out += "</main>\n<footer><p>Written by didlab (<code>didlab report</code>, or <code>run</code> / <code>diagnose</code> "
            + "with <code>--html</code>). Self-contained: no scripts, fonts or network requests.</p></footer>\n</body>\n</html>\n"
        return out
    }

    /// The last section: the command line, the build and the recorded input.
    func provenanceSection() -> Section {
        var blocks: [Block] = []
        blocks.append(.preformatted(title: "Command line",
                                    text: provenance.commandLine ?? "(not recorded: this directory was written by a didlab "
                                        + "that did not record its command line)", folded: false))
        blocks.append(Self.buildStampBlock(provenance.build))
        if !provenance.facts.isEmpty { blocks.append(.definitions(provenance.facts)) }
        if let input = provenance.input { blocks.append(.preformatted(title: input.title, text: input.text, folded: true)) }
        return Section("How this was produced", blocks)
    }

    /// The build-info stamp (`didlab --version`: version, git commit, build flags), as recorded in
    /// the directory's JSON under `didlab`: every field of that object, flattened to `key.sub`
    /// pairs in their order. The one place the stamp is shown.
    public static func buildStampBlock(_ stamp: JSONValue?) -> Block {
        guard let stamp else {
            return .paragraph("Build: not recorded (the files carry no didlab build stamp; didlab --version prints the "
                              + "current one).")
        }
        var pairs: [(String, String)] = []
        func flatten(_ value: JSONValue, _ prefix: String) {
            switch value {
            case .object(let items): for (key, item) in items { flatten(item, prefix.isEmpty ? key : prefix + "." + key) }
            case .array(let items): pairs.append((prefix, items.map(Self.plain).joined(separator: ", ")))
            default: pairs.append((prefix.isEmpty ? "didlab" : prefix, Self.plain(value)))
            }
        }
        flatten(stamp, "")
        return .definitions(pairs.map { ("didlab " + $0.0, $0.1) })
    }

    /// A JSON scalar as text (strings unquoted).
    static func plain(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.rendered(indent: 0)
    }

    static func render(_ block: Block, ids: inout IDMaker) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(escape(text))</p>\n"
        case .heading(let text):
            return "<h3>\(escape(text))</h3>\n"
        case .list(let items):
            return "<ul>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        case .findings(let items):
            return "<ul class=\"findings\">" + items.map {
                "<li class=\"\($0.style.rawValue)\"><span class=\"mark\">\(escape($0.mark))</span> \(escape($0.text))</li>"
            }.joined() + "</ul>\n"
        case .definitions(let pairs):
            return "<dl>" + pairs.map { "<div><dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd></div>" }.joined() + "</dl>\n"
        case .preformatted(let title, let text, let folded):
            let body = "<pre><code>\(escape(text))</code></pre>"
            return folded ? "<details><summary>\(escape(title))</summary>\(body)</details>\n"
                : "<h3>\(escape(title))</h3>\(body)\n"
        case .folded(let title, let blocks):
            return "<details><summary>\(escape(title))</summary>\n" + blocks.map { render($0, ids: &ids) }.joined()
                + "</details>\n"
        case .table(let table):
            return render(table, id: ids.make("table " + table.caption))
        case .figure(let figure):
            return render(figure, id: ids.make("figure " + figure.title))
        }
    }

    static func render(_ table: Table, id: String) -> String {
        var out = "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"\(id)\" tabindex=\"0\">\n<table>\n"
        out += "<caption id=\"\(id)\">\(escape(table.caption))</caption>\n<thead><tr>"
        // "power@0.05" may break after its "@" (a narrow column under a long header).
        out += table.headers.map { "<th scope=\"col\">" + escape($0).replacingOccurrences(of: "@", with: "@<wbr />") + "</th>" }
            .joined() + "</tr></thead>\n"
        // Groups of rows (one group when not grouping).
        var groups: [[[String]]] = []
        for row in table.rows {
            if table.groupsByFirstColumn, let last = groups.last?.first, last.first == row.first {
                groups[groups.count - 1].append(row)
            } else if table.groupsByFirstColumn || groups.isEmpty {
                groups.append([row])
            } else {
                groups[groups.count - 1].append(row)
            }
        }
        for group in groups {
            out += "<tbody>\n"
            for (k, row) in group.enumerated() {
                out += "<tr>"
                for (c, cell) in row.enumerated() {
                    if table.groupsByFirstColumn && c == 0 {
                        if k == 0 { out += "<th scope=\"rowgroup\" rowspan=\"\(group.count)\">\(escape(cell))</th>" }
                    } else if c < table.rowHeaderColumns + (table.groupsByFirstColumn ? 1 : 0) {
                        out += "<th scope=\"row\">\(escape(cell))</th>"
                    } else {
                        out += "<td\(isNumeric(cell) ? " class=\"num\"" : "")>\(escape(cell))</td>"
                    }
                }
                out += "</tr>\n"
            }
            out += "</tbody>\n"
        }
        out += "</table>\n</div>\n"
        if let note = table.note { out += "<p class=\"note\">\(escape(note))</p>\n" }
        return out
    }

    /// A cell that starts like a number (digits, a sign, a dash for a missing value) is right-aligned.
    static func isNumeric(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first else { return false }
        return "0123456789-−–.[α>".unicodeScalars.contains(first)
    }

    static func render(_ figure: Figure, id: String) -> String {
        var svg = figure.svg.trimmingCharacters(in: .whitespacesAndNewlines)
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") { svg = String(svg[end.upperBound...]) }
        svg = svg.trimmingCharacters(in: .whitespacesAndNewlines)
        if svg.hasPrefix("<svg") {
            svg = "<svg role=\"img\" aria-labelledby=\"\(id)-title\" focusable=\"false\"" + svg.dropFirst(4)
        }
        return "<figure>\n<h3 id=\"\(id)-title\">\(escape(figure.title))</h3>\n<div class=\"plot\">\(svg)</div>\n"
            + "<figcaption>\(escape(figure.caption))</figcaption>\n</figure>\n"
    }

    /// Unique `id` values made from titles.
    struct IDMaker {
        var used: Set<String> = []

        mutating func make(_ title: String) -> String {
            var base = ""
            for scalar in title.lowercased().unicodeScalars {
                if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                    base.unicodeScalars.append(scalar)
                } else if !base.hasSuffix("-") {
                    base += "-"
                }
            }
            base = String(base.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
            if base.isEmpty || !("a"..."z").contains(base.unicodeScalars.first ?? "0") { base = "s-" + base }
            var id = base, k = 2
            while used.contains(id) { id = "\(base)-\(k)"; k += 1 }
            used.insert(id)
            return id
        }
    }
}
