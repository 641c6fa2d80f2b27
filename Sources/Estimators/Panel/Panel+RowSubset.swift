extension Panel {
    /// The panel restricted to `rows` (ascending row indices of this panel), with units, periods
    /// and every clustering renumbered to the levels still present.
    ///
    /// Renumbering matters for inference: the small-sample `K` counts `units + periods − 1`
    /// fixed effects and a clustered variance counts `G` clusters, so levels without rows must
    /// not linger. Adoption periods are mapped monotonically onto the kept periods (an adoption
    /// index becomes the number of kept periods before it), so `t ≥ g` is preserved on every
    /// kept row; never-treated units stay ``Panel/neverTreated``.
    ///
    /// Used by the heterogeneity-robust estimators (Sun–Abraham's sample restrictions, the
    /// BJS pre-trend regression on untreated observations).
    /// - Parameter note: appended to ``notes`` when given.
    /// - Parameter method: estimator name for the error message.
    /// - Throws: ``HeterogeneityRobustError/emptySample(method:what:)`` when `rows` is empty.
    func restrictedToRows(_ rows: [Int], note: String?, method: String, what: String) throws -> Panel {
        guard !rows.isEmpty else { throw HeterogeneityRobustError.emptySample(method: method, what: what) }
        var unitMap = [Int32](repeating: -1, count: unitCount)
        var periodPresent = [Bool](repeating: false, count: periodCount)
        var keptUnits: [Int] = []
        for row in rows {
            let unit = Int(unitIndex[row])
            if unitMap[unit] < 0 { unitMap[unit] = Int32(keptUnits.count); keptUnits.append(unit) }
            periodPresent[Int(periodIndex[row])] = true
        }
        // Kept periods before each grid index (for the monotone adoption map).
        var periodMap = [Int32](repeating: -1, count: periodCount)
        var keptBefore = [Int32](repeating: 0, count: periodCount + 1)
        var keptPeriods: [Int] = []
        for period in 0..<periodCount {
            keptBefore[period] = Int32(keptPeriods.count)
            if periodPresent[period] { periodMap[period] = Int32(keptPeriods.count); keptPeriods.append(period) }
        }
        keptBefore[periodCount] = Int32(keptPeriods.count)
        let adoption = keptUnits.map { unit -> Int32 in
            let g = adoptionPeriod[unit]
            if g == Panel.neverTreated { return g }
            if g <= 0 { return g }
            if Int(g) >= periodCount { return g - Int32(periodCount) + keptBefore[periodCount] }
            return keptBefore[Int(g)]
        }
        var extra: [String: Clustering] = [:]
        for (name, clustering) in clusterings where name != unitName {
            var map = [Int32](repeating: -1, count: clustering.count)
            var labels: [String] = []
            var index = [Int32](repeating: 0, count: rows.count)
            for (k, row) in rows.enumerated() {
                let level = Int(clustering.index[row])
                if map[level] < 0 { map[level] = Int32(labels.count); labels.append(clustering.labels[level]) }
                index[k] = map[level]
            }
            extra[name] = Clustering(name: name, index: index, count: labels.count, labels: labels)
        }
        var notes = self.notes
        if let note { notes.append(note) }
        return try Panel(unitIndex: rows.map { unitMap[Int(unitIndex[$0])] },
                         periodIndex: rows.map { periodMap[Int(periodIndex[$0])] },
                         unitCount: keptUnits.count, periodCount: keptPeriods.count,
                         outcomeName: outcomeName, outcome: rows.map { outcome[$0] },
                         covariateNames: covariateNames, covariates: covariates.map { column in rows.map { column[$0] } },
                         adoptionPeriod: adoption, unitLabels: keptUnits.map { unitLabels[$0] },
                         periodLabels: keptPeriods.map { periodLabels[$0] },
                         periodValues: periodValues.map { values in keptPeriods.map { values[$0] } },
                         unitName: unitName, timeName: timeName, clusterings: extra, notes: notes,
                         regressionWeights: regressionWeights.map { weights in rows.map { weights[$0] } },
                         regressionWeightName: regressionWeightName)
    }

    /// The panel restricted to `rows` (ascending row indices, not empty), renumbered as
    /// ``restrictedToRows(_:note:method:what:)`` does; `note` is appended to the notes.
    /// - Throws: ``HeterogeneityRobustError/emptySample(method:what:)`` when `rows` is empty.
    public func restricted(toRows rows: [Int], note: String? = nil) throws -> Panel {
        try restrictedToRows(rows, note: note, method: "subset", what: "rows")
    }

    /// Label of adoption period `g` for term names: the period label when `g` is on the grid,
    /// else the extrapolated numeric period (evenly spaced grids) or `g` itself.
    public func adoptionLabel(_ g: Int32) -> String {
        if g >= 0 && Int(g) < periodCount { return periodLabels[Int(g)] }
        if let values = periodValues, values.count >= 2 {
            let step = values[1] - values[0]
            let value = values[0] + Double(g) * step
            return value == value.rounded() ? String(Int(value)) : String(value)
        }
        return String(g)
    }
}
