/// R `did`'s `compute.aggte` on the ATT(g,t) of one estimate: which cells enter each
/// aggregation, their weights, and the influence function of every aggregated effect,
/// including the term for the estimated cohort shares (see ``CallawaySantAnna``).
struct CallawaySantAnnaAggregator {
    typealias Effect = CallawaySantAnnaResult.Effect
    typealias Aggregation = CallawaySantAnnaResult.Aggregation

    let sample: CallawaySantAnnaSample
    let cells: [CallawaySantAnnaResult.GroupTimeEffect]
    /// Cell influence functions, `cells.count × n`.
    let influence: [Double]
    let minEventTime: Int?
    let maxEventTime: Int?
    /// Position of each unit's cohort in `sample.groups`, −1 when it is not an estimated cohort.
    let unitGroup: [Int]
    /// Position of each cell's cohort in `sample.groups`.
    let cellGroup: [Int]
    /// Cohort shares `p_g = n_g / n`, with sampling weights `s` (mean one) `Σ_{i∈g} s_i / n`
    /// (R `did`'s `pg = mean(weights.ind · 1{G = g})`).
    let shares: [Double]
    /// Each unit's sampling weight in the first period (mean one; R `did`'s `weights.ind`), nil
    /// without weights.
    let unitWeights: [Double]?

    init(sample: CallawaySantAnnaSample, cells: [CallawaySantAnnaResult.GroupTimeEffect], influence: [Double],
         minEventTime: Int?, maxEventTime: Int?) {
        self.sample = sample
        self.cells = cells
        self.influence = influence
        self.minEventTime = minEventTime
        self.maxEventTime = maxEventTime
        var position: [Int32: Int] = [:]
        for (k, group) in sample.groups.enumerated() { position[group] = k }
        unitGroup = sample.cohort.map { position[$0] ?? -1 }
        cellGroup = cells.map { position[Int32($0.group)] ?? -1 }
        unitWeights = sample.unitWeights
        if let weights = sample.unitWeights {
            var sums = [Double](repeating: 0, count: sample.groups.count)
            for (i, g) in unitGroup.enumerated() where g >= 0 { sums[g] += weights[i] }
            shares = sums.map { $0 / Double(sample.unitCount) }
        } else {
            shares = sample.groupSizes.map { Double($0) / Double(sample.unitCount) }
        }
    }

    private var n: Int { sample.unitCount }

    private func withinWindow(_ cell: CallawaySantAnnaResult.GroupTimeEffect) -> Bool {
        cell.eventTime <= (maxEventTime ?? Int.max)
    }

    /// Cells that enter aggregations: every cell but those not estimable (R `did`'s
    /// `aggte(na.rm = TRUE)` removes them before anything else).
    private var usable: [Int] { cells.indices.filter { cells[$0].isEstimable } }

    /// Writes the influence function of `Σ_k w_k ATT_k` over `keep` into `out` and returns the
    /// estimate; `w_k = p_k / Σ p` (cohort shares, plus the estimated-share term) or `1/|K|`.
    private func combine(_ keep: [Int], shareWeighted: Bool, into out: UnsafeMutableBufferPointer<Double>) -> Double {
        var total = 0.0
        for k in keep { total += shareWeighted ? shares[cellGroup[k]] : 1 }
        var estimate = 0.0
        for i in 0..<n { out[i] = 0 }
        influence.withUnsafeBufferPointer { psi in
            for k in keep {
                let weight = (shareWeighted ? shares[cellGroup[k]] : 1) / total
                estimate += weight * cells[k].estimate
                let row = k * n
                for i in 0..<n { out[i] += weight * psi[row + i] }
            }
        }
        if shareWeighted {
            var sums = [Double](repeating: 0, count: shares.count), counts = sums
            for k in keep { sums[cellGroup[k]] += cells[k].estimate; counts[cellGroup[k]] += 1 }
            addShareInfluence(sums: sums, counts: counts, estimate: estimate, total: total, into: out)
        }
        return estimate
    }

    /// Adds R `did`'s `wif %*% att` = `s_i (A_g − m_g θ)/S` to every unit of an estimated cohort
    /// (`s_i` its sampling weight, 1 without weights).
    private func addShareInfluence(sums: [Double], counts: [Double], estimate: Double, total: Double,
                                   into out: UnsafeMutableBufferPointer<Double>) {
        var term = [Double](repeating: 0, count: shares.count)
        for g in 0..<shares.count { term[g] = (sums[g] - counts[g] * estimate) / total }
        if let weights = unitWeights {
            for i in 0..<n where unitGroup[i] >= 0 { out[i] += weights[i] * term[unitGroup[i]] }
        } else {
            for i in 0..<n where unitGroup[i] >= 0 { out[i] += term[unitGroup[i]] }
        }
    }

    /// Builds an aggregation from the cells of each part.
    private func aggregate(parts: [[Int]], shareWeighted: Bool) -> (effects: [Effect], influence: [Double]) {
        var matrix = [Double](repeating: 0, count: parts.count * n)
        var scratch = [Double](repeating: 0, count: sample.clusterCount)
        var effects: [Effect] = []
        effects.reserveCapacity(parts.count)
        matrix.withUnsafeMutableBufferPointer { buffer in
            scratch.withUnsafeMutableBufferPointer { clusterScratch in
                for (p, keep) in parts.enumerated() {
                    let row = UnsafeMutableBufferPointer(rebasing: buffer[(p * n)..<((p + 1) * n)])
                    if keep.isEmpty {
                        effects.append(Effect(estimate: .nan, standardError: .nan))
                        continue
                    }
                    let estimate = combine(keep, shareWeighted: shareWeighted, into: row)
                    effects.append(Effect(estimate: estimate,
                                          standardError: sample.standardError(UnsafeBufferPointer(row), scratch: clusterScratch)))
                }
            }
        }
        return (effects, matrix)
    }

    /// The standard error of an influence function.
    private func standardError(_ psi: [Double]) -> Double {
        var scratch = [Double](repeating: 0, count: sample.clusterCount)
        return psi.withUnsafeBufferPointer { row in
            scratch.withUnsafeMutableBufferPointer { sample.standardError(row, scratch: $0) }
        }
    }

    /// The unweighted mean of parts `selected` (dynamic and calendar overall effects).
    private func meanOf(_ selected: [Int], effects: [Effect], influence matrix: [Double]) -> (Effect, [Double]) {
        guard !selected.isEmpty else { return (Effect(estimate: .nan, standardError: .nan), [Double](repeating: 0, count: n)) }
        var psi = [Double](repeating: 0, count: n)
        var estimate = 0.0
        let weight = 1 / Double(selected.count)
        for p in selected {
            estimate += weight * effects[p].estimate
            for i in 0..<n { psi[i] += weight * matrix[p * n + i] }
        }
        return (Effect(estimate: estimate, standardError: standardError(psi)), psi)
    }

    /// `aggte(type = "simple")`.
    func simple() throws -> Aggregation {
        let keep = usable.filter { cells[$0].isPost && withinWindow(cells[$0]) }
        guard !keep.isEmpty else { throw CallawaySantAnnaError.emptyAggregation("simple") }
        let (effects, matrix) = aggregate(parts: [keep], shareWeighted: true)
        return Aggregation(kind: .simple, overall: effects[0], keys: [], effects: [], influence: [], overallInfluence: matrix)
    }

    /// `aggte(type = "dynamic", min_e, max_e)`.
    func dynamic() throws -> Aggregation {
        let low = minEventTime ?? Int.min, high = maxEventTime ?? Int.max
        let usable = self.usable
        let eventTimes = Set(usable.map { cells[$0].eventTime }).filter { $0 >= low && $0 <= high }.sorted()
        guard !eventTimes.isEmpty else { throw CallawaySantAnnaError.emptyAggregation("dynamic") }
        let parts = eventTimes.map { e in usable.filter { cells[$0].eventTime == e } }
        let (effects, matrix) = aggregate(parts: parts, shareWeighted: true)
        let (overall, psi) = meanOf(eventTimes.indices.filter { eventTimes[$0] >= 0 }, effects: effects, influence: matrix)
        return Aggregation(kind: .dynamic, overall: overall, keys: eventTimes, effects: effects, influence: matrix,
                           overallInfluence: psi)
    }

    /// `aggte(type = "group", max_e)`: cohort means, overall weighted by cohort shares. A cohort
    /// without an estimable post-treatment cell in the window is left out (R `did` with
    /// `na.rm = TRUE`); with every cell estimable every cohort has one (its `t = g` cell).
    func group() -> Aggregation {
        let usable = self.usable
        var keys: [Int] = [], parts: [[Int]] = [], positions: [Int] = []
        for (position, group) in sample.groups.enumerated() {
            let g = Int(group)
            let keep = usable.filter { cells[$0].group == g && cells[$0].isPost && withinWindow(cells[$0]) }
            if !keep.isEmpty { keys.append(g); parts.append(keep); positions.append(position) }
        }
        let (effects, matrix) = aggregate(parts: parts, shareWeighted: false)
        let total = positions.reduce(0) { $0 + shares[$1] }
        var psi = [Double](repeating: 0, count: n)
        var estimate = 0.0
        for (k, effect) in effects.enumerated() {
            let weight = shares[positions[k]] / total
            estimate += weight * effect.estimate
            for i in 0..<n { psi[i] += weight * matrix[k * n + i] }
        }
        var sums = [Double](repeating: 0, count: shares.count), counts = sums
        for (k, effect) in effects.enumerated() { sums[positions[k]] = effect.estimate; counts[positions[k]] = 1 }
        psi.withUnsafeMutableBufferPointer { out in
            addShareInfluence(sums: sums, counts: counts, estimate: estimate, total: total, into: out)
        }
        return Aggregation(kind: .group, overall: Effect(estimate: estimate, standardError: standardError(psi)),
                           keys: keys, effects: effects, influence: matrix, overallInfluence: psi)
    }

    /// `aggte(type = "calendar")`: periods from the first adoption on that have treated cohorts.
    func calendar() -> Aggregation {
        let usable = self.usable
        let first = Int(sample.groups[0])
        var keys: [Int] = [], parts: [[Int]] = []
        for t in first..<sample.periodCount {
            let keep = usable.filter { cells[$0].time == t && cells[$0].isPost }
            if !keep.isEmpty { keys.append(t); parts.append(keep) }
        }
        let (effects, matrix) = aggregate(parts: parts, shareWeighted: true)
        let (overall, psi) = meanOf(Array(keys.indices), effects: effects, influence: matrix)
        return Aggregation(kind: .calendar, overall: overall, keys: keys, effects: effects, influence: matrix,
                           overallInfluence: psi)
    }
}
