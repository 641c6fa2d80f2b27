/// Gardner's (2021) two-stage estimator with Butts' exposure exclusion (see ``SpilloverRings``).
struct RingTwoStage {
    let panel: Panel
    let exposure: RingExposure
    /// Kept ring indices.
    let rings: [Int]
    let options: RegressionOptions

    func estimate(notes extraNotes: [String]) throws -> Estimate {
        guard case .cluster(let clusterName) = options.variance else {
            throw SpilloverError.invalidOption("--method rings-2s needs clustered inference (--inference cr1): its "
                                               + "variance is Gardner's cluster-robust GMM correction")
        }
        guard let clustering = panel.clusterings[clusterName] else {
            throw EstimationError.unknownClustering(name: clusterName, available: Array(panel.clusterings.keys))
        }
        let n = panel.observationCount, periods = panel.periodCount
        let treatment = panel.treatmentColumn
        // Stage-1 sample: untreated and in no ring.
        let firstStage = (0..<n).map { treatment[$0] == 0 && exposure.ring[$0] < 0 }
        var unitRows = [Int](repeating: 0, count: panel.unitCount), periodRows = [Int](repeating: 0, count: periods)
        for row in 0..<n where firstStage[row] {
            unitRows[Int(panel.unitIndex[row])] += 1
            periodRows[Int(panel.periodIndex[row])] += 1
        }
        let kept = (0..<n).map { unitRows[Int(panel.unitIndex[$0])] > 0 && periodRows[Int(panel.periodIndex[$0])] > 0 }
        let system = FirstStageSystem(panel: panel, mask: firstStage)
        let occupiedPeriods = periodRows.filter { $0 > 0 }.count
        guard system.rank == occupiedPeriods + panel.covariates.count - 1 else {
            throw SpilloverError.firstStageNotIdentified(
                "the fixed effects and controls are not identified on the untreated observations outside the rings "
                + "(rank \(system.rank), expected \(occupiedPeriods + panel.covariates.count - 1)): the panel is "
                + "disconnected there, or a control is collinear with the fixed effects")
        }
        // Stage 1 and the imputed-residual outcome.
        let momentsY = system.moments(of: panel.outcome, panel: panel, include: firstStage)
        let fit = system.solve(units: momentsY.units, rest: momentsY.rest)
        var residualized = [Double](repeating: 0, count: n)
        for row in 0..<n where kept[row] {
            residualized[row] = panel.outcome[row] - system.prediction(row: row, panel: panel, alpha: fit.alpha, rest: fit.rest)
        }
        // Stage 2: ỹ on [D, rings], no intercept.
        let design = [treatment] + rings.map(exposure.column)
        let names = ["treat"] + rings.map(exposure.termName)
        let p = design.count
        for (j, column) in design.enumerated() where !(0..<n).contains(where: { kept[$0] && column[$0] != 0 }) {
            throw SpilloverError.firstStageNotIdentified("no observation of '\(names[j])' belongs to a unit and period "
                                                         + "with untreated observations outside the rings")
        }
        var gram = [Double](repeating: 0, count: p * p), inverse = [Double](repeating: 0, count: p * (p + 1))
        for r in 0..<p {
            for s in 0...r {
                var sum = 0.0
                for row in 0..<n where kept[row] { sum += design[r][row] * design[s][row] }
                gram[r * p + s] = sum
                gram[s * p + r] = sum
            }
            var moment = 0.0
            for row in 0..<n where kept[row] { moment += design[r][row] * residualized[row] }
            inverse[r * (p + 1)] = moment
            inverse[r * (p + 1) + 1 + r] = 1
        }
        var factor = gram
        var flags = [Bool](repeating: false, count: p)
        let rank = factor.withUnsafeMutableBufferPointer { a in
            inverse.withUnsafeMutableBufferPointer { x in
                flags.withUnsafeMutableBufferPointer { kept in
                    guard let a = a.baseAddress, let x = x.baseAddress, let kept = kept.baseAddress else { return 0 }
                    return SmallSystem.solve(a, dimension: p, rhs: x, rhsCount: p + 1, kept: kept)
                }
            }
        }
        guard rank == p else { throw EstimationError.singularDesign(terms: names) }
        let beta = (0..<p).map { inverse[$0 * (p + 1)] }
        let bread = (0..<(p * p)).map { inverse[($0 / p) * (p + 1) + 1 + $0 % p] }
        var secondResidual = [Double](repeating: 0, count: n)
        for row in 0..<n where kept[row] {
            var value = residualized[row]
            for j in 0..<p { value -= beta[j] * design[j][row] }
            secondResidual[row] = value
        }
        // Γ: first-stage "fitted values" of each stage-2 column, f_rj = X₁_r (X₁₀'X₁₀)⁻¹ X₁'x₂_j.
        var projected = [[Double]]()
        for column in design {
            let moments = system.moments(of: column, panel: panel, include: kept)
            let solution = system.solve(units: moments.units, rest: moments.rest)
            projected.append((0..<n).map { row in
                firstStage[row] ? system.prediction(row: row, panel: panel, alpha: solution.alpha, rest: solution.rest) : 0
            })
        }
        // Cluster scores ψ_g and the sandwich.
        var clusterSlot = [Int](repeating: -1, count: clustering.count)
        var scores: [Double] = []
        for row in 0..<n where kept[row] {
            let cluster = Int(clustering.index[row])
            if clusterSlot[cluster] < 0 {
                clusterSlot[cluster] = scores.count / p
                scores += [Double](repeating: 0, count: p)
            }
            let base = clusterSlot[cluster] * p
            for j in 0..<p {
                scores[base + j] += design[j][row] * secondResidual[row]
                if firstStage[row] { scores[base + j] -= projected[j][row] * residualized[row] }
            }
        }
        let g = scores.count / p
        guard g >= 2 else { throw EstimationError.tooFewClusters(name: clusterName, count: g) }
        var meat = [Double](repeating: 0, count: p * p)
        for cluster in 0..<g {
            for r in 0..<p { for s in 0..<p { meat[r * p + s] += scores[cluster * p + r] * scores[cluster * p + s] } }
        }
        let variance = VarianceEstimator.sandwich(bread: bread, meat: meat, m: p, factor: 1)
        let used = kept.filter { $0 }.count
        var rss = 0.0, total = 0.0
        for row in 0..<n where kept[row] {
            rss += secondResidual[row] * secondResidual[row]
            total += residualized[row] * residualized[row]
        }
        var notes = panel.notes + extraNotes
        notes.append("two stages (Gardner 2021): stage 1 on \(firstStage.filter { $0 }.count) untreated observations "
                     + "outside the rings; variance: did2s GMM correction clustered by \(clusterName), no small-sample "
                     + "factor, t(\(g - 1))")
        if used < n {
            notes.append("\(n - used) observations of units or periods without untreated observations outside the rings "
                         + "cannot be imputed and were dropped")
        }
        return Estimate(method: SpilloverRings.Stages.twoStage.rawValue, outcome: panel.outcomeName,
                        terms: names.map { Estimate.Term(name: $0) }, coefficients: beta,
                        variance: VarianceEstimate(type: options.variance, matrix: variance, parameterCount: p,
                                                   correctionFactor: 1, degreesOfFreedom: Double(g - 1), clusterCount: g),
                        droppedTerms: [], observationCount: used, unitCount: unitRows.filter { $0 > 0 }.count,
                        periodCount: occupiedPeriods,
                        fixedEffects: [(panel.unitName, unitRows.filter { $0 > 0 }.count), (panel.timeName, occupiedPeriods)],
                        residualSumOfSquares: rss, withinRSquared: 1 - rss / total, notes: notes)
    }
}
