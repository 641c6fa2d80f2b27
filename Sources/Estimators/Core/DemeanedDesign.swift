/// The design of a fixed-effects regression after the within transformation: the demeaned
/// outcome and regressors, stored contiguously, with what inference needs.
public struct DemeanedDesign: Sendable {
    /// Term names, one per regressor column.
    public let termNames: [String]
    /// Number of observations (rows).
    public let observationCount: Int
    /// Demeaned outcome `ỹ`.
    public let outcome: [Double]
    /// Demeaned regressors `X̃`, column-major: column `j` is `matrix[j·n ..< (j+1)·n]`.
    public let matrix: [Double]
    /// Rank of the absorbed fixed effects (see ``TwoWayWithin/fixedEffectRank``).
    public let fixedEffectRank: Int
    /// Row layout when the panel is balanced with at most 16 periods (see ``UnitRows``).
    let unitRows: UnitRows?
    /// Per regressor: on a balanced panel, the sum of squares the fixed effects removed from it
    /// (see ``TwoWayWithin/transform(_:into:workspace:)``); on an unbalanced one, its centred sum
    /// of squares, computed directly. See ``rawScale(_:demeanedSumOfSquares:)``.
    let scaleTerms: [Double]
    /// True when `scaleTerms` holds removed sums of squares (balanced path).
    let scaleIsRemovedPart: Bool

    /// Centred sum of squares of raw regressor `a`, `Σ (x_a − x̄_a)²`, to tell "absorbed by the
    /// fixed effects" (demeaned column ≈ 0 relative to this) from a small-scale variable. On a
    /// balanced panel it is `Σ x̃_a² + removed_a` (orthogonal decomposition, no extra pass over
    /// the data); `demeanedSumOfSquares` is `Σ x̃_a²`, the Gram diagonal.
    func rawScale(_ a: Int, demeanedSumOfSquares: Double) -> Double {
        scaleIsRemovedPart ? demeanedSumOfSquares + scaleTerms[a] : scaleTerms[a]
    }
    /// For regressors that are sparse 0/1 indicators (treatment, event-time, interaction and ring
    /// dummies), the rows where they equal 1; nil for other columns. Between two indicators,
    /// `x̃_a'x̃_b = x_a'x̃_b` (Frisch–Waugh–Lovell), a sum over the rows of `x_a` instead of `n`
    /// products (see ``LeastSquaresFit``).
    public let indicatorRows: [[Int32]?]

    /// The rows where `column` equals 1, when it is a 0/1 indicator with at most a quarter of its
    /// entries non-zero; nil otherwise (one pass, no allocation beyond the result).
    public static func indicatorRows(of column: [Double]) -> [Int32]? {
        column.withUnsafeBufferPointer { x -> [Int32]? in
            let limit = x.count / 4
            var rows = [Int32](repeating: 0, count: limit)
            var count = 0
            let fits: Bool = rows.withUnsafeMutableBufferPointer { out in
                for row in 0..<x.count {
                    let value = x[row]
                    if value == 0 { continue }
                    guard value == 1, count < limit else { return false }
                    out[count] = Int32(truncatingIfNeeded: row)
                    count += 1
                }
                return true
            }
            guard fits else { return nil }
            rows.removeLast(limit - count)
            return rows
        }
    }

    /// Number of regressor columns.
    public var columnCount: Int { termNames.count }

    /// Demeans `outcome` and `regressors` with `within`. `indicatorRows[j]`, when given, must be
    /// the rows where regressor `j` equals 1 (it must be 0 elsewhere); see ``indicatorRows(of:)``.
    public init(within: TwoWayWithin, termNames: [String], outcome: [Double], regressors: [[Double]],
                indicatorRows: [[Int32]?]? = nil) {
        precondition(termNames.count == regressors.count)
        let n = outcome.count
        var workspace = TwoWayWithin.Workspace(for: within)
        // `transform` writes every element of its output, so the storage is not zero-filled first
        // (for a large design that saves a pass over p·n doubles and its page faults).
        let demeanedOutcome = [Double](unsafeUninitializedCapacity: n) { out, initialized in
            outcome.withUnsafeBufferPointer { _ = within.transform($0, into: out, workspace: &workspace) }
            initialized = n
        }
        let total = n * regressors.count
        var removed = [Double](repeating: 0, count: regressors.count)
        let matrix = [Double](unsafeUninitializedCapacity: total) { out, initialized in
            for (j, column) in regressors.enumerated() {
                removed[j] = column.withUnsafeBufferPointer { input in
                    within.transform(input, into: UnsafeMutableBufferPointer(rebasing: out[(j * n)..<((j + 1) * n)]),
                                     workspace: &workspace)
                } ?? 0
            }
            initialized = total
        }
        self.termNames = termNames
        self.observationCount = n
        self.outcome = demeanedOutcome
        self.matrix = matrix
        self.fixedEffectRank = within.fixedEffectRank
        self.unitRows = within.rows
        self.indicatorRows = indicatorRows ?? Array(repeating: nil, count: regressors.count)
        self.scaleIsRemovedPart = within.isBalanced
        self.scaleTerms = within.isBalanced ? removed : regressors.map { column in
            column.withUnsafeBufferPointer { sumOfSquaredDeviations($0) }
        }
    }

    /// Calls `body` with column `j` of `X̃`.
    @inlinable
    public func withColumn<R>(_ j: Int, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        matrix.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[(j * observationCount)..<((j + 1) * observationCount)]))
        }
    }
}
