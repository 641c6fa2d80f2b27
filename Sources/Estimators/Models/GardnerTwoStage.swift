/// Gardner's (2021, "Two-stage differences in differences") two-stage DiD estimator, as R
/// `did2s` (Butts & Gardner 2022) and pyfixest `did2s` compute it (method "did2s").
///
/// 1. **Stage 1** on the untreated observations `Ω₀ = {D_it = 0}` (never-treated units and the
///    not-yet-treated periods of the others): `y_it = μ_i + λ_t + γ'X_it + ε_it` with the panel's
///    covariates, solved exactly (``FirstStageSystem``: units partialled out, periods and
///    covariates by a dense Cholesky). A covariate collinear with the fixed effects on `Ω₀` is
///    dropped (coefficient 0, fixest's rule) and named in the notes.
/// 2. **Residualize** every observation whose unit and period have untreated observations:
///    `ỹ_it = y_it − μ̂_i − λ̂_t − γ̂'X_it`. The others (treated rows of always-treated units, or of
///    periods in which every unit is treated) cannot be residualized; they are dropped and counted
///    in the notes (R `did2s` drops them as missing).
/// 3. **Stage 2**: `ỹ` on the stage-2 terms without intercept, over the residualized rows:
///    - ``Effects/overall``: one term "treat" (`D_it`): the average effect on the treated
///      observations;
///    - ``Effects/eventStudy(leads:lags:)``: event-time dummies named and binned as
///      ``EventStudy`` does (`e-K … e-2`, `e+0 … e+L`; `e-1` and never-treated units carry no
///      dummy). The columns are disjoint, so each coefficient is the mean of `ỹ` over its cell;
///      a lead's coefficient is the mean stage-1 residual at that event time (a pre-trend check).
///
/// The point estimates equal the BJS imputation estimator's (``ImputationEstimator``) with
/// equal weights per cell; the variance differs.
///
/// **Variance** (Gardner 2021, Section 4; R `did2s`'s source): the GMM sandwich that accounts for
/// the estimated stage 1, `V = (X₂'X₂)⁻¹ Σ_g ψ_g ψ_g' (X₂'X₂)⁻¹`,
/// `ψ_g = Σ_{r∈g} x₂_r ê₂_r − Γ' Σ_{r∈g} x₁₀_r ê₁_r`, `Γ = (X₁₀'X₁₀)⁻¹ X₁'X₂`, clustered by
/// ``variance`` (default: the panel's unit, as diff-diff and the did2s documentation).
/// Conventions where the references differ: **no small-sample factor** (R and pyfixest `did2s`
/// and diff-diff `TwoStageDiD` agree on this); p-values and intervals from **t(G − 1)**, DiDLab's
/// clustered convention (pyfixest's did2s also; diff-diff uses the normal).
public struct GardnerTwoStage: PanelEstimator {
    /// The stage-2 terms.
    public enum Effects: Sendable, Equatable {
        /// One term "treat": the average effect over the treated observations (default).
        case overall
        /// Event-time terms with ``EventStudy``'s window: `leads = K` gives `e-K … e-2` (the
        /// first bins `e ≤ −K`; 1 = no lead terms), `lags = L` gives `e+0 … e+L` (the last bins
        /// `e ≥ L`); nil = every observed event time, unbinned.
        case eventStudy(leads: Int?, lags: Int?)
    }

    /// The method id, "did2s".
    public static let method = "did2s"

    /// Stage-2 terms (default ``Effects/overall``).
    public var effects: Effects
    /// Variance: `.cluster(name)` (default nil: the panel's unit). `.iid` and `.hetero` are not
    /// defined for this estimator: its GMM correction is cluster-robust.
    public var variance: VarianceType?

    /// Creates the estimator; see the properties for the defaults.
    public init(effects: Effects = .overall, variance: VarianceType? = nil) {
        self.effects = effects
        self.variance = variance
    }

    /// The estimate (method "did2s"): term "treat", or the event-time terms.
    /// - Throws: ``EstimationError/invalidOption(_:)`` for a variance that is not clustered, a bad
    ///   event-time window, or unit and period effects that the untreated observations do not
    ///   identify (disconnected); ``EstimationError/unknownClustering(name:available:)``;
    ///   ``HeterogeneityRobustError`` when no observation is untreated, none is treated or none of
    ///   the treated ones can be residualized.
    public func estimate(_ panel: Panel) throws -> Estimate {
        let method = GardnerTwoStage.method
        let variance = self.variance ?? .cluster(panel.unitName)
        guard case .cluster(let clusterName) = variance else {
            throw EstimationError.invalidOption("\(method): the variance must be clustered (Gardner's GMM correction "
                                                + "is cluster-robust, as in R and pyfixest did2s); got "
                                                + variance.label.lowercased())
        }
        let clustering = try panel.clustering(named: clusterName)  // a column or an interaction A^B
        let n = panel.observationCount
        let treatment = panel.treatmentColumn
        // D = 0 on each unit's rows before its treated suffix.
        var untreated = [Bool](repeating: false, count: n)
        let untreatedCount = untreated.withUnsafeMutableBufferPointer { untreated in
            var count = 0
            panel.forEachUnitTreatmentSuffix { start, firstTreated, _ in
                guard firstTreated > start, let base = untreated.baseAddress else { return }
                (base + start).update(repeating: true, count: firstTreated - start)
                count += firstTreated - start
            }
            return count
        }
        guard untreatedCount > 0 else { throw HeterogeneityRobustError.noUntreatedObservations(method: method) }
        guard untreatedCount < n else { throw HeterogeneityRobustError.noTreatedObservations(method: method) }
        let stages = TwoStageFirstStage(panel: panel, firstStage: untreated)
        var notes = panel.notes
        notes += try firstStageNotes(stages, panel: panel)

        let (terms, columns, designNotes): ([Estimate.Term], [[Double]], [String])
        switch effects {
        case .overall:
            (terms, columns, designNotes) = ([Estimate.Term(name: "treat")], [treatment], [])
        case let .eventStudy(leads, lags):
            (terms, columns, designNotes) = try EventStudy(leads: leads, lags: lags).design(on: panel)
        }
        notes += designNotes
        let identified = columns.indices.filter { stages.isIdentified(columns[$0]) }
        let dropped = columns.indices.filter { !identified.contains($0) }.map { terms[$0].name }
        guard !identified.isEmpty else {
            throw HeterogeneityRobustError.nothingImputable(method: method, treated: n - untreatedCount)
        }
        if !dropped.isEmpty {
            notes.append("no residualized observation at " + dropped.joined(separator: ", ") + ": term"
                         + (dropped.count == 1 ? "" : "s") + " dropped")
        }
        let keptTerms = identified.map { terms[$0] }
        let fit = try stages.regress(identified.map { columns[$0] }, names: keptTerms.map(\.name), panel: panel,
                                     clusterIndex: clustering.index, clusterCapacity: clustering.count,
                                     clusterName: clusterName, unitCluster: clustering.unitCluster)
        if fit.observationCount < n {
            notes.append("\(n - fit.observationCount) treated observations of units or periods without untreated "
                         + "observations cannot be residualized and were dropped")
        }
        notes.append("variance: Gardner's GMM correction for the estimated stage 1 (did2s), clustered by "
                     + "\(clusterName) (\(fit.clusterCount) clusters), no small-sample factor, t(\(fit.clusterCount - 1))")
        return Estimate(method: method, outcome: panel.outcomeName, terms: keptTerms, coefficients: fit.coefficients,
                        variance: fit.varianceEstimate(variance), droppedTerms: dropped,
                        observationCount: fit.observationCount, unitCount: stages.unitCount,
                        periodCount: stages.periodCount,
                        fixedEffects: [(panel.unitName, stages.unitCount), (panel.timeName, stages.periodCount)],
                        residualSumOfSquares: fit.residualSumOfSquares,
                        withinRSquared: 1 - fit.residualSumOfSquares / fit.totalSumOfSquares, notes: notes)
    }

    /// Checks that stage 1 identifies the fixed effects and describes it, naming dropped covariates.
    ///
    /// The stage-1 Schur complement orders periods before covariates; when the untreated
    /// observations connect all their units and periods, exactly one period pivot is dropped
    /// (the normalization `μ + c, λ − c`), and every further dropped pivot is a covariate
    /// collinear with the fixed effects or the covariates before it.
    func firstStageNotes(_ stages: TwoStageFirstStage, panel: Panel) throws -> [String] {
        let kept = stages.pivotKept
        let periods = panel.periodCount
        let periodRank = kept[0..<periods].filter { $0 }.count
        guard periodRank == stages.periodCount - 1 else {
            throw EstimationError.invalidOption(
                "\(GardnerTwoStage.method): the unit and period effects are not identified on the untreated "
                + "observations (rank \(periodRank), expected \(stages.periodCount - 1)): the units and periods with "
                + "untreated observations fall into \(stages.periodCount - periodRank) disconnected groups; expected "
                + "never-treated or not-yet-treated units observed across the periods")
        }
        let droppedCovariates = panel.covariateNames.indices.filter { !kept[periods + $0] }.map { panel.covariateNames[$0] }
        var notes = ["two stages (Gardner 2021): stage 1 fits unit and period effects"
                     + (panel.covariates.count > droppedCovariates.count ? " and covariates" : "")
                     + " on \(stages.firstStageCount) untreated observations; stage 2 regresses the residualized "
                     + "outcome on the terms, without intercept"]
        if !droppedCovariates.isEmpty {
            notes.append("stage 1: " + droppedCovariates.map { "'\($0)'" }.joined(separator: ", ")
                         + (droppedCovariates.count == 1 ? " is" : " are") + " collinear with the unit and period "
                         + "effects on the untreated observations: dropped (coefficient 0)")
        }
        return notes
    }
}
