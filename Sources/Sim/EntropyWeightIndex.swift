import Foundation

/// The entropy-weight composite index used for city-level NQPF and similar indices, pooled over
/// all rows (city-years). Works on simulated or real data.
///
/// With `n` rows and indicators `j`:
/// 1. min–max normalise, `x'_ij = (x_ij − min_j)/(max_j − min_j) + shift` for positive indicators,
///    `(max_j − x_ij)/(max_j − min_j) + shift` for negative ones (`shift`, default 1e-4, avoids log 0);
/// 2. `p_ij = x'_ij / Σ_i x'_ij`;
/// 3. entropy `e_j = −(1/ln n) Σ_i p_ij ln p_ij` (with `0·ln 0 = 0`);
/// 4. `d_j = 1 − e_j`, weight `w_j = d_j / Σ_j d_j`;
/// 5. index `s_i = Σ_j w_j x'_ij`.
/// Once fitted, the index is a fixed affine map of the indicators (bounds and weights frozen), so it
/// can score counterfactual indicators on the observed data's scale (``score(_:)``).
/// Reference: the method as described in DOMAIN.md ("NQPF index"), e.g. Han, Zhang & Zhao (2024).
public struct EntropyWeightIndex: Sendable, Equatable {
    /// Whether larger raw values mean more of the construct.
    public enum Direction: String, Sendable, Codable, CaseIterable {
        case positive, negative
    }

    /// Why an index cannot be built.
    public enum IndexError: Error, Equatable, CustomStringConvertible {
        /// An indicator takes one value on every row (its normalisation divides by zero).
        case constantIndicator(index: Int, name: String?)
        /// Columns have different lengths, or there are fewer than 2 rows or no indicator.
        case shape(String)
        /// A value is NaN or infinite.
        case nonFinite(index: Int, name: String?, row: Int)

        public var description: String {
            switch self {
            case let .constantIndicator(index, name):
                return "entropy index: indicator \(name.map { "'\($0)'" } ?? "#\(index + 1)") is constant; it cannot be min–max normalised"
            case let .shape(message):
                return "entropy index: \(message)"
            case let .nonFinite(index, name, row):
                return "entropy index: indicator \(name.map { "'\($0)'" } ?? "#\(index + 1)") is not finite on row \(row + 1)"
            }
        }
    }

    /// Direction of each indicator.
    public let directions: [Direction]
    /// Minimum of each indicator on the fitting data.
    public let minimum: [Double]
    /// Maximum of each indicator on the fitting data.
    public let maximum: [Double]
    /// Entropy `e_j` of each indicator.
    public let entropy: [Double]
    /// Weight `w_j` of each indicator (sums to 1).
    public let weights: [Double]
    /// Shift added after normalisation.
    public let shift: Double

    /// Fits the index to `columns` (one array per indicator, one entry per row).
    /// - Parameters:
    ///   - names: indicator names, for error messages (optional).
    ///   - equalWeights: use `w_j = 1/m` instead of entropy weights (entropies are still reported).
    /// - Throws: ``IndexError`` for ragged, tiny, non-finite or constant columns.
    public init(columns: [[Double]], directions: [Direction], shift: Double = 1e-4, names: [String]? = nil,
                equalWeights: Bool = false) throws {
        guard !columns.isEmpty, columns.count == directions.count else {
            throw IndexError.shape("need one direction per indicator (\(columns.count) columns, \(directions.count) directions)")
        }
        let n = columns[0].count
        guard n >= 2, columns.allSatisfy({ $0.count == n }) else {
            throw IndexError.shape("every indicator needs the same number (≥ 2) of rows")
        }
        var minimum: [Double] = [], maximum: [Double] = [], entropy: [Double] = []
        let logN = Foundation.log(Double(n))
        for (j, column) in columns.enumerated() {
            var low = Double.infinity, high = -Double.infinity
            for (row, value) in column.enumerated() {
                guard value.isFinite else { throw IndexError.nonFinite(index: j, name: names?[j], row: row) }
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
            guard high > low else { throw IndexError.constantIndicator(index: j, name: names?[j]) }
            minimum.append(low)
            maximum.append(high)
            let range = high - low
            var total = 0.0
            for value in column {
                total += (directions[j] == .positive ? value - low : high - value) / range + shift
            }
            var sum = 0.0
            for value in column {
                let p = ((directions[j] == .positive ? value - low : high - value) / range + shift) / total
                if p > 0 { sum += p * Foundation.log(p) }
            }
            entropy.append(-sum / logN)
        }
        let divergence = entropy.map { 1 - $0 }
        let totalDivergence = divergence.reduce(0, +)
        self.directions = directions
        self.minimum = minimum
        self.maximum = maximum
        self.entropy = entropy
        self.shift = shift
        if equalWeights || !(totalDivergence > 0) {
            weights = [Double](repeating: 1 / Double(columns.count), count: columns.count)
        } else {
            weights = divergence.map { $0 / totalDivergence }
        }
    }

    /// Normalised value `x'` of `value` for indicator `j` on the fitted scale (not clipped).
    @inlinable
    public func normalized(_ value: Double, indicator j: Int) -> Double {
        let range = maximum[j] - minimum[j]
        return (directions[j] == .positive ? value - minimum[j] : maximum[j] - value) / range + shift
    }

    /// Index of each row of `columns` (same layout as the fitting data; any number of rows).
    public func score(_ columns: [[Double]]) -> [Double] {
        precondition(columns.count == weights.count, "score needs one column per indicator")
        let n = columns.first?.count ?? 0
        var out = [Double](repeating: 0, count: n)
        for (j, column) in columns.enumerated() {
            let range = maximum[j] - minimum[j]
            // w·((x − min)/range + shift) = a·x + c, written out so scoring is one pass.
            let slope = (directions[j] == .positive ? 1.0 : -1.0) * weights[j] / range
            let intercept = weights[j] * ((directions[j] == .positive ? -minimum[j] : maximum[j]) / range + shift)
            for row in 0..<n { out[row] += slope * column[row] + intercept }
        }
        return out
    }
}
