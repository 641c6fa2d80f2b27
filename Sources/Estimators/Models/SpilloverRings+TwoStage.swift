/// Gardner's (2021) two-stage estimator with Butts' exposure exclusion (see ``SpilloverRings``):
/// ``TwoStageFirstStage`` on the untreated observations outside the rings, stage 2 on `D` and the
/// ring indicators.
struct RingTwoStage {
    let panel: Panel
    let exposure: RingExposure
    /// Kept ring indices.
    let rings: [Int]
    let options: RegressionOptions

    func estimate(notes extraNotes: [String]) throws -> Estimate {
        guard case .cluster(let clusterName) = options.variance else {
            throw InvalidParameter(.inference, nil, "rings-2s needs clustered inference (cr1): its variance is "
                                   + "Gardner's cluster-robust GMM correction")
        }
        let clustering = try panel.clustering(named: clusterName)  // a column or an interaction A^B
        let n = panel.observationCount
        let treatment = panel.treatmentColumn
        // Stage-1 sample: untreated and in no ring.
        let stages = TwoStageFirstStage(panel: panel, firstStage: (0..<n).map { treatment[$0] == 0 && exposure.ring[$0] < 0 })
        guard stages.rank == stages.expectedRank else {
            throw SpilloverError.firstStageNotIdentified(
                "the fixed effects and controls are not identified on the untreated observations outside the rings "
                + "(rank \(stages.rank), expected \(stages.expectedRank)): the panel is "
                + "disconnected there, or a control is collinear with the fixed effects")
        }
        // Stage 2: ỹ on [D, rings], no intercept.
        let design = [treatment] + rings.map(exposure.column)
        let names = ["treat"] + rings.map(exposure.termName)
        for (j, column) in design.enumerated() where !stages.isIdentified(column) {
            throw SpilloverError.firstStageNotIdentified("no observation of '\(names[j])' belongs to a unit and period "
                                                         + "with untreated observations outside the rings")
        }
        let fit = try stages.regress(design, names: names, panel: panel, clusterIndex: clustering.index,
                                     clusterCapacity: clustering.count, clusterName: clusterName)
        var notes = panel.notes + extraNotes
        notes.append("two stages (Gardner 2021): stage 1 on \(stages.firstStageCount) untreated observations "
                     + "outside the rings; variance: did2s GMM correction clustered by \(clusterName), no small-sample "
                     + "factor, t(\(fit.clusterCount - 1))")
        if fit.observationCount < n {
            notes.append("\(n - fit.observationCount) observations of units or periods without untreated observations "
                         + "outside the rings cannot be imputed and were dropped")
        }
        return Estimate(method: SpilloverRings.Stages.twoStage.rawValue, outcome: panel.outcomeName,
                        terms: names.map { Estimate.Term(name: $0) }, coefficients: fit.coefficients,
                        variance: fit.varianceEstimate(options.variance), droppedTerms: [],
                        observationCount: fit.observationCount, unitCount: stages.unitCount,
                        periodCount: stages.periodCount,
                        fixedEffects: [(panel.unitName, stages.unitCount), (panel.timeName, stages.periodCount)],
                        residualSumOfSquares: fit.residualSumOfSquares,
                        withinRSquared: 1 - fit.residualSumOfSquares / fit.totalSumOfSquares, notes: notes)
    }
}
