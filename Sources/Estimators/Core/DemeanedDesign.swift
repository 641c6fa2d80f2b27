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
    /// Centred sum of squares of each raw regressor, to tell "absorbed by the fixed effects"
    /// (demeaned column ≈ 0 relative to this) from a small-scale variable.
    let rawScale: [Double]
    /// Number of regressor columns.
    public var columnCount: Int { termNames.count }

    /// Demeans `outcome` and `regressors` with `within`.
    public init(within: TwoWayWithin, termNames: [String], outcome: [Double], regressors: [[Double]]) {
        precondition(termNames.count == regressors.count)
        let n = outcome.count
        var workspace = TwoWayWithin.Workspace(for: within)
        var demeanedOutcome = [Double](repeating: 0, count: n)
        outcome.withUnsafeBufferPointer { input in
            demeanedOutcome.withUnsafeMutableBufferPointer { within.transform(input, into: $0, workspace: &workspace) }
        }
        var matrix = [Double](repeating: 0, count: n * regressors.count)
        matrix.withUnsafeMutableBufferPointer { out in
            for (j, column) in regressors.enumerated() {
                column.withUnsafeBufferPointer { input in
                    within.transform(input, into: UnsafeMutableBufferPointer(rebasing: out[(j * n)..<((j + 1) * n)]),
                                     workspace: &workspace)
                }
            }
        }
        self.termNames = termNames
        self.observationCount = n
        self.outcome = demeanedOutcome
        self.matrix = matrix
        self.fixedEffectRank = within.fixedEffectRank
        self.rawScale = regressors.map { column in
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
