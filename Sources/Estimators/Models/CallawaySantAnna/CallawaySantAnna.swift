/// Callaway & Sant'Anna (2021), "Difference-in-Differences with multiple time periods",
/// J. Econometrics 225(2): group-time average treatment effects and their aggregations, as R
/// `did` (`att_gt` + `aggte`) computes them on a balanced panel.
///
/// **ATT(g,t).** For cohort `g` (units first treated in period `g`) and period `t`, a 2×2 DiD
/// between the cohort and a comparison group (``CallawaySantAnnaOptions/ControlGroup``) from a
/// base period (``CallawaySantAnnaOptions/BasePeriod``, see ``GroupTimeCell``) to `t`:
/// without covariates `ATT = mean_g(Y_t − Y_b) − mean_C(Y_t − Y_b)`; with covariates the
/// DRDID estimators (``CallawaySantAnnaOptions/EstimationMethod``), conditioning on the
/// covariates of the earlier of the two periods (as R `did`'s `panel2cs2`).
///
/// **Influence functions.** Each ATT(g,t) has an influence function over the `n` units,
/// `ψ_i = (n/n₁)·ψ̃_i` for the `n₁` units of its comparison (ψ̃ = DRDID's), 0 elsewhere; without
/// covariates `ψ_i = n(ΔY_i − μ_g)/n_g` for the cohort and `−n(ΔY_i − μ_C)/n_C` for the
/// comparison units. Standard errors are `√(Σ_c (Σ_{i∈c} ψ_i)²)/n` over clusters `c` (units by
/// default), R `did`'s analytic standard error (`bstrap = FALSE`; R `did` 2.5 for clusters).
///
/// **Aggregations** (R `did`'s `aggte`, with `p_g = n_g/n`):
/// - simple: `Σ_{t≥g} p_g ATT(g,t) / Σ p_g` over post-treatment cells (`e ≤ max_e`);
/// - dynamic: for each event time `e`, `Σ_{t−g=e} p_g ATT(g,t)/Σ p_g`; overall = mean over `e ≥ 0`;
/// - group: for each cohort the mean of its post-treatment ATT(g,t); overall `Σ p_g θ_g/Σ p_g`;
/// - calendar: for each period `t` with treated cohorts `Σ_{g≤t} p_g ATT(g,t)/Σ p_g`; overall = mean.
/// Cohort-share weights are estimated, so their influence function is added (R `did`'s
/// `wif`), which for keepers `K` with `S = Σ_K p_k` reduces to `(A_{g(i)} − m_{g(i)} θ)/S`
/// per unit, where `A_g` sums and `m_g` counts the kept ATT of the unit's cohort.
///
/// Sample rules (``CallawaySantAnnaSample``): balanced panels only (or balanced by dropping
/// incomplete units, R `did`'s default); units treated in the first period are dropped and
/// counted; without never-treated units the not-yet-treated design drops the periods from the
/// last cohort on (R `did` 2.5), while the never-treated design is an error (R `did` 2.5 instead
/// recodes the last cohort as never treated, with a warning).
///
/// Not supported (R `did` options left out): sampling weights, anticipation, repeated cross
/// sections and `allow_unbalanced_panel`, `balance_e`, `faster_mode` (results do not depend on it).
public struct CallawaySantAnna: Sendable {
    /// Options (R `did`'s defaults).
    public var options: CallawaySantAnnaOptions

    /// Creates the estimator.
    public init(options: CallawaySantAnnaOptions = CallawaySantAnnaOptions()) { self.options = options }

    /// Estimates every ATT(g,t) and all four aggregations on `panel` (its covariates, if any,
    /// enter through ``CallawaySantAnnaOptions/estimationMethod``).
    /// - Throws: ``CallawaySantAnnaError`` for unusable designs, ``EstimationError`` for an
    ///   unknown clustering.
    public func estimate(_ panel: Panel) throws -> CallawaySantAnnaResult {
        let sample = try CallawaySantAnnaSample(panel: panel, options: options)
        let cells = GroupTimeCell.plan(groups: sample.groups, periodCount: sample.periodCount,
                                       basePeriod: options.basePeriod)
        let n = sample.unitCount
        var estimates = [Double](repeating: 0, count: cells.count)
        var influence = [Double](repeating: 0, count: cells.count * n)
        if sample.covariates.isEmpty {
            try unconditionalCells(cells, sample: sample, estimates: &estimates, influence: &influence)
        } else {
            try covariateCells(cells, sample: sample, estimates: &estimates, influence: &influence)
        }
        var scratch = [Double](repeating: 0, count: sample.clusterCount)
        var groupTime: [CallawaySantAnnaResult.GroupTimeEffect] = []
        groupTime.reserveCapacity(cells.count)
        influence.withUnsafeBufferPointer { psi in
            scratch.withUnsafeMutableBufferPointer { buffer in
                for (k, cell) in cells.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: psi[(k * n)..<((k + 1) * n)])
                    groupTime.append(.init(group: Int(cell.group), time: cell.time, basePeriod: cell.base,
                                           eventTime: sample.eventTime(time: cell.time, group: Int(cell.group)),
                                           isPost: cell.isPost, isReference: cell.isReference, estimate: estimates[k],
                                           standardError: sample.standardError(row, scratch: buffer)))
                }
            }
        }
        let aggregator = CallawaySantAnnaAggregator(sample: sample, cells: groupTime, influence: influence,
                                                    minEventTime: options.minEventTime,
                                                    maxEventTime: options.maxEventTime)
        return CallawaySantAnnaResult(
            options: options, outcomeName: panel.outcomeName, observationCount: n * sample.periodCount,
            unitCount: n, periodCount: sample.periodCount, clusterCount: sample.clusterCount,
            clusterName: options.cluster ?? panel.unitName, covariateNames: panel.covariateNames,
            periodLabels: panel.periodLabels, periodValues: panel.periodValues, units: sample.panelUnit,
            clusterOfUnit: sample.cluster, groupTime: groupTime, groupTimeInfluence: influence,
            simple: try aggregator.simple(), dynamic: try aggregator.dynamic(), group: aggregator.group(),
            calendar: aggregator.calendar(), notes: Self.notes(panel: panel, sample: sample))
    }

    /// The panel's notes and the sample's, without the panel's remark that always-treated units
    /// are kept (fixest's rule) when CS dropped them.
    static func notes(panel: Panel, sample: CallawaySantAnnaSample) -> [String] {
        let dropped = sample.notes.contains { $0.contains("already treated in the first period") }
        return panel.notes.filter { !(dropped && $0.contains("always treated: kept")) } + sample.notes
    }

    /// The 2×2 cells without covariates, in closed form: two passes over the units per cell,
    /// writing only the cell's row of the preallocated influence matrix.
    private func unconditionalCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample,
                                    estimates: inout [Double], influence: inout [Double]) throws {
        let n = sample.unitCount
        let scale = Double(n)
        try sample.outcome.withUnsafeBufferPointer { y in
            try sample.cohort.withUnsafeBufferPointer { cohort in
                try influence.withUnsafeMutableBufferPointer { psi in
                    for (k, cell) in cells.enumerated() where !cell.isReference {
                        let threshold = controlThreshold(cell)
                        let g = cell.group
                        let post = cell.time * n, base = cell.base * n
                        var sumTreated = 0.0, sumControl = 0.0, treated = 0, control = 0
                        for i in 0..<n {
                            let c = cohort[i]
                            let change = y[post + i] - y[base + i]
                            if c == g { sumTreated += change; treated += 1 } else if c > threshold { sumControl += change; control += 1 }
                        }
                        guard control > 0 else { throw emptyComparison(cell, sample) }
                        let meanTreated = sumTreated / Double(treated), meanControl = sumControl / Double(control)
                        estimates[k] = meanTreated - meanControl
                        let scaleTreated = scale / Double(treated), scaleControl = -scale / Double(control)
                        let row = k * n
                        for i in 0..<n {
                            let c = cohort[i]
                            let change = y[post + i] - y[base + i]
                            if c == g {
                                psi[row + i] = scaleTreated * (change - meanTreated)
                            } else if c > threshold {
                                psi[row + i] = scaleControl * (change - meanControl)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Comparison units of a cell are those with `cohort > threshold` (and not the cell's own
    /// cohort): never treated = `Int32.max`, so the never-treated group uses `Int32.max − 1`.
    private func controlThreshold(_ cell: GroupTimeCell) -> Int32 {
        switch options.controlGroup {
        case .neverTreated: return Int32.max - 1
        case .notYetTreated: return Int32(max(cell.time, cell.base))
        }
    }

    private func emptyComparison(_ cell: GroupTimeCell, _ sample: CallawaySantAnnaSample) -> CallawaySantAnnaError {
        .emptyComparisonGroup(group: sample.periodLabels[Int(cell.group)], time: sample.periodLabels[cell.time])
    }

    /// The 2×2 cells with covariates (DRDID estimators), gathering each cell's units into one
    /// reused workspace.
    private func covariateCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample,
                                estimates: inout [Double], influence: inout [Double]) throws {
        let n = sample.unitCount
        let p = sample.covariates.count + 1
        var work = CovariateTwoByTwo(capacity: n, covariateCount: sample.covariates.count)
        var members = [Int](repeating: 0, count: n)
        for (k, cell) in cells.enumerated() where !cell.isReference {
            let threshold = controlThreshold(cell)
            var count = 0, control = 0
            let post = cell.time * n, base = cell.base * n, earlier = cell.earlier * n
            for i in 0..<n {
                let c = sample.cohort[i]
                let isTreated = c == cell.group
                guard isTreated || c > threshold else { continue }
                if !isTreated { control += 1 }
                members[count] = i
                work.change[count] = sample.outcome[post + i] - sample.outcome[base + i]
                work.treated[count] = isTreated ? 1 : 0
                work.design[count * p] = 1
                for (j, column) in sample.covariates.enumerated() { work.design[count * p + 1 + j] = column[earlier + i] }
                count += 1
            }
            guard control > 0 else { throw emptyComparison(cell, sample) }
            work.count = count
            do {
                estimates[k] = try work.estimate(method: options.estimationMethod, trimLevel: options.propensityTrimLevel)
            } catch {
                throw CallawaySantAnnaError.cellNotEstimable(group: sample.periodLabels[Int(cell.group)],
                                                              time: sample.periodLabels[cell.time], reason: error.reason)
            }
            let scale = Double(n) / Double(count)
            for m in 0..<count { influence[k * n + members[m]] = scale * work.influence[m] }
        }
    }
}
