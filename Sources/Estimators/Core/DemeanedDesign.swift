/// The design of a fixed-effects regression after the within transformation: the demeaned
/// outcome and regressors, column by column, with the structure needed for inference.
public struct DemeanedDesign: Sendable {
    /// Term names, one per regressor column.
    public let termNames: [String]
    /// Demeaned outcome `ỹ`.
    public let outcome: [Double]
    /// Demeaned regressors `X̃`, one contiguous array per column.
    public let regressors: [[Double]]
    /// Rank of the absorbed fixed effects (see ``TwoWayWithin/fixedEffectRank``).
    public let fixedEffectRank: Int

    /// Demeans `outcome` and `regressors` with `within`.
    public init(within: TwoWayWithin, termNames: [String], outcome: [Double], regressors: [[Double]]) {
        precondition(termNames.count == regressors.count)
        var workspace = TwoWayWithin.Workspace(for: within)
        func demean(_ column: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: column.count)
            column.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { within.transform(input, into: $0, workspace: &workspace) }
            }
            return out
        }
        self.termNames = termNames
        self.outcome = demean(outcome)
        self.regressors = regressors.map(demean)
        self.fixedEffectRank = within.fixedEffectRank
        self.rawScale = regressors.map { column in
            let mean = column.reduce(0, +) / Double(max(column.count, 1))
            return column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
    }

    /// Centred sum of squares of each raw regressor, to tell "absorbed by the fixed effects"
    /// (demeaned column ≈ 0 relative to this) from a small-scale variable.
    let rawScale: [Double]
}
