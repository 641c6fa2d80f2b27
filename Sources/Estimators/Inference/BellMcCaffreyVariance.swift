import CGSL

/// The CR2 cluster-robust variance (Bell & McCaffrey 2002) of a two-way fixed-effects regression
/// and the Satterthwaite degrees of freedom of its t tests (Pustejovsky & Tipton 2018), as R
/// clubSandwich computes them for `lm(y ~ X + factor(unit) + factor(period))` with
/// `vcovCR(type = "CR2")` and `coef_test(test = "Satterthwaite")` (working model: identity).
///
/// With `H` the hat matrix of the regression *with its unit and period dummies*, `X̃` the
/// demeaned regressors, `B = (X̃'X̃)⁻¹` and `e` the residuals:
/// - `A_g = (I − H_gg)^{+1/2}`: the symmetric inverse square root of cluster `g`'s diagonal block,
///   eigenvalues `≤ 10⁻¹²` set to zero (clubSandwich's `matrix_power`; with unit effects nested
///   in the clusters `I − H_gg` is singular, as the unit's constant lies in the dummies' span);
/// - `V = B (Σ_g X̃_g' A_g e_g e_g' A_g X̃_g) B`, no small-sample factor;
/// - for a contrast `c`, `w_g = A_g X̃_g B c` (since `X_g (X'X)⁻¹ c = X̃_g B c` by Frisch–Waugh–Lovell)
///   and `P_gh = δ_gh w_g'w_g − w_g' H_gh w_h`; `df = (tr P)² / Σ_gh P_gh²` (clubSandwich's
///   `Satterthwaite()`: `2E²/V` with `E = tr P`, `V = 2 Σ P²`).
///
/// The dummies' part of `H` is never formed as an `n × n` matrix: it is `H_D = P_U + Y Y'`, the
/// projection on the unit dummies (`1{same unit}/n_u`) plus that on the period dummies net of the
/// unit means, `Y = Z S^{+1/2}` with rows `z_r = e_{t_r} − c_{u_r}/n_{u_r}` (`c_u` the unit's
/// period counts) and `S = Z'Z = diag(N_t) − Σ_u c_u c_u'/n_u` (`T × T`, pseudo-inverted, so
/// disconnected panels are handled). Each block `H_gg` then costs `n_g² (T + k)`, its eigen
/// decomposition `O(n_g³)` (GSL `gsl_eigen_symmv`), and each df `G² (T + k)`.
struct BellMcCaffreyVariance: Sendable {
    /// `V`, row-major `k × k` over the kept terms.
    let matrix: [Double]
    /// The Satterthwaite degrees of freedom of any contrast of the kept terms.
    let contrasts: CR2Satterthwaite

    /// Most rows one cluster may have: its `n_g × n_g` block is eigen-decomposed (`O(n_g³)`; on
    /// this project's 2-core machine two clusters of 1,545 and 955 rows take about 14 s).
    static let maximumClusterRows = 2500

    /// Most clusters: the Satterthwaite degrees of freedom need a `G × G` matrix (8·G² bytes,
    /// 200 MB at this limit).
    static let maximumClusters = 5000

    /// CR2 of the fit whose demeaned kept regressors are `columns` (column-major, `k` columns of
    /// `n` rows), residuals `residuals` and bread `bread`, on `panel`'s fixed effects, clustered by `clustering`.
    /// - Throws: ``ClusterRobustVarianceError/clusterTooLarge(name:label:rows:limit:)``.
    init(columns: [Double], residuals: [Double], bread: [Double], panel: Panel, clustering: Clustering) throws {
        let n = residuals.count
        let k = Int(Double(bread.count).squareRoot().rounded())
        precondition(columns.count == n * k && panel.observationCount == n)
        let periods = panel.periodCount
        // Rows of each cluster, in row order.
        var clusterRows = [[Int]](repeating: [], count: clustering.count)
        for row in 0..<n { clusterRows[Int(clustering.index[row])].append(row) }
        if let largest = clusterRows.indices.max(by: { clusterRows[$0].count < clusterRows[$1].count }),
           clusterRows[largest].count > Self.maximumClusterRows {
            throw ClusterRobustVarianceError.clusterTooLarge(name: clustering.name, label: clustering.labels[largest],
                                                             rows: clusterRows[largest].count, limit: Self.maximumClusterRows)
        }
        if clustering.count > Self.maximumClusters {
            throw ClusterRobustVarianceError.tooManyClusters(name: clustering.name, count: clustering.count,
                                                             limit: Self.maximumClusters)
        }
        let fixedEffects = FixedEffectsHat(panel: panel)
        // Rows of X̃ and of X̃B (row-major n × k).
        var xRows = [Double](repeating: 0, count: n * k)
        for j in 0..<k { for row in 0..<n { xRows[row * k + j] = columns[j * n + row] } }
        var xbRows = [Double](repeating: 0, count: n * k)
        for row in 0..<n {
            for a in 0..<k {
                var sum = 0.0
                for b in 0..<k { sum += bread[a * k + b] * xRows[row * k + b] }
                xbRows[row * k + a] = sum
            }
        }
        var meat = [Double](repeating: 0, count: k * k)
        var clusters: [CR2Satterthwaite.Cluster] = []
        clusters.reserveCapacity(clustering.count)
        for rows in clusterRows {
            let size = rows.count
            // I − H_gg.
            var block = [Double](repeating: 0, count: size * size)
            for (p, r) in rows.enumerated() {
                for (q, s) in rows.enumerated() where q <= p {
                    var h = fixedEffects.entry(r, s)
                    for a in 0..<k { h += xRows[r * k + a] * xbRows[s * k + a] }
                    let value = (p == q ? 1 : 0) - h
                    block[p * size + q] = value
                    block[q * size + p] = value
                }
            }
            let adjustment = SymmetricPower.inverseSquareRoot(block, dimension: size)
            // Ω_g = A_g X̃_g B (n_g × k): w_g = Ω_g c for contrast c.
            var omega = [Double](repeating: 0, count: size * k)
            for p in 0..<size {
                for (q, s) in rows.enumerated() {
                    let a = adjustment[p * size + q]
                    if a == 0 { continue }
                    for j in 0..<k { omega[p * k + j] += a * xbRows[s * k + j] }
                }
            }
            // Score B X̃_g' A_g e_g = Ω_g' e_g.
            var score = [Double](repeating: 0, count: k)
            for (p, r) in rows.enumerated() { for j in 0..<k { score[j] += omega[p * k + j] * residuals[r] } }
            for a in 0..<k { for b in 0..<k { meat[a * k + b] += score[a] * score[b] } }
            clusters.append(CR2Satterthwaite.Cluster(rows: rows, omega: omega, k: k, xRows: xRows,
                                                     fixedEffects: fixedEffects))
        }
        matrix = meat
        contrasts = CR2Satterthwaite(clusters: clusters, bread: bread, k: k, periods: periods,
                                     unitCount: panel.unitCount)
    }
}

/// The dummies' hat matrix `H_D = P_U + Y Y'` of a two-way fixed-effects panel, entry by entry
/// (see ``BellMcCaffreyVariance``).
struct FixedEffectsHat: Sendable {
    let unitIndex: [Int32]
    /// `1/n_u` per unit.
    let inverseUnitRows: [Double]
    /// `Y`, row-major `n × T`.
    let y: [Double]
    let periods: Int

    init(panel: Panel) {
        let n = panel.observationCount, units = panel.unitCount, periods = panel.periodCount
        var unitRows = [Double](repeating: 0, count: units)
        var counts = [Double](repeating: 0, count: units * periods)   // c_u
        var periodRows = [Double](repeating: 0, count: periods)
        for row in 0..<n {
            let u = Int(panel.unitIndex[row]), t = Int(panel.periodIndex[row])
            unitRows[u] += 1
            counts[u * periods + t] += 1
            periodRows[t] += 1
        }
        // S = diag(N_t) − Σ_u c_u c_u' / n_u.
        var s = [Double](repeating: 0, count: periods * periods)
        for t in 0..<periods { s[t * periods + t] = periodRows[t] }
        for u in 0..<units where unitRows[u] > 0 {
            let base = u * periods
            for a in 0..<periods where counts[base + a] != 0 {
                for b in 0..<periods where counts[base + b] != 0 {
                    s[a * periods + b] -= counts[base + a] * counts[base + b] / unitRows[u]
                }
            }
        }
        let root = SymmetricPower.pseudoInverseSquareRoot(s, dimension: periods)
        // y_r = S^{+1/2} (e_{t_r} − c_{u_r}/n_{u_r}); the unit part is the same for all of u's rows.
        var unitPart = [Double](repeating: 0, count: units * periods)
        for u in 0..<units where unitRows[u] > 0 {
            for a in 0..<periods {
                var sum = 0.0
                for b in 0..<periods where counts[u * periods + b] != 0 { sum += root[a * periods + b] * counts[u * periods + b] }
                unitPart[u * periods + a] = sum / unitRows[u]
            }
        }
        var y = [Double](repeating: 0, count: n * periods)
        for row in 0..<n {
            let u = Int(panel.unitIndex[row]), t = Int(panel.periodIndex[row])
            for a in 0..<periods { y[row * periods + a] = root[a * periods + t] - unitPart[u * periods + a] }
        }
        self.unitIndex = panel.unitIndex
        self.inverseUnitRows = unitRows.map { $0 > 0 ? 1 / $0 : 0 }
        self.y = y
        self.periods = periods
    }

    /// `H_D[r, s]`.
    func entry(_ r: Int, _ s: Int) -> Double {
        var sum = unitIndex[r] == unitIndex[s] ? inverseUnitRows[Int(unitIndex[r])] : 0
        for a in 0..<periods { sum += y[r * periods + a] * y[s * periods + a] }
        return sum
    }
}

/// The Satterthwaite degrees of freedom of a CR2 t test of any contrast `c'β` (see
/// ``BellMcCaffreyVariance``): per cluster, the linear maps `c ↦ w_g'w_g`, `c ↦ Y_g'w_g`,
/// `c ↦ X̃_g'w_g` and the unit sums of `w_g`, so that `w_g'H_gh w_h` is a sum of dot products.
struct CR2Satterthwaite: Sendable {
    struct Cluster: Sendable {
        /// `Ω_g'Ω_g`, `k × k`.
        let gram: [Double]
        /// `Y_g'Ω_g`, `T × k`.
        let periodMap: [Double]
        /// `X̃_g'Ω_g`, `k × k`.
        let regressorMap: [Double]
        /// Units with rows in the cluster and `Σ_{r∈g, u_r=u} Ω_g[r, ·] / √n_u` (`k` values each).
        let units: [(unit: Int, sums: [Double])]

        init(rows: [Int], omega: [Double], k: Int, xRows: [Double], fixedEffects: FixedEffectsHat) {
            let periods = fixedEffects.periods
            var gram = [Double](repeating: 0, count: k * k)
            var periodMap = [Double](repeating: 0, count: periods * k)
            var regressorMap = [Double](repeating: 0, count: k * k)
            var unitSums: [Int: [Double]] = [:]
            var order: [Int] = []
            for (p, r) in rows.enumerated() {
                for a in 0..<k { for b in 0..<k { gram[a * k + b] += omega[p * k + a] * omega[p * k + b] } }
                for t in 0..<periods {
                    let yv = fixedEffects.y[r * periods + t]
                    for b in 0..<k { periodMap[t * k + b] += yv * omega[p * k + b] }
                }
                for a in 0..<k { for b in 0..<k { regressorMap[a * k + b] += xRows[r * k + a] * omega[p * k + b] } }
                let unit = Int(fixedEffects.unitIndex[r])
                if unitSums[unit] == nil { unitSums[unit] = [Double](repeating: 0, count: k); order.append(unit) }
                for b in 0..<k { unitSums[unit]![b] += omega[p * k + b] }
            }
            self.gram = gram
            self.periodMap = periodMap
            self.regressorMap = regressorMap
            self.units = order.map { unit in
                let scale = fixedEffects.inverseUnitRows[unit].squareRoot()
                return (unit, (unitSums[unit] ?? []).map { $0 * scale })
            }
        }
    }

    let clusters: [Cluster]
    let bread: [Double]
    let k: Int
    let periods: Int
    let unitCount: Int

    /// The degrees of freedom of the t test of `c'β` (`c` over the kept terms).
    func degreesOfFreedom(contrast c: [Double]) -> Double {
        let g = clusters.count, k = self.k, periods = self.periods
        func apply(_ map: [Double], rows: Int) -> [Double] {
            (0..<rows).map { a in
                var sum = 0.0
                for b in 0..<k { sum += map[a * k + b] * c[b] }
                return sum
            }
        }
        var diagonal = [Double](repeating: 0, count: g)
        var periodVectors = [[Double]](), regressorVectors = [[Double]](), weighted = [[Double]]()
        periodVectors.reserveCapacity(g); regressorVectors.reserveCapacity(g); weighted.reserveCapacity(g)
        // Unit part: for each unit, the clusters that hold it and c'(sums).
        var byUnit = [[(cluster: Int, value: Double)]](repeating: [], count: unitCount)
        for (index, cluster) in clusters.enumerated() {
            let gc = apply(cluster.gram, rows: k)
            diagonal[index] = zip(gc, c).reduce(0) { $0 + $1.0 * $1.1 }
            periodVectors.append(apply(cluster.periodMap, rows: periods))
            let d = apply(cluster.regressorMap, rows: k)
            regressorVectors.append(d)
            weighted.append((0..<k).map { a in (0..<k).reduce(0) { $0 + bread[a * k + $1] * d[$1] } })
            for (unit, sums) in cluster.units {
                byUnit[unit].append((index, zip(sums, c).reduce(0) { $0 + $1.0 * $1.1 }))
            }
        }
        // P = diag(w'w) − W'HW.
        var p = [Double](repeating: 0, count: g * g)
        for a in 0..<g {
            for b in 0...a {
                var h = 0.0
                for t in 0..<periods { h += periodVectors[a][t] * periodVectors[b][t] }
                for j in 0..<k { h += regressorVectors[a][j] * weighted[b][j] }
                p[a * g + b] = -h
                p[b * g + a] = -h
            }
            p[a * g + a] += diagonal[a]
        }
        for entries in byUnit {
            for x in entries { for y in entries { p[x.cluster * g + y.cluster] -= x.value * y.value } }
        }
        var trace = 0.0, squares = 0.0
        for a in 0..<g { trace += p[a * g + a] }
        for value in p { squares += value * value }
        return trace * trace / squares
    }
}

/// Powers of small symmetric matrices by eigen decomposition (GSL `gsl_eigen_symmv`).
enum SymmetricPower {
    /// `Σ_{λ_i > 10⁻¹²} λ_i^{−1/2} v_i v_i'` for a symmetric row-major `m × m` matrix: clubSandwich's
    /// `matrix_power(x, −1/2)` (absolute tolerance `10⁻¹²` on the eigenvalues).
    static func inverseSquareRoot(_ matrix: [Double], dimension m: Int) -> [Double] {
        power(matrix, dimension: m) { $0 > 1e-12 ? 1 / $0.squareRoot() : 0 }
    }

    /// The same with a tolerance relative to the largest eigenvalue (`10⁻¹⁰ λ_max`), for the
    /// period system of ``FixedEffectsHat`` whose null space (the constant, one more per
    /// disconnected component) is exact but not at a fixed scale.
    static func pseudoInverseSquareRoot(_ matrix: [Double], dimension m: Int) -> [Double] {
        var largest = 0.0
        return power(matrix, dimension: m, prepare: { largest = $0.max() ?? 0 }) {
            $0 > 1e-10 * largest ? 1 / $0.squareRoot() : 0
        }
    }

    static func power(_ matrix: [Double], dimension m: Int, prepare: ([Double]) -> Void = { _ in },
                      _ transform: (Double) -> Double) -> [Double] {
        guard m > 0 else { return [] }
        var a = matrix
        var values = [Double](repeating: 0, count: m)
        var vectors = [Double](repeating: 0, count: m * m)
        a.withUnsafeMutableBufferPointer { aBuffer in
            values.withUnsafeMutableBufferPointer { valueBuffer in
                vectors.withUnsafeMutableBufferPointer { vectorBuffer in
                    guard let aBase = aBuffer.baseAddress, let vBase = valueBuffer.baseAddress,
                          let eBase = vectorBuffer.baseAddress, let workspace = gsl_eigen_symmv_alloc(m) else { return }
                    defer { gsl_eigen_symmv_free(workspace) }
                    var aView = gsl_matrix_view_array(aBase, m, m)
                    var valueView = gsl_vector_view_array(vBase, m)
                    var vectorView = gsl_matrix_view_array(eBase, m, m)
                    _ = gsl_eigen_symmv(&aView.matrix, &valueView.vector, &vectorView.matrix, workspace)
                }
            }
        }
        prepare(values)
        let scaled = values.map(transform)
        var out = [Double](repeating: 0, count: m * m)
        for i in 0..<m where scaled[i] != 0 {
            let f = scaled[i]
            for r in 0..<m {
                let vr = vectors[r * m + i] * f
                if vr == 0 { continue }
                for c in 0..<m { out[r * m + c] += vr * vectors[c * m + i] }
            }
        }
        return out
    }
}

/// Why a CR2 or CR3 variance cannot be computed.
public enum ClusterRobustVarianceError: ParameterError, Equatable {
    /// A cluster is too large for CR2's per-cluster eigen decomposition.
    case clusterTooLarge(name: String, label: String, rows: Int, limit: Int)
    /// Too many clusters for CR2's `G × G` degrees-of-freedom matrix.
    case tooManyClusters(name: String, count: Int, limit: Int)
    /// Leaving cluster `label` out leaves `terms` unidentified, so the jackknife is undefined.
    case jackknifeUnidentified(name: String, label: String, terms: [String])

    /// The cluster column.
    public var subject: ParameterSubject? {
        switch self {
        case let .clusterTooLarge(name, label, rows, limit):
            return ParameterSubject(.cluster, name, "CR2 needs the eigen decomposition of each cluster's rows; "
                                    + "cluster '\(label)' has \(rows) rows, at most \(limit) are supported; "
                                    + "expected a finer clustering (or CR1)")
        case let .tooManyClusters(name, count, limit):
            return ParameterSubject(.cluster, name, "CR2's Satterthwaite degrees of freedom need a G x G matrix; "
                                    + "\(count) clusters, at most \(limit) are supported; expected a coarser clustering "
                                    + "(or CR1, CR3)")
        case let .jackknifeUnidentified(name, label, terms):
            let shown = terms.count > 3 ? terms.prefix(3).joined(separator: ", ") + ", …" : terms.joined(separator: ", ")
            return ParameterSubject(.cluster, name, "CR3 leaves out one cluster at a time, and without cluster '\(label)' "
                                    + "\(terms.count == 1 ? "the term" : "the terms") \(shown) "
                                    + "\(terms.count == 1 ? "is" : "are") not identified; expected every term "
                                    + "estimable without any single cluster (or CR1/CR2)")
        }
    }

    /// One line naming the cluster column's role.
    public var description: String { subject?.roleMessage ?? "" }
}
