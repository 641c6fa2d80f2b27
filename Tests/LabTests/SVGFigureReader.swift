import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a figure back: parses the SVG as XML (Foundation's `XMLParser`, so a figure that is not
/// well-formed fails here) into its elements, and recovers each axis' linear map from the tick
/// labels (`class="x-tick"`/`"y-tick"` with their exact `data-value`), so tests can check that a
/// point's pixel position encodes its number.
struct SVGFigureReader {
    /// One element: its name and attributes.
    struct Element {
        let name: String
        let attributes: [String: String]
        let text: String
        subscript(_ key: String) -> String? { attributes[key] }
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    }

    private(set) var elements: [Element] = []

    /// Parses `svg`; nil when it is not well-formed XML.
    init?(_ svg: String) {
        final class Delegate: NSObject, XMLParserDelegate {
            var elements: [Element] = []
            var open: [(String, [String: String], String)] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                open.append((name, attributes, ""))
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if !open.isEmpty { open[open.count - 1].2 += string }
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                guard let (name, attributes, text) = open.popLast() else { return }
                elements.append(Element(name: name, attributes: attributes, text: text))
            }
        }
        let delegate = Delegate()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        elements = delegate.elements
    }

    /// Elements with `class` (and, when given, every `data` attribute equal).
    func elements(class name: String, _ data: [String: String] = [:]) -> [Element] {
        elements.filter { element in element["class"] == name && data.allSatisfy { key, value in element[key] == value } }
    }

    /// The value at pixel `pixel` on the x (`axis: "x"`) or y axis of panel `panel`, from its first
    /// and last tick label (a y label sits 4 px below its tick; an x label is centred on it).
    func value(atPixel pixel: Double, axis: String, panel: String? = nil) -> Double? {
        let ticks = elements(class: axis + "-tick", panel.map { ["data-panel": $0] } ?? [:])
        guard let first = ticks.first, let last = ticks.last, let v0 = first.number("data-value"), let v1 = last.number("data-value"),
              let p0 = first.number(axis), let p1 = last.number(axis), v1 != v0 else { return nil }
        let offset = axis == "y" ? 4.0 : 0.0
        return v0 + (pixel - (p0 - offset)) / ((p1 - offset) - (p0 - offset)) * (v1 - v0)
    }

    /// Data units per pixel on an axis: converts the ±0.005 px rounding of the file's two-decimal
    /// coordinates into a tolerance on the value.
    func unitsPerPixel(axis: String, panel: String? = nil) -> Double {
        guard let a = value(atPixel: 0, axis: axis, panel: panel), let b = value(atPixel: 1, axis: axis, panel: panel) else {
            return .nan
        }
        return abs(b - a)
    }
}
