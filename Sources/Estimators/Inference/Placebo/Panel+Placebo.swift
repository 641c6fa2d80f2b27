extension Panel {
    /// The same panel with other adoption periods (one per unit); rows and columns are shared.
    /// - Throws: never in practice (the rows are already valid); rethrows ``Panel/init``.
    public func withAdoption(_ adoption: [Int32]) throws -> Panel {
        try Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount, periodCount: periodCount,
                  outcomeName: outcomeName, outcome: outcome, covariateNames: covariateNames, covariates: covariates,
                  adoptionPeriod: adoption, unitLabels: unitLabels, periodLabels: periodLabels,
                  periodValues: periodValues, unitName: unitName, timeName: timeName,
                  clusterings: clusterings.filter { $0.key != unitName }, notes: notes)
    }

    /// The fake-timing panel of ``PlaceboScheme/timingShift(periods:)``: every treated unit's
    /// adoption moves `shift` periods earlier and its observations from the real adoption on are
    /// dropped; units left without observations are removed (counted in the notes).
    public func timingShifted(by shift: Int) throws -> Panel {
        var keep: [Int] = []
        keep.reserveCapacity(observationCount)
        for row in 0..<observationCount where !isTreated(row: row) { keep.append(row) }
        var newUnit = [Int32](repeating: -1, count: unitCount)
        var keptUnits: [Int] = []
        for row in keep where newUnit[Int(unitIndex[row])] < 0 {
            newUnit[Int(unitIndex[row])] = Int32(keptUnits.count)
            keptUnits.append(Int(unitIndex[row]))
        }
        let adoption = keptUnits.map { unit -> Int32 in
            let real = adoptionPeriod[unit]
            return real == Panel.neverTreated ? real : real - Int32(shift)
        }
        var notes = self.notes
        notes.append("fake timing: adoption moved \(shift) period\(shift == 1 ? "" : "s") earlier; "
                     + "\(observationCount - keep.count) treated observations dropped")
        if keptUnits.count < unitCount {
            notes.append("\(unitCount - keptUnits.count) units treated in every period dropped (no untreated observation)")
        }
        var extra: [String: Clustering] = [:]
        for (name, clustering) in clusterings where name != unitName {
            extra[name] = Clustering(name: name, index: keep.map { clustering.index[$0] }, count: clustering.count,
                                     labels: clustering.labels)
        }
        return try Panel(unitIndex: keep.map { newUnit[Int(unitIndex[$0])] }, periodIndex: keep.map { periodIndex[$0] },
                         unitCount: keptUnits.count, periodCount: periodCount, outcomeName: outcomeName,
                         outcome: keep.map { outcome[$0] }, covariateNames: covariateNames,
                         covariates: covariates.map { column in keep.map { column[$0] } },
                         adoptionPeriod: adoption, unitLabels: keptUnits.map { unitLabels[$0] },
                         periodLabels: periodLabels, periodValues: periodValues, unitName: unitName, timeName: timeName,
                         clusterings: extra, notes: notes)
    }
}
