/// The within-transformation core: removes unit and period fixed effects from columns.
///
/// For a column `x` it returns the residual of the least-squares projection of `x` on unit and
/// period dummies, `x̃ = M_{[D_U, D_T]} x`. Every estimator in DiDLab goes through it.
///
/// - Balanced panels (rows sorted unit-major, every unit in every period): the closed form
///   `x̃_it = x_it − x̄_i· − x̄_·t + x̄`, two passes over the column.
/// - Unbalanced panels: an **exact** solve, no iterations. The larger dimension (units, `A`)
///   is partialled out analytically and the smaller (periods, `B`) is solved from the normal
///   equations `(D_B' M_A D_B) λ = D_B' M_A x`, whose matrix `C_bc = n_b δ_bc − Σ_a n_ab n_ac / n_a`
///   is built and factored once per panel (``DroppingCholesky``, so disconnected panels work:
///   the rank deficiency is detected and reported as ``fixedEffectRank``). Then
///   `x̃ = M_A (x − D_B λ)`. Exact up to rounding, where fixest's alternating projections stop
///   at a tolerance. Cost per column: three passes plus a `|B|²` solve.
///
/// - Regression weights (``isWeighted``): the weighted exact solve of ``WeightedTwoWaySystem``
///   on any panel, balanced or not; the output is scaled by `√w` so that plain least squares on
///   it is weighted least squares.
///
/// `transform` writes into caller-owned memory and a reusable ``Workspace``; it allocates nothing.
///
/// That is the ``KernelBackend/fast`` backend. With ``KernelBackend/reference`` (chosen at
/// `init`, by default ``KernelBackend/processDefault``) every transform goes to the plain
/// ``ReferenceWithin`` instead, and a ``DemeanedDesign`` built on this transformation uses the
/// reference cross products, residuals and meat as well.
struct TwoWayWithin: Sendable {
    /// Number of observations.
    public let observationCount: Int
    /// Number of units.
    public let unitCount: Int
    /// Number of periods.
    public let periodCount: Int
    /// True when the panel is balanced with unit-major rows (the fast backend's closed form).
    public let isBalanced: Bool
    /// Which kernels run (see ``KernelBackend``).
    public let backend: KernelBackend
    /// Rank of the two-way dummy matrix `[D_U, D_T]`: `unitCount + periodCount − 1` on a
    /// connected panel, less for disconnected ones (fixest's `K.exact`).
    public let fixedEffectRank: Int

    let unitIndex: [Int32]
    let periodIndex: [Int32]
    /// Analytic dimension (A) and solved dimension (B) of the unbalanced path.
    let groupA: [Int32], groupB: [Int32]
    let sizeA: Int, sizeB: Int
    let inverseCountA: [Double]
    let periodSystem: DroppingCholesky?
    /// Row layout for the balanced path with at most 16 periods (see ``UnitRows``).
    let rows: UnitRows?
    /// The reference transformation (``KernelBackend/reference`` only; then `rows` and
    /// `periodSystem` are nil).
    let reference: ReferenceWithin?
    /// True when the transformation carries regression weights: ``transform(_:into:workspace:)``
    /// then writes `√w ⊙ x̃` with `x̃` the weighted within transform (see ``WeightedTwoWaySystem``),
    /// on either backend, and the closed forms and row layout are not used.
    public var isWeighted: Bool { weighted != nil || weightedReference != nil }
    /// The weighted exact solve (fast backend with weights).
    let weighted: WeightedTwoWaySystem?
    /// The weighted reference transformation (reference backend with weights).
    let weightedReference: ReferenceWeightedWithin?

    /// Scratch memory for ``transform(_:into:workspace:)``.
    public struct Workspace: Sendable {
        var sumsA: [Double]
        var sumsB: [Double]
        /// Creates a workspace for `within`.
        public init(for within: TwoWayWithin) {
            sumsA = [Double](repeating: 0, count: max(within.sizeA, within.unitCount))
            sumsB = [Double](repeating: 0, count: max(within.sizeB, within.periodCount))
        }
    }

    /// Prepares the transformation for a panel's structure. A balanced ``Panel`` is unit-major
    /// by construction, so the closed form is chosen without scanning the rows.
    ///
    /// The panel's regression weights (``Panel/regressionWeights``), when it has them, weight the
    /// transformation (see ``isWeighted``).
    public init(panel: Panel, backend: KernelBackend = .processDefault) {
        self.init(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex,
                  unitCount: panel.unitCount, periodCount: panel.periodCount, knownUnitMajor: panel.isBalanced,
                  backend: backend, weights: panel.regressionWeights)
    }

    /// Prepares the transformation for observations with the given dense indices.
    /// The balanced closed form is used when rows are unit-major and complete.
    public init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int,
                backend: KernelBackend = .processDefault) {
        self.init(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount, periodCount: periodCount,
                  knownUnitMajor: false, backend: backend)
    }

    /// Prepares the transformation for observations with the given dense indices, weighted by
    /// `weights` (positive, one per observation; see ``isWeighted``).
    public init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int, weights: [Double],
                backend: KernelBackend = .processDefault) {
        self.init(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount, periodCount: periodCount,
                  knownUnitMajor: false, backend: backend, weights: weights)
    }

    init(unitIndex: [Int32], periodIndex: [Int32], unitCount: Int, periodCount: Int, knownUnitMajor: Bool,
         backend: KernelBackend, weights: [Double]? = nil) {
        self.backend = backend
        let n = unitIndex.count
        self.observationCount = n
        self.unitCount = unitCount
        self.periodCount = periodCount
        self.unitIndex = unitIndex
        self.periodIndex = periodIndex
        var unitMajor = n == unitCount * periodCount
        if unitMajor && !knownUnitMajor {
            for row in 0..<n where unitIndex[row] != Int32(row / periodCount) || periodIndex[row] != Int32(row % periodCount) {
                unitMajor = false
                break
            }
        }
        isBalanced = unitMajor
        // The analytic dimension is the larger one.
        let unitsAnalytic = unitCount >= periodCount
        groupA = unitsAnalytic ? unitIndex : periodIndex
        groupB = unitsAnalytic ? periodIndex : unitIndex
        sizeA = unitsAnalytic ? unitCount : periodCount
        sizeB = unitsAnalytic ? periodCount : unitCount
        if let weights {
            precondition(weights.count == n, "regression weights need one entry per observation")
            rows = nil
            inverseCountA = []
            periodSystem = nil
            reference = nil
            if backend == .reference {
                let reference = ReferenceWeightedWithin(unitIndex: unitIndex, periodIndex: periodIndex,
                                                        unitCount: unitCount, periodCount: periodCount, weights: weights)
                weightedReference = reference
                weighted = nil
                fixedEffectRank = reference.fixedEffectRank
            } else {
                let system = WeightedTwoWaySystem(weights: weights, groupA: groupA, groupB: groupB, sizeA: sizeA,
                                                  sizeB: sizeB)
                weighted = system
                weightedReference = nil
                fixedEffectRank = system.fixedEffectRank
            }
            return
        }
        weighted = nil
        weightedReference = nil
        if backend == .reference {
            let reference = ReferenceWithin(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: unitCount,
                                            periodCount: periodCount)
            self.reference = reference
            rows = nil
            inverseCountA = []
            periodSystem = nil
            fixedEffectRank = reference.fixedEffectRank
            return
        }
        reference = nil
        rows = unitMajor ? UnitRows(units: unitCount, periods: periodCount) : nil
        if unitMajor {
            inverseCountA = []
            periodSystem = nil
            fixedEffectRank = unitCount + periodCount - 1
        } else {
            var countA = [Double](repeating: 0, count: sizeA)
            for a in groupA { countA[Int(a)] += 1 }
            inverseCountA = countA.map { $0 > 0 ? 1 / $0 : 0 }
            let system = TwoWayWithin.periodSystem(groupA: groupA, groupB: groupB, sizeA: sizeA, sizeB: sizeB,
                                                   inverseCountA: inverseCountA)
            periodSystem = system
            let occupiedA = countA.lazy.filter { $0 > 0 }.count
            fixedEffectRank = occupiedA + system.rank
        }
    }

    /// Builds and factors `C = D_B' M_A D_B` for the unbalanced path.
    /// With `weights` (regression weights, see ``WeightedTwoWaySystem``) `inverseCountA` holds
    /// `1 / W_a` and the matrix is the weighted `C = D_B' W M_A^W D_B`.
    static func periodSystem(groupA: [Int32], groupB: [Int32], sizeA: Int, sizeB: Int,
                             inverseCountA: [Double], weights: [Double]? = nil) -> DroppingCholesky {
        var matrix = [Double](repeating: 0, count: sizeB * sizeB)
        // Rows grouped by A.
        var order = Array(0..<groupA.count)
        // Rows of a panel (and of any subset of one) come grouped by unit already: the sort is
        // then the identity, so it is skipped (the same order either way).
        if !zip(groupA, groupA.dropFirst()).allSatisfy({ $0 <= $1 }) {
            order.sort { groupA[$0] != groupA[$1] ? groupA[$0] < groupA[$1] : $0 < $1 }
        }
        var start = 0
        while start < order.count {
            let a = groupA[order[start]]
            var end = start
            while end < order.count && groupA[order[end]] == a { end += 1 }
            let weight = inverseCountA[Int(a)]
            if let weights {
                for p in start..<end {
                    let b = Int(groupB[order[p]])
                    let wp = weights[order[p]]
                    matrix[b * sizeB + b] += wp
                    for q in start..<end {
                        let c = Int(groupB[order[q]])
                        matrix[b * sizeB + c] -= wp * weights[order[q]] * weight
                    }
                }
                start = end
                continue
            }
            for p in start..<end {
                let b = Int(groupB[order[p]])
                matrix[b * sizeB + b] += 1
                for q in start..<end {
                    let c = Int(groupB[order[q]])
                    matrix[b * sizeB + c] -= weight
                }
            }
            start = end
        }
        // The last B level is the reference (the system has rank sizeB − 1 when connected);
        // dropping pivots handles that and any disconnection.
        return DroppingCholesky(matrix: matrix, dimension: sizeB, tolerance: 1e-9)
    }

    /// Writes the two-way demeaned `input` into `output` (which may alias nothing else).
    ///
    /// - Returns: on a balanced panel, the sum of squares the fixed effects remove from the
    ///   centred column, `T Σ_i (x̄_i· − x̄)² + N Σ_t (x̄_·t − x̄)²`, so that
    ///   `Σ (x − x̄)² = Σ x̃² + removed` (orthogonal projections; every term is non-negative);
    ///   nil on the unbalanced path, with the reference backend and with weights.
    @discardableResult
    public func transform(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>,
                          workspace: inout Workspace) -> Double? {
        precondition(input.count == observationCount && output.count == observationCount)
        if let weighted {
            transformWeighted(input, into: output, weighted: weighted, workspace: &workspace)
            return nil
        } else if let weightedReference {
            let result = weightedReference.transform(input)
            for row in 0..<observationCount { output[row] = result[row] }
            return nil
        } else if let reference {
            let result = reference.transform(input)
            for row in 0..<observationCount { output[row] = result[row] }
            return nil
        } else if let rows {
            return transformRows(input, into: output, rows: rows, workspace: &workspace)
        } else if isBalanced {
            return transformBalanced(input, into: output, workspace: &workspace)
        } else {
            transformUnbalanced(input, into: output, workspace: &workspace)
            return nil
        }
    }

    /// Convenience: returns the demeaned column (allocates).
    public func transform(_ column: [Double]) -> [Double] {
        var workspace = Workspace(for: self)
        var output = [Double](repeating: 0, count: observationCount)
        column.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { _ = transform(input, into: $0, workspace: &workspace) }
        }
        return output
    }

    /// The balanced closed form `x̃_it = (x_it − x̄_i·) − (x̄_·t − x̄)` on unit-major rows.
    ///
    /// Pass 1 reads each unit's row of `T` values once: it accumulates the unit sum `Σ_t x_it`
    /// (a `SIMD2` accumulator whose two lanes are added at the end of the row) and adds the row
    /// into the period sums `Σ_i x_it`, two periods at a time; the unit means go to the workspace.
    /// Pass 2 writes `(x_it − x̄_i·) − (x̄_·t − x̄)` in one read of `x` and one write of the output.
    /// The summation order is fixed (it depends only on `T` and the unit order), so results are
    /// reproducible bit for bit. Offsets use wrapping arithmetic: all are below `observationCount`.
    func transformBalanced(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                           workspace: inout Workspace) -> Double {
        let periods = periodCount, units = unitCount
        guard periods > 0, units > 0, let input = x.baseAddress, let output = out.baseAddress else { return 0 }
        var removed = 0.0
        typealias Pair = SIMD2<Double>
        let pairEnd = periods & ~1   // periods handled two at a time; an odd last one separately
        let hasOdd = pairEnd < periods
        let stride = MemoryLayout<Double>.stride
        let rowBytes = periods &* stride
        workspace.sumsA.withUnsafeMutableBufferPointer { unitBuffer in
            workspace.sumsB.withUnsafeMutableBufferPointer { periodBuffer in
                guard let unitMean = unitBuffer.baseAddress, let periodMean = periodBuffer.baseAddress,
                      unitBuffer.count >= units, periodBuffer.count >= periods else { return }
                periodMean.update(repeating: 0, count: periods)
                let sums = UnsafeMutableRawPointer(periodMean)
                // Pass 1: unit sums (→ unit means) and period sums.
                var total = 0.0
                var row = UnsafeRawPointer(input)
                for i in 0..<units {
                    var accumulator = Pair()
                    var t = 0
                    while t < pairEnd {
                        let offset = t &* stride
                        let value = row.loadUnaligned(fromByteOffset: offset, as: Pair.self)
                        accumulator += value
                        sums.storeBytes(of: sums.loadUnaligned(fromByteOffset: offset, as: Pair.self) + value,
                                        toByteOffset: offset, as: Pair.self)
                        t &+= 2
                    }
                    var sum = accumulator[0] + accumulator[1]
                    if hasOdd {
                        let last = row.load(fromByteOffset: pairEnd &* stride, as: Double.self)
                        sum += last
                        periodMean[pairEnd] += last
                    }
                    total += sum
                    unitMean[i] = sum / Double(periods)
                    row += rowBytes
                }
                // x̄_·t − x̄
                let grand = total / Double(units * periods)
                let inverseUnits = 1 / Double(units)
                var periodSquares = 0.0, unitSquares = 0.0
                for t in 0..<periods {
                    let effect = periodMean[t] * inverseUnits - grand
                    periodMean[t] = effect
                    periodSquares += effect * effect
                }
                for i in 0..<units { let effect = unitMean[i] - grand; unitSquares += effect * effect }
                removed = Double(periods) * unitSquares + Double(units) * periodSquares
                // Pass 2: x̃_it = (x_it − x̄_i·) − (x̄_·t − x̄).
                row = UnsafeRawPointer(input)
                var target = UnsafeMutableRawPointer(output)
                for i in 0..<units {
                    let shift = unitMean[i]
                    let shiftPair = Pair(repeating: shift)
                    var t = 0
                    while t < pairEnd {
                        let offset = t &* stride
                        target.storeBytes(of: (row.loadUnaligned(fromByteOffset: offset, as: Pair.self) - shiftPair)
                                            - sums.loadUnaligned(fromByteOffset: offset, as: Pair.self),
                                          toByteOffset: offset, as: Pair.self)
                        t &+= 2
                    }
                    if hasOdd {
                        let offset = pairEnd &* stride
                        target.storeBytes(of: (row.load(fromByteOffset: offset, as: Double.self) - shift)
                                            - periodMean[pairEnd],
                                          toByteOffset: offset, as: Double.self)
                    }
                    row += rowBytes
                    target += rowBytes
                }
            }
        }
        return removed
    }

    /// The balanced closed form one unit row at a time (at most 16 periods, see ``UnitRows``):
    /// ``rowEffects(_:rows:unitMeans:)``, then ``applyRowEffects(_:into:rows:unitMeans:periodEffect:units:)``
    /// over all units. Same formula as ``transformBalanced(_:into:workspace:)``. Fixed order throughout.
    func transformRows(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                       rows: UnitRows, workspace: inout Workspace) -> Double {
        guard let input = x.baseAddress, let output = out.baseAddress else { return 0 }
        return workspace.sumsA.withUnsafeMutableBufferPointer { unitBuffer -> Double in
            guard let unitMean = unitBuffer.baseAddress, unitBuffer.count >= rows.units else { return 0 }
            let (periodEffect, removed) = Self.rowEffects(input, rows: rows, unitMeans: unitMean)
            Self.applyRowEffects(input, into: output, rows: rows, unitMeans: unitMean, periodEffect: periodEffect,
                                 units: 0..<rows.units)
            return removed
        }
    }

    /// Pass 1 of the row form: the unit means `x̄_i·` (into `unitMeans`, `N` of them) and the
    /// period effects `x̄_·t − x̄` (lanes `< T` of the result; 0 beyond), with the sum of squares
    /// the fixed effects remove, `T Σ_i (x̄_i· − x̄)² + N Σ_t (x̄_·t − x̄)²`.
    ///
    /// Each unit's row is added into the period sums (lane-wise, units in order) and its unit sum
    /// stored (a horizontal sum in a fixed tree order); the means are then divided out eight at a
    /// time and the grand total taken from the period sums, so no long chain of dependent scalar
    /// additions holds the pass up.
    static func rowEffects(_ input: UnsafePointer<Double>, rows: UnitRows,
                           unitMeans unitMean: UnsafeMutablePointer<Double>) -> (UnitRows.Row, Double) {
        let periods = rows.periods, units = rows.units
        var periodSums = UnitRows.Row()
        // Whole rows with 16-lane loads and no bounds branch, then the last units lane by lane.
        for i in 0..<rows.wholeRowUnits {
            let row = rows.loadWhole(input, unit: i)
            periodSums += row
            unitMean[i] = rows.sum(row)
        }
        for i in rows.wholeRowUnits..<units {
            let row = rows.load(input, unit: i)
            periodSums += row
            unitMean[i] = rows.sum(row)
        }
        let grand = rows.sum(periodSums) / Double(units * periods)
        // Unit sums → unit means (exact division), and Σ_i (x̄_i − x̄)² on the way.
        let divisor = SIMD8<Double>(repeating: Double(periods)), centre = SIMD8<Double>(repeating: grand)
        var squares = SIMD8<Double>()
        var i = 0
        let raw = UnsafeMutableRawPointer(unitMean)
        let stride = MemoryLayout<Double>.stride
        while i &+ 8 <= units {
            let mean = raw.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<Double>.self) / divisor
            raw.storeBytes(of: mean, toByteOffset: i &* stride, as: SIMD8<Double>.self)
            let effect = mean - centre
            squares += effect * effect
            i &+= 8
        }
        var unitSquares = squares.sum()
        while i < units {
            let mean = unitMean[i] / Double(periods)
            unitMean[i] = mean
            unitSquares += (mean - grand) * (mean - grand)
            i &+= 1
        }
        let periodEffect = (periodSums * UnitRows.Row(repeating: 1 / Double(units))
                            - UnitRows.Row(repeating: grand)) * rows.mask
        let removed = Double(periods) * unitSquares
            + Double(units) * UnitRows.horizontalSum(periodEffect * periodEffect)
        return (periodEffect, removed)
    }

    /// Pass 2 of the row form for the units in `units` (in increasing order, see ``UnitRows``):
    /// `x̃_it = (x_it − x̄_i·) − (x̄_·t − x̄)`. Whole rows are written 16 lanes at a time
    /// (``UnitRows/storeWhole(_:to:unit:)``): a row's spill past its `T` slots lands on later
    /// units' slots, which are written afterwards, here or by the caller's next range (callers go
    /// through the units in increasing order and write every one), so the output ends up exact.
    @inline(__always)
    static func applyRowEffects(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                                rows: UnitRows, unitMeans unitMean: UnsafePointer<Double>,
                                periodEffect: UnitRows.Row, units: Range<Int>) {
        let whole = min(units.upperBound, rows.wholeRowUnits)
        var first = units.lowerBound
        while first < whole {
            let row = rows.loadWhole(input, unit: first)
            rows.storeWhole((row - UnitRows.Row(repeating: unitMean[first])) - periodEffect, to: output, unit: first)
            first &+= 1
        }
        for i in first..<max(first, units.upperBound) {
            let row = rows.load(input, unit: i)
            rows.store((row - UnitRows.Row(repeating: unitMean[i])) - periodEffect, to: output, unit: i)
        }
    }

    func transformUnbalanced(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                             workspace: inout Workspace) {
        let n = observationCount
        guard let system = periodSystem else { return }
        groupA.withUnsafeBufferPointer { a in
            groupB.withUnsafeBufferPointer { b in
                inverseCountA.withUnsafeBufferPointer { inverseCount in
                    workspace.sumsA.withUnsafeMutableBufferPointer { meanA in
                        workspace.sumsB.withUnsafeMutableBufferPointer { lambda in
                            // r = M_A x
                            for k in 0..<sizeA { meanA[k] = 0 }
                            for row in 0..<n { meanA[Int(a[row])] += x[row] }
                            for k in 0..<sizeA { meanA[k] *= inverseCount[k] }
                            for k in 0..<sizeB { lambda[k] = 0 }
                            for row in 0..<n {
                                let r = x[row] - meanA[Int(a[row])]
                                out[row] = r
                                lambda[Int(b[row])] += r
                            }
                            // C λ = D_B' r
                            system.solveInPlace(UnsafeMutableBufferPointer(rebasing: lambda[0..<sizeB]))
                            // x̃ = r − M_A D_B λ
                            for k in 0..<sizeA { meanA[k] = 0 }
                            for row in 0..<n { meanA[Int(a[row])] += lambda[Int(b[row])] }
                            for k in 0..<sizeA { meanA[k] *= inverseCount[k] }
                            for row in 0..<n { out[row] -= lambda[Int(b[row])] - meanA[Int(a[row])] }
                        }
                    }
                }
            }
        }
    }
}
