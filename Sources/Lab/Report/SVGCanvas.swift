import Foundation

/// A hand-written SVG document: the house style of every DiDLab figure (white background,
/// Helvetica 12 px, a 15 px title and a grey subtitle centred at the top), built element by
/// element. Coordinates are pixels from the top left; numbers are written with two decimals.
///
/// Elements may carry a `class` and `data-*` attributes so that tests (and scripts) can find a
/// figure's points and read back what they encode.
public struct SVGCanvas: Sendable {
    /// Canvas size in pixels.
    public let width: Double, height: Double
    /// The elements written so far.
    public private(set) var body = ""

    /// Text alignment (`text-anchor`).
    public enum Anchor: String, Sendable { case start, middle, end }

    /// A blank canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The document.
    public var svg: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n"
    }

    /// A number as SVG writes it here: two decimals.
    public static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    /// XML escaping of text placed in an element or an attribute, control characters as U+FFFD
    /// (``MarkupText/escape(_:)``, shared with the HTML report).
    public static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// ` name="value"` for each attribute whose value is not nil, escaped.
    static func attributes(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in value.map { " \(name)=\"\(escape($0))\"" } }.joined()
    }

    /// Appends raw SVG (already escaped).
    public mutating func raw(_ text: String) { body += text }

    /// The title (15 px) at y = 22 and, below it, a grey subtitle at `subtitleY`.
    public mutating func title(_ title: String, subtitle: String? = nil, subtitleY: Double = 38) {
        text(title, x: width / 2, y: 22, anchor: .middle, size: 15)
        if let subtitle { text(subtitle, x: width / 2, y: subtitleY, anchor: .middle, fill: "#555") }
    }

    /// A text element; `rotated` turns it to read upwards about (x, y).
    public mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double? = nil,
                              fill: String? = nil, rotated: Bool = false, data: [(String, String?)] = []) {
        let f = Self.number
        let position = rotated ? " transform=\"translate(\(f(x)) \(f(y))) rotate(-90)\"" : " x=\"\(f(x))\" y=\"\(f(y))\""
        body += "<text" + position + Self.attributes([("text-anchor", anchor == .start ? nil : anchor.rawValue),
                                                      ("font-size", size.map { String(Int($0)) }), ("fill", fill)] + data)
            + ">" + Self.escape(text) + "</text>\n"
    }

    /// A line segment.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black",
                              width: Double? = nil, dash: String? = nil, data: [(String, String?)] = []) {
        let f = Self.number
        body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\""
            + Self.attributes([("stroke", stroke), ("stroke-width", width.map(Self.width)), ("stroke-dasharray", dash)] + data)
            + "/>\n"
    }

    /// An open polyline through `points` (pixels); nothing for fewer than two points.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double? = nil, dash: String? = nil,
                                  data: [(String, String?)] = []) {
        guard points.count >= 2 else { return }
        let f = Self.number
        body += "<polyline fill=\"none\"" + Self.attributes([("stroke", stroke), ("stroke-width", width.map(Self.width)),
                                                             ("stroke-dasharray", dash)] + data)
            + " points=\"" + points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
    }

    /// A circle; `fill: "white"` with a stroke draws a hollow point.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil,
                                width: Double? = nil, data: [(String, String?)] = []) {
        let f = Self.number
        body += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(Self.width(r))\""
            + Self.attributes([("fill", fill), ("stroke", stroke), ("stroke-width", width.map(Self.width))] + data) + "/>\n"
    }

    /// A rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                              strokeWidth: Double? = nil, data: [(String, String?)] = []) {
        let f = Self.number
        body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\""
            + Self.attributes([("fill", fill), ("stroke", stroke), ("stroke-width", strokeWidth.map(Self.width))] + data)
            + "/>\n"
    }

    /// A stroke width or radius: an integer when whole ("2"), else as written ("0.8").
    static func width(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// A vertical error bar from `low` to `high` (pixels) at `x`, with caps `cap` pixels wide
    /// (none when 0).
    public mutating func verticalErrorBar(x: Double, low: Double, high: Double, stroke: String, width: Double = 1.5,
                                          cap: Double = 0, data: [(String, String?)] = []) {
        line(x, low, x, high, stroke: stroke, width: width, data: data)
        guard cap > 0 else { return }
        for y in [low, high] { line(x - cap / 2, y, x + cap / 2, y, stroke: stroke, width: width) }
    }

    /// A horizontal error bar from `low` to `high` (pixels) at `y`, with caps `cap` pixels tall.
    public mutating func horizontalErrorBar(y: Double, low: Double, high: Double, stroke: String, width: Double = 1.5,
                                            cap: Double = 0, data: [(String, String?)] = []) {
        line(low, y, high, y, stroke: stroke, width: width, data: data)
        guard cap > 0 else { return }
        for x in [low, high] { line(x, y - cap / 2, x, y + cap / 2, stroke: stroke, width: width) }
    }
}

/// One line of a figure's legend: a swatch (a short line, dashed or not, and a marker on it)
/// and its label.
public struct LegendEntry: Sendable {
    /// The swatch's marker.
    public enum Marker: Sendable {
        /// None.
        case none
        /// A filled point.
        case point
        /// A hollow point (a reference value).
        case hollow
        /// A short vertical tick (a design value).
        case tick
    }

    /// The label.
    public var label: String
    /// Swatch colour.
    public var colour: String
    /// Swatch line width; 0 draws no line.
    public var width: Double
    /// Dash pattern of the swatch line (nil: solid).
    public var dash: String?
    /// The marker on the swatch.
    public var marker: Marker

    /// Creates an entry.
    public init(label: String, colour: String, width: Double = 2, dash: String? = nil, marker: Marker = .none) {
        self.label = label
        self.colour = colour
        self.width = width
        self.dash = dash
        self.marker = marker
    }
}

extension SVGCanvas {
    /// The categorical palette of every figure (colour-blind-friendly first eight).
    public static let palette = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6cab", "#e07a5f", "#3d405b",
                                 "#81b29a", "#2e4057", "#f2cc8f", "#6d597a"]

    /// The palette colour of series `index`, in an order that keeps neighbouring series apart
    /// (the palette's blue and teal are not drawn side by side before six series).
    public static func colour(_ index: Int) -> String { palette[seriesOrder[index % seriesOrder.count]] }

    static let seriesOrder = [0, 1, 2, 4, 5, 3, 6, 7, 8, 9, 10, 11]

    /// A legend: one entry per row, `rowHeight` apart, the first row's line at `y`; returns the
    /// y below the last row.
    @discardableResult
    public mutating func legend(_ entries: [LegendEntry], x: Double, y: Double, rowHeight: Double = 20) -> Double {
        var y = y
        for entry in entries {
            if entry.width > 0 { line(x, y, x + 24, y, stroke: entry.colour, width: entry.width, dash: entry.dash) }
            switch entry.marker {
            case .none: break
            case .point: circle(cx: x + 12, cy: y, r: 3.5, fill: entry.colour)
            case .hollow: circle(cx: x + 12, cy: y, r: 4, fill: "white", stroke: entry.colour, width: 1.5)
            case .tick: line(x + 12, y - 6, x + 12, y + 6, stroke: entry.colour, width: 2)
            }
            text(entry.label, x: x + 32, y: y + 4, data: [("class", "legend")])
            y += rowHeight
        }
        return y
    }

    /// Width in pixels of `text` at `size` px in Helvetica, estimated (0.56 em a character on
    /// average): enough to size margins so labels are not clipped.
    public static func textWidth(_ text: String, size: Double = 12) -> Double { Double(text.count) * size * 0.56 }
}
