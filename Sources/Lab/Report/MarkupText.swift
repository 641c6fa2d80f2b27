import Foundation

/// Escaping of plain text for the markup DiDLab writes (the HTML report and the SVG figures):
/// one function, so a figure embedded in the report and the same figure on its own file agree.
public enum MarkupText {
    /// `&`, `<`, `>`, `"` and `'` as character references, safe in element text and in attribute
    /// values of HTML and XML (SVG); C0 control characters other than tab, line feed and carriage
    /// return, and the non-characters U+FFFE and U+FFFF, which neither HTML text nor XML 1.0 may
    /// contain, become U+FFFD (a header cell of a CSV may hold any byte).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
