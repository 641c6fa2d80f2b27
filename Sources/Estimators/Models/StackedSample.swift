/// The stacked data set of ``StackedDifferenceInDifferences``: one clean sub-experiment per kept
/// adoption cohort, with the corrective weights, as row references into the panel.
///
/// Rows are ordered by sub-experiment (cohorts in period order), then by the panel's row order
/// (unit, period), so each unit's rows within a sub-experiment are contiguous. Rows of weight 0
/// (an ``StackedDifferenceInDifferences/Weighting/aggregate`` control cell with no treated row)
/// are left out and counted in ``zeroWeightRows``: they add nothing to the weighted fit and are
/// not counted in `n` (diff-diff's positive-weight `n_eff`).
struct StackedSample: Sendable {
    /// κ_pre and κ_post.
    let pre: Int, post: Int
    /// Event times in the window: `post + pre + 1`; event time `e` has offset `e + pre`.
    var windowLength: Int { pre + post + 1 }
    /// Offset of the reference event time `e = −1`.
    var referenceOffset: Int { pre - 1 }
    /// Adoption periods of the sub-experiments, ascending.
    let cohorts: [Int32]
    /// Adoption periods trimmed (window outside the sample, or no clean control).
    let trimmed: [Int32]
    /// Panel row of each stacked row.
    let source: [Int32]
    /// Sub-experiment (index into ``cohorts``) of each stacked row.
    let subExperiment: [Int32]
    /// Event-time offset `e + pre` of each stacked row.
    let offset: [Int32]
    /// Whether each stacked row belongs to the sub-experiment's treated cohort (`D_sa`).
    let treated: [Bool]
    /// Corrective weight `Q` of each stacked row (positive).
    let weight: [Double]
    /// Stacked rows of weight 0, left out.
    let zeroWeightRows: Int
    /// First stacked row of each sub-experiment, and the row count at the end.
    let subExperimentStart: [Int]

    /// Number of stacked rows (of positive weight).
    var count: Int { source.count }

    /// Builds the stack of `panel` for window `[−pre, post]`.
    /// - Throws: ``StackedError/noSubExperiment(method:pre:post:cohorts:periods:reason:)`` when no
    ///   cohort fits the window with clean controls.
    init(panel: Panel, pre: Int, post: Int, controls: StackedDifferenceInDifferences.CleanControls,
         weighting: StackedDifferenceInDifferences.Weighting) throws {
        self.pre = pre
        self.post = post
        let adoption = panel.adoptionPeriod.map(Int64.init)
        let never = Int64(Panel.neverTreated)
        let lastPeriod = Int64(panel.periodCount - 1)
        let adoptionCohorts = Set(adoption.filter { $0 != never }).sorted()
        // A window longer than the panel fits no cohort; bounding κ keeps the sums below in range.
        let preBound = Int64(min(pre, panel.periodCount)), postBound = Int64(min(post, panel.periodCount))
        func isCleanControl(_ unitAdoption: Int64, for cohort: Int64) -> Bool {
            switch controls {
            case .notYetTreated: return unitAdoption > cohort + postBound
            case .neverTreated: return unitAdoption == never
            case .strict: return unitAdoption > cohort + postBound + preBound
            }
        }
        var kept: [Int64] = [], trimmed: [Int64] = []
        for cohort in adoptionCohorts {
            let fits = cohort - preBound >= 0 && cohort + postBound <= lastPeriod
            if fits && adoption.contains(where: { isCleanControl($0, for: cohort) }) { kept.append(cohort) } else { trimmed.append(cohort) }
        }
        // The stacked rows, written through pointers into buffers of the largest possible size.
        var cohorts: [Int32] = [], starts = [0]
        let capacity = max(kept.count * panel.unitCount * min(Int(preBound + postBound) + 1, panel.periodCount), 1)
        let sourceBuffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        let subExperimentBuffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        let offsetBuffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        let treatedBuffer = UnsafeMutableBufferPointer<Bool>.allocate(capacity: capacity)
        defer { sourceBuffer.deallocate(); subExperimentBuffer.deallocate(); offsetBuffer.deallocate(); treatedBuffer.deallocate() }
        var count = 0
        panel.periodIndex.withUnsafeBufferPointer { periodIndex in
        panel.unitStart.withUnsafeBufferPointer { unitStart in
            for cohort in kept {
                let first = cohort - Int64(pre), last = cohort + Int64(post)
                let before = count
                for unit in 0..<panel.unitCount {
                    let isTreated = adoption[unit] == cohort
                    guard isTreated || isCleanControl(adoption[unit], for: cohort) else { continue }
                    for row in unitStart[unit]..<unitStart[unit + 1] {
                        let period = Int64(periodIndex[row])
                        if period > last { break }   // periods increase within a unit
                        guard period >= first else { continue }
                        sourceBuffer[count] = Int32(row)
                        subExperimentBuffer[count] = Int32(cohorts.count)
                        offsetBuffer[count] = Int32(period - first)
                        treatedBuffer[count] = isTreated
                        count += 1
                    }
                }
                if count > before {   // diff-diff skips a sub-experiment without rows in its window
                    cohorts.append(Int32(cohort))
                    starts.append(count)
                } else {
                    trimmed.append(cohort)
                }
            }
        }
        }
        let source = Array(sourceBuffer[0..<count]), subExperiment = Array(subExperimentBuffer[0..<count])
        let offset = Array(offsetBuffer[0..<count]), treated = Array(treatedBuffer[0..<count])
        guard !cohorts.isEmpty else {
            let labels = adoptionCohorts.map { cohort in
                (0...lastPeriod).contains(cohort) ? panel.periodLabels[Int(cohort)] : "period index \(cohort)"
            }
            let reason = adoptionCohorts.isEmpty ? "no unit is treated"
                : "every cohort's window falls outside the sampled periods or has no clean control unit"
            throw StackedError.noSubExperiment(method: StackedDifferenceInDifferences.method, pre: pre, post: post,
                                               cohorts: labels, periods: panel.periodCount, reason: reason)
        }
        let weights = Self.weights(subExperiment: subExperiment, offset: offset, treated: treated, source: source,
                                   panel: panel, cohortCount: cohorts.count, windowLength: pre + post + 1,
                                   weighting: weighting)
        // Keep the rows of positive weight.
        guard weights.contains(where: { $0 <= 0 }) else {
            (self.zeroWeightRows, self.source, self.subExperiment, self.offset, self.treated, self.weight) =
                (0, source, subExperiment, offset, treated, weights)
            self.subExperimentStart = starts
            self.cohorts = cohorts
            self.trimmed = trimmed.sorted().map { Int32(clamping: $0) }
            return
        }
        let positive = weights.indices.filter { weights[$0] > 0 }
        self.zeroWeightRows = weights.count - positive.count
        self.source = positive.map { source[$0] }
        self.subExperiment = positive.map { subExperiment[$0] }
        self.offset = positive.map { offset[$0] }
        self.treated = positive.map { treated[$0] }
        self.weight = positive.map { weights[$0] }
        var keptStarts = [0]
        var cursor = 0
        for sub in 0..<cohorts.count {
            while cursor < positive.count && positive[cursor] < starts[sub + 1] { cursor += 1 }
            keptStarts.append(cursor)
        }
        self.subExperimentStart = keptStarts
        self.cohorts = cohorts
        self.trimmed = trimmed.sorted().map { Int32(clamping: $0) }
    }

    /// The corrective weights `Q` (``StackedDifferenceInDifferences/Weighting``): 1 for treated rows.
    static func weights(subExperiment: [Int32], offset: [Int32], treated: [Bool], source: [Int32], panel: Panel,
                        cohortCount: Int, windowLength: Int,
                        weighting: StackedDifferenceInDifferences.Weighting) -> [Double] {
        let rows = subExperiment.count
        var weights = [Double](repeating: 1, count: rows)
        switch weighting {
        case .aggregate:
            // Row counts per (sub-experiment, event time) and per event time, treated and control.
            var treatedCells = [Double](repeating: 0, count: cohortCount * windowLength)
            var controlCells = treatedCells
            for row in 0..<rows {
                let cell = Int(subExperiment[row]) * windowLength + Int(offset[row])
                if treated[row] { treatedCells[cell] += 1 } else { controlCells[cell] += 1 }
            }
            var treatedTotal = [Double](repeating: 0, count: windowLength), controlTotal = treatedTotal
            for cell in 0..<treatedCells.count {
                treatedTotal[cell % windowLength] += treatedCells[cell]
                controlTotal[cell % windowLength] += controlCells[cell]
            }
            // One weight per (sub-experiment, event time) cell, then one lookup per control row.
            var cellWeight = [Double](repeating: 1, count: treatedCells.count)
            for cell in 0..<cellWeight.count {
                let e = cell % windowLength
                // diff-diff and the R code: 1 when the event time has no treated row in the stack.
                guard treatedTotal[e] > 0 else { continue }
                cellWeight[cell] = (treatedCells[cell] / treatedTotal[e]) / (controlCells[cell] / controlTotal[e])
            }
            for row in 0..<rows where !treated[row] {
                weights[row] = cellWeight[Int(subExperiment[row]) * windowLength + Int(offset[row])]
            }
        case .sampleShare:
            // Unit counts per sub-experiment: each unit's stacked rows are contiguous.
            var treatedUnits = [Double](repeating: 0, count: cohortCount), controlUnits = treatedUnits
            for row in 0..<rows {
                let unit = panel.unitIndex[Int(source[row])]
                let isFirstRowOfUnit = row == 0 || subExperiment[row - 1] != subExperiment[row]
                    || panel.unitIndex[Int(source[row - 1])] != unit
                guard isFirstRowOfUnit else { continue }
                if treated[row] { treatedUnits[Int(subExperiment[row])] += 1 } else { controlUnits[Int(subExperiment[row])] += 1 }
            }
            let controlTotal = controlUnits.reduce(0, +), grandTotal = controlTotal + treatedUnits.reduce(0, +)
            let subWeight = (0..<cohortCount).map { sub in
                ((treatedUnits[sub] + controlUnits[sub]) / grandTotal) / (controlUnits[sub] / controlTotal)
            }
            for row in 0..<rows where !treated[row] { weights[row] = subWeight[Int(subExperiment[row])] }
        }
        return weights
    }
}
