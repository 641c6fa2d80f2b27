/// A variance–covariance matrix with the counts that produced it.
public struct VarianceEstimate: Sendable {
    /// Which estimator.
    public let type: VarianceType
    /// Row-major `m × m` matrix over the kept terms.
    public let matrix: [Double]
    /// Parameters counted in the small-sample correction.
    public let parameterCount: Int
    /// The full multiplier applied to the sandwich (or to σ̂² for iid).
    public let correctionFactor: Double
    /// Degrees of freedom of the t distribution for p-values and intervals.
    public let degreesOfFreedom: Double
    /// Number of clusters (nil unless clustered).
    public let clusterCount: Int?
}

/// Computes iid, hetero and CR1 variances for a fit on a two-way fixed-effects panel.
///
/// Sandwich `V = c · B M B` with `B = (X̃'X̃)⁻¹`:
/// - iid: `V = Σû²/(n − K) · B`, `K = k + FE` (every fixed-effect level counted);
/// - hetero: `M = Σ_i û_i² x̃_i x̃_i'`, `c = (n − 1)/(n − K)` (fixest) or `n/(n − K)`;
/// - cluster: `M = Σ_g s_g s_g'`, `s_g = Σ_{i∈g} x̃_i û_i`, `c = G/(G − 1) · (n − 1)/(n − K)`
///   with `K` from the ``SmallSampleCorrection`` (fixest's nested rule by default).
public enum VarianceEstimator {
    /// Number of fixed-effect parameters for `K`.
    static func fixedEffectParameters(panel: Panel, rank: Int, correction: SmallSampleCorrection,
                                      clustering: Clustering?) -> Int {
        let conventional = panel.unitCount + panel.periodCount - 1
        let full = correction.exactRank ? rank : conventional
        switch correction.fixedEffectCount {
        case .none: return 0
        case .full: return full
        case .nested:
            guard let clustering else { return full }
            let unitsNested = unitsAreNested(panel: panel, in: clustering)
            let periodsNested = isNested(group: panel.periodIndex, groupCount: panel.periodCount, in: clustering)
            var count = full
            if unitsNested { count -= panel.unitCount - 1 }
            if periodsNested { count -= panel.periodCount - 1 }
            return count
        }
    }

    /// True when every unit lies inside a single cluster (rows of a unit are contiguous).
    static func unitsAreNested(panel: Panel, in clustering: Clustering) -> Bool {
        clustering.index.withUnsafeBufferPointer { cluster in
            for unit in 0..<panel.unitCount {
                let start = panel.unitStart[unit], end = panel.unitStart[unit + 1]
                guard start < end else { continue }
                let first = cluster[start]
                for row in (start + 1)..<end where cluster[row] != first { return false }
            }
            return true
        }
    }

    /// True when every level of `group` lies inside a single cluster.
    static func isNested(group: [Int32], groupCount: Int, in clustering: Clustering) -> Bool {
        var owner = [Int32](repeating: -1, count: groupCount)
        for row in 0..<group.count {
            let level = Int(group[row])
            let cluster = clustering.index[row]
            if owner[level] == -1 { owner[level] = cluster } else if owner[level] != cluster { return false }
        }
        return true
    }

    /// The variance of `fit` on `design` from `panel`.
    /// - Throws: ``EstimationError/unknownClustering(name:available:)``, ``EstimationError/tooFewClusters(name:count:)``.
    public static func estimate(fit: LeastSquaresFit, design: DemeanedDesign, panel: Panel, type: VarianceType,
                                correction: SmallSampleCorrection = .fixest) throws -> VarianceEstimate {
        let n = Double(fit.residuals.count)
        let m = fit.keptTerms.count
        let kept = fit.keptTerms
        let rows = design.observationCount
        let fullK = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank,
                                              correction: SmallSampleCorrection(fixedEffectCount: .full,
                                                                                exactRank: correction.exactRank),
                                              clustering: nil)
        switch type {
        case .iid:
            let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                              clustering: nil)
            let sigma2 = fit.residualSumOfSquares / (n - Double(k))
            return VarianceEstimate(type: type, matrix: fit.bread.map { $0 * sigma2 }, parameterCount: k,
                                    correctionFactor: 1, degreesOfFreedom: n - Double(fullK), clusterCount: nil)
        case .hetero:
            let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                              clustering: nil)
            var meat = [Double](repeating: 0, count: m * m)
            design.matrix.withUnsafeBufferPointer { x in
                fit.residuals.withUnsafeBufferPointer { u in
                    for i in 0..<rows {
                        let u2 = u[i] * u[i]
                        for a in 0..<m { for b in 0...a {
                            meat[a * m + b] += x[kept[a] * rows + i] * x[kept[b] * rows + i] * u2
                        } }
                    }
                }
            }
            let factor = correction.kAdjustment
                ? (correction.heteroUsesN ? n : n - 1) / (n - Double(k)) : 1
            return VarianceEstimate(type: type, matrix: sandwich(bread: fit.bread, meat: symmetrised(meat, m), m: m,
                                                                 factor: factor),
                                    parameterCount: k, correctionFactor: factor,
                                    degreesOfFreedom: n - Double(fullK), clusterCount: nil)
        case .cluster(let name):
            guard let clustering = panel.clusterings[name] else {
                throw EstimationError.unknownClustering(name: name, available: Array(panel.clusterings.keys))
            }
            let g = clustering.count
            guard g >= 2 else { throw EstimationError.tooFewClusters(name: name, count: g) }
            let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                              clustering: clustering)
            let scores = clusterScores(design: design, kept: kept, residuals: fit.residuals, clustering: clustering)
            var meat = [Double](repeating: 0, count: m * m)
            for cluster in 0..<g {
                let base = cluster * m
                for a in 0..<m { for b in 0...a { meat[a * m + b] += scores[base + a] * scores[base + b] } }
            }
            var factor = 1.0
            if correction.clusterAdjustment { factor *= Double(g) / Double(g - 1) }
            if correction.kAdjustment { factor *= (n - 1) / (n - Double(k)) }
            return VarianceEstimate(type: type, matrix: sandwich(bread: fit.bread, meat: symmetrised(meat, m), m: m,
                                                                 factor: factor),
                                    parameterCount: k, correctionFactor: factor,
                                    degreesOfFreedom: Double(g - 1), clusterCount: g)
        }
    }

    /// Per-cluster scores `s_g = Σ_{i∈g} x̃_i û_i`, `g × m` row-major. Runs of rows in the same
    /// cluster (every unit's rows, as panels are sorted by unit) are summed together: for each kept
    /// column, ``runDot(_:_:count:)`` over the run. The order of summation depends only on the
    /// run lengths, so results are reproducible.
    static func clusterScores(design: DemeanedDesign, kept: [Int], residuals: [Double],
                              clustering: Clustering) -> [Double] {
        let m = kept.count, rows = design.observationCount
        var scores = [Double](repeating: 0, count: clustering.count * m)
        design.matrix.withUnsafeBufferPointer { x in
            residuals.withUnsafeBufferPointer { u in
                clustering.index.withUnsafeBufferPointer { cluster in
                    scores.withUnsafeMutableBufferPointer { s in
                        precondition(rows <= u.count && rows <= cluster.count
                                     && kept.allSatisfy { ($0 + 1) * rows <= x.count })
                        guard let xBase = x.baseAddress, let uBase = u.baseAddress, let sBase = s.baseAddress,
                              let clusterBase = cluster.baseAddress else { return }
                        // Offsets of the kept columns, computed once.
                        let offsets = kept.map { $0 &* rows }
                        offsets.withUnsafeBufferPointer { offset in
                            var start = 0
                            while start < rows {
                                let g = clusterBase[start]
                                var end = start &+ 1
                                while end < rows && clusterBase[end] == g { end &+= 1 }
                                let length = end &- start
                                let residualRun = uBase + start
                                let target = sBase + Int(g) &* m
                                for a in 0..<m {
                                    target[a] += runDot(xBase + (offset[a] &+ start), residualRun, count: length)
                                }
                                start = end
                            }
                        }
                    }
                }
            }
        }
        return scores
    }

    /// `Σ_{k<count} x_k y_k` for a short run (a cluster's rows): one `SIMD2` accumulator whose
    /// lanes are added at the end, then an odd last product. Fixed order; no call overhead.
    @inline(__always)
    static func runDot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Double>.stride
        var accumulator = SIMD2<Double>()
        var k = 0
        while k &+ 1 < count {
            let offset = k &* stride
            accumulator += rx.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
            k &+= 2
        }
        var sum = accumulator[0] + accumulator[1]
        if k < count { sum += x[k] * y[k] }
        return sum
    }

    static func symmetrised(_ lower: [Double], _ m: Int) -> [Double] {
        var full = lower
        for a in 0..<m { for b in 0..<a { full[b * m + a] = lower[a * m + b] } }
        return full
    }

    /// `factor · B M B` for row-major `m × m` matrices.
    static func sandwich(bread: [Double], meat: [Double], m: Int, factor: Double) -> [Double] {
        var temp = [Double](repeating: 0, count: m * m)
        for a in 0..<m { for b in 0..<m {
            var sum = 0.0
            for c in 0..<m { sum += bread[a * m + c] * meat[c * m + b] }
            temp[a * m + b] = sum
        } }
        var out = [Double](repeating: 0, count: m * m)
        for a in 0..<m { for b in 0..<m {
            var sum = 0.0
            for c in 0..<m { sum += temp[a * m + c] * bread[c * m + b] }
            out[a * m + b] = sum * factor
        } }
        return out
    }
}
