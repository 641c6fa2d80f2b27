/// The saturated Sun–Abraham regression without dense dummy columns.
///
/// The dense path (``FixedEffectsRegression``) stores `K` interaction dummies of length `n` and
/// their demeaned copies (`2Kn` doubles: 3 GiB at a million rows and 200 cells). Here every
/// row lies in at most one cell `k(i)`, so with `P` the projection on the unit and period
/// dummies (``TwoWayWithin``, exact on unbalanced and weighted panels) and `D̃ = (I − P)D`:
/// - `D̃'ỹ = D'ỹ`, `D̃'X̃ = D'X̃` and `D̃'D̃ = D'D̃` (`I − P` is a symmetric idempotent): cell sums
///   of the demeaned outcome, of the demeaned covariates and of one demeaned dummy at a time;
/// - the fitted cell part `D̃δ = (I − P)v` with `v_i = δ_{k(i)}`: one column;
/// - the CR1 scores transformed by the bread `B` (as ``ResidualMoments`` accumulates them):
///   `z_{g,a} = Σ_{i∈g} û_i w_{a,i}` with `w_a = X̃ B_{·a} = (I − P)v_a + Σ_j B_{ja} x̃_j`,
///   `v_{a,i} = B_{k(i),a}`: one column per kept term, then the meat `Σ_g z_g z_g'`.
/// With regression weights the demeaned columns carry `√w` (``TwoWayWithin/isWeighted``) and
/// the cell sums are `Σ_{i∈k} √w_i (·)_i` (`D*'v* = D' W ṽ`, the weighted projection being
/// `W`-orthogonal).
///
/// **Balanced panels without weights**: a column that depends only on the unit's cohort and
/// the period (a cohort × period table `H`, zero for the controls) is demeaned in closed form,
/// `H̃_{c,t} = H_{c,t} − H̄_{c·} − H̄_{·t} + H̄` with the period means weighted by cohort sizes,
/// so the Gram matrix is `D'D̃_{lk} = n_l H̃^{(k)}_{c_l, t_l}` and every scores column is a
/// table lookup: no pass over the rows per cell.
///
/// Memory: the demeaned outcome and covariates, the residuals, the cell (and, balanced, the
/// cohort × period key) of each row, `(K + p)²` for the normal equations; on the general path
/// also two `n`-vectors of scratch and the scores (`G × m`), which the closed form folds into
/// the meat a block of clusters at a time instead. Collinear cells are dropped by the rule of ``NormalEquationsSolution``
/// (absorbed below `1e-10` of the centred sum of squares, then ``DroppingCholesky``), the
/// variance is ``VarianceEstimator/estimate(bread:moments:clustering:design:panel:type:correction:)``
/// (fixest's small-sample rules), and the ``Estimate`` carries the notes of the dense path.
/// Serves iid and one-way CR1 variances with the fast kernels; ``fit(design:options:)`` returns
/// nil otherwise (the caller takes the dense path).
enum SunAbrahamLeanRegression {
    /// The saturated regression of `design` ("sa-interactions"), or nil when this path does not
    /// serve the variance (hetero, CR2, CR3, two-way, Conley) or the reference kernels are chosen.
    /// - Throws: what ``FixedEffectsRegression`` throws for the same regression.
    static func fit(design: SunAbrahamDesign, options: RegressionOptions) throws -> Estimate? {
        switch options.variance {
        case .iid, .cluster: break
        default: return nil
        }
        let sample = design.sample
        let within = TwoWayWithin(panel: sample)
        guard within.backend == .fast else { return nil }
        let n = sample.observationCount, cellCount = design.cells.count, p = sample.covariates.count
        let q = cellCount + p
        let allTerms = design.terms + sample.covariateNames.map { Estimate.Term(name: $0) }
        let covariates = DemeanedDesign(within: within, termNames: sample.covariateNames, outcome: sample.outcome,
                                        regressors: sample.covariates, crossProducts: true)
        let rootWeights = within.weighted?.rootWeights
        let table = within.isBalanced && !within.isWeighted ? CohortPeriodTable(design: design) : nil

        // Normal equations.
        var gram = [Double](repeating: 0, count: q * q)
        var moment = [Double](repeating: 0, count: q)
        var scale = [Double](repeating: 0, count: q)
        let totalSumOfSquares: Double
        if let products = covariates.crossProducts {
            let r = p + 1
            for a in 0..<p {
                moment[cellCount + a] = products[a * r + p]
                for b in 0..<p { gram[(cellCount + a) * q + cellCount + b] = products[a * r + b] }
            }
            totalSumOfSquares = products[p * r + p]
        } else {
            totalSumOfSquares = dot(covariates.outcome, covariates.outcome)
            for a in 0..<p {
                moment[cellCount + a] = covariates.withColumn(a) { x in covariates.outcome.withUnsafeBufferPointer { dot(x, $0) } }
                for b in 0...a {
                    let value = covariates.withColumn(a) { x in covariates.withColumn(b) { dot(x, $0) } }
                    gram[(cellCount + a) * q + cellCount + b] = value
                    gram[(cellCount + b) * q + cellCount + a] = value
                }
            }
        }
        for j in 0..<p {
            scale[cellCount + j] = covariates.rawScale(j, demeanedSumOfSquares: gram[(cellCount + j) * (q + 1)])
        }
        let sums = CellSums(cellOfRow: design.cellOfRow, cellCount: cellCount, rootWeights: rootWeights)
        let outcomeSums = covariates.outcome.withUnsafeBufferPointer { sums.of($0) }
        for k in 0..<cellCount { moment[k] = outcomeSums[k] }
        for j in 0..<p {
            let cross = covariates.withColumn(j) { sums.of($0) }
            for k in 0..<cellCount {
                gram[(cellCount + j) * q + k] = cross[k]
                gram[k * q + cellCount + j] = cross[k]
            }
        }
        // Centred sum of squares of each dummy: n_k − n_k²/n, or with weights W_k − W_k²/W.
        let total = rootWeights == nil ? Double(n) : sample.regressionWeights?.reduce(0, +) ?? Double(n)
        for (k, cell) in design.cells.enumerated() { scale[k] = cell.share - cell.share * cell.share / total }
        // Two n-vectors for demeaning one column at a time (not needed by the closed form).
        var scratch = Scratch(count: table == nil ? n : 0, within: within)
        if let table {
            table.cellGram(into: &gram, stride: q)
        } else {
            for k in 0..<cellCount {
                var values = [Double](repeating: 0, count: cellCount)
                values[k] = 1
                scratch.demean(cellValues: values, cellOfRow: design.cellOfRow, within: within)
                let column = scratch.output.withUnsafeBufferPointer { sums.of($0) }
                for l in k..<cellCount {
                    gram[l * q + k] = column[l]
                    gram[k * q + l] = column[l]
                }
            }
        }

        // Solve (the rule of NormalEquationsSolution).
        let solution = try Solution(gram: gram, moment: moment, scale: scale, names: allTerms.map(\.name))
        guard !solution.kept.isEmpty else { throw EstimationError.noIdentifiedTerms(dropped: solution.dropped) }
        let badControls = solution.termsCollinearOnlyThrough(firstTerms: cellCount)
        guard badControls.isEmpty else {
            throw EstimationError.covariateCollinearWithTreatment(covariates: badControls, regressors: design.terms.map(\.name))
        }
        let m = solution.kept.count
        // Per term index: its position among the kept terms, or −1.
        var position = [Int](repeating: -1, count: q)
        for (r, a) in solution.kept.enumerated() { position[a] = r }

        // Residuals û = ỹ − D̃δ − X̃γ.
        var cellCoefficients = [Double](repeating: 0, count: cellCount)
        for k in 0..<cellCount where position[k] >= 0 { cellCoefficients[k] = solution.coefficients[position[k]] }
        var residuals = covariates.outcome
        residuals.withUnsafeMutableBufferPointer { u in
            if let table {
                let fitted = table.demeaned(cellValues: cellCoefficients)
                table.rowKeys.withUnsafeBufferPointer { keys in
                    for row in 0..<n { u[row] -= fitted[Int(keys[row])] }
                }
            } else {
                scratch.demean(cellValues: cellCoefficients, cellOfRow: design.cellOfRow, within: within)
                scratch.output.withUnsafeBufferPointer { fitted in
                    for row in 0..<n { u[row] -= fitted[row] }
                }
            }
            guard let target = u.baseAddress else { return }
            for j in 0..<p where position[cellCount + j] >= 0 {
                covariates.withColumn(j) { x in
                    guard let column = x.baseAddress else { return }
                    ResidualMoments.subtractScaled(solution.coefficients[position[cellCount + j]], column, from: target, count: n)
                }
            }
        }
        let residualSumOfSquares = residuals.withUnsafeBufferPointer { u -> Double in
            var squares = SquareSum()
            if let base = u.baseAddress { squares.add(base, count: n) }
            return squares.total
        }

        // Variance.
        let (kind, clustering) = try VarianceEstimator.momentKind(type: options.variance, panel: sample)
        var meat: [Double] = []
        if case .cluster(let clusters) = kind {
            let scores = Scores(clustering: clusters, m: m)
            // Covariates' part of the scores: Σ_j B_{a,j} Σ_{i∈g} û_i x̃_{j,i}.
            var covariateScores: [(weights: [Double], sums: [Double])] = []
            for j in 0..<p where position[cellCount + j] >= 0 {
                covariateScores.append(((0..<m).map { solution.bread[$0 * m + position[cellCount + j]] },
                                        covariates.withColumn(j) { scores.clusterSums(residuals: residuals, column: $0) }))
            }
            if let table {
                // Row (cohort, period) of every term's demeaned bread column, m (padded) per row.
                var columns = [Double](repeating: 0, count: table.keyCount * scores.stride)
                for r in 0..<m {
                    var values = [Double](repeating: 0, count: cellCount)
                    for k in 0..<cellCount where position[k] >= 0 { values[k] = solution.bread[r * m + position[k]] }
                    let demeaned = table.demeaned(cellValues: values)
                    for key in 0..<table.keyCount { columns[key * scores.stride + r] = demeaned[key] }
                }
                meat = scores.tableMeat(columns, keys: table.rowKeys, residuals: residuals, covariates: covariateScores)
            } else {
                var z = [Double](repeating: 0, count: clusters.count * scores.stride)
                for r in 0..<m {
                    var values = [Double](repeating: 0, count: cellCount)
                    for k in 0..<cellCount where position[k] >= 0 { values[k] = solution.bread[r * m + position[k]] }
                    scratch.demean(cellValues: values, cellOfRow: design.cellOfRow, within: within)
                    let sums = scratch.output.withUnsafeBufferPointer { scores.clusterSums(residuals: residuals, column: $0) }
                    for g in 0..<clusters.count { z[g * scores.stride + r] = sums[g] }
                }
                meat = scores.meat(&z, covariates: covariateScores)
            }
        }
        let moments = ResidualMoments(residualSumOfSquares: residualSumOfSquares, meat: meat, transform: solution.bread)
        let variance = VarianceEstimator.estimate(bread: solution.bread, moments: moments, clustering: clustering,
                                                  design: covariates, panel: sample, type: options.variance,
                                                  correction: options.correction)
        // The notes of FixedEffectsRegression for iid and CR1.
        var notes = sample.notes + design.notes
        if !solution.dropped.isEmpty { notes.append("dropped for collinearity: " + solution.dropped.joined(separator: ", ")) }
        notes += FixedEffectsRegression.withinNotes(within, panel: sample)
        return Estimate(method: "sa-interactions", outcome: sample.outcomeName, terms: solution.kept.map { allTerms[$0] },
                        coefficients: solution.coefficients, variance: variance, droppedTerms: solution.dropped,
                        observationCount: n, unitCount: sample.unitCount, periodCount: sample.periodCount,
                        fixedEffects: [(sample.unitName, sample.unitCount), (sample.timeName, sample.periodCount)],
                        residualSumOfSquares: residualSumOfSquares,
                        withinRSquared: 1 - residualSumOfSquares / totalSumOfSquares, notes: notes)
    }

    /// Two `n`-vectors of scratch for demeaning one cell-valued column (`v_i = values[k(i)]`).
    struct Scratch {
        var input: [Double]
        var output: [Double]
        var workspace: TwoWayWithin.Workspace

        init(count: Int, within: TwoWayWithin) {
            input = [Double](repeating: 0, count: count)
            output = [Double](repeating: 0, count: count)
            workspace = TwoWayWithin.Workspace(for: within)
        }

        /// `output = (I − P) v` with `v_i = values[cellOfRow[i]]` (0 outside every cell).
        mutating func demean(cellValues values: [Double], cellOfRow: [Int32], within: TwoWayWithin) {
            input.withUnsafeMutableBufferPointer { v in
                cellOfRow.withUnsafeBufferPointer { cells in
                    for row in 0..<cells.count {
                        let cell = cells[row]
                        v[row] = cell >= 0 ? values[Int(cell)] : 0
                    }
                }
            }
            input.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { out in _ = within.transform(v, into: out, workspace: &workspace) }
            }
        }
    }

    /// Cell sums `Σ_{i∈k} s_i x_i`, `s = √w` with regression weights and 1 without, rows in order.
    struct CellSums {
        let cellOfRow: [Int32]
        let cellCount: Int
        let rootWeights: [Double]?

        func of(_ x: UnsafeBufferPointer<Double>) -> [Double] {
            var sums = [Double](repeating: 0, count: cellCount)
            cellOfRow.withUnsafeBufferPointer { cells in
                for row in 0..<cells.count where cells[row] >= 0 {
                    sums[Int(cells[row])] += rootWeights.map { $0[row] * x[row] } ?? x[row]
                }
            }
            return sums
        }
    }

    /// The closed form on a balanced panel without weights: columns that depend only on the
    /// unit's cohort class (one per treated cohort with cells, then one for all others, whose
    /// entries are zero) and the period, demeaned as tables (see the type's doc).
    struct CohortPeriodTable {
        let periods: Int
        /// Number of cohort classes (treated cohorts with cells, then the others).
        let classCount: Int
        /// Units per class.
        let classSize: [Double]
        let unitCount: Double
        /// Class and period of each cell.
        let cellClass: [Int], cellPeriod: [Int]
        /// Observations per cell (the class size on a balanced panel).
        let cellSize: [Double]
        /// `class · T + period` of every row.
        let rowKeys: [Int32]

        var keyCount: Int { classCount * periods }

        init(design: SunAbrahamDesign) {
            let sample = design.sample
            periods = sample.periodCount
            var classOf: [Int32: Int] = [:]
            for cell in design.cells where classOf[cell.cohort] == nil { classOf[cell.cohort] = classOf.count }
            let other = classOf.count
            classCount = other + 1
            var sizes = [Double](repeating: 0, count: classCount)
            let unitClass = sample.adoptionPeriod.map { classOf[$0] ?? other }
            for c in unitClass { sizes[c] += 1 }
            classSize = sizes
            unitCount = Double(sample.unitCount)
            cellClass = design.cells.map { classOf[$0.cohort] ?? other }
            cellPeriod = design.cells.map { Int($0.cohort) + $0.eventTime }
            cellSize = design.cells.map { Double($0.count) }
            let periods = sample.periodCount
            rowKeys = (0..<sample.observationCount).map { row in
                Int32(truncatingIfNeeded: unitClass[Int(sample.unitIndex[row])] * periods + Int(sample.periodIndex[row]))
            }
        }

        /// `D'D̃`: entry `(l, k)` is `n_l (1{l = k} − 1{c_l = c_k}/T − 1{t_l = t_k} n_k/N + n_k/(N T))`
        /// (`N` units), the demeaned dummy of cell `k` summed over the rows of cell `l`.
        func cellGram(into gram: inout [Double], stride q: Int) {
            let t = Double(periods)
            for k in 0..<cellClass.count {
                let share = cellSize[k] / unitCount
                for l in k..<cellClass.count {
                    var value = share / t
                    if cellPeriod[l] == cellPeriod[k] { value -= share }
                    if cellClass[l] == cellClass[k] { value -= 1 / t }
                    if l == k { value += 1 }
                    gram[l * q + k] = cellSize[l] * value
                    gram[k * q + l] = cellSize[l] * value
                }
            }
        }

        /// `(I − P)v` as a table (`class · T + period`) for `v_i = values[k(i)]`:
        /// `H_{c,t} − H̄_{c·} − (H̄_{·t} − H̄)`, period means weighted by the classes' sizes.
        func demeaned(cellValues values: [Double]) -> [Double] {
            var h = [Double](repeating: 0, count: keyCount)
            for k in 0..<values.count { h[cellClass[k] * periods + cellPeriod[k]] = values[k] }
            var classMean = [Double](repeating: 0, count: classCount)
            var periodEffect = [Double](repeating: 0, count: periods)
            for c in 0..<classCount {
                var sum = 0.0
                for t in 0..<periods {
                    sum += h[c * periods + t]
                    periodEffect[t] += classSize[c] * h[c * periods + t]
                }
                classMean[c] = sum / Double(periods)
            }
            var grand = 0.0
            for t in 0..<periods { periodEffect[t] /= unitCount; grand += periodEffect[t] }
            grand /= Double(periods)
            for t in 0..<periods { periodEffect[t] -= grand }
            for c in 0..<classCount {
                for t in 0..<periods { h[c * periods + t] = (h[c * periods + t] - classMean[c]) - periodEffect[t] }
            }
            return h
        }
    }

    /// Transformed CR1 scores `z_{g,a}` and their meat `Σ_g z_g z_g'`. Scores are cluster-major
    /// with ``stride`` (the kept terms padded to a multiple of 8) per cluster.
    struct Scores {
        let clustering: Clustering
        let m: Int
        let stride: Int

        init(clustering: Clustering, m: Int) {
            self.clustering = clustering
            self.m = m
            self.stride = (m + 7) & ~7
        }

        /// `Σ_{i∈g} û_i x_i` for every cluster `g`, rows in order.
        func clusterSums(residuals: [Double], column x: UnsafeBufferPointer<Double>) -> [Double] {
            var sums = [Double](repeating: 0, count: clustering.count)
            clustering.index.withUnsafeBufferPointer { cluster in
                for row in 0..<residuals.count { sums[Int(cluster[row])] += residuals[row] * x[row] }
            }
            return sums
        }

        /// The meat of stored scores `z` (every cluster; the covariates' parts are added to it).
        func meat(_ z: inout [Double], covariates: [(weights: [Double], sums: [Double])]) -> [Double] {
            var accumulator = MeatAccumulator(m: m)
            var first = 0
            while first < clustering.count {
                let count = min(MeatAccumulator.blockClusters, clustering.count - first)
                z.withUnsafeMutableBufferPointer { all in
                    guard let base = all.baseAddress else { return }
                    let block = base + first * stride
                    addCovariates(covariates, clusters: first..<(first + count), into: block)
                    accumulator.add(block, count: count, stride: stride)
                }
                first += count
            }
            return accumulator.finish()
        }

        /// The meat on a balanced panel: `z_g = Σ_{i∈g} û_i columns[key_i]` (each table row holds
        /// every term, padded), built for a block of clusters at a time and folded into the meat
        /// right away, so the scores of all clusters are never stored. Rows are visited cluster
        /// by cluster (in row order when the cluster index never decreases, as for the unit and
        /// coarser clusters of a unit-major panel; else through a counting sort).
        func tableMeat(_ columns: [Double], keys: [Int32], residuals: [Double],
                       covariates: [(weights: [Double], sums: [Double])]) -> [Double] {
            let g = clustering.count, n = residuals.count
            let index = clustering.index
            var start = [Int](repeating: 0, count: g + 1)
            for row in 0..<n { start[Int(index[row]) + 1] += 1 }
            for c in 0..<g { start[c + 1] += start[c] }
            var order: [Int32]? = nil
            if (1..<max(n, 1)).contains(where: { index[$0] < index[$0 - 1] }) {
                var next = start
                var rows = [Int32](repeating: 0, count: n)
                for row in 0..<n {
                    let c = Int(index[row])
                    rows[next[c]] = Int32(truncatingIfNeeded: row)
                    next[c] += 1
                }
                order = rows
            }
            var accumulator = MeatAccumulator(m: m)
            let width = MeatAccumulator.blockClusters
            var z = [Double](repeating: 0, count: width * stride)
            let blocks = stride / 8
            let bytes = MemoryLayout<Double>.stride
            var first = 0
            while first < g {
                let count = min(width, g - first)
                z.withUnsafeMutableBufferPointer { buffer in
                    columns.withUnsafeBufferPointer { table in
                        guard let target = buffer.baseAddress, let source = table.baseAddress else { return }
                        target.update(repeating: 0, count: count * stride)
                        let targetRaw = UnsafeMutableRawPointer(target), tableRaw = UnsafeRawPointer(source)
                        for position in start[first]..<start[first + count] {
                            let row = order.map { Int($0[position]) } ?? position
                            let u = SIMD8<Double>(repeating: residuals[row])
                            let from = Int(keys[row]) &* stride &* bytes
                            let to = (Int(index[row]) &- first) &* stride &* bytes
                            for block in 0..<blocks {
                                let offset = block &* 8 &* bytes
                                let value = targetRaw.loadUnaligned(fromByteOffset: to &+ offset, as: SIMD8<Double>.self)
                                    + u * tableRaw.loadUnaligned(fromByteOffset: from &+ offset, as: SIMD8<Double>.self)
                                targetRaw.storeBytes(of: value, toByteOffset: to &+ offset, as: SIMD8<Double>.self)
                            }
                        }
                        addCovariates(covariates, clusters: first..<(first + count), into: target)
                        accumulator.add(target, count: count, stride: stride)
                    }
                }
                first += count
            }
            return accumulator.finish()
        }

        /// `z_{g,a} += Σ_j weights_j[a] sums_j[g]` for the clusters of a block (`block` holds them from its first).
        private func addCovariates(_ covariates: [(weights: [Double], sums: [Double])], clusters: Range<Int>,
                                   into block: UnsafeMutablePointer<Double>) {
            for (weights, sums) in covariates {
                for c in clusters {
                    let target = block + (c - clusters.lowerBound) * stride
                    for a in 0..<m { target[a] += weights[a] * sums[c] }
                }
            }
        }
    }

    /// `Σ_g z_g z_g'` over blocks of clusters, in order: each block transposed to term-major (it
    /// stays in L2), then a fixed-order dot per pair of terms; exactly symmetric.
    struct MeatAccumulator {
        /// Clusters per block.
        static let blockClusters = 256
        let m: Int
        var meat: [Double]
        var block: [Double]

        init(m: Int) {
            self.m = m
            meat = [Double](repeating: 0, count: m * m)
            block = [Double](repeating: 0, count: m * Self.blockClusters)
        }

        /// Adds `count` (at most ``blockClusters``) cluster-major scores with `stride` per cluster.
        mutating func add(_ z: UnsafePointer<Double>, count: Int, stride: Int) {
            let width = Self.blockClusters, m = self.m
            for c in 0..<count {
                let source = z + c * stride
                for a in 0..<m { block[a * width + c] = source[a] }
            }
            block.withUnsafeBufferPointer { b in
                meat.withUnsafeMutableBufferPointer { out in
                    for a in 0..<m {
                        let x = UnsafeBufferPointer(rebasing: b[(a * width)..<(a * width + count)])
                        for c in 0...a {
                            out[a * m + c] += dot(x, UnsafeBufferPointer(rebasing: b[(c * width)..<(c * width + count)]))
                        }
                    }
                }
            }
        }

        /// The symmetric meat.
        func finish() -> [Double] {
            var result = meat
            for a in 0..<m { for c in 0..<a { result[c * m + a] = result[a * m + c] } }
            return result
        }
    }

    /// ``NormalEquationsSolution`` on given normal equations: the same absorption test, dropping
    /// Cholesky, GSL inverse and coefficients.
    struct Solution {
        let kept: [Int]
        let dropped: [String]
        let coefficients: [Double]
        let bread: [Double]
        let gram: [Double]
        let absorbed: [Bool]
        let names: [String]

        init(gram input: [Double], moment: [Double], scale: [Double], names: [String], tolerance: Double = 1e-10) throws {
            let p = names.count
            var gram = input
            var absorbed = [Bool](repeating: false, count: p)
            for a in 0..<p {
                guard gram[a * p + a] <= tolerance * scale[a] || scale[a] == 0 else { continue }
                absorbed[a] = true
                gram[a * p + a] = 0
            }
            let solved = try NormalEquationsSolution.solveKept(gram: gram, moment: moment, absorbed: absorbed,
                                                               names: names, tolerance: tolerance)
            let keptSet = Set(solved.kept)
            self.kept = solved.kept
            self.dropped = (0..<p).filter { !keptSet.contains($0) }.map { names[$0] }
            self.coefficients = solved.coefficients
            self.bread = solved.bread
            self.gram = gram
            self.absorbed = absorbed
            self.names = names
        }

        /// See ``NormalEquationsSolution/termsCollinearOnlyThrough(firstTerms:)``.
        func termsCollinearOnlyThrough(firstTerms: Int) -> [String] {
            let p = names.count
            let later = Array(firstTerms..<p)
            let keptSet = Set(kept)
            let candidates = later.filter { !keptSet.contains($0) && !absorbed[$0] }
            guard !candidates.isEmpty else { return [] }
            let q = later.count
            var reduced = [Double](repeating: 0, count: q * q)
            for (r, a) in later.enumerated() { for (c, b) in later.enumerated() { reduced[r * q + c] = gram[a * p + b] } }
            let pivots = DroppingCholesky(matrix: reduced, dimension: q, tolerance: 1e-10)
            return candidates.filter { pivots.kept[$0 - firstTerms] }.map { names[$0] }
        }
    }
}
