/// Options shared by the regression estimators.
public struct RegressionOptions: Sendable {
    /// Variance estimator.
    public var variance: VarianceType
    /// Small-sample correction (fixest's default).
    public var correction: SmallSampleCorrection
    /// The units' locations, for a ``VarianceType/conley(_:)`` variance (nil otherwise).
    public var coordinates: UnitCoordinates?
    /// Creates options; the default clusters by nothing (iid) with fixest's correction.
    public init(variance: VarianceType = .iid, correction: SmallSampleCorrection = .fixest,
                coordinates: UnitCoordinates? = nil) {
        self.variance = variance
        self.correction = correction
        self.coordinates = coordinates
    }
}

/// The static two-way fixed-effects DiD ("multi-period DID"):
/// `y_it = β D_it + γ'X_it + μ_i + λ_t + ε_it`, with `D_it = 1{t ≥ g_i}`.
///
/// The term for `D` is named "treat". Covariates follow in the panel's order. Equivalent to
/// fixest `feols(y ~ treat + x1 + … | unit + time)`.
public struct TwoWayFixedEffects: Sendable {
    /// Options.
    public var options: RegressionOptions

    /// Creates the estimator.
    public init(options: RegressionOptions = RegressionOptions()) { self.options = options }

    /// Estimates the model on `panel`.
    /// - Throws: ``EstimationError`` when the treatment is absorbed or the clustering is unknown.
    public func estimate(_ panel: Panel) throws -> Estimate {
        let within = TwoWayWithin(panel: panel)
        // Indicator rows speed up the column-by-column cross products only; the row layout
        // (balanced, ≤ 16 periods) accumulates them block by block and does not use them. The
        // treated rows come from the adoption dates; like `DemeanedDesign.indicatorRows(of:)`,
        // the indicator path is taken only when at most a quarter of the rows are treated.
        var indicators: [[Int32]?] = [nil]
        if within.rows == nil {
            let treated = panel.treatedRows
            indicators = [treated.count <= panel.observationCount / 4 ? treated : nil]
        }
        return try FixedEffectsRegression.fit(panel: panel, method: "twfe",
                                              terms: [Estimate.Term(name: "treat")], columns: [panel.treatmentColumn],
                                              indicatorRows: indicators, options: options, extraNotes: [],
                                              within: within)
    }
}

/// Shared fitting of `y ~ regressors + covariates | unit + period` for every regression estimator.
enum FixedEffectsRegression {
    /// How the fixed effects were removed, when it was not the balanced closed form: regression
    /// weights, an unbalanced exact solve, a disconnected panel (shared with Sun–Abraham's lean path).
    static func withinNotes(_ within: TwoWayWithin, panel: Panel) -> [String] {
        var notes: [String] = []
        if within.isWeighted {
            notes.append("regression weights (\(panel.regressionWeightName ?? "weights")): weighted least squares, fixed "
                         + "effects removed by an exact weighted solve (rank \(within.fixedEffectRank)); n counts observations")
        } else if !within.isBalanced {
            notes.append("unbalanced panel: fixed effects removed by an exact solve (rank \(within.fixedEffectRank))")
        }
        if within.fixedEffectRank < panel.unitCount + panel.periodCount - 1 {
            notes.append("the panel is disconnected: fixed effects have rank \(within.fixedEffectRank), "
                         + "not \(panel.unitCount + panel.periodCount - 1)")
        }
        return notes
    }

    /// Demeans, fits, computes the variance and packages an ``Estimate``.
    /// Covariates of the panel are appended after `columns`. `indicatorRows`, when given, holds
    /// for each column the rows where it equals 1 if it is a 0/1 indicator (see
    /// ``DemeanedDesign/indicatorRows(of:)``, which finds them otherwise).
    static func fit(panel: Panel, method: String, terms: [Estimate.Term], columns: [[Double]],
                           indicatorRows: [[Int32]?]? = nil,
                           options: RegressionOptions, extraNotes: [String],
                           within: TwoWayWithin? = nil) throws -> Estimate {
        try fitWithDesign(panel: panel, method: method, terms: terms, columns: columns, indicatorRows: indicatorRows,
                          options: options, extraNotes: extraNotes, within: within).estimate
    }

    /// ``fit(panel:method:terms:columns:indicatorRows:options:extraNotes:within:)``, also returning
    /// the demeaned design it fitted (for inference that reuses it, such as the wild bootstrap).
    static func fitWithDesign(panel: Panel, method: String, terms: [Estimate.Term], columns: [[Double]],
                              indicatorRows: [[Int32]?]?, options: RegressionOptions, extraNotes: [String],
                              within: TwoWayWithin?) throws -> (estimate: Estimate, design: DemeanedDesign) {
        let within = within ?? TwoWayWithin(panel: panel)
        if within.isWeighted {
            switch options.variance {
            case .iid, .hetero, .cluster: break
            default:
                // Their weighted forms have not been checked against a reference (clubSandwich's CR2
                // puts W inside the hat matrix): refused rather than computed unverified.
                throw EstimationError.invalidOption("\(method): \(options.variance.label) is not available with regression "
                                                    + "weights; use iid, hetero or cr1")
            }
        }
        let allTerms = terms + panel.covariateNames.map { Estimate.Term(name: $0) }
        // The estimator's own regressors (treatment, event-time, interaction dummies) are usually
        // sparse indicators, which makes their cross products cheap; covariates are dense.
        precondition(indicatorRows.map { $0.count == columns.count } ?? true)
        // With the row layout the cross products are accumulated block by block (see
        // `DemeanedDesign`), so indicator rows would go unused: skip the scan.
        let regressorIndicators: [[Int32]?] = within.rows != nil ? Array(repeating: nil, count: columns.count)
            : (indicatorRows ?? columns.map { DemeanedDesign.indicatorRows(of: $0) })
        let indicators = regressorIndicators + Array(repeating: nil, count: panel.covariates.count)
        let design = DemeanedDesign(within: within, termNames: allTerms.map(\.name), outcome: panel.outcome,
                                    regressors: columns + panel.covariates, indicatorRows: indicators,
                                    crossProducts: true)
        let fit = try NormalEquationsSolution(design: design)
        guard !fit.keptTerms.isEmpty else { throw EstimationError.noIdentifiedTerms(dropped: fit.droppedTerms) }
        let badControls = fit.termsCollinearOnlyThrough(firstTerms: columns.count)
        guard badControls.isEmpty else {
            throw EstimationError.covariateCollinearWithTreatment(covariates: badControls, regressors: terms.map(\.name))
        }
        // One pass over the rows for the residual sum of squares and the sandwich's meat; the
        // residual vector itself is never stored.
        let moments: ResidualMoments
        let variance: VarianceEstimate
        var varianceNotes: [String] = []
        if VarianceEstimator.needsResiduals(options.variance) {
            // Two-way clustering and Conley work from stored residuals (TwoWayClusterVariance.swift).
            (variance, moments) = try VarianceEstimator.residualBased(
                design: design, kept: fit.keptTerms, coefficients: fit.coefficients, bread: fit.bread, panel: panel,
                type: options.variance, correction: options.correction, coordinates: options.coordinates)
            if case .twoWayCluster = options.variance, let note = TwoWayClusterVariance.definitenessNote(variance) {
                varianceNotes.append(note)
            }
        } else {
            let (kind, clustering) = try VarianceEstimator.momentKind(type: options.variance, panel: panel)
            // The scores are multiplied by the bread before their outer products (see ResidualMoments):
            // an outlier's huge score then cannot cancel into other terms' variances.
            moments = ResidualMoments(design: design, kept: fit.keptTerms, coefficients: fit.coefficients, kind: kind,
                                      transform: fit.bread)
            switch options.variance {
            case .cr2, .cr3:
                guard let clustering else { throw EstimationError.invalidOption("CR2 and CR3 need a clustering") }
                variance = try VarianceEstimator.clusterAdjusted(
                    type: options.variance, clustering: clustering, panel: panel, design: design, kept: fit.keptTerms,
                    coefficients: fit.coefficients, bread: fit.bread, regressors: columns + panel.covariates,
                    termNames: allTerms.map(\.name), correction: options.correction)
            default:
                variance = VarianceEstimator.estimate(bread: fit.bread, moments: moments, clustering: clustering,
                                                      design: design, panel: panel, type: options.variance,
                                                      correction: options.correction)
            }
        }
        var notes = panel.notes + extraNotes + varianceNotes
        if !fit.droppedTerms.isEmpty {
            notes.append("dropped for collinearity: " + fit.droppedTerms.joined(separator: ", "))
        }
        switch options.variance {
        case .cr2:
            notes.append("CR2 (Bell-McCaffrey, R clubSandwich conventions): each term's p-value and interval use its own "
                         + "Satterthwaite df (Pustejovsky-Tipton 2018); the estimate's df, G - 1, is for joint tests")
        case .cr3:
            notes.append("CR3: leave-one-cluster-out jackknife, (G-1)/G sum_g (b_-g - b)(b_-g - b)' (MacKinnon-Nielsen-Webb CV3), t(G - 1)")
        default: break
        }
        notes += withinNotes(within, panel: panel)
        let estimate = Estimate(method: method, outcome: panel.outcomeName, terms: fit.keptTerms.map { allTerms[$0] },
                        coefficients: fit.coefficients, variance: variance, droppedTerms: fit.droppedTerms,
                        observationCount: panel.observationCount, unitCount: panel.unitCount,
                        periodCount: panel.periodCount,
                        fixedEffects: [(panel.unitName, panel.unitCount), (panel.timeName, panel.periodCount)],
                        residualSumOfSquares: moments.residualSumOfSquares,
                        withinRSquared: 1 - moments.residualSumOfSquares / fit.withinTotalSumOfSquares,
                        notes: notes)
        return (estimate, design)
    }
}
