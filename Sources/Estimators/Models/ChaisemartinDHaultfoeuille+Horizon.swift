/// The panel as ``ChaisemartinDHaultfoeuille`` reads it: the kept units' outcomes on the ranks of
/// the observed periods, their first switch `F_g`, and the per-horizon computation.
struct DCDHPanel {
    /// Ranks run `1…periodCount`; `outcome[g * stride + r]` is unit g's outcome at rank r (NaN: unobserved).
    let periodCount: Int
    let stride: Int
    let outcome: [Double]
    let observed: [Bool]
    /// First switch rank of each kept unit, `Int.max` for units that never switch.
    let firstSwitch: [Int]
    /// Last observed rank of each kept unit.
    let lastObserved: [Int]
    let unitCount: Int
    let observationCount: Int
    var notes: [String] = []

    var switcherCount: Int { firstSwitch.filter { $0 != Int.max }.count }
    var neverSwitcherCount: Int { unitCount - switcherCount }

    init(_ panel: Panel) {
        // Ranks of the periods observed by at least one unit (R and moderndid rank the periods).
        var seen = [Bool](repeating: false, count: panel.periodCount)
        for p in panel.periodIndex { seen[Int(p)] = true }
        var rank = [Int](repeating: 0, count: panel.periodCount)
        var count = 0
        for p in 0..<panel.periodCount where seen[p] { count += 1; rank[p] = count }
        periodCount = count
        stride = count + 1

        // Baseline treatment: the first observed period's. Treatment switches on once, so units
        // treated there never switch and have no switcher of their baseline to be compared with.
        var kept: [(unit: Int, first: Int)] = []
        var alwaysTreated = 0
        for unit in 0..<panel.unitCount {
            let start = panel.unitStart[unit], end = panel.unitStart[unit + 1]
            guard start < end else { continue }
            if panel.isTreated(row: start) { alwaysTreated += 1; continue }
            var first = Int.max
            for row in start..<end where panel.isTreated(row: row) { first = rank[Int(panel.periodIndex[row])]; break }
            kept.append((unit, first))
        }
        if alwaysTreated > 0 {
            notes.append("\(alwaysTreated) unit\(alwaysTreated == 1 ? "" : "s") treated in \(alwaysTreated == 1 ? "its" : "their") "
                         + "first observed period left out (no unit with that baseline switches)")
        }
        if Set(kept.map(\.first)).count < 2 { kept = [] }

        unitCount = kept.count
        var outcome = [Double](repeating: .nan, count: kept.count * stride)
        var observed = [Bool](repeating: false, count: kept.count * stride)
        var lastObserved = [Int](repeating: 0, count: kept.count)
        var rows = 0
        for (g, entry) in kept.enumerated() {
            for row in panel.unitStart[entry.unit]..<panel.unitStart[entry.unit + 1] {
                let r = rank[Int(panel.periodIndex[row])]
                outcome[g * stride + r] = panel.outcome[row]
                observed[g * stride + r] = true
                lastObserved[g] = max(lastObserved[g], r)
                rows += 1
            }
        }
        self.outcome = outcome
        self.observed = observed
        self.lastObserved = lastObserved
        firstSwitch = kept.map(\.first)
        observationCount = rows
    }

    /// `T_g`: the last rank at which some kept unit has not switched (a never-switcher counts up
    /// to its last observed rank).
    var lastControlRank: Int {
        var last = 0
        for g in 0..<unitCount {
            last = max(last, firstSwitch[g] == Int.max ? lastObserved[g] : firstSwitch[g] - 1)
        }
        return last
    }

    /// The most effects and placebos some switcher reaches: effect ℓ needs `F_g − 1 + ℓ ≤ T_g`,
    /// placebo ℓ also `F_g − 1 − ℓ ≥ 1` (moderndid's `estimable_horizons`).
    var availableHorizons: (effects: Int, placebos: Int) {
        let last = lastControlRank
        var effects = 0, placebos = 0
        for g in 0..<unitCount where firstSwitch[g] != Int.max {
            let reach = last - firstSwitch[g] + 1
            effects = max(effects, reach)
            placebos = max(placebos, min(reach, firstSwitch[g] - 2))
        }
        return (effects, placebos)
    }

    /// The outcome change of unit g that horizon `lag` uses at rank t, nil when unobserved:
    /// `Y_t − Y_{t−ℓ}` (effect) or `Y_{t−2ℓ} − Y_{t−ℓ}` with `Y_t` observed (placebo).
    @inline(__always)
    func change(_ g: Int, at t: Int, lag: Int, placebo: Bool) -> Double? {
        let base = g * stride
        guard t - lag >= 1, observed[base + t], observed[base + t - lag] else { return nil }
        if !placebo { return outcome[base + t] - outcome[base + t - lag] }
        guard t - 2 * lag >= 1, observed[base + t - 2 * lag] else { return nil }
        return outcome[base + t - 2 * lag] - outcome[base + t - lag]
    }

    /// Effect (or placebo) `lag` and the units' influence functions `U_g` (see the type's
    /// documentation); nil when no switcher reaches it with a control.
    func horizon(_ lag: Int, placebo: Bool) -> (ChaisemartinDHaultfoeuilleResult.Horizon, [Double])? {
        var influence = [Double](repeating: 0, count: unitCount)
        var sum = 0.0
        var switchers = 0
        var switcherUnits: [(Int, Double)] = [], controlUnits: [(Int, Double)] = []
        for t in 1...max(periodCount, 1) {
            switcherUnits.removeAll(keepingCapacity: true)
            controlUnits.removeAll(keepingCapacity: true)
            for g in 0..<unitCount {
                let f = firstSwitch[g]
                if f > t {
                    if let d = change(g, at: t, lag: lag, placebo: placebo) { controlUnits.append((g, d)) }
                } else if f - 1 + lag == t, let d = change(g, at: t, lag: lag, placebo: placebo) {
                    switcherUnits.append((g, d))
                }
            }
            guard !switcherUnits.isEmpty, !controlUnits.isEmpty else { continue }
            let nS = Double(switcherUnits.count), nC = Double(controlUnits.count)
            let sumS = switcherUnits.reduce(0) { $0 + $1.1 }, sumC = controlUnits.reduce(0) { $0 + $1.1 }
            sum += sumS - nS / nC * sumC
            switchers += switcherUnits.count
            // Demeaning within the cohort (or the control set), with √(n/(n−1)); a set of one unit
            // falls back to the union of switchers and controls at t (R DIDmultiplegtDYN's E_hat, DOF).
            let union = nS + nC
            let unionMean = (sumS + sumC) / union, unionScale = (union / (union - 1)).squareRoot()
            let (meanS, scaleS) = nS >= 2 ? (sumS / nS, (nS / (nS - 1)).squareRoot()) : (unionMean, unionScale)
            let (meanC, scaleC) = nC >= 2 ? (sumC / nC, (nC / (nC - 1)).squareRoot()) : (unionMean, unionScale)
            for (g, d) in switcherUnits { influence[g] += scaleS * (d - meanS) }
            let ratio = nS / nC
            for (g, d) in controlUnits { influence[g] -= ratio * scaleC * (d - meanC) }
        }
        guard switchers > 0 else { return nil }
        let n = Double(switchers), groups = Double(unitCount)
        for g in 0..<unitCount { influence[g] *= groups / n }
        let se = (influence.reduce(0) { $0 + $1 * $1 }).squareRoot() / groups
        let eventTime = placebo ? -(lag + 1) : lag - 1
        let term = placebo ? "e-\(lag + 1)" : "e+\(lag - 1)"
        let horizon = ChaisemartinDHaultfoeuilleResult.Horizon(
            term: term, eventTime: eventTime, lag: placebo ? -lag : lag,
            effect: EffectEstimate(estimate: sum / n, standardError: se), switcherCount: switchers)
        return (horizon, influence)
    }
}
