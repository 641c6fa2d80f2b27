/// The kernel of a Conley (1999) spatial HAC variance: a distance cutoff, a kernel shape and an
/// optional number of serial lags within units.
///
/// Spelled `conley[-bartlett|-uniform]:CUTOFF[:LAGS]` (``InferenceSpec``): `conley:100` is the
/// Bartlett kernel with cutoff 100 and no serial term; `conley-uniform:250:2` the uniform kernel
/// with two lags. The cutoff is in the coordinates' units: km for great-circle coordinates
/// (latitude/longitude), the plane's own units otherwise.
public struct ConleyKernel: Sendable, Hashable {
    /// The spatial kernel `K(u)`, `u = d / cutoff`.
    public enum Shape: String, Sendable, CaseIterable {
        /// `K(u) = max(0, 1 − u)` (R conleyreg's and diff-diff's default; Stata acreg's Bartlett).
        case bartlett
        /// `K(u) = 1{u ≤ 1}` (the truncated kernel; pairs exactly at the cutoff count).
        case uniform
    }

    /// Distance cutoff `h` (> 0, finite), in the coordinates' units.
    public let cutoff: Double
    /// The spatial kernel.
    public let shape: Shape
    /// Serial lags `L ≥ 0` within a unit (0: spatial pairs within a period only).
    public let lags: Int

    /// Creates a kernel.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/inference``) for a cutoff that is not a
    ///   positive finite number or negative lags.
    public init(cutoff: Double, shape: Shape = .bartlett, lags: Int = 0) throws {
        guard cutoff.isFinite && cutoff > 0 else {
            throw InvalidParameter(.inference, cutoff.description, "the Conley distance cutoff must be a positive finite number")
        }
        guard lags >= 0 && lags <= 10_000 else {
            throw InvalidParameter(.inference, String(lags), "the Conley serial lags must be a whole number from 0 to 10000")
        }
        self.cutoff = cutoff
        self.shape = shape
        self.lags = lags
    }

    /// A kernel for declaring the family (cutoff 1, Bartlett, no lags), e.g. when checking which
    /// estimators accept Conley standard errors.
    public static let representative = ConleyKernel(checkedCutoff: 1, shape: .bartlett, lags: 0)

    private init(checkedCutoff: Double, shape: Shape, lags: Int) {
        self.cutoff = checkedCutoff
        self.shape = shape
        self.lags = lags
    }

    /// The spatial weight of two units `distance` apart.
    @inline(__always)
    public func weight(distance: Double) -> Double {
        let u = distance / cutoff
        switch shape {
        case .bartlett: return max(0, 1 - u)
        case .uniform: return u <= 1 ? 1 : 0
        }
    }

    /// The serial weight of two periods `gap ≥ 1` apart: `1 − gap/(L + 1)` for `gap ≤ L`, else 0.
    @inline(__always)
    public func serialWeight(gap: Int) -> Double {
        gap >= 1 && gap <= lags ? 1 - Double(gap) / (Double(lags) + 1) : 0
    }

    /// The canonical spelling: `conley:100`, `conley-uniform:250:2` (Bartlett is the default).
    public var spelling: String {
        "conley" + (shape == .bartlett ? "" : "-\(shape.rawValue)") + ":\(cutoffText)" + (lags > 0 ? ":\(lags)" : "")
    }

    /// The cutoff as written: `100`, `62.5`.
    public var cutoffText: String {
        cutoff == cutoff.rounded() && abs(cutoff) < 1e15 ? String(Int(cutoff)) : cutoff.description
    }

    /// Parses the part after `conley[-SHAPE]:` — `CUTOFF[:LAGS]` — for `shape`.
    /// - Throws: ``InvalidParameter`` naming `text`.
    static func parse(arguments: String, shape: Shape, text: String) throws -> ConleyKernel {
        let parts = arguments.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let cutoff = Double(parts[0]) else {
            throw InvalidParameter(.inference, text.quotedForMessage,
                                   "expected conley[-bartlett|-uniform]:CUTOFF[:LAGS], e.g. conley:100 or conley-uniform:250:2")
        }
        guard cutoff.isFinite && cutoff > 0 else {
            throw InvalidParameter(.inference, text.quotedForMessage, "the Conley distance cutoff must be a positive finite number")
        }
        var lags = 0
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 0 else {
                throw InvalidParameter(.inference, text.quotedForMessage, "the Conley serial lags must be a whole number >= 0")
            }
            lags = parsed
        }
        return try ConleyKernel(cutoff: cutoff, shape: shape, lags: lags)
    }
}

/// The Conley (1999) spatial HAC variance of a fixed-effects regression, in the panel
/// block-decomposed form of R `conleyreg` and diff-diff 3.13 (`vcov_type="conley"` with
/// `conley_lag_cutoff`):
///
/// `V = B M B`, `B = (X̃'X̃)⁻¹`, with scores `s_it = x̃_it û_it` (within-transformed regressors
/// times residuals) and
/// `M = Σ_t Σ_{i,j observed in t} K(d_ij/h) s_it s_jt' + Σ_i Σ_{0<|t−s|≤L} (1 − |t−s|/(L+1)) s_it s_is'`,
/// where `t, s` are period positions (so a unit's gap across an unobserved period counts as two).
/// No small-sample factor (conleyreg and diff-diff apply none); p-values and intervals use
/// `t(n − K)` with every fixed effect counted (diff-diff's default residual df; `reference: normal`
/// in an experiment gives the normal). Neither kernel is guaranteed positive semi-definite.
///
/// Distances come from ``UnitCoordinates``: planar Euclidean, or haversine with R = 6371.0088 km
/// (diff-diff and conleyreg use 6371.01 km; the relative difference in distances is 2e-7).
///
/// Two backends, as every kernel here: the fast one lists each unit's neighbours within the
/// cutoff once (distances do not change over periods) and sums over them period by period; the
/// reference one loops over every pair of rows of each period and measures the distance again.
enum ConleyVariance {
    /// `B M B` accumulated from the transformed scores `z_i = B x̃_i û_i` (see ``ResidualMoments``).
    /// - Throws: ``EstimationError/invalidOption(_:)`` when the coordinates do not cover the panel's units.
    static func meat(design: DemeanedDesign, kept: [Int], residuals: [Double], bread: [Double], panel: Panel,
                     coordinates allUnits: UnitCoordinates, kernel: ConleyKernel,
                     listedUnitLimit: Int = maximumListedUnits) throws -> [Double] {
        let coordinates: UnitCoordinates
        do { coordinates = try allUnits.matching(panel) } catch let error as EstimationError {
            throw EstimationError.invalidOption("Conley standard errors: \(error)")
        }
        let n = design.observationCount, m = kept.count
        // Transformed scores, row-major n × m: z_i = B (x̃_i û_i).
        var scores = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            let u = residuals[i]
            for a in 0..<m {
                var sum = 0.0
                for b in 0..<m { sum += bread[a * m + b] * design.matrix[kept[b] * n + i] }
                scores[i * m + a] = sum * u
            }
        }
        var meat = [Double](repeating: 0, count: m * m)
        let rowsByPeriod = rows(of: panel.periodIndex, count: panel.periodCount)
        func add(_ i: Int, _ j: Int, _ weight: Double) {
            for a in 0..<m { for b in 0..<m { meat[a * m + b] += weight * scores[i * m + a] * scores[j * m + b] } }
        }
        if design.backend == .reference {
            for rows in rowsByPeriod {
                for i in rows { for j in rows {
                    let w = kernel.weight(distance: coordinates.distance(Int(panel.unitIndex[i]), Int(panel.unitIndex[j])))
                    if w != 0 { add(i, j, w) }
                } }
            }
        } else {
            var accumulated = [Double](repeating: 0, count: m)
            guard coordinates.unitCount <= listedUnitLimit else {
                // Many units: the neighbour lists could hold every pair (memory set by the cutoff
                // alone), so the weights are computed pair by pair within each period instead.
                for rows in rowsByPeriod {
                    for i in rows {
                        for a in 0..<m { accumulated[a] = 0 }
                        let unit = Int(panel.unitIndex[i])
                        for j in rows {
                            let w = kernel.weight(distance: coordinates.distance(unit, Int(panel.unitIndex[j])))
                            guard w != 0 else { continue }
                            for b in 0..<m { accumulated[b] += w * scores[j * m + b] }
                        }
                        for a in 0..<m { for b in 0..<m { meat[a * m + b] += scores[i * m + a] * accumulated[b] } }
                    }
                }
                return Self.serialAndSymmetrized(meat: meat, scores: scores, m: m, panel: panel, kernel: kernel)
            }
            let neighbours = Self.neighbours(coordinates: coordinates, kernel: kernel)
            var rowOfUnit = [Int](repeating: -1, count: panel.unitCount)
            for rows in rowsByPeriod {
                for i in rows { rowOfUnit[Int(panel.unitIndex[i])] = i }
                for i in rows {
                    for a in 0..<m { accumulated[a] = 0 }
                    for (other, w) in neighbours[Int(panel.unitIndex[i])] {
                        let j = rowOfUnit[other]
                        guard j >= 0 else { continue }
                        for b in 0..<m { accumulated[b] += w * scores[j * m + b] }
                    }
                    for a in 0..<m { for b in 0..<m { meat[a * m + b] += scores[i * m + a] * accumulated[b] } }
                }
                for i in rows { rowOfUnit[Int(panel.unitIndex[i])] = -1 }
            }
        }
        return Self.serialAndSymmetrized(meat: meat, scores: scores, m: m, panel: panel, kernel: kernel)
    }

    /// Most units whose neighbour lists are stored (at most `units²` pairs of 16 bytes: 64 MB).
    static let maximumListedUnits = 2000

    /// `meat` plus the serial terms within units, symmetrized.
    static func serialAndSymmetrized(meat spatial: [Double], scores: [Double], m: Int, panel: Panel,
                                     kernel: ConleyKernel) -> [Double] {
        var meat = spatial
        func add(_ i: Int, _ j: Int, _ weight: Double) {
            for a in 0..<m { for b in 0..<m { meat[a * m + b] += weight * scores[i * m + a] * scores[j * m + b] } }
        }
        if kernel.lags > 0 {
            for unit in 0..<panel.unitCount {
                let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
                for i in rows { for j in rows where i != j {
                    let w = kernel.serialWeight(gap: abs(Int(panel.periodIndex[i]) - Int(panel.periodIndex[j])))
                    if w != 0 { add(i, j, w) }
                } }
            }
        }
        // Symmetric in exact arithmetic; average the rounding away.
        for a in 0..<m { for b in 0..<a {
            let value = (meat[a * m + b] + meat[b * m + a]) / 2
            meat[a * m + b] = value
            meat[b * m + a] = value
        } }
        return meat
    }

    /// The rows of each level of `group`, ascending.
    static func rows(of group: [Int32], count: Int) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: count)
        for (row, level) in group.enumerated() { rows[Int(level)].append(row) }
        return rows
    }

    /// Each unit's units with a non-zero spatial weight (itself included, weight 1), by unit index.
    static func neighbours(coordinates: UnitCoordinates, kernel: ConleyKernel) -> [[(Int, Double)]] {
        let units = coordinates.unitCount
        var lists = [[(Int, Double)]](repeating: [], count: units)
        for a in 0..<units {
            lists[a].append((a, kernel.weight(distance: 0)))
            for b in (a + 1)..<units {
                let w = kernel.weight(distance: coordinates.distance(a, b))
                guard w != 0 else { continue }
                lists[a].append((b, w))
                lists[b].append((a, w))
            }
        }
        return lists
    }
}
