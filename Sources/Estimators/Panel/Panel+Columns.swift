extension Panel {
    /// The same observations with another outcome and other covariates: units, periods,
    /// adoption, labels, clusterings and notes are kept. Columns must be in the panel's row
    /// order (one value per observation).
    ///
    /// Used by estimators that regress several variables on one design (a mediation step has the
    /// mediator as its outcome) and by loaders that read extra numeric columns as covariates and
    /// then set them apart (``separatingCovariates(_:)``).
    public func replacingColumns(outcomeName: String, outcome: [Double], covariateNames: [String],
                                 covariates: [[Double]]) throws -> Panel {
        precondition(outcome.count == observationCount && covariates.allSatisfy { $0.count == observationCount },
                     "replacement columns need one value per observation")
        return try Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount, periodCount: periodCount,
                         outcomeName: outcomeName, outcome: outcome, covariateNames: covariateNames,
                         covariates: covariates, adoptionPeriod: adoptionPeriod, unitLabels: unitLabels,
                         periodLabels: periodLabels, periodValues: periodValues, unitName: unitName,
                         timeName: timeName, clusterings: clusterings.filter { $0.key != unitName }, notes: notes,
                         regressionWeights: regressionWeights, regressionWeightName: regressionWeightName)
    }

    /// Splits the named covariates off the panel: returns the panel without them (the other
    /// covariates keep their order) and their columns, in the order of `names`.
    ///
    /// A loader that needs numeric columns besides the model's (mediators, coordinates) reads them
    /// as covariates, so that they pass the same missing-value and number checks and are sorted
    /// with the rows, then separates them here.
    /// - Throws: ``PanelError/invalidSpecification(_:)`` when a name is not a covariate.
    public func separatingCovariates(_ names: [String]) throws -> (panel: Panel, columns: [[Double]]) {
        var columns: [[Double]] = []
        for name in names {
            guard let index = covariateNames.firstIndex(of: name) else {
                throw PanelError.invalidSpecification("column '\(name)' was not loaded as a numeric column; loaded: "
                                                      + covariateNames.joined(separator: ", "))
            }
            columns.append(covariates[index])
        }
        let keep = covariateNames.indices.filter { !names.contains(covariateNames[$0]) }
        let panel = try replacingColumns(outcomeName: outcomeName, outcome: outcome,
                                         covariateNames: keep.map { covariateNames[$0] },
                                         covariates: keep.map { covariates[$0] })
        return (panel, columns)
    }
}
