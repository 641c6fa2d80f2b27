/// A panel of units observed over periods, stored column by column.
///
/// Observations are sorted by (unit, period): the rows of unit `i` are contiguous and in
/// time order, so per-unit sums and cluster scores stream through memory once. Units and
/// periods are dense integer indices (`0..<unitCount`, `0..<periodCount`); their original
/// labels are kept for output.
///
/// Treatment is described per unit by ``adoptionPeriod``: unit `i` is treated in period `t`
/// exactly when `t >= adoptionPeriod[i]` (treatment switches on and stays on). Never-treated
/// units carry ``Panel/neverTreated`` (`Int32.max`), so the test needs no branch. An adoption
/// index may be negative (adopted before the first sampled period, when the period grid is
/// evenly spaced) so that event times of always-treated units stay exact.
///
/// A `Panel` never knows whether it was simulated or read from a file.
public struct Panel: Sendable {
    /// Adoption index of units that are never treated in the sample.
    public static let neverTreated: Int32 = .max

    /// Number of distinct units (cities).
    public let unitCount: Int
    /// Number of distinct periods (years) on the panel's period grid.
    public let periodCount: Int
    /// Unit index of each observation, `0..<unitCount`, non-decreasing.
    public let unitIndex: [Int32]
    /// Period index of each observation, `0..<periodCount`, increasing within a unit.
    public let periodIndex: [Int32]
    /// First row of each unit, plus a final entry equal to the number of observations:
    /// unit `i` occupies rows `unitStart[i] ..< unitStart[i + 1]`.
    public let unitStart: [Int]
    /// Name of the outcome column.
    public let outcomeName: String
    /// Outcome of each observation.
    public let outcome: [Double]
    /// Names of the covariate columns, in model order.
    public let covariateNames: [String]
    /// Covariate columns, one contiguous array per covariate.
    public let covariates: [[Double]]
    /// Per-unit adoption period index (see the type's documentation).
    public let adoptionPeriod: [Int32]
    /// Original unit labels (as read, or generated), indexed by unit.
    public let unitLabels: [String]
    /// Original period labels, indexed by period.
    public let periodLabels: [String]
    /// Numeric period values when the time column is numeric (years), indexed by period.
    public let periodValues: [Double]?
    /// Named clusterings of the observations (always including the unit column).
    public let clusterings: [String: Clustering]
    /// Name under which the unit clustering is stored in ``clusterings``.
    public let unitName: String
    /// Name of the time column.
    public let timeName: String
    /// What was dropped or adjusted while building the panel, in words.
    public var notes: [String]
    /// Regression weights, one positive finite value per observation (R fixest's `weights = ~w`,
    /// analytic weights), or nil for an unweighted panel. Estimators that support them weight
    /// their fit (see ``TwoWayWithin``); every other estimator refuses a weighted panel.
    public let regressionWeights: [Double]?
    /// Name of the column the regression weights came from (nil without weights).
    public let regressionWeightName: String?

    /// Number of observations (rows).
    public var observationCount: Int { outcome.count }

    /// True when every unit is observed in every period exactly once.
    public var isBalanced: Bool { observationCount == unitCount * periodCount }

    /// Treatment indicator of observation `row`: 1 when the unit has adopted by that period.
    @inlinable
    public func isTreated(row: Int) -> Bool {
        periodIndex[row] >= adoptionPeriod[Int(unitIndex[row])]
    }

    /// The 0/1 treatment column `D_it = 1{t >= g_i}`.
    ///
    /// Rows are sorted by (unit, period), so each unit's treated rows are a suffix of its rows:
    /// the column is written unit by unit as a run of zeros then a run of ones.
    public var treatmentColumn: [Double] {
        let n = observationCount
        return [Double](unsafeUninitializedCapacity: n) { column, initialized in
            guard let base = column.baseAddress else { initialized = 0; return }
            forEachUnitTreatmentSuffix { start, first, end in
                (base + start).initialize(repeating: 0, count: first - start)
                (base + first).initialize(repeating: 1, count: end - first)
            }
            initialized = n
        }
    }

    /// The rows where `D_it = 1`, in order (the treated suffix of each unit's rows).
    public var treatedRows: [Int32] {
        var rows: [Int32] = []
        forEachUnitTreatmentSuffix { _, first, end in
            for row in first..<end { rows.append(Int32(truncatingIfNeeded: row)) }
        }
        return rows
    }

    /// Calls `body(start, firstTreated, end)` for every unit in order: its rows are
    /// `start ..< end`, of which `firstTreated ..< end` are treated.
    @inline(__always)
    func forEachUnitTreatmentSuffix(_ body: (Int, Int, Int) -> Void) {
        let n = observationCount
        periodIndex.withUnsafeBufferPointer { period in
            unitStart.withUnsafeBufferPointer { unitStart in
                adoptionPeriod.withUnsafeBufferPointer { adoption in
                    precondition(unitStart.count == unitCount + 1 && unitStart[unitCount] == n && period.count == n
                                 && adoption.count == unitCount)
                    for unit in 0..<unitCount {
                        let start = unitStart[unit], end = unitStart[unit &+ 1]
                        let first: Int
                        if start == end || period[end &- 1] < adoption[unit] {
                            first = end   // never treated within the sample
                        } else {
                            var row = start
                            while period[row] < adoption[unit] { row &+= 1 }
                            first = row
                        }
                        body(start, first, end)
                    }
                }
            }
        }
    }

    /// Builds a panel from columns that are already validated, sorting rows by (unit, period).
    ///
    /// - Parameters:
    ///   - unitIndex: dense unit index per observation.
    ///   - periodIndex: dense period index per observation.
    ///   - adoptionPeriod: per-unit adoption index (``neverTreated`` for never treated).
    ///   - clusterings: extra clusterings; the unit clustering is added under `unitName`.
    /// - Throws: ``PanelError/duplicateObservation`` when a (unit, period) pair repeats.
    public init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int,
                outcomeName: String, outcome: [Double],
                covariateNames: [String] = [], covariates: [[Double]] = [],
                adoptionPeriod: [Int32],
                unitLabels: [String]? = nil, periodLabels: [String]? = nil,
                periodValues: [Double]? = nil,
                unitName: String = "unit", timeName: String = "time",
                clusterings: [String: Clustering] = [:],
                notes: [String] = [], source: String = "panel",
                regressionWeights: [Double]? = nil, regressionWeightName: String? = nil) throws {
        precondition(unitIndex.count == outcome.count && periodIndex.count == outcome.count,
                     "Panel columns must have one entry per observation")
        precondition(regressionWeights.map { $0.count == outcome.count && $0.allSatisfy { $0 > 0 && $0.isFinite } } ?? true,
                     "regression weights must be positive and finite, one per observation")
        precondition(adoptionPeriod.count == unitCount, "adoptionPeriod needs one entry per unit")
        let n = outcome.count
        let alreadySorted = (1..<max(n, 1)).allSatisfy { row in
            unitIndex[row - 1] < unitIndex[row]
                || (unitIndex[row - 1] == unitIndex[row] && periodIndex[row - 1] < periodIndex[row])
        }
        var order = Array(0..<n)
        if !alreadySorted {
            order.sort { a, b in
                unitIndex[a] != unitIndex[b] ? unitIndex[a] < unitIndex[b] : periodIndex[a] < periodIndex[b]
            }
        }
        for k in 1..<max(n, 1) where unitIndex[order[k]] == unitIndex[order[k - 1]]
            && periodIndex[order[k]] == periodIndex[order[k - 1]] {
            let unit = Int(unitIndex[order[k]])
            let period = Int(periodIndex[order[k]])
            throw PanelError.duplicateObservation(
                source: source, unit: unitLabels?[unit] ?? String(unit),
                period: periodLabels?[period] ?? String(period),
                firstRow: min(order[k], order[k - 1]), secondRow: max(order[k], order[k - 1]))
        }
        func permuted<T>(_ column: [T]) -> [T] { alreadySorted ? column : order.map { column[$0] } }
        self.unitIndex = permuted(unitIndex)
        self.periodIndex = permuted(periodIndex)
        self.outcome = permuted(outcome)
        self.covariates = covariates.map(permuted)
        self.regressionWeights = regressionWeights.map(permuted)
        self.regressionWeightName = regressionWeights == nil ? nil : (regressionWeightName ?? "weights")
        self.covariateNames = covariateNames
        self.unitCount = unitCount
        self.periodCount = periodCount
        self.outcomeName = outcomeName
        self.adoptionPeriod = adoptionPeriod
        self.unitLabels = unitLabels ?? (0..<unitCount).map { String($0 + 1) }
        self.periodLabels = periodLabels ?? (0..<periodCount).map { String($0 + 1) }
        self.periodValues = periodValues
        self.unitName = unitName
        self.timeName = timeName
        self.notes = notes
        var start = [Int](repeating: n, count: unitCount + 1)
        var row = n
        let sortedUnits = self.unitIndex
        while row > 0 { row -= 1; start[Int(sortedUnits[row])] = row }
        for unit in stride(from: unitCount - 1, through: 0, by: -1) where start[unit] == n {
            start[unit] = start[unit + 1]
        }
        self.unitStart = start
        var all: [String: Clustering] = [:]
        for (name, clustering) in clusterings {
            var stored = Clustering(name: name, index: permuted(clustering.index),
                                    count: clustering.count, labels: clustering.labels)
            stored.unitCluster = Clustering.unitClusters(index: stored.index, unitStart: start)
            all[name] = stored
        }
        var units = Clustering(name: unitName, index: self.unitIndex, count: unitCount, labels: self.unitLabels)
        units.unitCluster = (0..<unitCount).map { Int32($0) }
        all[unitName] = units
        self.clusterings = all
    }
}

/// A partition of the observations into clusters (for cluster-robust inference and
/// cluster-level permutations).
public struct Clustering: Sendable {
    /// Column name the clustering came from.
    public let name: String
    /// Dense cluster index of each observation, `0..<count`.
    public let index: [Int32]
    /// Number of clusters.
    public let count: Int
    /// Cluster labels, indexed by cluster.
    public let labels: [String]

    /// The cluster of each unit, when every unit's rows lie in one cluster (unit, province or
    /// region clusterings); nil otherwise, or when the clustering was not stored by a ``Panel``.
    /// Set once by ``Panel``, so inference need not rescan the rows.
    public internal(set) var unitCluster: [Int32]?

    /// Creates a clustering; `index` must hold values in `0..<count`.
    public init(name: String, index: [Int32], count: Int, labels: [String]? = nil) {
        self.name = name
        self.index = index
        self.count = count
        self.labels = labels ?? (0..<count).map { String($0 + 1) }
        self.unitCluster = nil
    }

    /// The cluster of each unit when every unit's rows (`unitStart[i] ..< unitStart[i + 1]`)
    /// share one cluster; nil otherwise. Units without rows get cluster 0.
    static func unitClusters(index: [Int32], unitStart: [Int]) -> [Int32]? {
        let units = unitStart.count - 1
        guard units >= 0, unitStart.last ?? 0 <= index.count else { return nil }
        var result = [Int32](repeating: 0, count: units)
        for unit in 0..<units {
            let start = unitStart[unit], end = unitStart[unit + 1]
            guard start < end else { continue }
            let first = index[start]
            for row in (start + 1)..<end where index[row] != first { return nil }
            result[unit] = first
        }
        return result
    }
}
