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
    /// Degrees of freedom of the t distribution for p-values and intervals (for CR2, whose terms
    /// each have their own, `G − 1`: the df of joint tests; see ``termDegreesOfFreedom``).
    public let degreesOfFreedom: Double
    /// Number of clusters (nil unless clustered).
    public let clusterCount: Int?
    /// Per-term degrees of freedom, when terms differ (CR2's Satterthwaite df) or the variance's
    /// contract reports them per term (CR3: `G − 1` each); nil: every term uses ``degreesOfFreedom``.
    public var termDegreesOfFreedom: [Double]? = nil
    /// CR2: the Satterthwaite df of any linear combination of the terms (for aggregated terms).
    var satterthwaite: CR2Satterthwaite? = nil

    /// The degrees of freedom of term `index`'s t test.
    public func degreesOfFreedom(term index: Int) -> Double { termDegreesOfFreedom?[index] ?? degreesOfFreedom }
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
            let unitsNested = unitsAreNested(clustering)
            let periodsNested = isNested(group: panel.periodIndex, groupCount: panel.periodCount, in: clustering)
            var count = full
            if unitsNested { count -= panel.unitCount - 1 }
            if periodsNested { count -= panel.periodCount - 1 }
            return count
        }
    }

    /// True when every unit lies inside a single cluster. Clusterings reach inference through a
    /// ``Panel``, which records this once (``Clustering/unitCluster``).
    static func unitsAreNested(_ clustering: Clustering) -> Bool {
        clustering.unitCluster != nil
    }

    /// True when every level of `group` lies inside a single cluster.
    static func isNested(group: [Int32], groupCount: Int, in clustering: Clustering) -> Bool {
        // Scratch on the stack where it is small (a panel's periods), no heap allocation per fit.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(groupCount, 1)) { owner in
            owner.initialize(repeating: -1)
            for row in 0..<group.count {
                let level = Int(group[row])
                let cluster = clustering.index[row]
                if owner[level] == -1 { owner[level] = cluster } else if owner[level] != cluster { return false }
            }
            return true
        }
    }

    /// The variance of `fit` on `design` from `panel`.
    /// - Throws: ``EstimationError/unknownClustering(name:available:)``, ``EstimationError/tooFewClusters(name:count:)``.
    static func estimate(fit: LeastSquaresFit, design: DemeanedDesign, panel: Panel, type: VarianceType,
                                correction: SmallSampleCorrection = .fixest) throws -> VarianceEstimate {
        let (kind, clustering) = try momentKind(type: type, panel: panel)
        let moments = ResidualMoments(design: design, kept: fit.keptTerms, residuals: fit.residuals, kind: kind,
                                      transform: fit.bread)
        return estimate(bread: fit.bread, moments: moments, clustering: clustering, design: design, panel: panel,
                        type: type, correction: correction)
    }

    /// What ``ResidualMoments`` must accumulate for `type`, and the clustering it names.
    /// - Throws: ``EstimationError/unknownClustering(name:available:)``, ``EstimationError/tooFewClusters(name:count:)``.
    static func momentKind(type: VarianceType, panel: Panel) throws -> (ResidualMoments.Kind, Clustering?) {
        switch type {
        case .iid: return (.none, nil)
        case .hetero: return (.hetero, nil)
        case .cluster(let name):
            let clustering = try clusteringNamed(name, in: panel)
            return (.cluster(clustering), clustering)
        case .twoWayCluster, .conley:
            throw EstimationError.invalidOption("\(type.label) is computed from stored residuals "
                                                + "(VarianceEstimator.residualBased), not from one-pass moments")
        case .cr2(let name), .cr3(let name):
            // No meat: CR2 and CR3 are computed from the whole regression (`FixedEffectsRegression`).
            return (.none, try clusteringNamed(name, in: panel))
        }
    }

    /// The clustering `name` of `panel` (a column, or an interaction `A^B`), with at least two clusters.
    /// - Throws: ``EstimationError/unknownClustering(name:available:)``, ``EstimationError/tooFewClusters(name:count:)``.
    static func clusteringNamed(_ name: String, in panel: Panel) throws -> Clustering {
        let clustering = try panel.clustering(named: name)
        guard clustering.count >= 2 else { throw EstimationError.tooFewClusters(name: name, count: clustering.count) }
        return clustering
    }

    /// The variance from the bread `(X̃'X̃)⁻¹` of the kept terms and the residuals' `moments`
    /// (accumulated with ``momentKind(type:panel:)``'s kind; `clustering` is the one it returned).
    ///
    /// Pass moments accumulated with `transform: bread`: their meat is then `B M B` summed from the
    /// transformed scores, positive semi-definite and free of the cancellation that multiplying
    /// `B M B` out suffers when one cluster's score dwarfs the rest (see ``ResidualMoments``);
    /// `V = c · meat`. Moments without a transform still get the explicit product `c · B M B`.
    static func estimate(bread: [Double], moments: ResidualMoments, clustering: Clustering?,
                                design: DemeanedDesign, panel: Panel, type: VarianceType,
                                correction: SmallSampleCorrection = .fixest) -> VarianceEstimate {
        let n = Double(design.observationCount)
        let m = Int(Double(bread.count).squareRoot().rounded())
        let fullK = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank,
                                              correction: SmallSampleCorrection(fixedEffectCount: .full,
                                                                                exactRank: correction.exactRank),
                                              clustering: nil)
        let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                          clustering: clustering)
        precondition(moments.transform == nil || moments.transform == bread,
                     "the moments were accumulated with a transform other than this bread")
        // `factor · B M B`: already sandwiched by the moments, or multiplied out here.
        func sandwiched(_ factor: Double) -> [Double] {
            moments.transform == nil ? sandwich(bread: bread, meat: moments.meat, m: m, factor: factor)
                : moments.meat.map { $0 * factor }
        }
        switch type {
        case .iid:
            let sigma2 = moments.residualSumOfSquares / (n - Double(k))
            return VarianceEstimate(type: type, matrix: bread.map { $0 * sigma2 }, parameterCount: k,
                                    correctionFactor: 1, degreesOfFreedom: n - Double(fullK), clusterCount: nil)
        case .hetero:
            let factor = correction.kAdjustment
                ? (correction.heteroUsesN ? n : n - 1) / (n - Double(k)) : 1
            return VarianceEstimate(type: type, matrix: sandwiched(factor),
                                    parameterCount: k, correctionFactor: factor,
                                    degreesOfFreedom: n - Double(fullK), clusterCount: nil)
        case .cluster:
            let g = clustering?.count ?? 0
            var factor = 1.0
            if correction.clusterAdjustment { factor *= Double(g) / Double(g - 1) }
            if correction.kAdjustment { factor *= (n - 1) / (n - Double(k)) }
            return VarianceEstimate(type: type, matrix: sandwiched(factor),
                                    parameterCount: k, correctionFactor: factor,
                                    degreesOfFreedom: Double(g - 1), clusterCount: g)
        case .twoWayCluster, .conley:
            preconditionFailure("momentKind(type:panel:) refuses \(type.label); use residualBased(...)")
        case .cr2, .cr3:
            // Not a function of residual moments: `FixedEffectsRegression` computes them with
            // ``BellMcCaffreyVariance`` and ``ClusterJackknifeVariance`` and never calls this for
            // them; the matrix is left undefined (NaN, reported as missing) rather than wrong.
            let g = clustering?.count ?? 0
            return VarianceEstimate(type: type, matrix: [Double](repeating: .nan, count: m * m), parameterCount: k,
                                    correctionFactor: 1, degreesOfFreedom: Double(g - 1), clusterCount: g)
        }
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
