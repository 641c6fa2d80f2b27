/// Cluster terms: a clustering named by a column, or fixest's interaction `A^B` of two columns.
extension Panel {
    /// The clustering called `name`: a stored clustering, or `A^B…` (fixest's interaction: one
    /// cluster per observed combination of the levels of the named clusterings, each of which
    /// is a stored clustering or the time column).
    /// - Throws: ``EstimationError/unknownClustering(name:available:)`` naming the missing part;
    ///   ``EstimationError/invalidOption(_:)`` for a two-way `A+B` (a variance, not a clustering).
    public func clustering(named name: String) throws -> Clustering {
        if let stored = clusterings[name] { return stored }
        if name == timeName { return periodClustering }
        if name.contains("+") {
            throw EstimationError.invalidOption("cluster '\(name)': two-way clustering (A+B) is a variance of twfe, event "
                                                + "and sa only; expected one clustering (a column or A^B) here")
        }
        let parts = name.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else {
            throw EstimationError.unknownClustering(name: name, available: Array(clusterings.keys))
        }
        var result: Clustering?
        for part in parts {
            guard let stored = clusterings[part] ?? (part == timeName ? periodClustering : nil) else {
                throw EstimationError.unknownClustering(name: part, available: Array(clusterings.keys))
            }
            result = result.map { Self.intersection($0, stored, name: name) } ?? stored
        }
        guard var interaction = result else {
            throw EstimationError.unknownClustering(name: name, available: Array(clusterings.keys))
        }
        interaction.unitCluster = Clustering.unitClusters(index: interaction.index, unitStart: unitStart)
        return interaction
    }

    /// The periods as a clustering (for interactions such as `province^year` when the time column
    /// was not loaded as a clustering).
    var periodClustering: Clustering {
        Clustering(name: timeName, index: periodIndex, count: periodCount, labels: periodLabels)
    }

    /// One cluster per observed pair of clusters of `a` and `b` (numbered in order of first
    /// appearance), labelled `a-b`.
    static func intersection(_ a: Clustering, _ b: Clustering, name: String) -> Clustering {
        var code: [Int: Int32] = [:]
        var labels: [String] = []
        var index = [Int32](repeating: 0, count: a.index.count)
        for row in a.index.indices {
            let key = Int(a.index[row]) * b.count + Int(b.index[row])
            if let known = code[key] {
                index[row] = known
            } else {
                let next = Int32(labels.count)
                code[key] = next
                labels.append(a.labels[Int(a.index[row])] + "-" + b.labels[Int(b.index[row])])
                index[row] = next
            }
        }
        return Clustering(name: name, index: index, count: labels.count, labels: labels)
    }
}

/// Two-way cluster-robust variance (Cameron, Gelbach & Miller 2011), with R fixest's and
/// pyfixest 0.60.0's default small-sample rules (`ssc()`, `vcov = ~A + B`):
///
/// `V = c · (V_A + V_B − V_{A∩B})`, each `V_C = B (Σ_g s_g s_g') B` over the clusters of `C`
/// (A∩B: the observed pairs), with one factor for all three terms,
/// `c = G/(G − 1) · (n − 1)/(n − K)`, `G = min(G_A, G_B)` (fixest `cluster.df = "min"`), and
/// `t(G − 1)` for p-values and intervals (`t.df = "min"`). `K` counts a fixed effect nested in
/// `A` or in `B` as one parameter (fixest `K.fixef = "nonnested"`). The result can fail to be
/// positive semi-definite; like pyfixest it is reported as computed (R fixest's `vcov_fix`
/// would zero negative eigenvalues), with a note when an eigenvalue is negative.
enum TwoWayClusterVariance {
    /// The variance from the residuals of a fit.
    /// - Throws: ``EstimationError/unknownClustering(name:available:)``, ``EstimationError/tooFewClusters(name:count:)``.
    static func estimate(design: DemeanedDesign, kept: [Int], residuals: [Double], bread: [Double], panel: Panel,
                         first: String, second: String, correction: SmallSampleCorrection) throws
        -> (VarianceEstimate, ResidualMoments) {
        let a = try panel.clustering(named: first), b = try panel.clustering(named: second)
        for clustering in [a, b] where clustering.count < 2 {
            throw EstimationError.tooFewClusters(name: clustering.name, count: clustering.count)
        }
        var both = Panel.intersection(a, b, name: first + "^" + second)
        both.unitCluster = Clustering.unitClusters(index: both.index, unitStart: panel.unitStart)
        let moments = [a, b, both].map {
            ResidualMoments(design: design, kept: kept, residuals: residuals, kind: .cluster($0), transform: bread)
        }
        let m = kept.count
        let n = Double(design.observationCount)
        let k = m + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank, correction: correction,
                                          clusterings: [a, b])
        let g = min(a.count, b.count)
        var factor = 1.0
        if correction.clusterAdjustment { factor *= Double(g) / Double(g - 1) }
        if correction.kAdjustment { factor *= (n - 1) / (n - Double(k)) }
        var matrix = [Double](repeating: 0, count: m * m)
        for e in 0..<(m * m) { matrix[e] = factor * ((moments[0].meat[e] + moments[1].meat[e]) - moments[2].meat[e]) }
        let variance = VarianceEstimate(type: .twoWayCluster(first, second), matrix: matrix, parameterCount: k,
                                        correctionFactor: factor, degreesOfFreedom: Double(g - 1), clusterCount: g)
        return (variance, moments[0])
    }

    /// Fixed-effect parameters in `K`: every level (or the exact rank), less the unit or period
    /// effects nested in any of `clusterings` (each then counts as one).
    static func fixedEffectParameters(panel: Panel, rank: Int, correction: SmallSampleCorrection,
                                      clusterings: [Clustering]) -> Int {
        let conventional = panel.unitCount + panel.periodCount - 1
        let full = correction.exactRank ? rank : conventional
        switch correction.fixedEffectCount {
        case .none: return 0
        case .full: return full
        case .nested:
            var count = full
            if clusterings.contains(where: { $0.unitCluster != nil }) { count -= panel.unitCount - 1 }
            if clusterings.contains(where: {
                VarianceEstimator.isNested(group: panel.periodIndex, groupCount: panel.periodCount, in: $0)
            }) { count -= panel.periodCount - 1 }
            return count
        }
    }

    /// A note when `variance` has a negative eigenvalue (smallest eigenvalue by Jacobi rotations).
    static func definitenessNote(_ variance: VarianceEstimate) -> String? {
        let m = Int(Double(variance.matrix.count).squareRoot().rounded())
        guard m > 0 else { return nil }
        let smallest = SymmetricEigen.smallestEigenvalue(variance.matrix, m: m)
        let scale = (0..<m).map { abs(variance.matrix[$0 * m + $0]) }.max() ?? 0
        guard smallest < -1e-12 * max(scale, .leastNormalMagnitude) else { return nil }
        return "two-way clustered variance is not positive semi-definite (smallest eigenvalue "
            + "\(smallest)); reported as computed, as pyfixest (R fixest's vcov_fix would zero it)"
    }
}

/// The smallest eigenvalue of a small symmetric matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
    static func smallestEigenvalue(_ matrix: [Double], m: Int) -> Double {
        var a = matrix
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<m { for q in (p + 1)..<max(p + 1, m) { off += a[p * m + q] * a[p * m + q] } }
            if off < 1e-30 { break }
            for p in 0..<m {
                for q in (p + 1)..<max(p + 1, m) where a[p * m + q] != 0 {
                    let theta = (a[q * m + q] - a[p * m + p]) / (2 * a[p * m + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<m {
                        let akp = a[k * m + p], akq = a[k * m + q]
                        a[k * m + p] = c * akp - s * akq
                        a[k * m + q] = s * akp + c * akq
                    }
                    for k in 0..<m {
                        let apk = a[p * m + k], aqk = a[q * m + k]
                        a[p * m + k] = c * apk - s * aqk
                        a[q * m + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<m).map { a[$0 * m + $0] }.min() ?? 0
    }
}

/// The variances computed from stored residuals rather than from the one-pass moments: two-way
/// clustering and Conley.
extension VarianceEstimator {
    /// Whether `type` is computed by ``residualBased(design:kept:coefficients:bread:panel:type:correction:coordinates:)``.
    static func needsResiduals(_ type: VarianceType) -> Bool {
        switch type {
        case .twoWayCluster, .conley: return true
        default: return false
        }
    }

    /// The two-way clustered or Conley variance of the fit with `coefficients` on `design`, and the
    /// residual moments (for the residual sum of squares).
    /// - Throws: ``EstimationError`` for an unknown clustering, too few clusters, or Conley without
    ///   coordinates.
    static func residualBased(design: DemeanedDesign, kept: [Int], coefficients: [Double], bread: [Double],
                              panel: Panel, type: VarianceType, correction: SmallSampleCorrection,
                              coordinates: UnitCoordinates?) throws -> (VarianceEstimate, ResidualMoments) {
        let residuals = ReferenceKernels.residuals(design: design, kept: kept, coefficients: coefficients)
        switch type {
        case let .twoWayCluster(first, second):
            return try TwoWayClusterVariance.estimate(design: design, kept: kept, residuals: residuals, bread: bread,
                                                      panel: panel, first: first, second: second, correction: correction)
        case .conley(let kernel):
            guard let coordinates else {
                throw EstimationError.invalidOption("Conley standard errors need the units' coordinates "
                                                    + "(planar x, y or latitude, longitude)")
            }
            let meat = try ConleyVariance.meat(design: design, kept: kept, residuals: residuals, bread: bread,
                                               panel: panel, coordinates: coordinates, kernel: kernel)
            let moments = ResidualMoments(design: design, kept: kept, residuals: residuals, kind: .none)
            let k = kept.count + fixedEffectParameters(panel: panel, rank: design.fixedEffectRank,
                                                       correction: SmallSampleCorrection(fixedEffectCount: .full,
                                                                                         exactRank: correction.exactRank),
                                                       clustering: nil)
            let variance = VarianceEstimate(type: type, matrix: meat, parameterCount: k, correctionFactor: 1,
                                            degreesOfFreedom: Double(design.observationCount - k), clusterCount: nil)
            return (variance, moments)
        default:
            throw EstimationError.invalidOption("\(type.label) is computed from the residual moments")
        }
    }
}
