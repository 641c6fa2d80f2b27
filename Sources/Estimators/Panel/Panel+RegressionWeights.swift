extension Panel {
    /// The estimators that take regression weights (R fixest's `weights`; for `cs`, R did's
    /// sampling weights `weightsname`): the registry's entries that accept them.
    public static var weightedMethods: [String] { EstimatorRegistry.entries.filter(\.acceptsRegressionWeights).map(\.id) }

    /// The end of the note a panel carries when rows with a zero regression weight were dropped
    /// (``Panel/load(csv:spec:)``); Callaway-Sant'Anna reads it (R did keeps such rows).
    public static let zeroWeightRowsNote = "with a zero regression weight dropped (as fixest does)"

    /// Refuses a panel with regression weights in an analysis that would ignore them (or weigh
    /// them in an untested way): the placebo test, the wild bootstrap, mediation, subgroups and
    /// the estimators not listed in ``weightedMethods``.
    /// - Parameter analysis: the analysis, in words ("the wild cluster bootstrap", "bjs").
    /// - Throws: ``InvalidParameter`` (role ``Parameter/regressionWeights``).
    public func refuseRegressionWeights(in analysis: String) throws {
        guard regressionWeights != nil else { return }
        throw InvalidParameter(.regressionWeights, regressionWeightName,
                               "\(analysis) does not take regression weights; they are supported by "
                               + Panel.weightedMethods.joined(separator: ", ") + " (estimate only)")
    }
}

/// An estimator that does not take regression weights, refusing a weighted panel (see
/// ``Panel/refuseRegressionWeights(in:)``); ``EstimatorEntry/make(_:)`` wraps such estimators.
struct UnweightedEstimator<Base: PanelEstimator>: PanelEstimator {
    let base: Base
    let id: String

    func estimate(_ panel: Panel) throws -> Base.Output {
        try panel.refuseRegressionWeights(in: id)
        return try base.estimate(panel)
    }
}
