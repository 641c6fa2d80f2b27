import Estimators
import Foundation

/// Bertrand, Duflo & Mullainathan's "placebo laws" (2004, §IV) on the user's own panel: the real
/// outcome, with placebo adoption calendars drawn by permuting a template of the real cohorts
/// across units (or across whole level groups when the real adoption is constant within them),
/// so that the error structure is the data's own, unmodelled. A known effect δ is added to the
/// placebo-treated cells, `y + δ·1{t ≥ g̃_i}`, to measure power.
///
/// The real treatment must not leak into the placebo sample, so by default
/// (``Sample/never``) it holds only the never-treated units, and the real cohort sizes are
/// apportioned to them by their shares (largest remainders, Hamilton's method, over the cohorts
/// and "never"). ``Sample/untreated`` keeps every unit but only its rows before its real adoption
/// (an unbalanced panel with the real cohort sizes); ``Sample/all`` keeps every row, real effects
/// included, and says so.
public struct PlaceboLaws: Sendable {
    /// Which outcomes the placebo calendars are drawn on.
    public enum Sample: String, Sendable, CaseIterable {
        /// The never-treated units, all their periods (default).
        case never
        /// Every unit, only its rows before its real adoption.
        case untreated
        /// Every row: the real treated outcomes (and their effects) are included.
        case all
    }

    /// The sample used.
    public let sample: Sample
    /// The sample's panel with the template adoption (permuted in every draw).
    public let base: Panel
    /// The permutation plan of the template.
    public let plan: AssignmentPlan
    /// Level whose groups are assigned whole (nil: units).
    public let assignmentLevel: String?
    /// The template: each adoption label (period label, or "never") with its number of items.
    public let template: [(cohort: String, items: Int)]
    /// One sentence naming the sample and why.
    public let description: String
    /// Notes (fallbacks, leakage, assignment level).
    public let notes: [String]

    /// Fewest never-treated units the default sample needs (else it falls back to ``Sample/untreated``).
    public static let minimumNeverTreated = 10

    /// Prepares the placebo laws of `panel`.
    /// - Parameters:
    ///   - sample: nil chooses ``Sample/never`` when there are enough never-treated units, else
    ///     ``Sample/untreated`` (with a note).
    ///   - level: the assignment level column, if any.
    /// - Throws: ``DiagnosisError/placeboLaws(_:)`` when the sample cannot carry a placebo design.
    public init(panel: Panel, sample requested: Sample?, level: String?) throws {
        let never = (0..<panel.unitCount).filter { panel.adoptionPeriod[$0] == Panel.neverTreated }
        var notes: [String] = []
        var sample = requested ?? .never
        if requested == nil && never.count < Self.minimumNeverTreated {
            sample = .untreated
            notes.append("only \(never.count) never-treated units: placebo laws use every unit's rows before its real "
                         + "adoption instead (sample 'untreated')")
        }
        // Assignment level: whole groups when the real adoption is constant within them.
        var assignmentLevel: String?
        if let level, let clustering = panel.clusterings[level] {
            if let unitGroups = clustering.unitCluster, Self.constant(panel.adoptionPeriod, within: unitGroups) {
                assignmentLevel = level
            } else {
                notes.append("the real adoption varies within \(level) groups: placebo laws assign units, not whole groups")
            }
        }
        let treatedCount = panel.unitCount - never.count
        guard treatedCount > 0 else { throw DiagnosisError.placeboLaws("the panel has no treated unit to take the cohorts from") }
        var rows: [Int] = []
        switch sample {
        case .never:
            guard never.count >= 2 else {
                throw DiagnosisError.placeboLaws("the panel has \(never.count) never-treated unit(s); use --sample untreated")
            }
            for unit in never { rows += Array(panel.unitStart[unit]..<panel.unitStart[unit + 1]) }
            rows.sort()
        case .untreated:
            rows = (0..<panel.observationCount).filter { !panel.isTreated(row: $0) }
        case .all:
            rows = Array(0..<panel.observationCount)
            notes.append("placebo laws use every row, the real treated outcomes included: the real effect leaks into "
                         + "the placebo estimates (sample 'all')")
        }
        guard !rows.isEmpty else { throw DiagnosisError.placeboLaws("the sample '\(sample.rawValue)' has no rows") }
        var restricted = try panel.restricted(toRows: rows)
        let (adoption, template) = try Self.template(real: panel, sample: restricted, sample: sample,
                                                     level: assignmentLevel)
        restricted = try restricted.withAdoption(adoption)
        self.sample = sample
        self.base = restricted
        self.assignmentLevel = assignmentLevel
        self.template = template
        do {
            plan = try AssignmentPlan(panel: restricted, design: PlaceboDesign(scheme: .cohorts, strata: nil,
                                                                             level: assignmentLevel))
        } catch {
            throw DiagnosisError.placeboLaws("\(error)")
        }
        let items = assignmentLevel.map { "\($0) groups" } ?? "units"
        switch sample {
        case .never:
            description = "the \(restricted.unitCount) never-treated units, all \(restricted.periodCount) periods: outcomes "
                + "the real policy never touched; the real cohort sizes are scaled to them by share, permuted across \(items)"
        case .untreated:
            description = "every unit's rows before its real adoption (\(restricted.observationCount) of "
                + "\(panel.observationCount) rows): no treated outcome enters; the real cohorts are permuted across \(items)"
        case .all:
            description = "every row, the real treated outcomes included; the real cohorts are permuted across \(items)"
        }
        self.notes = notes
    }

    /// Whether `adoption` is the same for every unit of each group.
    static func constant(_ adoption: [Int32], within groups: [Int32]) -> Bool {
        var seen: [Int32: Int32] = [:]
        for (unit, group) in groups.enumerated() {
            if let first = seen[group], first != adoption[unit] { return false }
            seen[group] = adoption[unit]
        }
        return true
    }

    /// The template adoption of the sample's units and its counts.
    ///
    /// ``Sample/never``: the real number of items (units or groups) per adoption period,
    /// "never" included, apportioned to the sample's items by largest remainders (ties: earlier
    /// period first, "never" last) and laid on the items in order. Other samples keep the real
    /// adoption (restricted panels map it onto their periods).
    static func template(real: Panel, sample panel: Panel, sample: Sample, level: String?)
        throws -> ([Int32], [(cohort: String, items: Int)]) {
        // Items of the real panel and of the sample: units, or level groups.
        func items(of p: Panel) -> (itemOfUnit: [Int], count: Int) {
            if let level, let groups = p.clusterings[level]?.unitCluster {
                return (groups.map(Int.init), p.clusterings[level]?.count ?? 0)
            }
            return (Array(0..<p.unitCount), p.unitCount)
        }
        let realItems = items(of: real)
        let sampleItems = items(of: panel)
        // The real adoption of each item, as a period index (never = Int32.max).
        var realAdoption = [Int32](repeating: Panel.neverTreated, count: realItems.count)
        for unit in 0..<real.unitCount { realAdoption[realItems.itemOfUnit[unit]] = real.adoptionPeriod[unit] }
        let categories = Array(Set(realAdoption)).sorted()   // never (Int32.max) last
        func label(_ g: Int32, in p: Panel) -> String { g == Panel.neverTreated ? "never" : p.adoptionLabel(g) }
        guard sample == .never else {
            var counts: [Int32: Int] = [:]
            var itemAdoption = [Int32](repeating: Panel.neverTreated, count: sampleItems.count)
            for unit in 0..<panel.unitCount { itemAdoption[sampleItems.itemOfUnit[unit]] = panel.adoptionPeriod[unit] }
            for g in itemAdoption { counts[g, default: 0] += 1 }
            return (panel.adoptionPeriod, counts.keys.sorted().map { (label($0, in: panel), counts[$0] ?? 0) })
        }
        let total = Double(realItems.count), target = sampleItems.count
        var quotas = categories.map { g in Double(realAdoption.filter { $0 == g }.count) * Double(target) / total }
        var counts = quotas.map { Int($0.rounded(.down)) }
        let left = target - counts.reduce(0, +)
        let order = categories.indices.sorted { (quotas[$0] - Double(counts[$0]), -$0) > (quotas[$1] - Double(counts[$1]), -$1) }
        for k in order.prefix(left) { counts[k] += 1 }
        quotas.removeAll()
        // Adoption periods on the sample's grid: the sample keeps every period of the real panel
        // when it is the never-treated units with complete rows; map by label otherwise.
        var itemLabel = [Int32](repeating: Panel.neverTreated, count: target)
        var next = 0
        for (k, g) in categories.enumerated() {
            let mapped: Int32
            if g == Panel.neverTreated {
                mapped = g
            } else if let index = panel.periodLabels.firstIndex(of: real.adoptionLabel(g)) {
                mapped = Int32(index)
            } else {
                throw DiagnosisError.placeboLaws("the never-treated units have no period \(real.adoptionLabel(g)), a real "
                                                 + "adoption period; use --sample untreated")
            }
            for _ in 0..<counts[k] where next < target { itemLabel[next] = mapped; next += 1 }
        }
        let adoption = (0..<panel.unitCount).map { itemLabel[sampleItems.itemOfUnit[$0]] }
        let template = categories.indices.map { (label(categories[$0], in: real), counts[$0]) }
        guard counts.dropLast().contains(where: { $0 > 0 }) else {
            throw DiagnosisError.placeboLaws("the never-treated sample is too small to hold a treated cohort")
        }
        return (adoption, template)
    }

    /// The panel of one draw: the template permuted by `stream`, and `effect` laid on the
    /// placebo-treated cells by `profile`; with the truth of the draw.
    public func draw(_ stream: borrowing RandomStream, scratch: inout AssignmentScratch, effect: Double,
                     profile: EffectProfile = .constant) throws -> (panel: Panel, truth: [String: Double]) {
        plan.draw(stream, into: &scratch)
        plan.fillUnits(&scratch)
        let adoption = scratch.adoption
        var outcome = base.outcome
        let truth = profile.apply(effect, to: &outcome, panel: base, adoption: adoption)
        return (try base.replacing(outcome: outcome, adoption: adoption), truth)
    }
}

extension Panel {
    /// The same rows with another outcome column and other adoption periods.
    func replacing(outcome: [Double], adoption: [Int32]) throws -> Panel {
        try Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount, periodCount: periodCount,
                  outcomeName: outcomeName, outcome: outcome, covariateNames: covariateNames, covariates: covariates,
                  adoptionPeriod: adoption, unitLabels: unitLabels, periodLabels: periodLabels,
                  periodValues: periodValues, unitName: unitName, timeName: timeName,
                  clusterings: clusterings.filter { $0.key != unitName }, notes: notes)
    }
}
