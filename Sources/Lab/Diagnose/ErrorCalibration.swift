import Foundation

/// The error process of the calibrated model, the lab's own (``Sim``'s `errors` section):
/// `ε_it = s_i (ν_g(i)t + u_it)`, level-period shocks `ν_gt ~ N(0, π σ²)` independent across
/// groups and periods, and a stationary Gaussian AR(1) `u_it = ρ u_i,t−1 + √(1−ρ²) η_it` with
/// variance `(1 − π) σ²`; unit scales `s_i` have mean square 1.
public struct ErrorModel: Sendable, Equatable {
    /// Stationary SD σ of `ν + u`.
    public var sigma: Double
    /// AR(1) coefficient ρ of `u`.
    public var rho: Double
    /// Share π of the error variance common to a level group in a period.
    public var levelShare: Double

    /// Creates the model.
    public init(sigma: Double, rho: Double, levelShare: Double) {
        self.sigma = sigma
        self.rho = rho
        self.levelShare = levelShare
    }
}

/// Calibrates ``ErrorModel`` from the residuals of a balanced rectangle of untreated outcomes, by
/// the method of moments with the exact expectations of the two-way within transformation.
///
/// **Why not the AR(1) coefficient of the residuals.** Within-unit demeaning biases the
/// autocorrelation of residuals down by about `(1 + ρ)/(T − 1)` (Nickell 1981): with T = 5 a true
/// ρ = 0.5 reads as 0.1. Instead, three sums of the two-way demeaned residuals `e = (C_N ⊗ C_T) y`
/// (centring matrices `C = I − J/n`) are matched to their expectations under the model:
/// `S₀ = Σ e²`, `S₁ = Σ e_it e_i,t−1` and, with a level, `S_g = Σ_g Σ_t (Σ_{i∈g} e_it)²`. Each is a
/// quadratic form `e'(P ⊗ Q)e`; with `Σ = a (S ⊗ R(ρ)) + b (S^½ B S^½ ⊗ I)` (`a = (1−π)σ²`,
/// `b = πσ²`, `S = diag(s_i²)`, `R` the AR(1) correlation, `B` the same-group indicator) its
/// expectation is `Σ_k c_k tr(P C_N U_k C_N) · tr(Q C_T V_k C_T)`, computed in closed form. For each
/// ρ, `S₀` and `S_g` give `(a, b)` linearly; ρ is the root of the `S₁/S₀` equation (bisection).
/// This is exact for balanced Gaussian panels, whatever T.
///
/// **Unit scales** (heteroskedasticity): each unit's residual sum of squares over the mean, shrunk
/// toward 1 by its reliability (the share of the dispersion not explained by the sampling variance
/// `2 tr(V²)/tr(V)²` of a homoskedastic unit), then the moments are solved again with the scales.
///
/// **Uncertainty**: a delete-a-group jackknife (level groups, or units in at most 100 blocks).
public struct ErrorCalibration: Sendable {
    /// One calibrated parameter with its uncertainty.
    public struct Estimate: Sendable, Equatable {
        /// Point estimate.
        public var value: Double
        /// Jackknife standard error (NaN with fewer than three blocks).
        public var standardError: Double
        /// `value ± 1.96·SE`, clamped to the parameter's range.
        public var low: Double, high: Double
    }

    /// A statistic of the data beside its expectation under the fitted model: where the model
    /// cannot follow the data.
    public struct Check: Sendable, Equatable {
        /// What is compared.
        public var statistic: String
        /// Its value in the data.
        public var data: Double
        /// Its expectation under the calibrated model.
        public var model: Double
    }

    /// σ.
    public var sigma: Estimate
    /// ρ.
    public var rho: Estimate
    /// π (0 without a level).
    public var levelShare: Estimate
    /// SD of the unit variance scales `s_i²` (0: homoskedastic).
    public var unitVarianceSD: Estimate
    /// Units and periods of the rectangle, and level groups in it (nil without a level).
    public var units: Int, periods: Int, groups: Int?
    /// Jackknife blocks.
    public var blocks: Int
    /// Model checks (lag-2 and lag-3 autocorrelation, excess kurtosis).
    public var checks: [Check]
    /// Notes on the fit (bounds hit, shares set to zero).
    public var notes: [String]
    /// The scale `s_i` of each unit of the rectangle, in its order.
    public var scales: [Double]

    /// The point estimates as a model.
    public var model: ErrorModel { ErrorModel(sigma: sigma.value, rho: rho.value, levelShare: levelShare.value) }

    /// Residual moments of a fit, and the fit.
    struct Fit {
        var a: Double, b: Double, rho: Double
        var scales: [Double]
        var notes: [String]
        var sigma: Double { (a + b).squareRoot() }
        var share: Double { a + b > 0 ? b / (a + b) : 0 }
        var scaleSD: Double {
            let squares = scales.map { $0 * $0 }
            let mean = squares.reduce(0, +) / Double(max(squares.count, 1))
            return (squares.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(squares.count - 1, 1))).squareRoot()
        }
    }

    /// Calibrates on `y`, an `units × periods` row-major rectangle of untreated outcomes (already
    /// net of covariates when there are any), with each unit's level group (dense, nil: none).
    /// - Throws: ``DiagnosisError/calibration(_:)`` when the rectangle is too small or constant.
    public init(y: [Double], units: Int, periods: Int, groups: [Int]?) throws {
        guard units >= 3, periods >= 3, y.count == units * periods else {
            throw DiagnosisError.calibration("needs at least 3 units and 3 periods of untreated outcomes, found "
                                             + "\(units) × \(periods)")
        }
        let groupCount = groups.map { Set($0).count }
        // A level needs at least two groups, and some group with two units: with one unit per
        // group, group-period means are unit-period values and the level share is not identified.
        let useGroups = (groupCount ?? 0) >= 2 && (groupCount ?? 0) < units ? groups : nil
        let full = try Self.fit(y: y, units: units, periods: periods, groups: useGroups)
        guard [full.sigma, full.rho, full.share, full.scaleSD].allSatisfy(\.isFinite) else {
            throw DiagnosisError.calibration("the moment equations have no finite solution on the untreated outcomes")
        }
        // Jackknife blocks: level groups (at most 100, merged round-robin), else units.
        let labels = useGroups ?? Array(0..<units)
        let distinct = Array(Set(labels)).sorted()
        let blockCount = min(distinct.count, 100)
        var blockOf = [Int](repeating: 0, count: (distinct.last ?? 0) + 1)
        for (k, label) in distinct.enumerated() { blockOf[label] = k % blockCount }
        var replicates: [(Double, Double, Double, Double)] = []
        if blockCount >= 3 {
            for block in 0..<blockCount {
                let kept = (0..<units).filter { blockOf[labels[$0]] != block }
                guard kept.count >= 3 else { continue }
                var sub = [Double](); sub.reserveCapacity(kept.count * periods)
                for unit in kept { sub += y[unit * periods..<(unit + 1) * periods] }
                let subGroups = useGroups.map { g in kept.map { g[$0] } }
                guard let fit = try? Self.fit(y: sub, units: kept.count, periods: periods, groups: subGroups),
                      [fit.sigma, fit.rho, fit.share, fit.scaleSD].allSatisfy(\.isFinite) else { continue }
                replicates.append((fit.sigma, fit.rho, fit.share, fit.scaleSD))
            }
        }
        func jackknife(_ value: Double, _ pick: ((Double, Double, Double, Double)) -> Double,
                       range: ClosedRange<Double>) -> Estimate {
            let values = replicates.map(pick)
            let k = Double(values.count)
            var se = Double.nan
            if values.count >= 3 {
                let mean = values.reduce(0, +) / k
                se = ((k - 1) / k * values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }).squareRoot()
            }
            // Without a standard error (fewer than 3 blocks) there is no interval: NaN, printed "–".
            guard se.isFinite else { return Estimate(value: value, standardError: .nan, low: .nan, high: .nan) }
            let half = 1.959963984540054 * se
            return Estimate(value: value, standardError: se, low: max(range.lowerBound, value - half),
                            high: min(range.upperBound, value + half))
        }
        sigma = jackknife(full.sigma, { $0.0 }, range: 0...Double.greatestFiniteMagnitude)
        rho = jackknife(full.rho, { $0.1 }, range: -1...1)
        levelShare = jackknife(full.share, { $0.2 }, range: 0...1)
        unitVarianceSD = jackknife(full.scaleSD, { $0.3 }, range: 0...Double.greatestFiniteMagnitude)
        self.units = units
        self.periods = periods
        self.groups = groups == nil ? nil : groupCount
        blocks = replicates.count
        scales = full.scales
        var notes = full.notes
        if groups != nil && useGroups == nil {
            notes.append((groupCount ?? 0) < 2
                ? "the calibration sample holds a single level group: the level share cannot be estimated and is 0"
                : "every level group of the calibration sample holds one unit: the level share cannot be told from unit "
                    + "noise and is 0")
        }
        self.notes = notes
        checks = Self.checks(y: y, units: units, periods: periods, groups: useGroups, fit: full)
    }

    // MARK: - The fit

    /// Two-way demeaned residuals of a balanced rectangle.
    static func residuals(_ y: [Double], units n: Int, periods t: Int) -> [Double] {
        var unitMean = [Double](repeating: 0, count: n), periodMean = [Double](repeating: 0, count: t)
        var grand = 0.0
        for i in 0..<n {
            for s in 0..<t { let v = y[i * t + s]; unitMean[i] += v; periodMean[s] += v; grand += v }
        }
        for i in 0..<n { unitMean[i] /= Double(t) }
        for s in 0..<t { periodMean[s] /= Double(n) }
        grand /= Double(n * t)
        var e = [Double](repeating: 0, count: n * t)
        for i in 0..<n { for s in 0..<t { e[i * t + s] = y[i * t + s] - unitMean[i] - periodMean[s] + grand } }
        return e
    }

    /// `Σ_{t≥k} e_it e_i,t−k` over units.
    static func lagSum(_ e: [Double], units n: Int, periods t: Int, lag: Int) -> Double {
        var sum = 0.0
        for i in 0..<n where lag < t { for s in lag..<t { sum += e[i * t + s] * e[i * t + s - lag] } }
        return sum
    }

    /// `Σ_g Σ_t (Σ_{i∈g} e_it)²`.
    static func groupSum(_ e: [Double], units n: Int, periods t: Int, groups: [Int]) -> Double {
        let count = (groups.max() ?? 0) + 1
        var cell = [Double](repeating: 0, count: count * t)
        for i in 0..<n { for s in 0..<t { cell[groups[i] * t + s] += e[i * t + s] } }
        return cell.reduce(0) { $0 + $1 * $1 }
    }

    /// The time-side traces: `tr(Q_k C R C)` for `Q` = identity (k = 0) and the symmetric lag-k
    /// matrix, for `R` = AR(1) correlation with `rho` (or the identity when `rho` is nil).
    static func timeTraces(periods t: Int, rho: Double?, lags: Int) -> [Double] {
        var r = [Double](repeating: 0, count: t * t)
        for a in 0..<t { for b in 0..<t { r[a * t + b] = rho.map { Foundation.pow($0, Double(abs(a - b))) } ?? (a == b ? 1 : 0) } }
        var row = [Double](repeating: 0, count: t)
        var grand = 0.0
        for a in 0..<t { for b in 0..<t { row[a] += r[a * t + b] }; grand += row[a] }
        for a in 0..<t { row[a] /= Double(t) }
        grand /= Double(t * t)
        func centred(_ a: Int, _ b: Int) -> Double { r[a * t + b] - row[a] - row[b] + grand }
        return (0...lags).map { k in k < t ? (k..<t).reduce(0) { $0 + centred($1, $1 - k) } : 0 }
    }

    /// The unit-side traces `tr(P C U C)` for P ∈ {I, B} and U ∈ {S, S^½BS^½}.
    struct UnitTraces {
        var identityIdiosyncratic: Double, identityCommon: Double, groupIdiosyncratic: Double, groupCommon: Double

        init(scales: [Double], groups: [Int]?) {
            let n = Double(scales.count)
            let squares = scales.reduce(0) { $0 + $1 * $1 }
            guard let groups else {
                identityIdiosyncratic = squares * (1 - 1 / n)
                identityCommon = 0; groupIdiosyncratic = 0; groupCommon = 0
                return
            }
            let count = (groups.max() ?? 0) + 1
            var size = [Double](repeating: 0, count: count), s1 = size, s2 = size
            for (i, g) in groups.enumerated() { size[g] += 1; s1[g] += scales[i]; s2[g] += scales[i] * scales[i] }
            let sizeSquares = size.reduce(0) { $0 + $1 * $1 }
            let s1Squares = s1.reduce(0) { $0 + $1 * $1 }
            let weightedS2 = zip(size, s2).reduce(0) { $0 + $1.0 * $1.1 }
            let weightedS1 = zip(size, s1).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
            identityIdiosyncratic = squares * (1 - 1 / n)
            identityCommon = squares - s1Squares / n
            groupIdiosyncratic = squares - 2 * weightedS2 / n + sizeSquares * squares / (n * n)
            groupCommon = s1Squares - 2 * weightedS1 / n + sizeSquares * s1Squares / (n * n)
        }
    }

    /// The moment fit with given scales; `groups` nil fits π = 0.
    static func solve(s0: Double, s1: Double, sg: Double, periods t: Int, units: UnitTraces,
                      grouped: Bool) -> (a: Double, b: Double, rho: Double, notes: [String]) {
        let common = timeTraces(periods: t, rho: nil, lags: 1)
        func coefficients(_ rho: Double, grouped: Bool) -> (a: Double, b: Double, ratio: Double) {
            let time = timeTraces(periods: t, rho: rho, lags: 1)
            var a: Double, b = 0.0
            if grouped {
                // [uI·trA, cI·(T−1); uB·trA, cB·(T−1)] (a, b)' = (S0, Sg)'
                let m11 = units.identityIdiosyncratic * time[0], m12 = units.identityCommon * common[0]
                let m21 = units.groupIdiosyncratic * time[0], m22 = units.groupCommon * common[0]
                let det = m11 * m22 - m12 * m21
                guard abs(det) > 1e-12 * abs(m11 * m22) else { return (.nan, .nan, .nan) }
                a = (s0 * m22 - m12 * sg) / det
                b = (m11 * sg - m21 * s0) / det
            } else {
                a = s0 / (units.identityIdiosyncratic * time[0])
            }
            let lag = a * units.identityIdiosyncratic * time[1] + b * units.identityCommon * common[1]
            return (a, b, lag / s0 - s1 / s0)
        }
        func root(grouped: Bool) -> (Double, [String]) {
            let grid = (0...389).map { -0.95 + Double($0) / 200 }   // -0.95, -0.945, …, 0.995
            var previous: (Double, Double)?
            for rho in grid {
                let g = coefficients(rho, grouped: grouped).ratio
                if g == 0 { return (rho, []) }
                if let (r0, g0) = previous, (g0 < 0) != (g < 0) {
                    var low = r0, high = rho, gLow = g0
                    for _ in 0..<60 {
                        let mid = (low + high) / 2
                        let gm = coefficients(mid, grouped: grouped).ratio
                        if (gm < 0) == (gLow < 0) { low = mid; gLow = gm } else { high = mid }
                    }
                    return ((low + high) / 2, [])
                }
                previous = (rho, g)
            }
            let best = grid.min { abs(coefficients($0, grouped: grouped).ratio) < abs(coefficients($1, grouped: grouped).ratio) } ?? 0
            return (best, ["the residuals' autocorrelation lies outside what an AR(1) on [-0.95, 0.995] can produce; ρ is "
                           + "set to \(String(format: "%.3f", best)), the closest fit"])
        }
        var (rho, notes) = root(grouped: grouped)
        var fit = coefficients(rho, grouped: grouped)
        if grouped && !(fit.b >= 0) {
            (rho, notes) = root(grouped: false)
            fit = coefficients(rho, grouped: false)
            notes.append("the level-period means vary no more than sampling noise: the level share is estimated at 0")
        }
        return (max(fit.a, 0), max(fit.b, 0), rho, notes)
    }

    /// The full fit: homoskedastic moments, unit scales, then the moments again with the scales.
    static func fit(y: [Double], units n: Int, periods t: Int, groups: [Int]?) throws -> Fit {
        let e = residuals(y, units: n, periods: t)
        let s0 = e.reduce(0) { $0 + $1 * $1 }
        guard s0 > 0, s0.isFinite else {
            throw DiagnosisError.calibration("the untreated outcomes have no variation left after unit and period effects")
        }
        let s1 = lagSum(e, units: n, periods: t, lag: 1)
        let sg = groups.map { groupSum(e, units: n, periods: t, groups: $0) } ?? 0
        let ones = [Double](repeating: 1, count: n)
        let first = solve(s0: s0, s1: s1, sg: sg, periods: t, units: UnitTraces(scales: ones, groups: groups),
                          grouped: groups != nil)
        // Unit scales, shrunk by reliability.
        var ss = [Double](repeating: 0, count: n)
        for i in 0..<n { for s in 0..<t { ss[i] += e[i * t + s] * e[i * t + s] } }
        let meanSS = ss.reduce(0, +) / Double(n)
        let q = ss.map { $0 / meanSS }
        let dispersion = q.reduce(0) { $0 + ($1 - 1) * ($1 - 1) } / Double(max(n - 1, 1))
        let time = timeTraces(periods: t, rho: first.rho, lags: 0)
        let v = unitCovariance(periods: t, a: first.a, b: first.b, rho: first.rho)
        let trace = time[0] * first.a + Double(t - 1) * first.b
        let traceSquare = v.reduce(0) { $0 + $1 * $1 }
        let sampling = trace > 0 ? 2 * traceSquare / (trace * trace) : 0
        let weight = dispersion > sampling ? (dispersion - sampling) / ((1 + sampling) * dispersion) : 0
        var squares = q.map { max(0.05, 1 + weight * ($0 - 1)) }
        let meanSquare = squares.reduce(0, +) / Double(n)
        squares = squares.map { $0 / meanSquare }
        let scales = squares.map { $0.squareRoot() }
        let second = solve(s0: s0, s1: s1, sg: sg, periods: t, units: UnitTraces(scales: scales, groups: groups),
                           grouped: groups != nil)
        return Fit(a: second.a, b: second.b, rho: second.rho, scales: scales, notes: second.notes)
    }

    /// `C_T (a R(ρ) + b I) C_T`, the covariance of one homoskedastic unit's demeaned errors.
    static func unitCovariance(periods t: Int, a: Double, b: Double, rho: Double) -> [Double] {
        var v = [Double](repeating: 0, count: t * t)
        for i in 0..<t { for j in 0..<t { v[i * t + j] = a * Foundation.pow(rho, Double(abs(i - j))) + (i == j ? b : 0) } }
        var row = [Double](repeating: 0, count: t)
        var grand = 0.0
        for i in 0..<t { for j in 0..<t { row[i] += v[i * t + j] }; grand += row[i] }
        for i in 0..<t { row[i] /= Double(t) }
        grand /= Double(t * t)
        for i in 0..<t { for j in 0..<t { v[i * t + j] = v[i * t + j] - row[i] - row[j] + grand } }
        return v
    }

    /// Lag-2 and lag-3 autocorrelations of the residuals and their excess kurtosis, beside the
    /// model's expectations (the lag-1 autocorrelation is matched by construction).
    static func checks(y: [Double], units n: Int, periods t: Int, groups: [Int]?, fit: Fit) -> [Check] {
        let e = residuals(y, units: n, periods: t)
        let s0 = e.reduce(0) { $0 + $1 * $1 }
        let traces = UnitTraces(scales: fit.scales, groups: groups)
        let time = timeTraces(periods: t, rho: fit.rho, lags: 3)
        let common = timeTraces(periods: t, rho: nil, lags: 3)
        func expected(_ k: Int) -> Double {
            fit.a * traces.identityIdiosyncratic * time[k] + fit.b * traces.identityCommon * common[k]
        }
        var checks: [Check] = []
        for k in [2, 3] where k < t - 1 {
            checks.append(Check(statistic: "lag-\(k) autocorrelation of the residuals",
                                data: lagSum(e, units: n, periods: t, lag: k) / s0, model: expected(k) / expected(0)))
        }
        var m2 = 0.0, m4 = 0.0
        for i in 0..<n {
            for s in 0..<t {
                let z = e[i * t + s] / fit.scales[i]
                m2 += z * z; m4 += z * z * z * z
            }
        }
        let count = Double(n * t)
        m2 /= count; m4 /= count
        checks.append(Check(statistic: "excess kurtosis of the scaled residuals", data: m4 / (m2 * m2) - 3, model: 0))
        return checks
    }
}
