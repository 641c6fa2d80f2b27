/// The balanced, wide sample the Callaway & Sant'Anna estimator works on, prepared from a
/// ``Panel`` the way R `did`'s `pre_process_did` prepares a panel:
///
/// 1. Unbalanced panels are rejected, or (``CallawaySantAnnaOptions/UnbalancedPanelPolicy/dropIncompleteUnits``)
///    reduced to the units observed in every period.
/// 2. Cohorts after the last period count as never treated (as R `did` recodes them); units
///    treated in the first period (adoption index ≤ 0) are dropped and counted:
///    "Dropped N units that were already treated in the first period".
/// 3. Without never-treated units, the never-treated comparison group is an error; with the
///    not-yet-treated group the periods from the last cohort's adoption on are dropped, and
///    that cohort serves only as a comparison group (as R `did` 2.5).
///
/// Units keep the panel's order; cohorts are period indices (``Panel/neverTreated`` for never
/// treated, and possibly `≥ periodCount` for the last cohort after step 3). Outcomes and
/// covariates are stored period-major (`value[t * unitCount + i]`) so that the changes of one
/// 2×2 comparison are two contiguous runs.
struct CallawaySantAnnaSample: Sendable {
    /// Kept units `n` (the `n` of R `did`'s influence functions).
    let unitCount: Int
    /// Kept periods `T`.
    let periodCount: Int
    /// Outcome, period-major.
    let outcome: [Double]
    /// Covariates, each period-major.
    let covariates: [[Double]]
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
    /// What was dropped or adjusted, in words.
    let notes: [String]

    init(panel: Panel, options: CallawaySantAnnaOptions) throws {
        let fullT = panel.periodCount
        var notes: [String] = []

        // 1. Balance.
        var complete = [Bool](repeating: true, count: panel.unitCount)
        var incomplete = 0
        for unit in 0..<panel.unitCount where panel.unitStart[unit + 1] - panel.unitStart[unit] != fullT {
            complete[unit] = false
            incomplete += 1
        }
        if incomplete > 0 {
            guard options.unbalancedPanel == .dropIncompleteUnits else {
                throw CallawaySantAnnaError.unbalancedPanel(unitsMissingPeriods: incomplete, periodCount: fullT)
            }
            notes.append("Dropped \(incomplete) unit\(incomplete == 1 ? "" : "s") not observed in every period "
                         + "to balance the panel (as R did)")
        }

        // Cohorts after the last period are never treated in the sample (R did recodes them to 0).
        let adoptionOf = panel.adoptionPeriod.map { $0 >= Int32(fullT) ? Panel.neverTreated : $0 }

        // 2. Units already treated in the first period.
        var kept: [Int] = []
        kept.reserveCapacity(panel.unitCount)
        var treatedFirst = 0
        for unit in 0..<panel.unitCount where complete[unit] {
            if adoptionOf[unit] <= 0 { treatedFirst += 1 } else { kept.append(unit) }
        }
        if treatedFirst > 0 {
            notes.append("Dropped \(treatedFirst) unit\(treatedFirst == 1 ? "" : "s") that "
                         + "\(treatedFirst == 1 ? "was" : "were") already treated in the first period (as R did)")
        }

        // 3. Never-treated units, or trimmed periods.
        var periodCount = fullT
        let hasNever = kept.contains { adoptionOf[$0] == Panel.neverTreated }
        if !hasNever {
            guard options.controlGroup == .notYetTreated else { throw CallawaySantAnnaError.noNeverTreatedUnits }
            guard let last = kept.map({ adoptionOf[$0] }).max() else { throw CallawaySantAnnaError.noTreatedCohort }
            periodCount = Int(last)
            notes.append("No never-treated units: periods from \(panel.periodLabels[Int(last)]) on dropped and cohort "
                         + "\(panel.periodLabels[Int(last)]) used only as a not-yet-treated comparison group (as R did)")
        }
        guard periodCount >= 2 else { throw CallawaySantAnnaError.tooFewPeriods(periodCount) }

        let n = kept.count
        var cohort = [Int32](repeating: 0, count: n)
        var sizes: [Int32: Int] = [:]
        for (i, unit) in kept.enumerated() {
            let adoption = adoptionOf[unit]
            cohort[i] = adoption
            if adoption < Int32(periodCount) { sizes[adoption, default: 0] += 1 }
        }
        let groups = sizes.keys.sorted()
        guard !groups.isEmpty else { throw CallawaySantAnnaError.noTreatedCohort }

        // Wide, period-major outcome and covariates (the panel is sorted by unit, then period).
        func wide(_ column: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * periodCount)
            column.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    for (i, unit) in kept.enumerated() {
                        let start = panel.unitStart[unit]
                        for t in 0..<periodCount { target[t * n + i] = source[start + t] }
                    }
                }
            }
            return out
        }

        // Clusters.
        let unitName = panel.unitName
        var clusterOfUnit = Array(0..<Int32(n))
        var clusterCount = n
        var byUnit = true
        if let name = options.cluster, name != unitName {
            guard let clustering = panel.clusterings[name] else {
                throw EstimationError.unknownClustering(name: name, available: Array(panel.clusterings.keys))
            }
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

        self.unitCount = n
        self.periodCount = periodCount
        self.outcome = wide(panel.outcome)
        self.covariates = panel.covariates.map(wide)
        self.cohort = cohort
        self.panelUnit = kept
        self.cluster = clusterOfUnit
        self.clusterCount = clusterCount
        self.clusteredByUnit = byUnit
        self.groups = groups
        self.groupSizes = groups.map { sizes[$0] ?? 0 }
        self.periodLabels = Array(panel.periodLabels.prefix(periodCount))
        self.periodValues = panel.periodValues.map { Array($0.prefix(periodCount)) }
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
