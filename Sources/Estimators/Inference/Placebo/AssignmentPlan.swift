/// The structure of a placebo design on one panel, prepared once: which adoption periods exist
/// ("slots"), which items (units or levels) are assigned, in which blocks (strata), and what
/// each block must receive. Draws and exact enumeration read it; it is never mutated.
///
/// Assignments are described relative to a **baseline slot** `L`, the most common one (usually
/// never treated): a draw lists only the units whose slot differs from `L`, so that the fast
/// TWFE path costs O(changed units), not O(units).
public struct AssignmentPlan: Sendable {
    /// How draws are made.
    public enum Kind: Sendable, Equatable {
        /// Permute the observed labels of the items within each block.
        case permutation
        /// Draw the treated items within each block and give each a uniform random period.
        case randomTiming
    }

    /// How draws are made.
    public let kind: Kind
    /// Number of units of the panel.
    public let unitCount: Int
    /// Adoption period (index on the panel's grid, ``Panel/neverTreated`` for never) of each slot.
    public let slotPeriods: [Int32]
    /// The slot every unit not listed by a draw has.
    public let baselineSlot: Int32
    /// Slot of each unit under the observed assignment.
    public let observedSlots: [Int32]
    /// True when every item is one unit and draws permute labels: the number of units in each
    /// slot is then the same in every assignment (the fast TWFE path needs it).
    public let preservesCohortSizes: Bool
    /// Number of distinct assignments (permutation kind), nil when it exceeds `UInt64` or for
    /// random timing.
    public let distinctAssignments: UInt64?
    /// Number of items (units or levels) and of blocks.
    public let itemCount: Int, blockCount: Int
    /// Number of units that differ from the baseline in every draw (an upper bound for random
    /// timing), for sizing buffers.
    public let changedUnitCapacity: Int

    let itemUnitStart: [Int]
    let itemUnits: [Int32]
    /// True when item `i` is unit `i` (no level column): draws then list items as units directly.
    let itemsAreUnits: Bool
    let blockStart: [Int]
    let blockItems: [Int32]
    /// Non-baseline labels placed in each block (permutation), or one entry per treated item (random).
    let blockLabelStart: [Int]
    let blockLabels: [Int32]
    /// Every label of each block with its count (baseline included), for enumeration.
    let blockMultiset: [[(slot: Int32, count: Int)]]
    let blockAssignmentCount: [UInt64]
    /// Slots a random-timing draw picks from (periods 1..<T).
    let randomSlots: [Int32]

    /// Prepares the plan of `design` (permutation or random timing) on `panel`.
    /// - Throws: ``PlaceboError`` for unknown or inconsistent strata/level columns and for
    ///   designs with no treated unit.
    public init(panel: Panel, design: PlaceboDesign) throws {
        let units = panel.unitCount
        unitCount = units
        switch design.scheme {
        case .randomTiming: kind = .randomTiming
        default: kind = .permutation
        }
        let strataOfUnit = try AssignmentPlan.unitLabels(panel: panel, name: design.strata, parameter: .strata)
        let levelOfUnit = try AssignmentPlan.unitLabels(panel: panel, name: design.level, parameter: .assignmentLevel)
        guard panel.adoptionPeriod.contains(where: { $0 != Panel.neverTreated }) else { throw PlaceboError.noTreatedUnits }

        // Slots: observed periods (and, for random timing, periods 1..<T), never last.
        var periods = Set(panel.adoptionPeriod)
        periods.insert(Panel.neverTreated)
        if kind == .randomTiming { for t in 1..<max(panel.periodCount, 2) { periods.insert(Int32(t)) } }
        let slotPeriods = periods.sorted()
        self.slotPeriods = slotPeriods
        let slotOf = Dictionary(uniqueKeysWithValues: slotPeriods.enumerated().map { ($1, Int32($0)) })
        let observed = panel.adoptionPeriod.map { slotOf[$0]! }
        observedSlots = observed
        randomSlots = kind == .randomTiming ? (1..<max(panel.periodCount, 2)).map { slotOf[Int32($0)]! } : []

        // Items.
        var itemOfUnit = [Int](repeating: 0, count: units)
        var itemFirstUnit: [Int] = []
        if let levelOfUnit {
            var itemOfLevel: [Int32: Int] = [:]
            for unit in 0..<units {
                let level = levelOfUnit[unit]
                if let item = itemOfLevel[level] {
                    itemOfUnit[unit] = item
                    let first = itemFirstUnit[item]
                    if panel.adoptionPeriod[first] != panel.adoptionPeriod[unit] {
                        throw PlaceboError.levelAdoptionVaries(
                            name: design.level ?? "", level: Self.label(panel, design.level, Int(level)),
                            unit: panel.unitLabels[first], otherUnit: panel.unitLabels[unit])
                    }
                } else {
                    itemOfLevel[level] = itemFirstUnit.count
                    itemOfUnit[unit] = itemFirstUnit.count
                    itemFirstUnit.append(unit)
                }
            }
        } else {
            itemOfUnit = Array(0..<units)
            itemFirstUnit = Array(0..<units)
        }
        let items = itemFirstUnit.count
        itemCount = items
        var unitsPerItem = [Int](repeating: 0, count: items)
        for unit in 0..<units { unitsPerItem[itemOfUnit[unit]] += 1 }
        var start = [0]
        for item in 0..<items { start.append(start[item] + unitsPerItem[item]) }
        var fill = start
        var memberUnits = [Int32](repeating: 0, count: units)
        for unit in 0..<units {
            memberUnits[fill[itemOfUnit[unit]]] = Int32(unit)
            fill[itemOfUnit[unit]] += 1
        }
        itemUnitStart = start
        itemUnits = memberUnits
        itemsAreUnits = items == units && memberUnits.indices.allSatisfy { memberUnits[$0] == Int32($0) }
        let itemSlot = itemFirstUnit.map { observed[$0] }

        // Blocks.
        var blockOfItem = [Int](repeating: 0, count: items)
        var blocks = 1
        if let strataOfUnit {
            var blockOfStratum: [Int32: Int] = [:]
            for item in 0..<items {
                let stratum = strataOfUnit[itemFirstUnit[item]]
                for k in start[item]..<start[item + 1] where strataOfUnit[Int(memberUnits[k])] != stratum {
                    throw PlaceboError.levelCrossesStrata(
                        level: design.level ?? "", strata: design.strata ?? "",
                        label: Self.label(panel, design.level, Int(levelOfUnit?[itemFirstUnit[item]] ?? 0)))
                }
                if let block = blockOfStratum[stratum] {
                    blockOfItem[item] = block
                } else {
                    blockOfStratum[stratum] = blockOfStratum.count
                    blockOfItem[item] = blockOfStratum.count - 1
                }
            }
            blocks = blockOfStratum.count
        }
        blockCount = blocks
        var blockMembers = [[Int32]](repeating: [], count: blocks)
        for item in 0..<items { blockMembers[blockOfItem[item]].append(Int32(item)) }
        blockStart = blockMembers.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        blockItems = blockMembers.flatMap { $0 }

        // Baseline: the slot held by the most units.
        var unitsPerSlot = [Int](repeating: 0, count: slotPeriods.count)
        for slot in observed { unitsPerSlot[Int(slot)] += 1 }
        let baseline: Int32
        if kind == .randomTiming {
            baseline = slotOf[Panel.neverTreated]!
        } else {
            baseline = Int32(unitsPerSlot.indices.max { unitsPerSlot[$0] < unitsPerSlot[$1] || (unitsPerSlot[$0] == unitsPerSlot[$1] && $0 < $1) }!)
        }
        baselineSlot = baseline
        let never = slotOf[Panel.neverTreated]!

        // What each block receives.
        var labelStart = [0]
        var labels: [Int32] = []
        var multisets: [[(slot: Int32, count: Int)]] = []
        var counts: [UInt64] = []
        var total: UInt64? = 1
        var changedCapacity = 0
        for members in blockMembers {
            var histogram = [Int](repeating: 0, count: slotPeriods.count)
            for item in members { histogram[Int(itemSlot[Int(item)])] += 1 }
            var largestItems = [Int](repeating: 0, count: members.count)
            for (k, item) in members.enumerated() { largestItems[k] = unitsPerItem[Int(item)] }
            largestItems.sort(by: >)
            switch kind {
            case .permutation:
                for slot in histogram.indices where Int32(slot) != baseline {
                    labels.append(contentsOf: repeatElement(Int32(slot), count: histogram[slot]))
                }
                let placed = labels.count - labelStart.last!
                changedCapacity += largestItems.prefix(placed).reduce(0, +)
                multisets.append(histogram.indices.filter { histogram[$0] > 0 }.map { (Int32($0), histogram[$0]) })
                let count = AssignmentPlan.multinomial(histogram.filter { $0 > 0 })
                counts.append(count ?? 0)
                if let t = total, let c = count {
                    let (product, overflow) = t.multipliedReportingOverflow(by: c)
                    total = overflow ? nil : product
                } else { total = nil }
            case .randomTiming:
                let treated = members.count - histogram[Int(never)]
                labels.append(contentsOf: repeatElement(Int32(-1), count: treated))
                changedCapacity += largestItems.prefix(treated).reduce(0, +)
                multisets.append([])
                counts.append(0)
                total = nil
            }
            labelStart.append(labels.count)
        }
        blockLabelStart = labelStart
        blockLabels = labels
        blockMultiset = multisets
        blockAssignmentCount = counts
        distinctAssignments = total
        changedUnitCapacity = changedCapacity
        preservesCohortSizes = kind == .permutation && unitsPerItem.allSatisfy { $0 == 1 }
        if kind == .permutation, total == 1 {
            throw PlaceboError.nothingToPermute("each stratum holds items of a single cohort")
        }
    }

    /// Per-unit dense labels of a clustering (nil when `name` is nil).
    static func unitLabels(panel: Panel, name: String?, parameter: Parameter) throws -> [Int32]? {
        guard let name else { return nil }
        guard let clustering = panel.clusterings[name] else {
            throw PlaceboError.unknownColumn(parameter: parameter, name: name, available: Array(panel.clusterings.keys))
        }
        var labels = [Int32](repeating: 0, count: panel.unitCount)
        for unit in 0..<panel.unitCount {
            let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
            guard let first = rows.first else { continue }
            labels[unit] = clustering.index[first]
            for row in rows where clustering.index[row] != labels[unit] {
                throw PlaceboError.notConstantWithinUnit(parameter: parameter, name: name, unit: panel.unitLabels[unit])
            }
        }
        return labels
    }

    /// `n! / Π c_k!` for the counts `c`, nil on `UInt64` overflow.
    static func multinomial(_ counts: [Int]) -> UInt64? {
        var result: UInt64 = 1
        var placed = 0
        for count in counts {
            // Multiply by C(placed + count, count), one factor at a time (each prefix is an integer).
            for j in 1...max(count, 1) where count > 0 {
                let (product, overflow) = result.multipliedReportingOverflow(by: UInt64(placed + j))
                if overflow { return nil }
                result = product / UInt64(j)
            }
            placed += count
        }
        return result
    }
}

extension AssignmentPlan {
    /// The label of level `index` of clustering `name`, for messages.
    static func label(_ panel: Panel, _ name: String?, _ index: Int) -> String {
        guard let name, let clustering = panel.clusterings[name], clustering.labels.indices.contains(index) else {
            return String(index)
        }
        return clustering.labels[index]
    }
}
