/// One 2×2 comparison of the Callaway & Sant'Anna estimator: cohort `g` between a base
/// period and period `t` (all period indices of the sample).
///
/// The plan follows R `did`'s `compute.att_gt`, with `δ` anticipation periods as csdid 0.4.3. For
/// each cohort in ascending order, the cells run over
/// - varying base: `t = 1…T−1`, base `t − 1` before anticipation starts (`t < g − δ`) and
///   `g − 1 − δ` from then on;
/// - universal base: `t = 0…T−1`, base `g − 1 − δ` throughout; the cell `t = g − 1 − δ` is the
///   reference (estimate 0, influence function 0).
///
/// The comparison units are the never treated (cohort ``Panel/neverTreated``), or with
/// not-yet-treated controls every unit whose cohort is later than both periods plus `δ` and is
/// not `g` (R: `G == 0 | (G > tlist[max(t, pret)] + anticipation & G != g)`).
struct GroupTimeCell: Sendable, Equatable {
    /// Cohort (adoption period index).
    let group: Int32
    /// Period of the comparison.
    let time: Int
    /// Base period.
    let base: Int
    /// The universal base period's reference cell.
    let isReference: Bool

    /// Post-treatment (`t ≥ g`).
    var isPost: Bool { time >= Int(group) }
    /// The earlier of the two periods: its covariates enter the comparison (R `did`'s
    /// `panel2cs2` keeps the earlier row), and it is the base period except in universal-base
    /// pre-treatment cells.
    var earlier: Int { min(time, base) }

    /// Whether a unit of cohort `cohort` is a comparison unit of this cell (`anticipation` = δ).
    @inline(__always)
    func isControl(cohort: Int32, control: CallawaySantAnnaOptions.ControlGroup, anticipation: Int = 0) -> Bool {
        switch control {
        case .neverTreated: return cohort == Panel.neverTreated
        case .notYetTreated: return Int(cohort) > max(time, base) + anticipation && cohort != group
        }
    }

    /// Every cell of the design, cohort-major then time, as R `did` orders them; every cohort must
    /// have `g − 1 − anticipation ≥ 0` (the sample drops the others).
    static func plan(groups: [Int32], periodCount: Int, basePeriod: CallawaySantAnnaOptions.BasePeriod,
                     anticipation: Int = 0) -> [GroupTimeCell] {
        var cells: [GroupTimeCell] = []
        cells.reserveCapacity(groups.count * periodCount)
        for group in groups {
            let g = Int(group)
            let longBase = g - 1 - anticipation
            switch basePeriod {
            case .varying:
                for t in 1..<periodCount {
                    // R did's compute.att_gt: a short difference (base t − 1) before g, the long
                    // difference from g − 1 − δ from g on; cells inside the anticipation window
                    // (g − δ ≤ t < g) are short differences too (csdid 0.4.3 uses the long base there).
                    cells.append(GroupTimeCell(group: group, time: t, base: t < g ? t - 1 : longBase,
                                               isReference: false))
                }
            case .universal:
                for t in 0..<periodCount {
                    cells.append(GroupTimeCell(group: group, time: t, base: longBase, isReference: t == longBase))
                }
            }
        }
        return cells
    }
}
