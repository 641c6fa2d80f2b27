import CGSL

/// R `did`'s multiplier bootstrap (`mboot`) for influence functions: bootstrap standard errors
/// and the critical value of uniform (simultaneous) confidence bands (Callaway & Sant'Anna
/// 2021, Algorithm 1 and Remark 10 for clusters).
///
/// For `K` estimates with influence functions `ψ_k` over `n` units, summed within `G` clusters
/// (`S_ck = Σ_{i∈c} ψ_ik`; clusters are units by default), replication `b` draws one multiplier
/// `v_c` per cluster and forms `R*_bk = G^{-1/2} Σ_c v_c S_ck` (R did 2.5: cluster sums).
/// Then, per estimate, `σ̂_k = (q_.75 − q_.25)/(z_.75 − z_.25)` of `R*_·k` (quantiles of R's
/// type 1, the inverted empirical distribution), the standard error is `σ̂_k √G / n`, and the
/// band's critical value is the `level` quantile (type 1) of `max_k |R*_bk / σ̂_k|`.
/// Estimates whose draws are all zero (reference cells) are left out, with NaN standard error.
///
/// **Determinism.** Replications are drawn in blocks of 64; block `j` draws from
/// ``RandomStream`` (`seed`, replication `j`, purpose ``RandomStream/Purpose/bootstrap``), so the
/// result is bit-identical for any thread count.
public struct MultiplierBootstrap: Sendable, Equatable {
    /// The multiplier distribution (mean 0, variance 1).
    public enum Weights: String, Sendable, CaseIterable {
        /// ±1 with probability ½ each (R `did`'s only choice).
        case rademacher
        /// Mammen's two-point distribution: `−(√5−1)/2` w.p. `(√5+1)/(2√5)`, else `(√5+1)/2`
        /// (matches the third moment).
        case mammen
    }

    /// Bootstrap replications (R `did`'s `biters`, default 1000).
    public var replications: Int
    /// Multiplier weights.
    public var weights: Weights
    /// Seed of the bootstrap streams.
    public var seed: UInt64
    /// Coverage of the uniform band (R `did`'s `1 − alp`).
    public var level: Double
    /// Worker threads (nil = all cores); results do not depend on it.
    public var threads: Int?

    /// Creates a bootstrap; defaults follow R `did` (1000 Rademacher replications, 95%).
    public init(replications: Int = 1000, weights: Weights = .rademacher, seed: UInt64 = 1,
                level: Double = 0.95, threads: Int? = nil) {
        self.replications = replications
        self.weights = weights
        self.seed = seed
        self.level = level
        self.threads = threads
    }

    /// Bootstrap standard errors and the uniform critical value of `K` estimates.
    public struct Band: Sendable, Equatable {
        /// Bootstrap standard error of each estimate (NaN for degenerate ones): R `did`'s
        /// interquartile-range estimate `σ̂_k √G / n`.
        public let standardErrors: [Double]
        /// The draws' standard deviations on the same scale (√ of R's `V` diagonal · √G/n).
        /// Its expectation is exactly the analytic standard error (E v² = 1), whereas the IQR-based
        /// ``standardErrors`` match it only when the draws are close to normal (a cohort of a few
        /// units with extreme changes makes them heavier- or lighter-tailed).
        public let drawStandardDeviations: [Double]
        /// Critical value `c`: the band is `estimate ± c · se` (NaN when nothing varies).
        public let criticalValue: Double
        /// Replications used.
        public let replications: Int
    }

    static let blockSize = 64

    /// Runs the bootstrap on `count` influence functions (`count × unitCount`, row-major)
    /// with cluster `cluster[i]` (`0..<clusterCount`) for unit column `i`.
    public func run(influence: [Double], count: Int, unitCount n: Int, cluster: [Int32], clusterCount: Int) -> Band {
        precondition(influence.count == count * n && cluster.count == n, "influence must be count × unitCount")
        precondition(replications >= 1, "replications must be positive")
        // Cluster sums, cluster-major: S[c * count + k].
        var sums = [Double](repeating: 0, count: clusterCount * count)
        for k in 0..<count { for i in 0..<n { sums[Int(cluster[i]) * count + k] += influence[k * n + i] } }
        let weights = self.weights
        let scale = 1 / Double(clusterCount).squareRoot()
        let frozenSums = sums
        let loop = ResamplingLoop(count: replications, drawsPerStream: Self.blockSize, seed: seed, purpose: .bootstrap,
                                  workers: threads)
        let draws = loop.run(width: count, initial: Double.nan,
                             makeWorkspace: { [Double](repeating: 0, count: clusterCount) }) { multipliers, stream, block, out in
            for r in 0..<block.count {
                multipliers.withUnsafeMutableBufferPointer { v in
                    Self.draw(into: v, weights: weights, stream: stream)
                    let row = UnsafeMutableBufferPointer(rebasing: out[(r * count)..<((r + 1) * count)])
                    for k in 0..<count { row[k] = 0 }
                    frozenSums.withUnsafeBufferPointer { sums in
                        for c in 0..<clusterCount {
                            let weight = scale * v[c]
                            let base = c * count
                            for k in 0..<count { row[k] += weight * sums[base + k] }
                        }
                    }
                }
            }
        }
        return summarise(draws: draws, count: count, unitCount: n, clusterCount: clusterCount)
    }

    /// Fills `v` with multipliers: Rademacher signs from the bits of 32-bit mt19937 words (bit
    /// `j` of word `w` gives multiplier `32w + j`, 1 → +1), Mammen points from uniform draws.
    static func draw(into v: UnsafeMutableBufferPointer<Double>, weights: Weights, stream: borrowing RandomStream) {
        switch weights {
        case .rademacher:
            var c = 0
            while c < v.count {
                let word = stream.nextWord()
                for bit in 0..<min(32, v.count - c) { v[c + bit] = (word >> UInt32(bit)) & 1 == 1 ? 1 : -1 }
                c += 32
            }
        case .mammen:
            stream.fillUniform(v)
            for c in v.indices { v[c] = multiplier(uniform: v[c], weights: .mammen) }
        }
    }

    /// A multiplier from a uniform draw on [0, 1).
    @inline(__always)
    static func multiplier(uniform u: Double, weights: Weights) -> Double {
        switch weights {
        case .rademacher: return u < 0.5 ? -1 : 1
        case .mammen:
            let root5 = 5.0.squareRoot()
            return u < (root5 + 1) / (2 * root5) ? -(root5 - 1) / 2 : (root5 + 1) / 2
        }
    }

    /// R `did`'s `mboot` summary of the draws (`replications × count` after dropping padding).
    func summarise(draws: [Double], count: Int, unitCount n: Int, clusterCount: Int) -> Band {
        let z = gsl_cdf_ugaussian_Pinv(0.75) - gsl_cdf_ugaussian_Pinv(0.25)
        var sigma = [Double](repeating: .nan, count: count), deviation = sigma
        var column = [Double](repeating: 0, count: replications)
        for k in 0..<count {
            var energy = 0.0, total = 0.0
            for b in 0..<replications {
                column[b] = draws[b * count + k]
                energy += column[b] * column[b]
                total += column[b]
            }
            guard energy > 0, energy.isFinite else { continue }
            if replications > 1 {
                let mean = total / Double(replications)
                var squares = 0.0
                for b in 0..<replications { squares += (column[b] - mean) * (column[b] - mean) }
                deviation[k] = (squares / Double(replications - 1)).squareRoot()
            }
            column.sort()
            let spread = (Self.quantileType1(column, 0.75) - Self.quantileType1(column, 0.25)) / z
            if spread > 0 { sigma[k] = spread }
        }
        var maxima: [Double] = []
        maxima.reserveCapacity(replications)
        for b in 0..<replications {
            var largest = -Double.infinity
            for k in 0..<count where sigma[k].isFinite { largest = max(largest, abs(draws[b * count + k] / sigma[k])) }
            if largest.isFinite { maxima.append(largest) }
        }
        maxima.sort()
        let critical = maxima.isEmpty ? .nan : Self.quantileType1(maxima, level)
        let factor = Double(clusterCount).squareRoot() / Double(n)
        return Band(standardErrors: sigma.map { $0 * factor }, drawStandardDeviations: deviation.map { $0 * factor },
                    criticalValue: critical, replications: replications)
    }

    /// R's `quantile(x, p, type = 1)` of sorted values: the smallest `x` with `F̂(x) ≥ p`.
    static func quantileType1(_ sorted: [Double], _ probability: Double) -> Double {
        let index = Int((probability * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(index, 0), sorted.count - 1)]
    }
}

extension CallawaySantAnnaResult {
    /// What to bootstrap: every ATT(g,t), or the parts of one aggregation.
    public enum BootstrapTarget: Sendable, Equatable {
        /// Every ATT(g,t) (the band of `att_gt`).
        case groupTime
        /// The parts of an aggregation (event times, cohorts or periods); for
        /// ``AggregationKind/simple`` the overall ATT.
        case aggregation(AggregationKind)
    }

    /// Multiplier-bootstrap standard errors and the uniform band's critical value for `target`,
    /// clustered as the analytic standard errors are.
    public func bootstrap(_ target: BootstrapTarget, _ bootstrap: MultiplierBootstrap) -> MultiplierBootstrap.Band {
        let influence: [Double], count: Int
        switch target {
        case .groupTime:
            influence = groupTimeInfluence
            count = groupTime.count
        case .aggregation(let kind):
            let aggregation = self.aggregation(kind)
            if kind == .simple {
                influence = aggregation.overallInfluence
                count = 1
            } else {
                influence = aggregation.influence
                count = aggregation.keys.count
            }
        }
        return bootstrap.run(influence: influence, count: count, unitCount: unitCount, cluster: clusterOfUnit,
                             clusterCount: clusterCount)
    }
}
