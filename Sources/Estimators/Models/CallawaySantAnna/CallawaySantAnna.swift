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
/// Sample rules (``CallawaySantAnnaSample``): unbalanced panels are rejected, balanced by
/// dropping incomplete units (R `did`'s default) or, without covariates, estimated as repeated
/// cross sections (R `did`'s `allow_unbalanced_panel`); units treated in the first period are
/// dropped and counted; without never-treated units the not-yet-treated design drops the periods from the
/// last cohort on (R `did` 2.5), while the never-treated design is an error (R `did` 2.5 instead
/// recodes the last cohort as never treated, with a warning).
///
/// **Cells that cannot be estimated** (R `did` reports them as NA with a warning) are named in
/// an error, or with ``CallawaySantAnnaOptions/FailedCellPolicy/dropFromAggregations`` reported
/// as not estimable and left out of the aggregations (R `did`'s `aggte(na.rm = TRUE)`).
/// Cohorts of a single unit and cells whose propensity scores nearly separate are noted.
///
/// **Sampling weights** (the panel's ``Panel/regressionWeights``, R `did`'s `weightsname`): each
/// 2×2 weighs its units (weighted means, weighted least squares, a weighted logit and weighted
/// influence functions, DRDID's `i.weights`) by their weights in the earlier of its two periods,
/// and the aggregations take `p_g = Σ_{i∈g} s_i/n` with each unit's first-period weight `s_i`
/// (mean one), which multiplies its estimated-share term. Weights constant within units, as
/// sampling weights usually are, make the period irrelevant; weights that vary within units
/// follow R `did`'s default (`fix_weights = NULL`) and are noted. Not with the unbalanced panel
/// estimated as repeated cross sections (refused).
///
/// **Anticipation** (``CallawaySantAnnaOptions/anticipation``, R `did`'s `anticipation = δ`): base
/// period `g − 1 − δ` for every cell from `g` on (before `g`, varying-base cells stay short
/// differences, as R did's `compute.att_gt`), not-yet-treated comparison units with cohort
/// `> max(t, base) + δ`, and cohorts adopting within the first `δ + 1` periods dropped.
///
/// Not supported (R `did` options left out): `fix_weights`, repeated cross
/// sections, `allow_unbalanced_panel` with covariates, `balance_e`, `faster_mode` (results do
/// not depend on it).
public struct CallawaySantAnna: Sendable {
    /// Options (R `did`'s defaults).
    public var options: CallawaySantAnnaOptions

    /// Creates the estimator.
    public init(options: CallawaySantAnnaOptions = CallawaySantAnnaOptions()) { self.options = options }

    /// Estimates every ATT(g,t) and all four aggregations on `panel` (its covariates, if any,
    /// enter through ``CallawaySantAnnaOptions/estimationMethod``).
    ///
    /// A cell that cannot be estimated (no comparison units, a singular outcome regression, a
    /// propensity-score logit that separates or does not converge) is kept in ``CallawaySantAnnaResult/groupTime``
    /// as not estimable, with its reason, when ``CallawaySantAnnaOptions/failedCells`` is
    /// ``CallawaySantAnnaOptions/FailedCellPolicy/dropFromAggregations``; the aggregations then
    /// leave it out (R `did`'s `aggte(na.rm = TRUE)`).
    /// - Throws: ``CallawaySantAnnaError`` for unusable designs and for failed cells under the
    ///   default policy (naming every one), ``EstimationError`` for an unknown clustering.
    public func estimate(_ panel: Panel) throws -> CallawaySantAnnaResult {
        let sample = try CallawaySantAnnaSample(panel: panel, options: options)
        let cells = GroupTimeCell.plan(groups: sample.groups, periodCount: sample.periodCount,
                                       basePeriod: options.basePeriod, anticipation: options.anticipation)
        let n = sample.unitCount
        var estimates = [Double](repeating: 0, count: cells.count)
        var influence = [Double](repeating: 0, count: cells.count * n)
        var failures = [String?](repeating: nil, count: cells.count)
        var largestScores = [Double](repeating: 0, count: cells.count)
        if sample.isUnbalanced {
            unbalancedCells(cells, sample: sample, estimates: &estimates, influence: &influence, failures: &failures)
        } else if sample.covariates.isEmpty, let weights = sample.weights {
            weightedUnconditionalCells(cells, sample: sample, weights: weights, estimates: &estimates,
                                       influence: &influence, failures: &failures)
        } else if sample.covariates.isEmpty {
            unconditionalCells(cells, sample: sample, estimates: &estimates, influence: &influence, failures: &failures)
        } else {
            covariateCells(cells, sample: sample, estimates: &estimates, influence: &influence, failures: &failures,
                           largestScores: &largestScores)
        }
        let failed = cells.indices.compactMap { k in
            failures[k].map { CallawaySantAnnaError.FailedCell(group: sample.periodLabels[Int(cells[k].group)],
                                                               time: sample.periodLabels[cells[k].time], reason: $0) }
        }
        let estimable = cells.indices.filter { failures[$0] == nil && !cells[$0].isReference }.count
        if !failed.isEmpty && (options.failedCells == .reject || estimable == 0) {
            throw CallawaySantAnnaError.cellsNotEstimable(failed, total: cells.filter { !$0.isReference }.count)
        }
        var scratch = [Double](repeating: 0, count: sample.clusterCount)
        var groupTime: [CallawaySantAnnaResult.GroupTimeEffect] = []
        groupTime.reserveCapacity(cells.count)
        influence.withUnsafeBufferPointer { psi in
            scratch.withUnsafeMutableBufferPointer { buffer in
                for (k, cell) in cells.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: psi[(k * n)..<((k + 1) * n)])
                    let ok = failures[k] == nil
                    groupTime.append(.init(group: Int(cell.group), time: cell.time, basePeriod: cell.base,
                                           eventTime: sample.eventTime(time: cell.time, group: Int(cell.group)),
                                           isPost: cell.isPost, isReference: cell.isReference,
                                           estimate: ok ? estimates[k] : .nan,
                                           standardError: ok ? sample.standardError(row, scratch: buffer) : .nan,
                                           failure: failures[k]))
                }
            }
        }
        let aggregator = CallawaySantAnnaAggregator(sample: sample, cells: groupTime, influence: influence,
                                                    minEventTime: options.minEventTime,
                                                    maxEventTime: options.maxEventTime)
        let simple = try aggregator.simple(), dynamic = try aggregator.dynamic(), group = aggregator.group()
        var notes = Self.notes(panel: panel, sample: sample)
            + CallawaySantAnnaDiagnostics(sample: sample, cells: groupTime, largestScores: largestScores,
                                          groupKeys: group.keys).notes
        var preTest: CallawaySantAnnaPreTest?
        switch CallawaySantAnnaPreTest.compute(cells: groupTime, influence: influence, unitCount: n, cluster: sample.cluster,
                                               clusterCount: sample.clusterCount, clusteredByUnit: sample.clusteredByUnit) {
        case .tested(let test): preTest = test
        case .notReported(let reason): notes.append(reason)
        }
        return CallawaySantAnnaResult(
            options: options, outcomeName: panel.outcomeName, observationCount: sample.observationCount,
            unitCount: n, periodCount: sample.periodCount, clusterCount: sample.clusterCount,
            clusterName: options.cluster ?? panel.unitName, covariateNames: panel.covariateNames,
            periodLabels: panel.periodLabels, periodValues: panel.periodValues, units: sample.panelUnit,
            clusterOfUnit: sample.cluster, groupTime: groupTime, groupTimeInfluence: influence,
            simple: simple, dynamic: dynamic, group: group,
            calendar: aggregator.calendar(), preTest: preTest, notes: notes)
    }

    /// The panel's notes and the sample's, without the panel's remark that always-treated units
    /// are kept (fixest's rule) when CS dropped them.
    static func notes(panel: Panel, sample: CallawaySantAnnaSample) -> [String] {
        let dropped = sample.notes.contains { $0.contains("already treated in the first period") }
        return panel.notes.filter { !(dropped && $0.contains("always treated: kept")) } + sample.notes
    }

    /// Why a cell fails before any estimation: no comparison or no treated units, or (for the
    /// propensity-score methods) a treated share at which R `did`'s intercept-only overlap check
    /// (share ≥ 0.999) fails or every comparison unit is trimmed. With sampling weights the
    /// share is the weighted one (`weightedShare`), R's intercept-only `glm` with weights.
    private func countFailure(treated: Int, control: Int, weightedShare: Double? = nil) -> String? {
        guard control > 0 else { return "no comparison units (never-treated or not-yet-treated) in its periods" }
        guard treated > 0 else { return "no unit of the cohort is observed in its periods" }
        guard options.estimationMethod != .outcomeRegression else { return nil }
        let share = weightedShare ?? Double(treated) / Double(treated + control)
        if share >= 0.999 { return "overlap fails: the cohort is \(share) of the comparison sample (R did's cut-off is 0.999)" }
        if share >= options.propensityTrimLevel { return "every comparison unit is trimmed (propensity score \(share) ≥ \(options.propensityTrimLevel))" }
        return nil
    }

    /// The 2×2 cells without covariates, in closed form: two passes over the units per cell,
    /// writing only the cell's row of the preallocated influence matrix.
    private func unconditionalCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample,
                                    estimates: inout [Double], influence: inout [Double], failures: inout [String?]) {
        let n = sample.unitCount
        let scale = Double(n)
        sample.outcome.withUnsafeBufferPointer { y in
            sample.cohort.withUnsafeBufferPointer { cohort in
                influence.withUnsafeMutableBufferPointer { psi in
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
                        if let failure = countFailure(treated: treated, control: control) { failures[k] = failure; continue }
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

    /// The 2×2 cells without covariates with sampling weights `s` (period-major, the earlier
    /// period's weight for each cell): DRDID with an intercept only, which for every estimation
    /// method is `ATT = μ_g − μ_C` with weighted means `μ = Σ sΔY/Σ s`, and influence
    /// `n·s_i(ΔY_i − μ_g)/Σ_g s` for the cohort, `−n·s_i(ΔY_i − μ_C)/Σ_C s` for the comparison
    /// units (the propensity-score and regression terms vanish with an intercept only).
    private func weightedUnconditionalCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample, weights: [Double],
                                            estimates: inout [Double], influence: inout [Double], failures: inout [String?]) {
        let n = sample.unitCount
        let scale = Double(n)
        for (k, cell) in cells.enumerated() where !cell.isReference {
            let threshold = controlThreshold(cell)
            let g = cell.group
            let post = cell.time * n, base = cell.base * n, earlier = cell.earlier * n
            var sumTreated = 0.0, sumControl = 0.0, weightTreated = 0.0, weightControl = 0.0, treated = 0, control = 0
            for i in 0..<n {
                let c = sample.cohort[i]
                let change = sample.outcome[post + i] - sample.outcome[base + i], s = weights[earlier + i]
                if c == g {
                    sumTreated += s * change; weightTreated += s; treated += 1
                } else if c > threshold {
                    sumControl += s * change; weightControl += s; control += 1
                }
            }
            let share = weightTreated / (weightTreated + weightControl)
            if let failure = countFailure(treated: treated, control: control, weightedShare: share) {
                failures[k] = failure
                continue
            }
            let meanTreated = sumTreated / weightTreated, meanControl = sumControl / weightControl
            estimates[k] = meanTreated - meanControl
            let scaleTreated = scale / weightTreated, scaleControl = -scale / weightControl
            for i in 0..<n {
                let c = sample.cohort[i]
                let change = sample.outcome[post + i] - sample.outcome[base + i], s = weights[earlier + i]
                if c == g {
                    influence[k * n + i] = scaleTreated * s * (change - meanTreated)
                } else if c > threshold {
                    influence[k * n + i] = scaleControl * s * (change - meanControl)
                }
            }
        }
    }

    /// The 2×2 cells of an unbalanced panel without covariates, as repeated cross sections (R
    /// `did`'s `allow_unbalanced_panel = TRUE`): with `n₁` observations of the cohort (T) and the
    /// comparison units (C) in the two periods (1 = `t`, 0 = base), `ATT = (Ȳ_T1 − Ȳ_T0) −
    /// (Ȳ_C1 − Ȳ_C0)`; each observation's influence is `±n₁(Y − Ȳ_dp)/n_dp` (DRDID's
    /// `drdid_rc` with an intercept only), scaled by `n/n₁` and summed within its unit.
    private func unbalancedCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample,
                                 estimates: inout [Double], influence: inout [Double], failures: inout [String?]) {
        let n = sample.unitCount
        for (k, cell) in cells.enumerated() where !cell.isReference {
            let threshold = controlThreshold(cell)
            let post = cell.time * n, base = cell.base * n
            // sums and counts of the four cells: treated post, treated base, control post, control base
            var sum = [Double](repeating: 0, count: 4), count = [Int](repeating: 0, count: 4)
            for i in 0..<n {
                let c = sample.cohort[i]
                let arm = c == cell.group ? 0 : (c > threshold ? 2 : -1)
                guard arm >= 0 else { continue }
                if sample.observed[post + i] { sum[arm] += sample.outcome[post + i]; count[arm] += 1 }
                if sample.observed[base + i] { sum[arm + 1] += sample.outcome[base + i]; count[arm + 1] += 1 }
            }
            if count[0] == 0 || count[1] == 0 {
                failures[k] = "no unit of the cohort is observed in period "
                    + sample.periodLabels[count[0] == 0 ? cell.time : cell.base]
                continue
            }
            if count[2] == 0 || count[3] == 0 {
                failures[k] = "no comparison unit is observed in period " + sample.periodLabels[count[2] == 0 ? cell.time : cell.base]
                continue
            }
            if let failure = countFailure(treated: count[0] + count[1], control: count[2] + count[3]) { failures[k] = failure; continue }
            let mean = (0..<4).map { sum[$0] / Double(count[$0]) }
            estimates[k] = (mean[0] - mean[1]) - (mean[2] - mean[3])
            // n/n₁ · n₁(Y − Ȳ)/n_dp = n(Y − Ȳ)/n_dp, with signs +, −, −, +.
            let scale = [1.0, -1, -1, 1].enumerated().map { $0.element * Double(n) / Double(count[$0.offset]) }
            for i in 0..<n {
                let c = sample.cohort[i]
                let arm = c == cell.group ? 0 : (c > threshold ? 2 : -1)
                guard arm >= 0 else { continue }
                var value = 0.0
                if sample.observed[post + i] { value += scale[arm] * (sample.outcome[post + i] - mean[arm]) }
                if sample.observed[base + i] { value += scale[arm + 1] * (sample.outcome[base + i] - mean[arm + 1]) }
                influence[k * n + i] = value
            }
        }
    }

    /// Comparison units of a cell are those with `cohort > threshold` (and not the cell's own
    /// cohort): never treated = `Int32.max`, so the never-treated group uses `Int32.max − 1`;
    /// not yet treated = neither treated nor anticipating in either period (`max(t, base) + δ`).
    private func controlThreshold(_ cell: GroupTimeCell) -> Int32 {
        switch options.controlGroup {
        case .neverTreated: return Int32.max - 1
        case .notYetTreated: return Int32(max(cell.time, cell.base) + options.anticipation)
        }
    }

    /// The 2×2 cells with covariates (DRDID estimators), gathering each cell's units into one
    /// reused workspace; a cell that cannot be estimated records its reason in `failures`.
    private func covariateCells(_ cells: [GroupTimeCell], sample: CallawaySantAnnaSample,
                                estimates: inout [Double], influence: inout [Double], failures: inout [String?],
                                largestScores: inout [Double]) {
        let n = sample.unitCount
        let p = sample.covariates.count + 1
        var work = CovariateTwoByTwo(capacity: n, covariateCount: sample.covariates.count)
        var members = [Int](repeating: 0, count: n)
        work.isWeighted = sample.weights != nil
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
                if let weights = sample.weights { work.weight[count] = weights[earlier + i] }
                work.design[count * p] = 1
                for (j, column) in sample.covariates.enumerated() { work.design[count * p + 1 + j] = column[earlier + i] }
                count += 1
            }
            guard control > 0 else { failures[k] = countFailure(treated: count, control: 0); continue }
            work.count = count
            do {
                estimates[k] = try work.estimate(method: options.estimationMethod, trimLevel: options.propensityTrimLevel)
            } catch {
                failures[k] = error.reason
                continue
            }
            largestScores[k] = work.largestScore
            let scale = Double(n) / Double(count)
            for m in 0..<count { influence[k * n + members[m]] = scale * work.influence[m] }
        }
    }
}
