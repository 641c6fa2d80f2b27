extension Panel {
    /// The group of each unit under a unit-level column kept as a clustering (`--by COL`).
    /// - Throws: ``SubgroupError/unknownColumn(name:available:)`` or
    ///   ``SubgroupError/notConstantWithinUnit(name:unit:)``.
    func subgroupLabels(column name: String) throws -> (groupOfUnit: [Int32], labels: [String]) {
        guard let clustering = clusterings[name] else {
            throw SubgroupError.unknownColumn(name: name, available: Array(clusterings.keys))
        }
        var group = [Int32](repeating: -1, count: unitCount)
        for unit in 0..<unitCount {
            let rows = unitStart[unit]..<unitStart[unit + 1]
            guard let first = rows.first else { continue }
            group[unit] = clustering.index[first]
            for row in rows where clustering.index[row] != group[unit] {
                throw SubgroupError.notConstantWithinUnit(name: name, unit: unitLabels[unit])
            }
        }
        return (group, clustering.labels)
    }

    /// The panel restricted to `units` (sorted unit indices), for split-sample estimation.
    ///
    /// Units and periods are re-indexed densely (a period no kept unit is observed in is dropped,
    /// and adoption indices move to the first kept period at or after them, so `D_it` is
    /// unchanged on every kept row); every clustering is re-indexed to the clusters present.
    func subgroupPanel(units: [Int]) throws -> Panel {
        var rows: [Int] = []
        for unit in units { rows.append(contentsOf: unitStart[unit]..<unitStart[unit + 1]) }
        var periodPresent = [Bool](repeating: false, count: periodCount)
        for row in rows { periodPresent[Int(periodIndex[row])] = true }
        var newPeriod = [Int32](repeating: -1, count: periodCount)
        var keptPeriods: [Int] = []
        for t in 0..<periodCount where periodPresent[t] {
            newPeriod[t] = Int32(keptPeriods.count)
            keptPeriods.append(t)
        }
        var newUnit = [Int32](repeating: -1, count: unitCount)
        for (k, unit) in units.enumerated() { newUnit[unit] = Int32(k) }
        let adoption = units.map { unit -> Int32 in
            let g = adoptionPeriod[unit]
            guard g != Panel.neverTreated else { return g }
            if g < 0 { return g }
            // First kept period at or after g (keeps D_it on kept rows); after all kept periods: never in sample.
            guard let position = keptPeriods.firstIndex(where: { $0 >= Int(g) }) else { return Int32(keptPeriods.count) }
            return Int32(position)
        }
        var clusterings: [String: Clustering] = [:]
        for (name, clustering) in self.clusterings where name != unitName {
            var map: [Int32: Int32] = [:]
            var labels: [String] = []
            var index = [Int32](repeating: 0, count: rows.count)
            for (k, row) in rows.enumerated() {
                let old = clustering.index[row]
                if let mapped = map[old] { index[k] = mapped } else {
                    map[old] = Int32(labels.count)
                    index[k] = Int32(labels.count)
                    labels.append(clustering.labels[Int(old)])
                }
            }
            clusterings[name] = Clustering(name: name, index: index, count: labels.count, labels: labels)
        }
        return try Panel(unitIndex: rows.map { newUnit[Int(unitIndex[$0])] }, periodIndex: rows.map { newPeriod[Int(periodIndex[$0])] },
                         unitCount: units.count, periodCount: keptPeriods.count, outcomeName: outcomeName,
                         outcome: rows.map { outcome[$0] }, covariateNames: covariateNames,
                         covariates: covariates.map { column in rows.map { column[$0] } }, adoptionPeriod: adoption,
                         unitLabels: units.map { unitLabels[$0] }, periodLabels: keptPeriods.map { periodLabels[$0] },
                         periodValues: periodValues.map { values in keptPeriods.map { values[$0] } },
                         unitName: unitName, timeName: timeName, clusterings: clusterings, notes: [],
                         source: "subgroup")
    }
}
