// ReadStatTable+Parse.swift — filling a `ReadStatTable` from ReadStat's callbacks.
//
// ReadStat parses the file and calls C function pointers: once with the metadata (declared
// observation and variable counts), once per variable, once per value label, and once per cell
// in row-major order. The callbacks capture nothing; they reach the Swift state through the
// `ctx` pointer, an unretained reference to a `ReadStatParse` that lives for the whole call.
// The hot per-cell state is marked `@exclusivity(unchecked)`: one parse runs on one thread, and the
// runtime's access bookkeeping on every cell was a tenth of the parse.

import CReadStat
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one parse.
final class ReadStatParse {
    /// What a finished parse gives ``ReadStatTable``.
    struct Result {
        let names: [String]
        let rowCount: Int
        let columns: [ReadStatTable.Column]
    }

    let path: String
    let wanted: Set<String>?
    /// Declared observation count (-1 when the file does not say).
    var declaredRows = -1
    var names: [String] = []
    /// Per variable: whether it is loaded, whether it is a string, its value-label set.
    @exclusivity(unchecked) var loaded: [Bool] = []
    @exclusivity(unchecked) var isString: [Bool] = []
    var labelSet: [String?] = []
    @exclusivity(unchecked) var numbers: [[Double]] = []
    @exclusivity(unchecked) var strings: [[String]] = []
    /// Value labels by set name: value -> label.
    var labelSets: [String: [Double: String]] = [:]
    /// Observations seen (highest observation index + 1).
    @exclusivity(unchecked) var rowsSeen = 0
    /// Whether the cell budget was checked against the variables actually loaded.
    @exclusivity(unchecked) var budgetChecked = false
    /// Number of variables loaded (known once the budget is checked).
    @exclusivity(unchecked) var loadedCount = 0
    /// Why the parse was stopped from our side.
    var refusal: ReadStatError?
    /// ReadStat's last detailed message, if any.
    var lastMessage: String?
    /// The longest a value-label-set name can be in this file, counting its terminating NUL: the
    /// width of the fixed field ReadStat hands us a pointer into. ReadStat 1.1.8 passes the field
    /// as a C string even when a damaged file leaves no NUL in it (found by FuzzDataFile: `strlen`
    /// read past ReadStat's buffer on a corrupt format-113 file), so names are read with `strnlen`
    /// bounded by the field (nil: not a Stata file, where ReadStat makes the names itself).
    var nameField: Int?

    /// A name from a fixed-width field of the file, read no further than the field.
    func boundedName(_ pointer: UnsafePointer<CChar>) -> String {
        guard let nameField else { return String(cString: pointer) }
        let length = strnlen(pointer, nameField)
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// The width of a Stata file's value-label-name fields, from its format number (the first byte
    /// of formats 104–116, `<release>NNN</release>` in the header of 117–119): 9 bytes before
    /// format 108, 33 before 118, 129 from 118 on. Nil when the header cannot be read.
    static func stataNameField(path: String) -> Int? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var head = [UInt8](repeating: 0, count: 64)
        let count = fread(&head, 1, head.count, file)
        guard count > 0 else { return nil }
        head.removeSubrange(count...)
        var format = Int(head[0])
        let text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("<stata_dta>") {
            guard let start = text.range(of: "<release>")?.upperBound,
                  let release = Int(text[start...].prefix(3)) else { return 9 }
            format = release
        }
        return format >= 118 ? 129 : format >= 108 ? 33 : 9
    }

    init(path: String, wanted: Set<String>?) {
        self.path = path
        self.wanted = wanted
    }

    /// Parses the file at `path` with ReadStat's parser for `format`.
    static func run(path: String, format: DataFileFormat, variables: Set<String>?) throws(ReadStatError) -> Result {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR || path.isEmpty { throw ReadStatError.fileNotFound(path: path) }
            throw ReadStatError.invalid(path: path, reason: String(cString: strerror(code)))
        }
        if info.st_mode & S_IFMT == S_IFDIR { throw ReadStatError.invalid(path: path, reason: "is a directory") }
        guard let parser = readstat_parser_init() else {
            throw ReadStatError.invalid(path: path, reason: "ReadStat could not allocate a parser")
        }
        defer { readstat_parser_free(parser) }
        let state = ReadStatParse(path: path, wanted: variables)
        if format == .stata { state.nameField = stataNameField(path: path) ?? 9 }
        let file = ReadStatBufferedFile()
        file.install(on: parser)
        readstat_set_metadata_handler(parser) { metadata, ctx in
            guard let ctx, let metadata else { return Int32(READSTAT_HANDLER_ABORT) }
            return ReadStatParse.from(ctx).metadata(rows: Int(readstat_get_row_count(metadata)),
                                                    variables: Int(readstat_get_var_count(metadata)))
        }
        readstat_set_variable_handler(parser) { index, variable, labels, ctx in
            guard let ctx, let variable else { return Int32(READSTAT_HANDLER_ABORT) }
            let state = ReadStatParse.from(ctx)
            return state.variable(index: Int(index), variable, labelSet: labels.map { state.boundedName($0) })
        }
        readstat_set_value_label_handler(parser) { set, value, label, ctx in
            guard let ctx, let set, let label else { return Int32(READSTAT_HANDLER_ABORT) }
            let state = ReadStatParse.from(ctx)
            state.valueLabel(set: state.boundedName(set), value: value, label: String(cString: label))
            return Int32(READSTAT_HANDLER_OK)
        }
        readstat_set_value_handler(parser) { observation, variable, value, ctx in
            guard let ctx, let variable else { return Int32(READSTAT_HANDLER_ABORT) }
            return ReadStatParse.from(ctx).value(observation: Int(observation), variable, value)
        }
        readstat_set_error_handler(parser) { message, ctx in
            guard let ctx, let message else { return }
            ReadStatParse.from(ctx).lastMessage = String(cString: message)
        }
        let context = Unmanaged.passUnretained(state).toOpaque()
        let code: readstat_error_t = withExtendedLifetime((state, file)) {
            switch format {
            case .stata: return readstat_parse_dta(parser, path, context)
            case .spss: return readstat_parse_sav(parser, path, context)
            case .sas: return readstat_parse_sas7bdat(parser, path, context)
            case .csv: return READSTAT_ERROR_PARSE
            }
        }
        if let refusal = state.refusal { throw refusal }
        guard code == READSTAT_OK else {
            var reason = readstat_error_message(code).map { String(cString: $0) } ?? "ReadStat error \(code.rawValue)"
            if code == READSTAT_ERROR_READ {
                reason += " (the file ends before the data its header declares: a truncated or damaged \(format.fileDescription))"
            } else if code == READSTAT_ERROR_UNSUPPORTED_FILE_FORMAT_VERSION && format == .stata {
                reason += " (DiDLab reads Stata formats 104-119, written by Stata 1 to 18: is it a .dta file?)"
            }
            if let detail = state.lastMessage?.trimmingBlanksAndNewlines().oneLine, !detail.isEmpty, detail != reason {
                reason += " (\(detail))"
            }
            throw ReadStatError.invalid(path: path, reason: reason)
        }
        return try state.finish()
    }

    static func from(_ ctx: UnsafeMutableRawPointer) -> ReadStatParse {
        Unmanaged<ReadStatParse>.fromOpaque(ctx).takeUnretainedValue()
    }

    func metadata(rows: Int, variables: Int) -> Int32 {
        declaredRows = rows
        if rows > ReadStatTable.cellLimit || variables > ReadStatTable.cellLimit {
            refusal = .tooLarge(path: path, rows: rows, variables: variables)
            return Int32(READSTAT_HANDLER_ABORT)
        }
        return Int32(READSTAT_HANDLER_OK)
    }

    func variable(index: Int, _ variable: UnsafeMutablePointer<readstat_variable_t>, labelSet set: String?) -> Int32 {
        let name = readstat_variable_get_name(variable).map { String(cString: $0) } ?? "v\(index + 1)"
        guard index == names.count else {
            refusal = .invalid(path: path, reason: "variables out of order")
            return Int32(READSTAT_HANDLER_ABORT)
        }
        let keep = wanted.map { $0.contains(name) } ?? true
        names.append(name)
        loaded.append(keep)
        isString.append(readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_STRING)
        labelSet.append(set)
        numbers.append([])
        strings.append([])
        return keep ? Int32(READSTAT_HANDLER_OK) : Int32(READSTAT_HANDLER_SKIP_VARIABLE)
    }

    func valueLabel(set: String, value: readstat_value_t, label: String) {
        guard readstat_value_type_class(value) == READSTAT_TYPE_CLASS_NUMERIC,
              readstat_value_is_system_missing(value) == 0, readstat_value_is_tagged_missing(value) == 0 else { return }
        let number = readstat_double_value(value)
        guard number.isFinite else { return }
        labelSets[set, default: [:]][number] = label
    }

    /// The check of the cells to hold, once the loaded variables are known; reserves storage.
    func checkBudget() -> Bool {
        budgetChecked = true
        loadedCount = loaded.filter { $0 }.count
        if declaredRows > 0, loadedCount > 0, declaredRows > ReadStatTable.cellLimit / loadedCount {
            refusal = .tooLarge(path: path, rows: declaredRows, variables: loadedCount)
            return false
        }
        let reserve = min(max(declaredRows, 0), 1 << 20)
        for c in names.indices where loaded[c] {
            if isString[c] { strings[c].reserveCapacity(reserve) } else { numbers[c].reserveCapacity(reserve) }
        }
        return true
    }

    func value(observation: Int, _ variable: UnsafeMutablePointer<readstat_variable_t>, _ value: readstat_value_t) -> Int32 {
        if !budgetChecked && !checkBudget() { return Int32(READSTAT_HANDLER_ABORT) }
        let c = Int(readstat_variable_get_index(variable))
        guard c >= 0, c < names.count, loaded[c], observation >= 0 else { return Int32(READSTAT_HANDLER_OK) }
        if observation >= rowsSeen {
            rowsSeen = observation + 1
            // Without a declared count (some SPSS files), the budget is checked as rows arrive.
            if rowsSeen > ReadStatTable.cellLimit / max(1, loadedCount) {
                refusal = .tooLarge(path: path, rows: rowsSeen, variables: loadedCount)
                return Int32(READSTAT_HANDLER_ABORT)
            }
        }
        if isString[c] {
            while strings[c].count < observation { strings[c].append("") }
            // A string the file declares missing (an SPSS user-missing string) is read as a blank,
            // the missing string; ReadStat 1.1.8 reports those through readstat_value_is_missing.
            let missing = readstat_value_type_class(value) != READSTAT_TYPE_CLASS_STRING
                || readstat_value_is_missing(value, variable) != 0
            strings[c].append(missing ? "" : readstat_string_value(value).map { String(cString: $0) } ?? "")
        } else {
            while numbers[c].count < observation { numbers[c].append(.nan) }
            let missing = readstat_value_is_missing(value, variable) != 0
                || readstat_value_type_class(value) != READSTAT_TYPE_CLASS_NUMERIC
            // readstat_double_value converts every numeric storage type (int8/16/32, float,
            // double) to double exactly.
            numbers[c].append(missing ? .nan : readstat_double_value(value))
        }
        return Int32(READSTAT_HANDLER_OK)
    }

    /// The columns, each padded to the row count, with the display names of labelled values.
    func finish() throws(ReadStatError) -> Result {
        let rowCount = rowsSeen
        var columns: [ReadStatTable.Column] = []
        columns.reserveCapacity(names.count)
        for c in names.indices {
            guard loaded[c] else { columns.append(.skipped); continue }
            if isString[c] {
                var values = strings[c]
                while values.count < rowCount { values.append("") }
                columns.append(.text(values))
            } else {
                var values = numbers[c]
                while values.count < rowCount { values.append(.nan) }
                let labels = labelSet[c].flatMap { labelSets[$0] } ?? [:]
                columns.append(.numeric(values: values, names: Self.displayNames(values: values, labels: labels)))
            }
        }
        return Result(names: names, rowCount: rowCount, columns: columns)
    }

    /// The display name of each labelled value that occurs in `values`. Names are unique among the
    /// names the column shows (labelled and unlabelled values) as the panel reader compares them,
    /// without leading and trailing spaces and tabs (`String.trimmed`): where two values would show
    /// the same name, `East` and ` East` included, each such label is followed by its value,
    /// `East (1)`; if even that collides, the column shows plain numbers. A label that is blank once
    /// trimmed names nothing: its value shows as the number.
    static func displayNames(values: [Double], labels: [Double: String]) -> [Double: String] {
        let labels = labels.filter { !$0.value.trimmed.isEmpty }
        guard !labels.isEmpty else { return [:] }
        var present = Set<Double>()
        for value in values where !value.isNaN { present.insert(value) }
        var byName: [String: Int] = [:]
        for value in present { byName[(labels[value] ?? ReadStatTable.text(value)).trimmed, default: 0] += 1 }
        var names: [Double: String] = [:]
        for value in present {
            guard let label = labels[value] else { continue }
            let name = label.trimmed
            names[value] = byName[name, default: 0] > 1 ? "\(name) (\(ReadStatTable.text(value)))" : label
        }
        var final = Set<String>()
        for value in present where !final.insert((names[value] ?? ReadStatTable.text(value)).trimmed).inserted {
            return [:]
        }
        return names
    }
}

private extension String {
    /// The text with every control character (line breaks included) replaced by a space, so a
    /// message quoting it stays on one line.
    var oneLine: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// The text without leading and trailing white space and line breaks.
    func trimmingBlanksAndNewlines() -> String {
        var view = Substring(self)
        while let c = view.first, c.isWhitespace { view.removeFirst() }
        while let c = view.last, c.isWhitespace { view.removeLast() }
        return String(view)
    }
}
