import CGSL

/// The interaction model re-fitted under permuted group labels, with the outcome and covariates
/// partialled out once (Frisch–Waugh–Lovell): per draw only the `m` interaction columns are rebuilt,
/// two-way demeaned and purged of the covariates.
///
/// With `Z` the demeaned covariates, `ÿ = M_Z ỹ` and `D̈_g = M_Z M_D (D·1{g})`:
/// `β = (D̈'D̈)⁻¹D̈'ÿ`, residuals `ü = ÿ − D̈β` (the full model's), and the variance of `β` is the
/// `β`-block of the full model's (the `β`-rows of `(W'W)⁻¹W'` are `(D̈'D̈)⁻¹D̈'`):
/// `V = c·B M B` with `B = (D̈'D̈)⁻¹` and `M = Σ_c s_c s_c'` (`s_c = D̈_c'ü_c`, clustered),
/// `Σ_i ü_i² d̈_i d̈_i'` (hetero), or `V = RSS/(n − K)·B` (iid); `c` and `K` are the observed
/// model's (they do not change with the labels). Allocation-free per draw.
struct SubgroupPermutationKernel: Sendable {
    enum Meat: Sendable { case iid, hetero, cluster(index: [Int32], count: Int) }

    let within: TwoWayWithin
    let observationCount: Int
    /// `ÿ`.
    let outcome: [Double]
    /// Demeaned covariates (n × kc, column-major) and `(Z'Z)⁻¹`.
    let covariates: [Double]
    let covariateInverse: [Double]
    let covariateCount: Int
    /// Number of interaction columns `m`.
    let groupCount: Int
    /// Rows where unit u is treated: `treatedStart[u] ..< unitEnd[u]` (rows are in period order).
    let treatedStart: [Int]
    let unitEnd: [Int]
    /// Units whose labels are permuted, and their observed labels (tested-group index, −1 = none).
    let permutedUnits: [Int32]
    let observedLabels: [Int32]
    let meat: Meat
    let correctionFactor: Double
    /// `n − K` of the observed model (iid `σ̂²`).
    let residualDegreesOfFreedom: Double

    /// Scratch memory of one worker.
    struct Scratch {
        var columns: [Double], residual: [Double], workspace: TwoWayWithin.Workspace, labels: [Int32]
        var gram: [Double], bread: [Double], moment: [Double], beta: [Double], meat: [Double], variance: [Double]
        var temp: [Double], scores: [Double], covariateMoment: [Double], contrast: [Double], contrastVariance: [Double]
        var treatedUnits: [Int]

        init(_ kernel: SubgroupPermutationKernel) {
            let n = kernel.observationCount, m = kernel.groupCount
            columns = [Double](repeating: 0, count: n * m)
            residual = [Double](repeating: 0, count: n)
            workspace = TwoWayWithin.Workspace(for: kernel.within)
            labels = kernel.observedLabels
            gram = [Double](repeating: 0, count: m * m)
            bread = gram; meat = gram; variance = gram; temp = gram
            moment = [Double](repeating: 0, count: m)
            beta = moment
            var clusters = 0
            if case .cluster(_, let count) = kernel.meat { clusters = count }
            scores = [Double](repeating: 0, count: clusters * m)
            covariateMoment = [Double](repeating: 0, count: max(kernel.covariateCount, 1))
            contrast = [Double](repeating: 0, count: max(m - 1, 1))
            contrastVariance = [Double](repeating: 0, count: max((m - 1) * (m - 1), 1))
            treatedUnits = [Int](repeating: 0, count: m)
        }
    }

    /// The statistics under `scratch.labels`: (difference or range, Wald F); NaN when a group has
    /// no treated unit or the system is singular.
    func evaluate(_ scratch: inout Scratch) -> (statistic: Double, wald: Double) {
        let n = observationCount, m = groupCount, kc = covariateCount
        // Build D·1{g} for every tested group, demean, purge the covariates.
        for g in 0..<m { scratch.treatedUnits[g] = 0 }
        scratch.columns.withUnsafeMutableBufferPointer { columns in
            for i in 0..<(n * m) { columns[i] = 0 }
            for (k, unit) in permutedUnits.enumerated() {
                let label = Int(scratch.labels[k])
                let u = Int(unit)
                guard label >= 0, treatedStart[u] < unitEnd[u] else { continue }
                scratch.treatedUnits[label] += 1
                for row in treatedStart[u]..<unitEnd[u] { columns[label * n + row] = 1 }
            }
        }
        for g in 0..<m where scratch.treatedUnits[g] == 0 { return (.nan, .nan) }
        scratch.columns.withUnsafeMutableBufferPointer { columns in
            scratch.residual.withUnsafeMutableBufferPointer { temp in
                for g in 0..<m {
                    let column = UnsafeMutableBufferPointer(rebasing: columns[(g * n)..<((g + 1) * n)])
                    for i in 0..<n { temp[i] = column[i] }
                    within.transform(UnsafeBufferPointer(temp), into: column, workspace: &scratch.workspace)
                    guard kc > 0 else { continue }
                    covariates.withUnsafeBufferPointer { z in
                        for a in 0..<kc {
                            scratch.covariateMoment[a] = dot(UnsafeBufferPointer(rebasing: z[(a * n)..<((a + 1) * n)]),
                                                             UnsafeBufferPointer(column))
                        }
                        for a in 0..<kc {
                            var b = 0.0
                            for c in 0..<kc { b += covariateInverse[a * kc + c] * scratch.covariateMoment[c] }
                            for i in 0..<n { column[i] -= b * z[a * n + i] }
                        }
                    }
                }
            }
        }
        // β = (D̈'D̈)⁻¹ D̈'ÿ.
        scratch.columns.withUnsafeBufferPointer { columns in
            outcome.withUnsafeBufferPointer { y in
                for a in 0..<m {
                    let ca = UnsafeBufferPointer(rebasing: columns[(a * n)..<((a + 1) * n)])
                    scratch.moment[a] = dot(ca, y)
                    for b in 0...a {
                        let value = dot(ca, UnsafeBufferPointer(rebasing: columns[(b * n)..<((b + 1) * n)]))
                        scratch.gram[a * m + b] = value
                        scratch.gram[b * m + a] = value
                    }
                }
            }
        }
        for i in 0..<(m * m) { scratch.bread[i] = scratch.gram[i] }
        guard SubgroupPermutationKernel.invertInPlace(&scratch.bread, m) else { return (.nan, .nan) }
        for a in 0..<m {
            var sum = 0.0
            for b in 0..<m { sum += scratch.bread[a * m + b] * scratch.moment[b] }
            scratch.beta[a] = sum
        }
        // Residuals and the meat.
        for i in 0..<n { scratch.residual[i] = outcome[i] }
        scratch.columns.withUnsafeBufferPointer { columns in
            scratch.residual.withUnsafeMutableBufferPointer { u in
                for a in 0..<m {
                    let coefficient = scratch.beta[a]
                    for i in 0..<n { u[i] -= coefficient * columns[a * n + i] }
                }
            }
        }
        for i in 0..<(m * m) { scratch.meat[i] = 0 }
        switch meat {
        case .iid:
            let rss = scratch.residual.withUnsafeBufferPointer { dot($0, $0) }
            let sigma2 = rss / residualDegreesOfFreedom
            for i in 0..<(m * m) { scratch.variance[i] = sigma2 * scratch.bread[i] }
        case .hetero:
            scratch.columns.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    let u2 = scratch.residual[i] * scratch.residual[i]
                    for a in 0..<m { for b in 0...a { scratch.meat[a * m + b] += x[a * n + i] * x[b * n + i] * u2 } }
                }
            }
            sandwich(&scratch, m)
        case let .cluster(index, count):
            for i in 0..<(count * m) { scratch.scores[i] = 0 }
            scratch.columns.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    let c = Int(index[i]), u = scratch.residual[i]
                    for a in 0..<m { scratch.scores[c * m + a] += x[a * n + i] * u }
                }
            }
            for c in 0..<count {
                for a in 0..<m { for b in 0...a { scratch.meat[a * m + b] += scratch.scores[c * m + a] * scratch.scores[c * m + b] } }
            }
            sandwich(&scratch, m)
        }
        // Statistics: difference (m = 2) or range; Wald F of β_g − β_m = 0.
        var statistic: Double
        if m == 2 {
            statistic = scratch.beta[0] - scratch.beta[1]
        } else {
            var low = Double.infinity, high = -Double.infinity
            for a in 0..<m { low = min(low, scratch.beta[a]); high = max(high, scratch.beta[a]) }
            statistic = high - low
        }
        let q = m - 1
        for a in 0..<q {
            scratch.contrast[a] = scratch.beta[a] - scratch.beta[q]
            for b in 0..<q {
                scratch.contrastVariance[a * q + b] = scratch.variance[a * m + b] - scratch.variance[a * m + q]
                    - scratch.variance[q * m + b] + scratch.variance[q * m + q]
            }
        }
        for i in 0..<(q * q) { scratch.temp[i] = scratch.contrastVariance[i] }
        guard SubgroupPermutationKernel.invertInPlace(&scratch.temp, q) else { return (statistic, .nan) }
        var w = 0.0
        for a in 0..<q { for b in 0..<q { w += scratch.contrast[a] * scratch.temp[a * q + b] * scratch.contrast[b] } }
        if !statistic.isFinite { statistic = .nan }
        return (statistic, w / Double(q))
    }

    /// `V = c · B M B` (M lower triangle in `scratch.meat`).
    func sandwich(_ scratch: inout Scratch, _ m: Int) {
        for a in 0..<m { for b in 0..<a { scratch.meat[b * m + a] = scratch.meat[a * m + b] } }
        for a in 0..<m {
            for b in 0..<m {
                var sum = 0.0
                for c in 0..<m { sum += scratch.bread[a * m + c] * scratch.meat[c * m + b] }
                scratch.temp[a * m + b] = sum
            }
        }
        for a in 0..<m {
            for b in 0..<m {
                var sum = 0.0
                for c in 0..<m { sum += scratch.temp[a * m + c] * scratch.bread[c * m + b] }
                scratch.variance[a * m + b] = correctionFactor * sum
            }
        }
    }

    /// Inverts the leading `m × m` symmetric positive-definite block in place (GSL Cholesky);
    /// false when it is not positive definite.
    static func invertInPlace(_ matrix: inout [Double], _ m: Int) -> Bool {
        RandomStream.disableGSLAbort
        guard m > 0 else { return true }
        return matrix.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            var view = gsl_matrix_view_array(base, m, m)
            guard gsl_linalg_cholesky_decomp1(&view.matrix) == 0 else { return false }
            return gsl_linalg_cholesky_invert(&view.matrix) == 0
        }
    }
}
