import CGSL

/// One worker's buffers for drawing assignments (allocated once, reused for every draw).
public struct AssignmentScratch {
    /// Working copy of the block items (partial Fisher–Yates shuffles it).
    var items: [Int32]
    /// Units whose slot differs from the baseline, and their slots (first `changedCount` entries).
    public internal(set) var changedUnits: [Int32]
    /// Slots of ``changedUnits``.
    public internal(set) var changedSlots: [Int32]
    /// Number of valid entries in ``changedUnits``.
    public internal(set) var changedCount = 0
    /// Slot of every unit (filled by ``AssignmentPlan/fillUnits(_:)``).
    public internal(set) var unitSlots: [Int32]
    /// Adoption period of every unit (filled by ``AssignmentPlan/fillUnits(_:)``).
    public internal(set) var adoption: [Int32]
    var labelCounts: [Int]

    /// Buffers sized for `plan`.
    public init(for plan: AssignmentPlan) {
        items = plan.blockItems
        changedUnits = [Int32](repeating: 0, count: plan.unitCount)
        changedSlots = [Int32](repeating: 0, count: plan.unitCount)
        unitSlots = plan.observedSlots
        adoption = plan.observedSlots.map { plan.slotPeriods[Int($0)] }
        labelCounts = [Int](repeating: 0, count: plan.slotPeriods.count)
    }
}

extension AssignmentPlan {
    /// Draws one assignment from `stream` into `scratch` (changed units only; see ``fillUnits(_:)``).
    ///
    /// Permutation: in each block, a partial Fisher–Yates shuffle picks an ordered uniform sample
    /// of as many items as the block has non-baseline labels, and gives them those labels in a
    /// fixed order; every other item keeps the baseline. This is a uniform draw from the block's
    /// label permutations with one bounded integer per non-baseline item (37 draws, not 282, on
    /// the 282-city panel; Lemire's unbiased multiply-shift method on 32-bit mt19937 outputs). The item order is reset before each draw so that a draw depends only
    /// on its stream. Random timing: the same sample picks the treated items; each then draws its
    /// period uniformly from ``randomSlots``.
    public func draw(_ stream: borrowing RandomStream, into scratch: inout AssignmentScratch) {
        scratch.changedCount = 0
        let base = baselineSlot
        // Lemire's multiply-shift bounded integer (unbiased, one 32-bit output per draw almost
        // always) on mt19937's 32-bit outputs, ~3× cheaper than `gsl_rng_uniform_int`'s division.
        // The words come from the stream's mt19937 state stepped in Swift (`MersenneCursor`,
        // the same words `gsl_rng_get` returns, without a C call per word).
        var cursor = MersenneCursor(stream.generator)
        defer { cursor.store() }
        @inline(__always) func below(_ bound: Int) -> Int {
            let limit = UInt32(bound)
            var product = UInt64(cursor.next()) * UInt64(limit)
            var low = UInt32(truncatingIfNeeded: product)
            if low < limit {
                let threshold = (0 &- limit) % limit
                while low < threshold {
                    product = UInt64(cursor.next()) * UInt64(limit)
                    low = UInt32(truncatingIfNeeded: product)
                }
            }
            return Int(product >> 32)
        }
        var working: [Int32] = [], units: [Int32] = [], slots: [Int32] = []
        // No copies: the buffers move out of the scratch and back, so the loop below writes
        // through plain pointers (no uniqueness check per element).
        swap(&working, &scratch.items)
        swap(&units, &scratch.changedUnits)
        swap(&slots, &scratch.changedSlots)
        defer {
            swap(&working, &scratch.items)
            swap(&units, &scratch.changedUnits)
            swap(&slots, &scratch.changedSlots)
        }
        var count = 0
        blockItems.withUnsafeBufferPointer { original in
            working.withUnsafeMutableBufferPointer { items in
                units.withUnsafeMutableBufferPointer { changedUnits in
                    slots.withUnsafeMutableBufferPointer { changedSlots in
                        itemUnitStart.withUnsafeBufferPointer { itemStart in
                            itemUnits.withUnsafeBufferPointer { itemUnit in
                                guard let target = items.baseAddress, let source = original.baseAddress else { return }
                                target.update(from: source, count: original.count)
                                for block in 0..<blockCount {
                                    let first = blockStart[block], size = blockStart[block + 1] - first
                                    let labelFirst = blockLabelStart[block]
                                    let placed = blockLabelStart[block + 1] - labelFirst
                                    for j in 0..<placed {
                                        let pick = j + below(size - j)
                                        items.swapAt(first + j, first + pick)
                                        let slot: Int32
                                        if kind == .permutation {
                                            slot = blockLabels[labelFirst + j]
                                        } else {
                                            slot = randomSlots[below(randomSlots.count)]
                                        }
                                        guard slot != base else { continue }
                                        if itemsAreUnits {
                                            changedUnits[count] = items[first + j]
                                            changedSlots[count] = slot
                                            count &+= 1
                                            continue
                                        }
                                        let item = Int(items[first + j])
                                        for k in itemStart[item]..<itemStart[item + 1] {
                                            changedUnits[count] = itemUnit[k]
                                            changedSlots[count] = slot
                                            count &+= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        scratch.changedCount = count
    }

    /// Writes assignment number `index` (`0..<distinctAssignments`) of the exact enumeration into
    /// `scratch`: a mixed-radix split over blocks, then the lexicographic unranking of each
    /// block's multiset permutation. Every distinct assignment appears exactly once.
    public func enumerate(_ index: UInt64, into scratch: inout AssignmentScratch) {
        precondition(kind == .permutation)
        scratch.changedCount = 0
        var rest = index
        for block in 0..<blockCount {
            let radix = blockAssignmentCount[block]
            var rank = rest % radix
            rest /= radix
            for (slot, count) in blockMultiset[block] { scratch.labelCounts[Int(slot)] = count }
            var remaining = UInt64(blockStart[block + 1] - blockStart[block])
            var total = radix
            for position in blockStart[block]..<blockStart[block + 1] {
                for (slot, _) in blockMultiset[block] where scratch.labelCounts[Int(slot)] > 0 {
                    let withSlot = total / remaining * UInt64(scratch.labelCounts[Int(slot)])
                        + total % remaining * UInt64(scratch.labelCounts[Int(slot)]) / remaining
                    if rank < withSlot {
                        scratch.labelCounts[Int(slot)] -= 1
                        total = withSlot
                        if slot != baselineSlot { append(item: blockItems[position], slot: slot, to: &scratch) }
                        break
                    }
                    rank -= withSlot
                }
                remaining -= 1
            }
        }
    }

    /// Writes the observed assignment into `scratch`.
    public func observed(into scratch: inout AssignmentScratch) {
        scratch.changedCount = 0
        for unit in 0..<unitCount where observedSlots[unit] != baselineSlot {
            scratch.changedUnits[scratch.changedCount] = Int32(unit)
            scratch.changedSlots[scratch.changedCount] = observedSlots[unit]
            scratch.changedCount += 1
        }
    }

    /// Fills ``AssignmentScratch/unitSlots`` and ``AssignmentScratch/adoption`` for every unit
    /// from the changed-unit list (O(units)).
    public func fillUnits(_ scratch: inout AssignmentScratch) {
        let basePeriod = slotPeriods[Int(baselineSlot)]
        for unit in 0..<unitCount {
            scratch.unitSlots[unit] = baselineSlot
            scratch.adoption[unit] = basePeriod
        }
        for k in 0..<scratch.changedCount {
            let unit = Int(scratch.changedUnits[k]), slot = scratch.changedSlots[k]
            scratch.unitSlots[unit] = slot
            scratch.adoption[unit] = slotPeriods[Int(slot)]
        }
    }

    @inline(__always)
    func append(item: Int32, slot: Int32, to scratch: inout AssignmentScratch) {
        for k in itemUnitStart[Int(item)]..<itemUnitStart[Int(item) + 1] {
            scratch.changedUnits[scratch.changedCount] = itemUnits[k]
            scratch.changedSlots[scratch.changedCount] = slot
            scratch.changedCount += 1
        }
    }
}
