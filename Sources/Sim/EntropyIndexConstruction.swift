import Foundation
import Estimators

/// Which rows one entropy-weight fit sees.
public enum EntropyIndexNormalisation: String, Sendable, Codable, CaseIterable {
    /// One fit over all rows (city-years): one min and max per indicator, one set of weights.
    case pooled
    /// One fit per period's cross-section: min, max, `k = 1/ln n_t`, entropies and weights are all
    /// computed within each year, so the index compares units within a year, not across years.
    case year
}

/// An entropy-weight index built for a data set, the way NQPF papers construct it: ``EntropyWeightIndex``
/// fitted to all rows (``EntropyIndexNormalisation/pooled``) or to each period's rows apart
/// (``EntropyIndexNormalisation/year``), and the index of every row, `s_i = Σ_j w_j x'_ij` with
/// `x'` the shifted min–max normalisation of the fit the row belongs to.
public struct EntropyIndexConstruction: Sendable {
    /// One fit: the rows of one period (or all rows) and the fitted index.
    public struct Fit: Sendable {
        /// The period's label as written in the data; nil for the pooled fit.
        public let period: String?
        /// Number of rows in the fit.
        public let rowCount: Int
        /// Bounds, entropies and weights.
        public let index: EntropyWeightIndex
    }

    /// Indicator names, in input order.
    public let indicators: [String]
    /// Direction of each indicator.
    public let directions: [EntropyWeightIndex.Direction]
    /// Pooled or per-period fits.
    public let normalisation: EntropyIndexNormalisation
    /// The shift added after min–max normalisation (it keeps `p_ij > 0`, so `ln p_ij` exists).
    public let shift: Double
    /// The fits: one when pooled, one per period (in order of first appearance, or numeric order
    /// when every period label is a number) otherwise.
    public let fits: [Fit]
    /// The index of each row, in input order.
    public let values: [Double]

    /// Builds the index.
    /// - Parameters:
    ///   - columns: one array per indicator, one value per row.
    ///   - names: the indicators' names (for messages and reports).
    ///   - directions: whether each indicator counts positively or negatively.
    ///   - periods: each row's period label; required by ``EntropyIndexNormalisation/year``, ignored otherwise.
    ///   - normalisation: pooled or per period.
    ///   - shift: added after min–max normalisation; must be finite and ≥ 0 (a negative shift makes
    ///     some `p_ij` negative, where `ln p_ij` does not exist).
    /// - Throws: ``EntropyIndexError`` for a bad shift, a constant indicator (within a period when
    ///   normalising by year), a period with fewer than 2 rows, or non-finite values.
    public init(columns: [[Double]], names: [String], directions: [EntropyWeightIndex.Direction],
                periods: [String]?, normalisation: EntropyIndexNormalisation, shift: Double) throws(EntropyIndexError) {
        guard shift.isFinite, shift >= 0 else { throw .invalidShift(shift) }
        guard !columns.isEmpty, columns.count == names.count, columns.count == directions.count else {
            throw .shape("need one name and one direction per indicator")
        }
        let rowCount = columns[0].count
        guard columns.allSatisfy({ $0.count == rowCount }) else { throw .shape("indicators have different numbers of rows") }
        var groups: [(period: String?, rows: [Int])] = []
        switch normalisation {
        case .pooled:
            groups = [(nil, Array(0..<rowCount))]
        case .year:
            guard let periods, periods.count == rowCount else { throw .shape("per-year normalisation needs a period for every row") }
            var position: [String: Int] = [:]
            for (row, period) in periods.enumerated() {
                if let k = position[period] { groups[k].rows.append(row) } else {
                    position[period] = groups.count
                    groups.append((period, [row]))
                }
            }
            let numeric = groups.compactMap { Double($0.period ?? "") }
            if numeric.count == groups.count {
                groups.sort { Double($0.period ?? "") ?? 0 < Double($1.period ?? "") ?? 0 }
            }
        }
        var fits: [Fit] = []
        var values = [Double](repeating: 0, count: rowCount)
        for group in groups {
            guard group.rows.count >= 2 else { throw .tooFewRows(period: group.period, count: group.rows.count) }
            let subset = columns.map { column in group.rows.map { column[$0] } }
            let index: EntropyWeightIndex
            do {
                index = try EntropyWeightIndex(columns: subset, directions: directions, shift: shift, names: names)
            } catch let error as EntropyWeightIndex.IndexError {
                switch error {
                case let .constantIndicator(j, _):
                    throw .constantIndicator(name: names[j], period: group.period, value: subset[j][0])
                case let .nonFinite(j, _, row):
                    throw .nonFinite(name: names[j], row: group.rows[row])
                case let .shape(message):
                    throw .shape(message)
                }
            } catch {
                throw .shape("\(error)")
            }
            for (k, row) in group.rows.enumerated() {
                var total = 0.0
                for j in columns.indices { total += index.weights[j] * index.normalized(subset[j][k], indicator: j) }
                values[row] = total
            }
            fits.append(Fit(period: group.period, rowCount: group.rows.count, index: index))
        }
        self.indicators = names
        self.directions = directions
        self.normalisation = normalisation
        self.shift = shift
        self.fits = fits
        self.values = values
    }
}

/// Why an entropy-weight index cannot be built for a data set. Messages name roles ("an
/// indicator", "the time column"), never command-line flags.
public enum EntropyIndexError: Error, Equatable, CustomStringConvertible {
    /// The shift is negative or not finite.
    case invalidShift(Double)
    /// An indicator takes one value on every row (of a period, when normalising by year).
    case constantIndicator(name: String, period: String?, value: Double)
    /// A period has fewer than 2 rows (its entropy's `1/ln n` does not exist).
    case tooFewRows(period: String?, count: Int)
    /// A value is NaN or infinite (0-based row).
    case nonFinite(name: String, row: Int)
    /// Inconsistent inputs (a programming error of the caller).
    case shape(String)
    /// No indicator was named.
    case noIndicators
    /// An indicator is named twice.
    case repeatedIndicator(String)
    /// A column named as negative is not among the indicators.
    case negativeNotAnIndicator(String)
    /// A column the index needs is not in the file.
    case missingColumn(path: String, column: String, role: String, available: [String])
    /// A cell is blank or a missing-value code (`NA`, `.`); the index needs every value.
    case missingValue(path: String, line: Int, column: String, role: String)
    /// A cell is not a finite decimal number.
    case notANumber(path: String, line: Int, column: String, text: String)
    /// An indicator is a string variable of a Stata, SPSS or SAS file; `reason` says so.
    case stringVariable(path: String, column: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidShift(shift):
            return "the shift added after min–max normalisation is \(shift); expected a finite number ≥ 0 "
                + "(a negative shift makes some proportions negative, and their logarithm does not exist)"
        case let .constantIndicator(name, period, value):
            let shown = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
            return "indicator '\(name)' is \(shown) on every row" + (period.map { " of period \($0)" } ?? "")
                + "; a constant indicator cannot be min–max normalised (drop it"
                + (period == nil ? ")" : ", or normalise pooled)")
        case let .tooFewRows(period, count):
            return (period.map { "period \($0) has" } ?? "the data have") + " \(count) row\(count == 1 ? "" : "s")"
                + "; the entropy needs at least 2 rows per fit" + (period == nil ? "" : " (or normalise pooled)")
        case let .nonFinite(name, row):
            return "indicator '\(name)' is not finite on row \(row + 1)"
        case let .shape(message):
            return "entropy index: \(message)"
        case .noIndicators:
            return "no indicator named; expected at least one column"
        case let .repeatedIndicator(name):
            return "indicator '\(name)' is named twice; expected each indicator once"
        case let .negativeNotAnIndicator(name):
            return "'\(name)' is named as a negative indicator but is not among the indicators; expected a subset of them"
        case let .missingColumn(path, column, role, available):
            let shown = available.prefix(12).map { "'\($0)'" }.joined(separator: ", ") + (available.count > 12 ? ", …" : "")
            return "\(path): no column '\(column)' (\(role)); the file has \(shown)"
        case let .missingValue(path, line, column, role):
            let format = DataFileFormat(path: path)
            return "\(format.place(path, line)) \(format.columnNoun) '\(column)' (\(role)) is blank or missing; the index needs "
                + "every value (drop or impute the row first)"
        case let .notANumber(path, line, column, text):
            let format = DataFileFormat(path: path)
            return "\(format.place(path, line)) \(format.columnNoun) '\(column)' (an indicator) is \(Self.quoted(text)); "
                + "expected a number"
        case let .stringVariable(path, column, reason):
            return "\(path): variable '\(column)' (an indicator) \(reason)"
        }
    }

    /// `text` in quotes, shortened and with line breaks escaped so the message stays one line.
    static func quoted(_ text: String) -> String {
        let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "'" + short.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "'"
    }
}
