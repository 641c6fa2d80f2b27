/// The standard errors of synthetic DiD: Algorithms 2–4 of Arkhangelsky et al. (2021) as R
/// synthdid's `vcov` runs them, extended to cohorts.
///
/// - **Jackknife** (Algorithm 3; R `jackknife_se` with the fitted weights): leave unit `i` out,
///   keep λ, renormalise ω over the remaining controls (`sum_normalize`: uniform if they carried
///   no weight), recompute each cohort and the share-weighted ATT; a cohort that loses its last
///   treated unit sits that replicate out (synthdid-py's staggered jackknife).
///   SE = √((n−1)/n · Σ(u_i − ū)²). Undefined (R: NA) with one treated unit, one never-treated
///   unit, or, with one cohort, unit weights all on one control. A cohort's own SE is the
///   jackknife of its block (its treated units and the never treated).
/// - **Placebo** (Algorithm 4): draw `b` permutes the never-treated units with stream
///   (seed, b, permutation); the last `N1` play the treated, cohort by cohort in adoption order,
///   the rest the controls; each cohort's weights are re-solved as R's refit does (starting from
///   ω restricted and renormalised and from λ, with ζ and min.decrease of the fit).
/// - **Bootstrap** (Algorithm 2): draw `b` samples `N` units with replacement with stream
///   (seed, b, bootstrap), again until it holds a treated and a never-treated unit; cohorts absent
///   from the sample sit out, shares use the sampled treated counts; weights re-solved as above.
///
/// Placebo and bootstrap SE = √((B−1)/B) · sd(draws). R's staggered ports (synthdid-py, Stata
/// sdid) refit from scratch in the placebo and bootstrap of several cohorts; DiDLab keeps R's
/// single-date refit in each cohort, so the two coincide with one adoption date.
extension SyntheticDiD {
    /// The method actually used: ``VarianceMethod/automatic`` resolved, the others checked.
    func resolvedVariance(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit]) throws -> VarianceMethod {
        let treated = problem.cohorts.reduce(0) { $0 + $1.treated.count }
        let jackknifeProblem = Self.jackknifeUndefined(problem, fits: fits)
        switch variance {
        case .automatic:
            if jackknifeProblem == nil { return .jackknife }
            guard problem.controls.count > treated else {
                throw SyntheticDiDError.varianceUndefined(method: "jackknife", reason: jackknifeProblem ?? "")
            }
            guard replications >= 2 else { throw SyntheticDiDError.tooFewReplications(replications) }
            return .placebo
        case .jackknife:
            if let jackknifeProblem { throw SyntheticDiDError.varianceUndefined(method: "jackknife", reason: jackknifeProblem) }
        case .placebo:
            guard problem.controls.count > treated else {
                throw SyntheticDiDError.varianceUndefined(method: "placebo", reason: "\(problem.controls.count) never-treated "
                    + "units for \(treated) treated; expected more never-treated units than treated ones")
            }
            guard replications >= 2 else { throw SyntheticDiDError.tooFewReplications(replications) }
        case .bootstrap:
            guard treated >= 2 else {
                throw SyntheticDiDError.varianceUndefined(method: "bootstrap", reason: "one treated unit; use the placebo")
            }
            guard replications >= 2 else { throw SyntheticDiDError.tooFewReplications(replications) }
        }
        return variance
    }

    /// Why the jackknife is undefined (R returns NA), or nil.
    static func jackknifeUndefined(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit]) -> String? {
        let treated = problem.cohorts.reduce(0) { $0 + $1.treated.count }
        if treated < 2 { return "one treated unit; use the placebo" }
        if problem.controls.count < 2 { return "one never-treated unit" }
        if fits.count == 1, fits[0].omega.filter({ $0 != 0 }).count == 1 {
            return "the unit weights are all on one control; use the placebo or the bootstrap"
        }
        return nil
    }

    /// The ATT's standard error and each cohort's (nil where undefined).
    func standardErrors(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], method: VarianceMethod) throws
        -> (att: Double, cohorts: [Double?]) {
        switch method {
        case .jackknife, .automatic:
            let cohorts = problem.cohorts.indices.map { k -> Double? in
                problem.cohorts[k].treated.count < 2 || fits[k].omega.filter({ $0 != 0 }).count == 1 ? nil
                    : Self.jackknife(problem, fits: fits, cohorts: [k])
            }
            return (Self.jackknife(problem, fits: fits, cohorts: Array(problem.cohorts.indices)), cohorts)
        case .placebo, .bootstrap:
            let draws = self.draws(problem, fits: fits, placebo: method == .placebo)
            let width = problem.cohorts.count + 1
            func spread(_ column: Int) -> Double? {
                let values = (0..<replications).map { draws[$0 * width + column] }.filter(\.isFinite)
                guard values.count >= 2 else { return nil }
                let mean = values.reduce(0, +) / Double(values.count)
                let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                return (squares / Double(values.count)).squareRoot()
            }
            return (spread(0) ?? .nan, (1..<width).map(spread))
        }
    }

    /// The fixed-weight jackknife over the units of `cohorts` and the never treated.
    static func jackknife(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], cohorts: [Int]) -> Double {
        // Each unit's contrast c'y_i under each cohort's λ.
        let contrasts = cohorts.map { k in
            (controls: problem.controls.map { problem.contrast($0, pre: problem.cohorts[k].adoption, lambda: fits[k].lambda) },
             treated: problem.cohorts[k].treated.map { problem.contrast($0, pre: problem.cohorts[k].adoption, lambda: fits[k].lambda) })
        }
        // Left-out units: the controls (by position), then each cohort's treated units.
        var leftOut: [(cohort: Int?, index: Int)] = problem.controls.indices.map { (nil, $0) }
        for (position, k) in cohorts.enumerated() {
            leftOut += problem.cohorts[k].treated.indices.map { (position, $0) }
        }
        var replicates: [Double] = []
        for (droppedCohort, dropped) in leftOut {
            var total = 0.0, weightSum = 0.0
            for (position, k) in cohorts.enumerated() {
                let omega = fits[k].omega, c = contrasts[position]
                var kept = [Double]()
                kept.reserveCapacity(omega.count)
                for i in omega.indices where !(droppedCohort == nil && i == dropped) { kept.append(omega[i]) }
                let weights = FrankWolfeWeights.sumNormalized(kept)
                var synthetic = 0.0, slot = 0
                for i in omega.indices where !(droppedCohort == nil && i == dropped) {
                    synthetic += weights[slot] * c.controls[i]
                    slot += 1
                }
                var treatedSum = 0.0, treatedCount = 0
                for j in c.treated.indices where !(droppedCohort == position && j == dropped) {
                    treatedSum += c.treated[j]
                    treatedCount += 1
                }
                guard treatedCount > 0, !kept.isEmpty else { continue }
                let cell = Double(treatedCount * (problem.periodCount - problem.cohorts[k].adoption))
                total += cell * (treatedSum / Double(treatedCount) - synthetic)
                weightSum += cell
            }
            if weightSum > 0 { replicates.append(total / weightSum) }
        }
        let n = Double(replicates.count)
        guard replicates.count >= 2 else { return .nan }
        let mean = replicates.reduce(0, +) / n
        let squares = replicates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return ((n - 1) / n * squares).squareRoot()
    }

    /// Placebo or bootstrap draws: per draw, the ATT then each cohort's estimate (NaN: absent).
    func draws(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], placebo: Bool) -> [Double] {
        let width = problem.cohorts.count + 1
        let seed = self.seed
        return ParallelLoop.run(count: replications, width: width, workers: threads, chunkSize: 1, makeState: { () }) { _, b, out in
            var stream = RandomStream(seed: seed, replication: UInt64(b), purpose: placebo ? .permutation : .bootstrap)
            let estimates = placebo ? Self.placeboDraw(problem, fits: fits, stream: &stream)
                : Self.bootstrapDraw(problem, fits: fits, stream: &stream)
            for k in 0..<width { out[k] = estimates[k] }
        }
    }

    /// One placebo draw: [ATT, cohort estimates…].
    static func placeboDraw(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], stream: inout RandomStream) -> [Double] {
        var order = Array(problem.controls.indices)
        order.withUnsafeMutableBufferPointer { stream.shuffle($0) }
        return placeboEstimates(problem, fits: fits, permutation: order)
    }

    /// The placebo estimates for a permutation of the never-treated positions (a test seam).
    static func placeboEstimates(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], permutation: [Int]) -> [Double] {
        let treatedTotal = problem.cohorts.reduce(0) { $0 + $1.treated.count }
        let keep = permutation.count - treatedTotal
        let controlPositions = Array(permutation[..<keep])
        let controls = controlPositions.map { problem.controls[$0] }
        var next = keep
        var estimates: [Double] = []
        for (k, block) in problem.cohorts.enumerated() {
            let treated = permutation[next..<(next + block.treated.count)].map { problem.controls[$0] }
            next += block.treated.count
            let start = warmStart(fits[k], positions: controlPositions)
            estimates.append(problem.fit(controls: controls, treated: treated, pre: block.adoption, warmStart: start).estimate)
        }
        let shares = problem.shares(treatedCounts: problem.cohorts.map(\.treated.count))
        return [zip(estimates, shares).reduce(0) { $0 + $1.0 * $1.1 }] + estimates
    }

    /// One bootstrap draw: [ATT, cohort estimates…] (NaN for cohorts not drawn).
    static func bootstrapDraw(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], stream: inout RandomStream) -> [Double] {
        let units = problem.controls.count + problem.cohorts.reduce(0) { $0 + $1.treated.count }
        while true {
            let rows = (0..<units).map { _ in stream.integer(below: units) }.sorted()
            if let first = rows.first, let last = rows.last, first < problem.controls.count, last >= problem.controls.count {
                return bootstrapEstimates(problem, fits: fits, rows: rows)
            }
        }
    }

    /// The bootstrap estimates for sampled rows (sorted; rows index the never treated, then each
    /// cohort's treated units in order), a test seam.
    static func bootstrapEstimates(_ problem: SyntheticDiDProblem, fits: [SyntheticDiDProblem.Fit], rows: [Int]) -> [Double] {
        let n0 = problem.controls.count
        let controlPositions = rows.filter { $0 < n0 }
        let controls = controlPositions.map { problem.controls[$0] }
        var offset = n0
        var estimates: [Double] = [], counts: [Int] = []
        for (k, block) in problem.cohorts.enumerated() {
            let treated = rows.filter { $0 >= offset && $0 < offset + block.treated.count }.map { block.treated[$0 - offset] }
            offset += block.treated.count
            counts.append(treated.count)
            guard !treated.isEmpty else { estimates.append(.nan); continue }
            let start = warmStart(fits[k], positions: controlPositions)
            estimates.append(problem.fit(controls: controls, treated: treated, pre: block.adoption, warmStart: start).estimate)
        }
        let shares = problem.shares(treatedCounts: counts)
        var att = 0.0
        for k in estimates.indices where counts[k] > 0 { att += estimates[k] * shares[k] }
        return [att] + estimates
    }

    /// R's refit start: ω restricted to `positions` and renormalised, λ and the tuning kept.
    static func warmStart(_ fit: SyntheticDiDProblem.Fit, positions: [Int]) -> SyntheticDiDProblem.WarmStart {
        SyntheticDiDProblem.WarmStart(omega: FrankWolfeWeights.sumNormalized(positions.map { fit.omega[$0] }), lambda: fit.lambda,
                                      zetaOmega: fit.zetaOmega, zetaLambda: fit.zetaLambda, minDecrease: fit.minDecrease)
    }
}
