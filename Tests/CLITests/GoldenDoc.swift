import Foundation

/// Makes Documentation/JSON.md from the goldens: per section (``GoldenSection``), every field's
/// path, the types it takes across the goldens, and its meaning from the hand-written table
/// `Tests/Fixtures/Goldens/fields.tsv`.
///
/// The table has three tab-separated columns: scope (a section name, or `*` for any), path
/// (`coefficients[].std_error`, or a bare key such as `std_error` that stands for that key
/// anywhere) and meaning. The most specific row wins: section and path, any section and path,
/// section and key, any section and key. A field without a meaning is an error that lists it.
enum GoldenDoc {
    static let documentPath: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Documentation/JSON.md").path
    static let meaningsPath = GoldenStore.directory + "/fields.tsv"

    struct Meanings {
        var rows: [String: String] = [:]
        func meaning(section: GoldenSection, path: String) -> String? {
            let key = path.split(separator: ".").last.map { String($0).replacingOccurrences(of: "[]", with: "") } ?? path
            return rows[section.rawValue + "\t" + path] ?? rows["*\t" + path] ?? rows[section.rawValue + "\t" + key] ?? rows["*\t" + key]
        }
    }

    static func loadMeanings() throws -> Meanings {
        var meanings = Meanings()
        let text = try String(contentsOfFile: meaningsPath, encoding: .utf8)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 3, !cells[2].isEmpty else {
                throw GoldenFailure("fields.tsv:\(number + 1): expected scope<TAB>path<TAB>meaning")
            }
            guard cells[0] == "*" || GoldenSection(rawValue: cells[0]) != nil else {
                throw GoldenFailure("fields.tsv:\(number + 1): unknown scope '\(cells[0])'")
            }
            guard meanings.rows.updateValue(cells[2], forKey: cells[0] + "\t" + cells[1]) == nil else {
                throw GoldenFailure("fields.tsv:\(number + 1): '\(cells[0]) \(cells[1])' listed twice")
            }
        }
        return meanings
    }

    /// A field seen in the goldens: its generic path and the types it took (for a list, the
    /// types of its elements).
    struct Field {
        let path: String
        var types: [String] = []
        var elementTypes: [String] = []
        var volatile = false

        var typeText: String {
            let plain = typeOrder.filter { $0 != "array" && types.contains($0) }
            var list: [String] = []
            if types.contains("array") {
                let elements = typeOrder.filter(elementTypes.contains)
                list = [elements.isEmpty ? "array" : "array of " + elements.joined(separator: " or ")]
            }
            return (plain + list).joined(separator: " or ")
        }
    }

    static let typeOrder = ["object", "array", "string", "integer", "number", "boolean", "null"]

    /// The type a golden value stands for, and whether it is a masked (volatile) placeholder.
    static func type(of value: GoldenJSON) -> (String, Bool) {
        if case .string(let text) = value, text.hasPrefix("<"), text.hasSuffix(">"),
           typeOrder.contains(String(text.dropFirst().dropLast())) {
            return (String(text.dropFirst().dropLast()), true)
        }
        return (value.typeName, false)
    }

    /// Adds `value`'s fields under `path` to `fields` (first appearance order). Elements of a
    /// list add their type to the list's field and their own fields under `path[]`.
    /// A field first seen in a later golden is placed after the field that precedes it there,
    /// so optional fields (`event_time`) sit where they appear in the output.
    static func collect(_ value: GoldenJSON, path: String, into fields: inout [Field], previous: inout String?) {
        func field(_ path: String) -> Int {
            if let k = fields.firstIndex(where: { $0.path == path }) { previous = path; return k }
            let position = previous.flatMap { before in fields.firstIndex { $0.path == before } }.map { $0 + 1 } ?? fields.count
            fields.insert(Field(path: path), at: position)
            previous = path
            return position
        }
        if !path.isEmpty {
            let (type, volatile) = Self.type(of: value)
            let k = field(path)
            if !fields[k].types.contains(type) { fields[k].types.append(type) }
            fields[k].volatile = fields[k].volatile || volatile
        }
        switch value {
        case .object(let pairs):
            for pair in pairs { collect(pair.value, path: path.isEmpty ? pair.key : path + "." + pair.key, into: &fields, previous: &previous) }
        case .array(let items):
            let k = field(path)
            for item in items {
                let (type, volatile) = Self.type(of: item)
                if !fields[k].elementTypes.contains(type) { fields[k].elementTypes.append(type) }
                fields[k].volatile = fields[k].volatile || volatile
                if case .object(let pairs) = item {
                    for pair in pairs { collect(pair.value, path: path + "[]." + pair.key, into: &fields, previous: &previous) }
                } else if case .array = item {
                    collect(item, path: path + "[]", into: &fields, previous: &previous)
                }
            }
        default: break
        }
    }

    static func render(_ documents: [(GoldenCase, GoldenJSON)], meanings: Meanings) throws -> String {
        var out = """
        # JSON output of `didlab`

        <!-- Generated by `UPDATE_GOLDENS=1 swift test --filter Golden` (scripts/update-goldens.sh) from the golden
             files in Tests/Fixtures/Goldens and the meanings in Tests/Fixtures/Goldens/fields.tsv. Do not edit. -->

        Every subcommand's `--format json` output, field by field, as pinned by the golden files in
        `Tests/Fixtures/Goldens/` (one per command line listed in `Tests/CLITests/GoldenCases.swift`, run on
        mpdta where it serves). The test suite `golden JSON` fails when an output differs from its golden
        (keys, key order, types and strings exactly; numbers within 1e-9 relative) and when this page is out
        of date; `UPDATE_GOLDENS=1 swift test --filter Golden` rewrites both, so a changed contract is a diff.

        Conventions, all subcommands:
        - Keys appear in the order listed here. A path `a[].b` is the field `b` of each element of the list `a`.
        - `integer` values are written without a decimal point; `number` values are shortest round-trip
          decimals (17 significant digits at most: parse them as IEEE doubles and you get the exact value).
        - A number that cannot be computed (not finite) is `null`, never `NaN` or `Infinity`; the types
          below list `null` only where a golden shows one.
        - A seed is a decimal string (`"42"`), exact for every unsigned 64-bit seed in any JSON reader
          (a reader that keeps numbers as doubles would round integers above 2^53).
        - Fields marked *volatile* (timings, the machine) are compared by type only.


        """
        var missing: [String] = []
        for section in GoldenSection.allCases {
            let cases = documents.filter { $0.0.section == section }
            guard !cases.isEmpty else { continue }
            var fields: [Field] = []
            for (_, document) in cases {
                var previous: String?
                collect(document, path: "", into: &fields, previous: &previous)
            }
            out += "## \(section.rawValue)\n\n\(section.summary)\n\n"
            out += "Goldens: " + cases.map { "`\($0.0.name).json`" }.joined(separator: ", ") + ".\n\n"
            out += "| Path | Type | Meaning |\n|---|---|---|\n"
            for field in fields {
                guard let meaning = meanings.meaning(section: section, path: field.path) else {
                    missing.append(section.rawValue + "\t" + field.path)
                    continue
                }
                out += "| `\(field.path)` | \(field.typeText)\(field.volatile ? " (volatile)" : "") | \(meaning) |\n"
            }
            out += "\n"
        }
        guard missing.isEmpty else {
            throw GoldenFailure("fields.tsv has no meaning for these fields (scope, path):\n" + missing.joined(separator: "\n"))
        }
        return out
    }
}
