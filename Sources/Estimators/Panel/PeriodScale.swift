/// How the values of a time column are read and ordered.
///
/// A period is either a whole number (a year, or any integer period counter) or a recognised
/// date; every value of one column must be of one kind, and periods are ordered by value, never
/// as text (so `t10` can never sort before `t2`: such labels are rejected). Each kind maps a value
/// to an integer *ordinal* in its natural unit, which orders the periods and measures event time:
///
/// | kind | accepted spellings | ordinal |
/// |---|---|---|
/// | ``integer`` | `2004`, `2004.0`, `-3`, `2.004e3` (integral, \|v\| ≤ 10⁹) | the number |
/// | ``quarter`` | `2010q1`, `2010Q3`, `2010-Q3` (Stata `%tq`) | 4 · year + quarter − 1 |
/// | ``month`` | `2010m3`, `2010M12` (Stata `%tm`), `2010-03` (ISO) | 12 · year + month − 1 |
/// | ``day`` | `2010-03-31` (ISO 8601 calendar date) | days since 1970-01-01 |
///
/// Non-integral numbers (`2004.5`) are rejected: they are not periods of any declared type.
/// Dates take years 1–9999; the bound on integers keeps every period arithmetic far inside
/// `Int32`, whatever the file holds.
public enum PeriodKind: String, Sendable, CaseIterable {
    /// Whole numbers (years or a period counter).
    case integer
    /// Calendar quarters.
    case quarter
    /// Calendar months.
    case month
    /// Calendar days.
    case day

    /// Largest magnitude of an integer period.
    public static let integerLimit: Double = 1e9

    /// What a value of this kind looks like, for messages.
    public var expectation: String {
        switch self {
        case .integer: return "a whole-number period (e.g. a year)"
        case .quarter: return "a quarter like 2010q1"
        case .month: return "a month like 2010m3 or 2010-03"
        case .day: return "a date like 2010-03-31"
        }
    }

    /// The canonical label of an ordinal: `2004`, `2010q1`, `2010m3`, `2010-03-31`.
    public func label(ofOrdinal ordinal: Int) -> String {
        switch self {
        case .integer:
            return String(ordinal)
        case .quarter:
            let (year, quarter) = ordinal.floorDivided(by: 4)
            return "\(year)q\(quarter + 1)"
        case .month:
            let (year, month) = ordinal.floorDivided(by: 12)
            return "\(year)m\(month + 1)"
        case .day:
            let (year, month, day) = CivilDate.fromDays(ordinal)
            return "\(year.padded(4))-\(month.padded(2))-\(day.padded(2))"
        }
    }
}

/// One time value read by ``PeriodKind``: its kind and ordinal.
public struct PeriodValue: Sendable, Equatable {
    /// The kind of the spelling.
    public let kind: PeriodKind
    /// The value in the kind's unit (see ``PeriodKind``).
    public let ordinal: Int

    /// Reads one time value; nil when it is not a whole number within ±10⁹ or a recognised date.
    public init?(parsing text: Substring) {
        if let date = PeriodValue.date(text) { self = date; return }
        // Plain decimal spellings only (no hexadecimal, `inf` or `nan`).
        guard text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 69 || $0 == 101 }),
              let number = Double(text), number.isFinite, number == number.rounded(),
              abs(number) <= PeriodKind.integerLimit else { return nil }
        self.kind = .integer
        self.ordinal = Int(number)
    }

    /// Creates a value of a kind.
    public init(kind: PeriodKind, ordinal: Int) {
        self.kind = kind
        self.ordinal = ordinal
    }

    /// Why `text` is not a period, for messages: a fraction, a number out of range, or not a
    /// number or date at all.
    public static func problem(with text: Substring) -> String {
        if let number = Double(text) {
            if !number.isFinite { return "a period must be finite" }
            if abs(number) > PeriodKind.integerLimit { return "a whole-number period must lie within ±10^9" }
            return "a period must be a whole number or a date (fractions are not periods)"
        }
        return "a period must be a whole number (e.g. a year) or a date "
            + "(YYYY-MM-DD, YYYY-MM, YYYYqN, YYYYmN); text labels would be ordered as text"
    }

    /// Recognises the date spellings of ``PeriodKind``.
    private static func date(_ text: Substring) -> PeriodValue? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 6, bytes.count <= 10 else { return nil }
        var position = 0
        func digits(_ count: ClosedRange<Int>) -> Int? {
            var value = 0, read = 0
            while position < bytes.count, read < count.upperBound, bytes[position] >= 48, bytes[position] <= 57 {
                value = value * 10 + Int(bytes[position] - 48)
                position += 1; read += 1
            }
            return count.contains(read) ? value : nil
        }
        func accept(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] | 0x20 == byte | 0x20 else { return false }
            position += 1
            return true
        }
        guard let year = digits(4...4), year >= 1 else { return nil }
        if accept(UInt8(ascii: "q")) || (accept(UInt8(ascii: "-")) && accept(UInt8(ascii: "q"))) {
            guard let quarter = digits(1...1), (1...4).contains(quarter), position == bytes.count else { return nil }
            return PeriodValue(kind: .quarter, ordinal: 4 * year + quarter - 1)
        }
        position = 4
        if accept(UInt8(ascii: "m")) {
            guard let month = digits(1...2), (1...12).contains(month), position == bytes.count else { return nil }
            return PeriodValue(kind: .month, ordinal: 12 * year + month - 1)
        }
        guard accept(UInt8(ascii: "-")), let month = digits(2...2), (1...12).contains(month) else { return nil }
        if position == bytes.count { return PeriodValue(kind: .month, ordinal: 12 * year + month - 1) }
        guard accept(UInt8(ascii: "-")), let day = digits(2...2), position == bytes.count,
              day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        return PeriodValue(kind: .day, ordinal: CivilDate.days(year: year, month: month, day: day))
    }
}

/// Proleptic Gregorian calendar arithmetic (H. Hinnant's days-from-civil algorithms).
enum CivilDate {
    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day count since 1970-01-01.
    static func fromDays(_ count: Int) -> (year: Int, month: Int, day: Int) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    /// Floor division with a non-negative remainder.
    func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((self % divisor) + divisor) % divisor
        return ((self - remainder) / divisor, remainder)
    }

    /// Zero-padded decimal text of at least `width` digits.
    func padded(_ width: Int) -> String {
        let text = String(Swift.abs(self))
        return (self < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
