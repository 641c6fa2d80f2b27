/// The notes that warn about ATT(g,t) which were estimated but rest on little, or were not
/// estimated at all: every drop and every fragile cell is said in words (R `did` warns about
/// NA cells; it says nothing about the others).
///
/// - Cells not estimable (only present under
///   ``CallawaySantAnnaOptions/FailedCellPolicy/dropFromAggregations``): named, and said to be
///   left out of every aggregation; a cohort left with no estimable post-treatment cell is said
///   to leave the group aggregation.
/// - Cohorts of a single unit: their ATT(g,t) compare one unit with the comparison group, and
///   the unit's own term of the influence function is 0 (`ΔY_i − mean = 0`), so the standard
///   errors reflect only the comparison units and the estimated nuisance parameters.
/// - Near separation: a cell whose largest propensity score is at least
///   ``nearSeparationScore`` (R `did` reports NA from 0.999 on) was estimated with comparison
///   weights `p/(1 − p)` of 99 or more, so a handful of comparison units carry it.
struct CallawaySantAnnaDiagnostics {
    /// Propensity score from which a cell is flagged as nearly separated.
    static let nearSeparationScore = 0.99

    let notes: [String]

    init(sample: CallawaySantAnnaSample, cells: [CallawaySantAnnaResult.GroupTimeEffect], largestScores: [Double],
         groupKeys: [Int]) {
        var notes: [String] = []
        let label = { (index: Int) in sample.periodLabels[index] }
        let name = { (cell: CallawaySantAnnaResult.GroupTimeEffect) in "ATT(\(label(cell.group)),\(label(cell.time)))" }

        let failed = cells.filter { !$0.isEstimable }
        if !failed.isEmpty {
            let total = cells.filter { !$0.isReference }.count
            notes.append("\(failed.count) of \(total) ATT(g,t) not estimable, left out of every aggregation "
                         + "(as R did's aggte with na.rm = TRUE; reasons with the cells): "
                         + failed.map(name).joined(separator: ", "))
            let kept = Set(groupKeys)
            for group in sample.groups where !kept.contains(Int(group)) {
                notes.append("Cohort \(label(Int(group))) has no estimable post-treatment ATT(g,t): left out of the group "
                             + "aggregation")
            }
        }

        for (position, group) in sample.groups.enumerated() where sample.groupSizes[position] == 1 {
            notes.append("Cohort \(label(Int(group))) has a single unit: its ATT(g,t) compare one unit with the "
                         + "comparison group, and their standard errors leave out that unit's own variability")
        }

        for group in sample.groups {
            let flagged = cells.indices.filter {
                cells[$0].group == Int(group) && cells[$0].isEstimable && largestScores[$0] >= Self.nearSeparationScore
            }
            guard let worst = flagged.map({ largestScores[$0] }).max() else { continue }
            let count = cells.filter { $0.group == Int(group) && $0.isEstimable && !$0.isReference }.count
            notes.append("Cohort \(label(Int(group))): near separation in \(flagged.count) of its \(count) ATT(g,t) "
                         + "(propensity scores up to \(Self.fourDecimals(worst)); R did drops a cell from 0.999 on): "
                         + flagged.map { name(cells[$0]) }.joined(separator: ", ")
                         + "; those estimates rest on few comparison units")
        }
        self.notes = notes
    }

    /// A propensity score truncated to four decimals (so 0.99996 does not print as 1.0).
    private static func fourDecimals(_ value: Double) -> String {
        String((value * 10_000).rounded(.down) / 10_000)
    }
}
