extension SimulatedPanel {
    /// A 64-bit FNV-1a checksum (16 hex digits) of everything this replication drew and the
    /// truth derived from it: the cities (provinces, labels, coordinates), adoption years, the
    /// per-row effects and spillovers, the outcome and latent outcome, every mediator, covariate
    /// and indicator column, the index weights, and every number of ``truth``.
    ///
    /// Doubles enter as their IEEE 754 bit patterns, so the fingerprint changes when any draw
    /// moves by one ulp — in particular when the order in which the simulator consumes its
    /// random stream changes, which would silently move every committed experiment report.
    /// Golden fingerprints are pinned in SimTests (every built-in scenario) and LabTests (every
    /// condition of `experiments/*.yaml`).
    public func drawFingerprint() -> String {
        var hash = FNV1a()
        hash.add(rowCount)
        hash.add(years)
        hash.add(geography.province.map(Int.init))
        hash.add(geography.region.map(\.rawValue))
        hash.add(geography.resourceBased.map { $0 ? 1 : 0 })
        hash.add(geography.oldIndustrial.map { $0 ? 1 : 0 })
        hash.add(geography.x)
        hash.add(geography.y)
        hash.add(design.cohortYear)
        hash.add(design.adoptionPeriod.map(Int.init))
        hash.add(design.effect)
        hash.add(design.spillover)
        hash.add(design.exposed.map { $0 ? 1 : 0 })
        hash.add(panel.outcome)
        hash.add(latentOutcome)
        for (names, columns) in [(mediatorNames, mediators), (covariateNames, covariates), (indicatorNames, indicators)] {
            for (name, column) in zip(names, columns) {
                hash.add(name)
                hash.add(column)
            }
        }
        hash.add(index?.weights ?? [])
        let truth = truth
        hash.add(truth.scale)
        hash.add([truth.overall, truth.cellAverage])
        hash.add([truth.treatedCities, truth.neverTreatedCities, truth.treatedObservations, truth.treatedProvinces])
        for cell in truth.groupTime { hash.add([cell.cohort, cell.year, cell.observations]); hash.add([cell.att]) }
        for event in truth.eventTimes { hash.add([event.eventTime, event.observations]); hash.add([event.att]) }
        for group in truth.subgroups {
            hash.add(group.dimension)
            hash.add(group.level)
            hash.add([group.observations])
            hash.add([group.att])
        }
        for path in truth.indirect {
            hash.add(path.mediator)
            hash.add([path.a, path.b, path.effect, path.proportion])
        }
        if let spill = truth.spillover {
            hash.add([spill.observations, spill.exposedNeverTreatedCities, spill.neverTreatedCities])
            hash.add([spill.effect, spill.radiusKm ?? .nan])
        }
        for cohort in truth.cohorts { hash.add([cohort.cohort, cohort.cities]) }
        return hash.hex
    }
}

/// 64-bit FNV-1a (Fowler–Noll–Vo) over little-endian bytes; each array is preceded by its length
/// so that moving a value from one column to the next changes the hash.
struct FNV1a {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ value: UInt8) {
        state = (state ^ UInt64(value)) &* 0x0000_0100_0000_01b3
    }

    mutating func word(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func add(_ value: Int) { word(UInt64(bitPattern: Int64(value))) }

    mutating func add(_ values: [Int]) {
        add(values.count)
        for value in values { add(value) }
    }

    mutating func add(_ values: [Double]) {
        add(values.count)
        for value in values { word(value.bitPattern) }
    }

    mutating func add(_ text: String) {
        add(text.utf8.count)
        for unit in text.utf8 { byte(unit) }
    }

    /// The state as 16 lower-case hex digits.
    var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
