/// The normal equations of `y_it = α_i + λ_t + γ'x_it` on a subsample of a panel's rows, solved
/// exactly: the first stage of two-stage DiD estimators (Gardner 2021), which needs the fixed
/// effects themselves, not only demeaned columns.
///
/// Unknowns `θ = (α (N), λ (T), γ (k))`. The unit block of `A = X₁₀'X₁₀` is diagonal (`n_i`, the
/// unit's rows in the subsample), so units are partialled out analytically and the `(T + k)²`
/// Schur complement `S = A_BB − Σ_i v_i v_i' / n_i` (`v_i = A_{B,i}`) is factored once with
/// ``DroppingCholesky``. `A` is singular (`α + c, λ − c` fit alike): the solver returns one
/// solution; predictions `α_i + λ_t + γ'x` on units and periods present in the subsample do not
/// depend on which. ``rank`` is `T + k − 1` when the subsample's fixed effects are connected and
/// the controls are not collinear with them.
///
/// **Period patterns.** A (unit, period) pair occurs once, so the period part of `v_i` is the 0/1
/// indicator `1_{P_i}` of the unit's subsample periods `P_i`, and `n_i = |P_i|`. Units that share
/// a pattern `P` (in a staggered design: a cohort's pre-adoption periods) contribute
/// `(m_P / |P|) 1_P 1_P'` together (`m_P` units), so the period block of `S` costs
/// `Σ_P |P|²` instead of `N T²`; a solve subtracts `Σ_{P∋t} Σ_{i∈P} r_i / n_i` from period
/// `t`'s right-hand side and recovers `α_i = (r_i − Σ_{t∈P_i} λ_t − γ's_i) / n_i`
/// (`s_i = Σ_t x_it` over the subsample), so it costs `O(N + Σ_P |P|)` per right-hand side,
/// not `O(N T)`. The covariate blocks are per unit (`s_i s_i' / n_i`). The plain per-unit twin is
/// ``ReferenceFirstStageSystem``.
struct FirstStageSystem {
    let unitCount: Int
    let periodCount: Int
    let covariateCount: Int
    /// `n_i`: the unit's rows in the subsample.
    let unitRows: [Double]
    /// `1 / n_i` (0 for a unit without subsample rows).
    let unitInverse: [Double]
    /// The period's rows in the subsample.
    let periodRows: [Double]
    /// `s_i`: the unit's covariate sums over the subsample, `N × k` row-major.
    let unitCovariateSums: [Double]
    /// Pattern of each unit (index into the patterns), −1 for a unit without subsample rows.
    let unitPattern: [Int32]
    /// Periods of pattern `p`: `patternPeriods[patternStart[p] ..< patternStart[p + 1]]`, ascending.
    let patternStart: [Int]
    let patternPeriods: [Int32]
    /// Units with each pattern.
    let patternUnits: [Double]
    let schur: DroppingCholesky

    /// Dimension `T + k` of the Schur complement.
    var dimension: Int { periodCount + covariateCount }
    /// Numerical rank of the Schur complement.
    var rank: Int { schur.rank }
    /// Number of distinct period patterns.
    var patternCount: Int { patternUnits.count }

    /// The subsample as 0/1 weights per row, when the panel was read by unit rows (balanced, at most
    /// 16 periods, no controls, an outcome column); empty otherwise.
    let maskWeights: [Double]
    /// `X₁'z` of the `outcome` column given at `init`, over the subsample: per unit and per period
    /// and control (empty without an outcome column).
    let outcomeMoments: (units: [Double], rest: [Double])

    /// Builds the system on the rows where `mask` is true; with an `outcome` column (one value per
    /// row), also its moments ``outcomeMoments``, in the same pass.
    init(panel: Panel, mask: [Bool], outcome outcomeColumn: [Double]? = nil) {
        let periods = panel.periodCount, units = panel.unitCount, k = panel.covariates.count, b = periods + k
        precondition(mask.count == panel.observationCount && panel.unitStart.count == units + 1)
        var rows = [Double](repeating: 0, count: units), periodRows = [Double](repeating: 0, count: periods)
        var sums = [Double](repeating: 0, count: units * k)
        var matrix = [Double](repeating: 0, count: b * b)
        var unitPattern = [Int32](repeating: -1, count: units)
        var outcomeUnits = [Double](repeating: 0, count: outcomeColumn == nil ? 0 : units)
        var outcomeRest = [Double](repeating: 0, count: outcomeColumn == nil ? 0 : b)
        precondition(outcomeColumn.map { $0.count == panel.observationCount } ?? true)
        var patternStart: [Int] = [], patternPeriods: [Int32] = [], patternUnits: [Double] = []
        // A balanced panel of at most 16 periods without controls is read one unit row at a time
        // (``UnitRows``), the sample as 0/1 weights.
        let layout = k == 0 && outcomeColumn != nil && panel.isBalanced ? UnitRows(units: units, periods: periods) : nil
        var weights = [Double](repeating: 0, count: layout == nil ? 0 : panel.observationCount)
        weights.withUnsafeMutableBufferPointer { weights in
            mask.withUnsafeBufferPointer { mask in
                // A Bool is stored as one byte, 0 or 1: converting the bytes vectorizes.
                mask.withMemoryRebound(to: UInt8.self) { bytes in
                    for row in 0..<weights.count { weights[row] = Double(bytes[row]) }
                }
            }
        }
        var outcomeLanes = UnitRows.Row()
        // Open addressing, keyed by the patterns' hashes; a hit is confirmed by comparing periods.
        var capacity = 16
        while capacity < 2 * units { capacity *= 2 }
        let slots = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        let slotHash = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: capacity)
        let scratch = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(periods, 1))
        let unitCounts = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(units, 1))
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: units + 1)
        let stored = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(panel.observationCount, 1))
        defer {
            slots.deallocate(); slotHash.deallocate(); scratch.deallocate(); unitCounts.deallocate()
            starts.deallocate(); stored.deallocate()
        }
        slots.initialize(repeating: -1)
        unitCounts.initialize(repeating: 0)
        starts[0] = 0
        withColumnPointers(panel.covariates, count: panel.observationCount) { covariates in
        mask.withUnsafeBufferPointer { mask in
        panel.periodIndex.withUnsafeBufferPointer { periodIndex in
        panel.unitStart.withUnsafeBufferPointer { unitStart in
        rows.withUnsafeMutableBufferPointer { rows in
        periodRows.withUnsafeMutableBufferPointer { periodRows in
        sums.withUnsafeMutableBufferPointer { sums in
        matrix.withUnsafeMutableBufferPointer { matrix in
        unitPattern.withUnsafeMutableBufferPointer { unitPattern in
        outcomeUnits.withUnsafeMutableBufferPointer { outcomeUnits in
        outcomeRest.withUnsafeMutableBufferPointer { outcomeRest in
        (outcomeColumn ?? []).withUnsafeBufferPointer { outcomeBuffer in
        weights.withUnsafeBufferPointer { weightBuffer in
            let outcome = outcomeColumn == nil ? nil : outcomeBuffer
            var powers = UnitRows.Row()
            for t in 0..<min(periods, UnitRows.capacity) { powers[t] = Double(1 << t) }
            var patterns = 0
            // Σ_i of the units' outcome rows, as two halves so that each stays in a register.
            var outcomeLow = SIMD8<Double>(), outcomeHigh = SIMD8<Double>()
            // The key of a pattern: with at most 64 periods its bit set (exact), otherwise a sum of
            // mixed period indices (no multiply in the loop-carried chain), confirmed by comparing
            // the periods.
            let bitKeys = periods <= 64
            for unit in 0..<units {
                var length = 0
                var key: UInt64 = 0
                var outcomeSum = 0.0
                if let layout, let y = outcomeBuffer.baseAddress, let w = weightBuffer.baseAddress {
                    // The unit's row: its 0/1 weights give the pattern's bits (2^t in lane t, exact).
                    let inSample = layout.load(w, unit: unit) * layout.mask
                    key = UInt64(UnitRows.horizontalSum(inSample * powers))
                    length = key.nonzeroBitCount
                    let values = layout.load(y, unit: unit) * inSample
                    outcomeSum = UnitRows.horizontalSum(values)
                    outcomeLow += values.lowHalf
                    outcomeHigh += values.highHalf
                }
                let rowRange = layout == nil ? unitStart[unit]..<unitStart[unit + 1] : 0..<0
                for row in rowRange where mask[row] {
                    let t = periodIndex[row]
                    if bitKeys {
                        key |= 1 &<< UInt64(UInt32(bitPattern: t))
                    } else {
                        scratch[length] = t
                        key &+= Self.mix(UInt64(UInt32(bitPattern: t)))
                    }
                    length += 1
                    if let outcome {
                        let value = outcome[row]
                        outcomeSum += value
                        outcomeRest[Int(t)] += value
                        for c in 0..<k { outcomeRest[periods + c] += covariates[c][row] * value }
                    }
                    for c in 0..<k {
                        let x = covariates[c][row]
                        sums[unit * k + c] += x
                        matrix[(periods + c) * b + Int(t)] += x
                        for d in 0...c { matrix[(periods + c) * b + periods + d] += x * covariates[d][row] }
                    }
                }
                guard length > 0 else { continue }
                rows[unit] = Double(length)
                outcomeUnits[unit] = outcomeSum
                var slot = Int(truncatingIfNeeded: Self.mix(key)) & (capacity - 1)
                while true {
                    let pattern = Int(slots[slot])
                    if pattern < 0 {
                        slots[slot] = Int32(patterns)
                        slotHash[slot] = key
                        unitPattern[unit] = Int32(patterns)
                        unitCounts[patterns] = 1
                        if bitKeys {
                            var i = starts[patterns]
                            for t in 0..<periods where key & (1 &<< UInt64(t)) != 0 {
                                stored[i] = Int32(t)
                                i += 1
                            }
                        } else {
                            for i in 0..<length { stored[starts[patterns] + i] = scratch[i] }
                        }
                        starts[patterns + 1] = starts[patterns] + length
                        patterns += 1
                        break
                    }
                    if slotHash[slot] == key && starts[pattern + 1] - starts[pattern] == length {
                        var same = true
                        if !bitKeys {
                            for i in 0..<length where stored[starts[pattern] + i] != scratch[i] { same = false; break }
                        }
                        if same {
                            unitPattern[unit] = Int32(pattern)
                            unitCounts[pattern] += 1
                            break
                        }
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
            }
            outcomeLanes = UnitRows.Row(lowHalf: outcomeLow, highHalf: outcomeHigh)
            patternUnits = unitCounts[0..<patterns].map(Double.init)
            patternStart = Array(starts[0...patterns])
            patternPeriods = Array(stored[0..<starts[patterns]])
            for pattern in 0..<patterns {
                for i in starts[pattern]..<starts[pattern + 1] { periodRows[Int(stored[i])] += patternUnits[pattern] }
            }
            // Lower triangle of S (DroppingCholesky reads only that). Period block: the counts
            // less (m_P / |P|) over each pattern's pairs.
            for t in 0..<periods { matrix[t * b + t] = periodRows[t] }
            patternPeriods.withUnsafeBufferPointer { patternPeriods in
                for pattern in 0..<patterns {
                    let start = patternStart[pattern], end = patternStart[pattern + 1]
                    let weight = patternUnits[pattern] / Double(end - start)
                    for i in start..<end {
                        let row = Int(patternPeriods[i]) * b
                        for j in start...i { matrix[row + Int(patternPeriods[j])] -= weight }
                    }
                }
                guard k > 0 else { return }
                // Covariate × period block, Σ_i 1_{P_i} s_i' / n_i grouped by pattern; covariate block.
                var patternSums = [Double](repeating: 0, count: patterns * k)
                for unit in 0..<units where unitPattern[unit] >= 0 {
                    let pattern = Int(unitPattern[unit])
                    for c in 0..<k {
                        let s = sums[unit * k + c]
                        patternSums[pattern * k + c] += s / rows[unit]
                        for d in 0...c { matrix[(periods + c) * b + periods + d] -= s * sums[unit * k + d] / rows[unit] }
                    }
                }
                for pattern in 0..<patterns {
                    for i in patternStart[pattern]..<patternStart[pattern + 1] {
                        let t = Int(patternPeriods[i])
                        for c in 0..<k { matrix[(periods + c) * b + t] -= patternSums[pattern * k + c] }
                    }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        }
        if let layout {
            for t in 0..<layout.periods { outcomeRest[t] = outcomeLanes[t] }
        }
        unitCount = units
        maskWeights = weights
        outcomeMoments = (outcomeUnits, outcomeRest)
        periodCount = periods
        covariateCount = k
        unitRows = rows
        unitInverse = rows.map { $0 > 0 ? 1 / $0 : 0 }
        self.periodRows = periodRows
        unitCovariateSums = sums
        self.unitPattern = unitPattern
        self.patternStart = patternStart
        self.patternPeriods = patternPeriods
        self.patternUnits = patternUnits
        schur = DroppingCholesky(matrix: matrix, dimension: b, tolerance: 1e-9)
    }

    /// The splitmix64 finalizer: a bijective mix of 64 bits.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Solves `A θ = r` for `count` right-hand sides at once, in place: `units` (`N × count`,
    /// row-major: `X₁'z` per unit) becomes `α` (0 for units outside the subsample), `rest`
    /// (`(T + k) × count`: per period, then per covariate) becomes `(λ, γ)`.
    func solve(units: inout [Double], rest: inout [Double], count m: Int) {
        let periods = periodCount, k = covariateCount, b = dimension, patternCount = patternCount
        precondition(units.count == unitCount * m && rest.count == b * m)
        guard m > 0 else { return }
        var patternScaled = [Double](repeating: 0, count: patternCount * m)
        var patternLambda = [Double](repeating: 0, count: patternCount * m)
        units.withUnsafeMutableBufferPointer { units in
        rest.withUnsafeMutableBufferPointer { rest in
        patternScaled.withUnsafeMutableBufferPointer { patternScaled in
        patternLambda.withUnsafeMutableBufferPointer { patternLambda in
        unitPattern.withUnsafeBufferPointer { unitPattern in
        unitInverse.withUnsafeBufferPointer { unitInverse in
        unitCovariateSums.withUnsafeBufferPointer { covariateSums in
        patternStart.withUnsafeBufferPointer { patternStart in
        patternPeriods.withUnsafeBufferPointer { patternPeriods in
            // Σ_{i∈P} r_i / n_i per pattern; the covariate rows of the reduced right-hand side.
            for unit in 0..<unitCount where unitPattern[unit] >= 0 {
                let base = Int(unitPattern[unit]) * m, inverse = unitInverse[unit]
                for j in 0..<m {
                    let scaled = units[unit * m + j] * inverse
                    patternScaled[base + j] += scaled
                    for c in 0..<k { rest[(periods + c) * m + j] -= covariateSums[unit * k + c] * scaled }
                }
            }
            for pattern in 0..<patternCount {
                for i in patternStart[pattern]..<patternStart[pattern + 1] {
                    let t = Int(patternPeriods[i])
                    for j in 0..<m { rest[t * m + j] -= patternScaled[pattern * m + j] }
                }
            }
            schur.factor.withUnsafeBufferPointer { factor in
                schur.kept.withUnsafeBufferPointer { kept in
                    guard let factor = factor.baseAddress, let kept = kept.baseAddress, let rhs = rest.baseAddress else { return }
                    DroppingCholesky.solveInPlace(factor: factor, dimension: b, kept: kept, rhs: rhs, rhsCount: m)
                }
            }
            // α_i = (r_i − Σ_{t∈P_i} λ_t − γ's_i) / n_i, the period sums once per pattern.
            for pattern in 0..<patternCount {
                for i in patternStart[pattern]..<patternStart[pattern + 1] {
                    let t = Int(patternPeriods[i])
                    for j in 0..<m { patternLambda[pattern * m + j] += rest[t * m + j] }
                }
            }
            for unit in 0..<unitCount {
                guard unitPattern[unit] >= 0 else {
                    for j in 0..<m { units[unit * m + j] = 0 }
                    continue
                }
                let base = Int(unitPattern[unit]) * m, inverse = unitInverse[unit]
                for j in 0..<m {
                    var sum = units[unit * m + j] - patternLambda[base + j]
                    for c in 0..<k { sum -= rest[(periods + c) * m + j] * covariateSums[unit * k + c] }
                    units[unit * m + j] = sum * inverse
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
    }
}

/// Calls `body` with a pointer to each column's elements (every column holds `count` values);
/// with `count == 0` there is nothing to read and `body` gets no pointers.
func withColumnPointers<R>(_ columns: [[Double]], count: Int, _ body: ([UnsafePointer<Double>]) -> R) -> R {
    guard count > 0 else { return body([]) }
    var pointers: [UnsafePointer<Double>] = []
    pointers.reserveCapacity(columns.count)
    func step(_ index: Int) -> R {
        guard index < columns.count else { return body(pointers) }
        return columns[index].withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count == count else {
                preconditionFailure("column \(index) has \(buffer.count) values, expected \(count)")
            }
            pointers.append(base)
            return step(index + 1)
        }
    }
    return step(0)
}
