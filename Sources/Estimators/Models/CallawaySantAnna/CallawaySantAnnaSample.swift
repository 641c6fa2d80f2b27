/// The wide sample the Callaway & Sant'Anna estimator works on, prepared from a ``Panel`` the
/// way R `did`'s `pre_process_did` prepares a panel, in its order:
///
/// 1. Cohorts after the last period count as never treated (as R `did` recodes them).
/// 2. Without never-treated units, the never-treated comparison group is an error; with the
///    not-yet-treated group the periods from the last cohort's adoption (less the anticipation
///    periods δ) on are dropped, and that cohort serves only as a comparison group (as R `did` 2.5).
/// 3. Units treated in the first period (adoption index ≤ δ: with anticipation, also those
///    anticipating from the first period) are dropped and counted:
///    "Dropped N units that were already treated in the first period".
/// 4. Units not observed in every remaining period are rejected, dropped and counted
///    (``CallawaySantAnnaOptions/UnbalancedPanelPolicy/dropIncompleteUnits``, R `did`'s
///    default), or kept (``CallawaySantAnnaOptions/UnbalancedPanelPolicy/allowUnbalanced``,
///    then ``observed`` says which unit-periods exist).
///
/// Units keep the panel's order; cohorts are period indices (``Panel/neverTreated`` for never
/// treated, and possibly `≥ periodCount` for the last cohort after step 2). Outcomes and
/// covariates are stored period-major (`value[t * unitCount + i]`) so that the changes of one
/// 2×2 comparison are two contiguous runs; unobserved unit-periods hold 0.
struct CallawaySantAnnaSample: Sendable {
    /// Kept units `n` (the `n` of R `did`'s influence functions).
    let unitCount: Int
    /// Kept periods `T`.
    let periodCount: Int
    /// Outcome, period-major.
    let outcome: [Double]
    /// Covariates, each period-major.
    let covariates: [[Double]]
    /// Whether unit `i` is observed in period `t` (`observed[t * unitCount + i]`); empty when
    /// every kept unit is observed in every kept period.
    let observed: [Bool]
    /// Cohort (adoption period index) of each kept unit.
    let cohort: [Int32]
    /// Panel unit index of each kept unit (the key of the influence functions).
    let panelUnit: [Int]
    /// Dense cluster index of each kept unit.
    let cluster: [Int32]
    /// Number of clusters.
    let clusterCount: Int
    /// Whether clusters are the units themselves.
    let clusteredByUnit: Bool
    /// Estimated cohorts (period indices in `1..<periodCount`), ascending.
    let groups: [Int32]
    /// Units in each estimated cohort.
    let groupSizes: [Int]
    /// Period labels of the kept periods.
    let periodLabels: [String]
    /// Numeric period values of the kept periods, when the time column is numeric.
    let periodValues: [Double]?
    /// Sampling weights (the panel's ``Panel/regressionWeights``, R `did`'s `weightsname`),
    /// period-major like ``outcome``, divided by their mean over the kept unit-periods; nil for
    /// an unweighted panel. A 2×2 comparison weighs its units by the weights of its earlier
    /// period (R `did`'s default for time-varying weights; with weights constant within units
    /// every period gives the same).
    let weights: [Double]?
    /// Each kept unit's weight in the first period, divided by their mean (R `did`'s
    /// `weights.ind` in `aggte`, which takes the first period's row); nil without weights.
    let unitWeights: [Double]?
    /// What was dropped or adjusted, in words.
    let notes: [String]

    /// Whether the sample is an unbalanced panel estimated as repeated cross sections.
    var isUnbalanced: Bool { !observed.isEmpty }

    /// Observations used: the observed unit-periods of the kept units and periods.
    var observationCount: Int { isUnbalanced ? observed.lazy.filter { $0 }.count : unitCount * periodCount }

    init(panel: Panel, options: CallawaySantAnnaOptions) throws {
        let fullT = panel.periodCount
        let anticipation = options.anticipation
        var notes: [String] = []
        // At least as many anticipation periods as periods leaves no cohort a base period (and
        // would overflow the 32-bit period indices below).
        guard anticipation >= 0 && anticipation < fullT else {
            throw CallawaySantAnnaError.invalidAnticipation(anticipation, periodCount: fullT, firstCohort: nil)
        }
        // Anticipation counts periods here and time units in R did: they agree only when the time
        // column steps by 1 (2003, 2004, …); any other spacing is refused rather than answered differently.
        if anticipation > 0, let values = panel.periodValues, values.count > 1,
           let step = zip(values.dropFirst(), values).first(where: { $0 - $1 != 1 }) {
            throw CallawaySantAnnaError.anticipationNeedsUnitSteps(from: step.1, to: step.0)
        }

        // 1. Cohorts after the last period are never treated in the sample (R did recodes them to 0).
        let adoptionOf = panel.adoptionPeriod.map { $0 >= Int32(fullT) ? Panel.neverTreated : $0 }

        // 2. Never-treated units, or trimmed periods.
        var periodCount = fullT
        if !adoptionOf.contains(Panel.neverTreated) {
            guard options.controlGroup == .notYetTreated else { throw CallawaySantAnnaError.noNeverTreatedUnits }
            guard let last = adoptionOf.max(), last > 0 else { throw CallawaySantAnnaError.noTreatedCohort }
            periodCount = Int(last) - anticipation
            guard periodCount >= 2 || anticipation == 0 else {
                throw CallawaySantAnnaError.invalidAnticipation(anticipation, periodCount: fullT,
                                                                firstCohort: panel.periodLabels[Int(last)])
            }
            notes.append("No never-treated units: periods from \(panel.periodLabels[max(0, periodCount)]) on dropped and cohort "
                         + "\(panel.periodLabels[Int(last)]) used only as a not-yet-treated comparison group (as R did)")
        }
        guard periodCount >= 2 else { throw CallawaySantAnnaError.tooFewPeriods(periodCount) }

        // 3. Units already treated in the first period.
        var candidates: [Int] = []
        candidates.reserveCapacity(panel.unitCount)
        var treatedFirst = 0
        for unit in 0..<panel.unitCount {
            if adoptionOf[unit] <= Int32(anticipation) { treatedFirst += 1 } else { candidates.append(unit) }
        }
        if treatedFirst > 0 {
            notes.append("Dropped \(treatedFirst) unit\(treatedFirst == 1 ? "" : "s") that "
                         + "\(treatedFirst == 1 ? "was" : "were") already treated in the first period"
                         + (anticipation > 0 ? " (accounting for anticipation = \(anticipation), as R did)" : " (as R did)"))
        }

        // 4. Balance: observed periods of each unit among the kept ones (rows are sorted by period).
        func observedCount(_ unit: Int) -> Int {
            var count = 0
            for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] where Int(panel.periodIndex[row]) < periodCount {
                count += 1
            }
            return count
        }
        let incomplete = candidates.filter { observedCount($0) != periodCount }
        var kept = candidates
        var unbalanced = false
        // R did keeps a unit whose sampling weight is zero in some periods (weighing it zero in the
        // 2×2s whose earlier period that is); the loader dropped those rows, so balancing would drop
        // the unit instead: refused rather than answered differently.
        if !incomplete.isEmpty, panel.regressionWeights != nil,
           panel.notes.contains(where: { $0.hasSuffix(Panel.zeroWeightRowsNote) }) {
            throw CallawaySantAnnaError.zeroWeightsUnbalancePanel(unitsMissingPeriods: incomplete.count)
        }
        if !incomplete.isEmpty {
            let count = incomplete.count, plural = incomplete.count == 1 ? "" : "s"
            switch options.unbalancedPanel {
            case .reject:
                throw CallawaySantAnnaError.unbalancedPanel(unitsMissingPeriods: count, periodCount: periodCount)
            case .dropIncompleteUnits:
                let drop = Set(incomplete)
                kept = candidates.filter { !drop.contains($0) }
                notes.append("Dropped \(count) unit\(plural) not observed in every period to balance the panel "
                             + "(as R did by default)")
            case .allowUnbalanced:
                guard panel.covariates.isEmpty else { throw CallawaySantAnnaError.unbalancedWithCovariates(unitsMissingPeriods: count) }
                guard panel.regressionWeights == nil else {
                    throw CallawaySantAnnaError.unbalancedWithWeights(unitsMissingPeriods: count)
                }
                let empty = Set(incomplete.filter { observedCount($0) == 0 })
                if !empty.isEmpty {
                    kept = candidates.filter { !empty.contains($0) }
                    notes.append("Dropped \(empty.count) unit\(empty.count == 1 ? "" : "s") observed only in the dropped periods")
                }
                unbalanced = true
                notes.append("Unbalanced panel: \(count) unit\(plural) not observed in every period kept; each ATT(g,t) "
                             + "uses the units observed in its periods as repeated cross sections, influence functions "
                             + "summed by unit (as R did with allow_unbalanced_panel = TRUE)")
            }
        }

        let n = kept.count
        var cohort = [Int32](repeating: 0, count: n)
        var sizes: [Int32: Int] = [:]
        for (i, unit) in kept.enumerated() {
            let adoption = adoptionOf[unit]
            cohort[i] = adoption
            if adoption < Int32(periodCount) { sizes[adoption, default: 0] += 1 }
        }
        let groups = sizes.keys.sorted()
        guard !groups.isEmpty else {
            // Cohorts that exist but all start within the anticipation window: name the option.
            let earliest = adoptionOf.filter { $0 > 0 && $0 < Int32(periodCount) }.min()
            if anticipation > 0, let earliest {
                throw CallawaySantAnnaError.invalidAnticipation(anticipation, periodCount: periodCount,
                                                                firstCohort: panel.periodLabels[Int(earliest)])
            }
            throw CallawaySantAnnaError.noTreatedCohort
        }

        // Wide, period-major outcome and covariates (the panel is sorted by unit, then period).
        func wide(_ column: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * periodCount)
            column.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    for (i, unit) in kept.enumerated() {
                        for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] {
                            let t = Int(panel.periodIndex[row])
                            if t < periodCount { target[t * n + i] = source[row] }
                        }
                    }
                }
            }
            return out
        }
        var observed: [Bool] = []
        if unbalanced {
            observed = [Bool](repeating: false, count: n * periodCount)
            for (i, unit) in kept.enumerated() {
                for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] where Int(panel.periodIndex[row]) < periodCount {
                    observed[Int(panel.periodIndex[row]) * n + i] = true
                }
            }
        }

        // Clusters.
        let unitName = panel.unitName
        var clusterOfUnit = Array(0..<Int32(n))
        var clusterCount = n
        var byUnit = true
        if let name = options.cluster, name != unitName {
            let clustering = try panel.clustering(named: name)  // a column or an interaction A^B
            var dense = [Int32](repeating: -1, count: clustering.count)
            clusterCount = 0
            for (i, unit) in kept.enumerated() {
                let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
                let first = clustering.index[rows.lowerBound]
                if rows.contains(where: { clustering.index[$0] != first }) {
                    throw CallawaySantAnnaError.clusterVariesWithinUnit(cluster: name, unit: panel.unitLabels[unit])
                }
                if dense[Int(first)] < 0 { dense[Int(first)] = Int32(clusterCount); clusterCount += 1 }
                clusterOfUnit[i] = dense[Int(first)]
            }
            guard clusterCount >= 2 else { throw EstimationError.tooFewClusters(name: name, count: clusterCount) }
            byUnit = false
        }

        // Sampling weights, normalised to mean one over the kept unit-periods (R did divides by
        // the mean over every row before dropping any; the estimates and standard errors do not
        // depend on the scale, since every 2×2 renormalises its weights and the cohort shares
        // enter only as ratios).
        var weights: [Double]?, unitWeights: [Double]?
        if let column = panel.regressionWeights {
            var values = wide(column)
            let mean = values.reduce(0, +) / Double(values.count)
            for k in values.indices { values[k] /= mean }
            let first = Array(values[0..<n])
            let firstMean = first.reduce(0, +) / Double(n)
            unitWeights = first.map { $0 / firstMean }
            weights = values
            let varying = (0..<n).contains { i in (1..<periodCount).contains { values[$0 * n + i] != values[i] } }
            let name = panel.regressionWeightName ?? "weights"
            notes.append("Sampling weights \(name.quotedForMessage) (R did's weightsname): each ATT(g,t) weighs its units "
                         + "in the 2x2 estimator, the aggregations weigh cohorts by their weighted shares"
                         + (varying ? "; the weights vary within units: each ATT(g,t) uses the weights of the earlier of "
                                      + "its two periods, the aggregations each unit's weight in the first period (as R did)"
                                    : ""))
        }

        self.unitCount = n
        self.periodCount = periodCount
        self.outcome = wide(panel.outcome)
        self.covariates = panel.covariates.map(wide)
        self.observed = observed
        self.cohort = cohort
        self.panelUnit = kept
        self.cluster = clusterOfUnit
        self.clusterCount = clusterCount
        self.clusteredByUnit = byUnit
        self.groups = groups
        self.groupSizes = groups.map { sizes[$0] ?? 0 }
        self.periodLabels = Array(panel.periodLabels.prefix(periodCount))
        self.periodValues = panel.periodValues.map { Array($0.prefix(periodCount)) }
        self.weights = weights
        self.unitWeights = unitWeights
        self.notes = notes
    }

    /// Event time `t − g` in the time column's units when periods are whole numbers (as R
    /// `did`, which subtracts the original period values), else in periods.
    func eventTime(time: Int, group: Int) -> Int {
        if let values = periodValues, let timeValue = value(values, time), let groupValue = value(values, group) {
            let difference = timeValue - groupValue
            if difference == difference.rounded(), abs(difference) < 1e9 { return Int(difference) }
        }
        return time - group
    }

    private func value(_ values: [Double], _ index: Int) -> Double? {
        index >= 0 && index < values.count ? values[index] : nil
    }

    /// The sum of `influence` within each cluster, then `√(Σ_c S_c²) / n`: R `did`'s analytic
    /// standard error (`sqrt(mean(IF²)/n)` when clusters are units). A zero standard error
    /// (the reference cells of a universal base period) is reported as NaN, as R `did` reports
    /// NA; unlike R's absolute cut-off `10·√ε`, tiny positive values are kept, as csdid does, so
    /// outcomes on any scale keep their inference.
    func standardError(_ influence: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
        var total = 0.0
        if clusteredByUnit {
            for value in influence { total += value * value }
        } else {
            for c in 0..<clusterCount { scratch[c] = 0 }
            for i in 0..<unitCount { scratch[Int(cluster[i])] += influence[i] }
            for c in 0..<clusterCount { total += scratch[c] * scratch[c] }
        }
        let se = total.squareRoot() / Double(unitCount)
        return se > 0 && se.isFinite ? se : .nan
    }
}
