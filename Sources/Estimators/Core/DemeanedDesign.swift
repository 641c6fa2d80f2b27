/// The design of a fixed-effects regression after the within transformation: the demeaned
/// outcome and regressors, stored contiguously, with what inference needs.
struct DemeanedDesign: Sendable {
    /// Term names, one per regressor column.
    public let termNames: [String]
    /// Number of observations (rows).
    public let observationCount: Int
    /// Demeaned outcome `ỹ`.
    public let outcome: [Double]
    /// Demeaned regressors `X̃`, column-major: column `j` is `matrix[j·n ..< (j+1)·n]`.
    public let matrix: [Double]
    /// Rank of the absorbed fixed effects (see ``TwoWayWithin/fixedEffectRank``).
    public let fixedEffectRank: Int
    /// The kernels of the ``TwoWayWithin`` it was demeaned with; the normal equations and the
    /// residual moments of this design use the same ones.
    public let backend: KernelBackend
    /// Row layout when the panel is balanced with at most 16 periods (see ``UnitRows``).
    let unitRows: UnitRows?
    /// When requested and the panel has a row layout: the cross products of `[X̃, ỹ]`,
    /// `(p + 1) × (p + 1)` row-major (the outcome last), accumulated block by block while the
    /// demeaned rows are still in L1 (see ``init(within:termNames:outcome:regressors:indicatorRows:crossProducts:)``).
    var crossProducts: [Double]?
    /// Per regressor: on a balanced panel, the sum of squares the fixed effects removed from it
    /// (see ``TwoWayWithin/transform(_:into:workspace:)``); on an unbalanced one, its centred sum
    /// of squares, computed directly. See ``rawScale(_:demeanedSumOfSquares:)``.
    let scaleTerms: [Double]
    /// True when `scaleTerms` holds removed sums of squares (balanced path).
    let scaleIsRemovedPart: Bool

    /// Centred sum of squares of raw regressor `a`, `Σ (x_a − x̄_a)²`, to tell "absorbed by the
    /// fixed effects" (demeaned column ≈ 0 relative to this) from a small-scale variable. On a
    /// balanced panel it is `Σ x̃_a² + removed_a` (orthogonal decomposition, no extra pass over
    /// the data); `demeanedSumOfSquares` is `Σ x̃_a²`, the Gram diagonal.
    func rawScale(_ a: Int, demeanedSumOfSquares: Double) -> Double {
        scaleIsRemovedPart ? demeanedSumOfSquares + scaleTerms[a] : scaleTerms[a]
    }
    /// For regressors that are sparse 0/1 indicators (treatment, event-time, interaction and ring
    /// dummies), the rows where they equal 1; nil for other columns. Between two indicators,
    /// `x̃_a'x̃_b = x_a'x̃_b` (Frisch–Waugh–Lovell), a sum over the rows of `x_a` instead of `n`
    /// products (see ``LeastSquaresFit``).
    public internal(set) var indicatorRows: [[Int32]?]

    /// The rows where `column` equals 1, when it is a 0/1 indicator with at most a quarter of its
    /// entries non-zero; nil otherwise (one pass, no allocation beyond the result).
    public static func indicatorRows(of column: [Double]) -> [Int32]? {
        column.withUnsafeBufferPointer { x -> [Int32]? in
            let limit = x.count / 4
            var rows = [Int32](repeating: 0, count: limit)
            var count = 0
            let fits: Bool = rows.withUnsafeMutableBufferPointer { out in
                for row in 0..<x.count {
                    let value = x[row]
                    if value == 0 { continue }
                    guard value == 1, count < limit else { return false }
                    out[count] = Int32(truncatingIfNeeded: row)
                    count += 1
                }
                return true
            }
            guard fits else { return nil }
            rows.removeLast(limit - count)
            return rows
        }
    }

    /// Number of regressor columns.
    public var columnCount: Int { termNames.count }

    /// Demeans `outcome` and `regressors` with `within`. `indicatorRows[j]`, when given, must be
    /// the rows where regressor `j` equals 1 (it must be 0 elsewhere); see ``indicatorRows(of:)``.
    ///
    /// With the reference backend the columns are demeaned one by one with the plain kernel and
    /// `crossProducts` and `indicatorRows` go unused (the cross products are plain dots).
    ///
    /// With `crossProducts` on a balanced panel of at most 16 periods, the cross products of the
    /// demeaned columns are accumulated as they are written: all columns' unit and period means
    /// first, then blocks of units whose demeaned rows (every column) fit in L1, each block's
    /// products summed right away. The Gram matrix then costs one pass over data already in L1
    /// instead of a pass over two whole columns (from L2) per product.
    public init(within: TwoWayWithin, termNames: [String], outcome: [Double], regressors: [[Double]],
                indicatorRows: [[Int32]?]? = nil, crossProducts: Bool = false) {
        precondition(termNames.count == regressors.count)
        let n = outcome.count
        var removed = [Double](repeating: 0, count: regressors.count)
        var demeanedOutcome: [Double]
        let matrix: [Double]
        var products: [Double]? = nil
        if crossProducts, let rows = within.rows {
            let q = regressors.count + 1
            var gram = [Double](repeating: 0, count: q * q)
            var outcomeStore = [Double]()
            matrix = [Double](unsafeUninitializedCapacity: n * regressors.count) { out, initialized in
                outcomeStore = [Double](unsafeUninitializedCapacity: n) { y, yInitialized in
                    Self.demeanWithCrossProducts(rows: rows, regressors: regressors, outcome: outcome, matrix: out,
                                                 demeanedOutcome: y, removed: &removed, gram: &gram)
                    yInitialized = n
                }
                initialized = n * regressors.count
            }
            demeanedOutcome = outcomeStore
            products = gram
        } else {
            var workspace = TwoWayWithin.Workspace(for: within)
            // `transform` writes every element of its output, so the storage is not zero-filled
            // first (for a large design that saves a pass over p·n doubles and its page faults).
            demeanedOutcome = [Double](unsafeUninitializedCapacity: n) { out, initialized in
                outcome.withUnsafeBufferPointer { _ = within.transform($0, into: out, workspace: &workspace) }
                initialized = n
            }
            let total = n * regressors.count
            matrix = [Double](unsafeUninitializedCapacity: total) { out, initialized in
                for (j, column) in regressors.enumerated() {
                    removed[j] = column.withUnsafeBufferPointer { input in
                        within.transform(input, into: UnsafeMutableBufferPointer(rebasing: out[(j * n)..<((j + 1) * n)]),
                                         workspace: &workspace)
                    } ?? 0
                }
                initialized = total
            }
        }
        self.termNames = termNames
        self.observationCount = n
        self.outcome = demeanedOutcome
        self.matrix = matrix
        self.fixedEffectRank = within.fixedEffectRank
        self.backend = within.backend
        self.unitRows = within.rows
        self.crossProducts = products
        // With weights the demeaned columns are √w-scaled (see `WeightedTwoWaySystem`): an
        // indicator's starred column is √w on its rows, not 1, so the indicator shortcut of the
        // cross products does not apply, and the scale of a regressor is its weighted spread.
        self.indicatorRows = within.isWeighted ? Array(repeating: nil, count: regressors.count)
            : indicatorRows ?? Array(repeating: nil, count: regressors.count)
        if let weights = within.weighted {
            self.scaleIsRemovedPart = false
            self.scaleTerms = regressors.map(weights.weightedSumOfSquaredDeviations)
            return
        }
        if let reference = within.weightedReference {
            self.scaleIsRemovedPart = false
            self.scaleTerms = regressors.map { ReferenceWeightedWithin.weightedSumOfSquaredDeviations($0, weights: reference.weights) }
            return
        }
        switch within.backend {
        case .fast:
            self.scaleIsRemovedPart = within.isBalanced
            self.scaleTerms = within.isBalanced ? removed : regressors.map { column in
                column.withUnsafeBufferPointer { sumOfSquaredDeviations($0) }
            }
        case .reference:
            self.scaleIsRemovedPart = false
            self.scaleTerms = regressors.map(ReferenceKernels.sumOfSquaredDeviations)
        }
    }

    /// Units per block of the fused pass: their rows of every column stay in L1 (about 12 KB
    /// for six columns of 14 periods).
    static let unitsPerBlock = 16

    /// The row-form within transform of the regressors and the outcome (column `q − 1`) into
    /// `matrix` (column-major) and `demeanedOutcome`, with the cross products of the demeaned
    /// columns in `gram`.
    private static func demeanWithCrossProducts(rows: UnitRows, regressors: [[Double]], outcome: [Double],
                                                matrix: UnsafeMutableBufferPointer<Double>,
                                                demeanedOutcome: UnsafeMutableBufferPointer<Double>,
                                                removed: inout [Double], gram: inout [Double]) {
        let q = regressors.count + 1, n = rows.units * rows.periods
        guard let matrixBase = matrix.baseAddress, let outcomeBase = demeanedOutcome.baseAddress else { return }
        // Column c's output: the matrix's column c, the outcome last. (Plain pointer arithmetic,
        // no arrays of pointers or of SIMD rows: those cost a generic-metadata lookup per fit.)
        @inline(__always) func target(_ c: Int) -> UnsafeMutablePointer<Double> {
            c < q - 1 ? matrixBase + c * n : outcomeBase
        }
        // (Two branches, not `(c < q - 1 ? regressors[c] : outcome).with…`: the conditional
        // expression is a copy of the array, retained and released on every call.)
        @inline(__always) func withColumn(_ c: Int, _ body: (UnsafePointer<Double>) -> Void) {
            if c < q - 1 {
                regressors[c].withUnsafeBufferPointer { input in
                    guard let base = input.baseAddress else { return }
                    body(base)
                }
            } else {
                outcome.withUnsafeBufferPointer { input in
                    guard let base = input.baseAddress else { return }
                    body(base)
                }
            }
        }
        // Unit means (`q · N`), then the period effects (16 lanes per column), in one uninitialised
        // allocation: both are written (every unit, every lane) before they are read.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: q * rows.units + q * UnitRows.capacity) { scratchBuffer in
            gram.withUnsafeMutableBufferPointer { products in
                guard let meanBase = scratchBuffer.baseAddress else { return }
                let effects = meanBase + q * rows.units
                for c in 0..<q {
                    withColumn(c) { base in
                        let (effect, removedSquares) = TwoWayWithin.rowEffects(base, rows: rows,
                                                                                unitMeans: meanBase + c * rows.units)
                        UnsafeMutableRawPointer(effects + c * UnitRows.capacity).storeBytes(of: effect, as: UnitRows.Row.self)
                        if c < q - 1 { removed[c] = removedSquares }
                    }
                }
                // Up to six columns: the products accumulate in registers (see `SixColumnGram`).
                var sixColumns = SixColumnGram()
                var first = 0
                while first < rows.units {
                    let last = min(first + unitsPerBlock, rows.units)
                    for c in 0..<q {
                        withColumn(c) { base in
                            let effect = UnsafeRawPointer(effects + c * UnitRows.capacity).loadUnaligned(as: UnitRows.Row.self)
                            TwoWayWithin.applyRowEffects(base, into: target(c), rows: rows,
                                                         unitMeans: meanBase + c * rows.units,
                                                         periodEffect: effect, units: first..<last)
                        }
                    }
                    let start = first * rows.periods, count = (last - first) * rows.periods
                    if q <= SixColumnGram.capacity {
                        sixColumns.add(columnCount: q, start: start, count: count, column: { UnsafePointer(target($0)) })
                    } else {
                        for a in 0..<q {
                            let x = UnsafeBufferPointer(start: target(a) + start, count: count)
                            for b in 0...a {
                                products[a * q + b] += dot(x, UnsafeBufferPointer(start: target(b) + start, count: count))
                            }
                        }
                    }
                    first = last
                }
                if q <= SixColumnGram.capacity, let out = products.baseAddress {
                    sixColumns.finish(into: out, count: q)
                } else {
                    for a in 0..<q { for b in 0..<a { products[b * q + a] = products[a * q + b] } }
                }
            }
        }
    }

    /// Calls `body` with column `j` of `X̃`.
    @inlinable
    public func withColumn<R>(_ j: Int, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        matrix.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[(j * observationCount)..<((j + 1) * observationCount)]))
        }
    }
}
