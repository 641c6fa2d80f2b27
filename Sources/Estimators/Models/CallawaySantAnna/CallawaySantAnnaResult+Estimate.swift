extension CallawaySantAnnaResult {
    /// Name of the term of a part of an aggregation: `"att"` (simple), `"e-2"`/`"e+0"`
    /// (dynamic, as the event study names its terms), `"g=2004"` (group), `"t=2006"` (calendar).
    public func termName(_ kind: AggregationKind, key: Int) -> String {
        switch kind {
        case .simple: return "att"
        case .dynamic: return key < 0 ? "e\(key)" : "e+\(key)"
        case .group: return "g=\(periodLabel(key))"
        case .calendar: return "t=\(periodLabel(key))"
        }
    }

    /// An aggregation as an ``Estimate``, so that code written for regression estimates (reports,
    /// the lab, placebo statistics) can use it: the simple ATT is the single term `"att"`; the
    /// other kinds have one term per part (see ``termName(_:key:)``; event-study terms carry
    /// their event time), and parts without variance (a universal base period's reference
    /// event time) are omitted, as an event study omits its reference period.
    ///
    /// The variance is the influence-function covariance `V_kl = Σ_c S_ck S_cl / n²` (cluster
    /// sums `S`, R `did`'s analytic standard errors on the diagonal), with no small-sample factor
    /// and a normal reference distribution (infinite degrees of freedom), as R `did`.
    public func estimate(_ kind: AggregationKind = .simple) -> Estimate {
        let aggregation = self.aggregation(kind)
        var terms: [Estimate.Term] = [], coefficients: [Double] = [], rows: [[Double]] = []
        if kind == .simple {
            terms = [Estimate.Term(name: "att")]
            coefficients = [aggregation.overall.estimate]
            rows = [aggregation.overallInfluence]
        } else {
            for (k, key) in aggregation.keys.enumerated() where aggregation.effects[k].standardError.isFinite {
                terms.append(Estimate.Term(name: termName(kind, key: key), eventTime: kind == .dynamic ? key : nil))
                coefficients.append(aggregation.effects[k].estimate)
                rows.append(Array(aggregation.influence[(k * unitCount)..<((k + 1) * unitCount)]))
            }
        }
        let m = terms.count
        var sums = [Double](repeating: 0, count: clusterCount * m)
        for (k, row) in rows.enumerated() { for i in 0..<unitCount { sums[Int(clusterOfUnit[i]) * m + k] += row[i] } }
        var matrix = [Double](repeating: 0, count: m * m)
        let scale = 1 / (Double(unitCount) * Double(unitCount))
        for c in 0..<clusterCount {
            for a in 0..<m { for b in 0..<m { matrix[a * m + b] += sums[c * m + a] * sums[c * m + b] * scale } }
        }
        let variance = VarianceEstimate(type: .cluster(clusterName), matrix: matrix, parameterCount: m,
                                        correctionFactor: 1, degreesOfFreedom: .infinity, clusterCount: clusterCount)
        let note = "Callaway-Sant'Anna (\(options.controlGroup.rName), \(options.basePeriod.rawValue) base period, "
            + "\(options.estimationMethod.rawValue)): influence-function standard errors clustered by \(clusterName), "
            + "no small-sample factor, normal p-values (as R did)"
        return Estimate(method: "cs", outcome: outcomeName, terms: terms, coefficients: coefficients, variance: variance,
                        droppedTerms: [], observationCount: observationCount, unitCount: unitCount,
                        periodCount: periodCount, fixedEffects: [], residualSumOfSquares: .nan, withinRSquared: .nan,
                        notes: notes + [note])
    }
}
