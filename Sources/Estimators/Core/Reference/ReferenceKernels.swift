/// A sum with Neumaier's compensation: the rounding error of every addition is carried in a
/// second term, so the result is the exactly rounded sum unless the terms cancel massively.
///
/// The reference kernels sum with it so that they are at least as accurate as the fast ones,
/// whose many independent SIMD accumulators keep a single huge term (an outlier of 1e8) from
/// absorbing the low bits of every later term; a single plain accumulator would not.
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    init() {}

    mutating func add(_ value: Double) {
        let next = sum + value
        if abs(sum) >= abs(value) { compensation += (sum - next) + value } else { compensation += (value - next) + sum }
        sum = next
    }

    var value: Double { sum + compensation }
}

/// The reference cross products, residuals and sandwich meat (the ``KernelBackend/reference``
/// backend): textbook formulas in plain scalar loops over stored columns, the same for every
/// panel shape, every sum over rows or clusters compensated (``CompensatedSum``). See
/// ``ReferenceWithin`` for the demeaning.
enum ReferenceKernels {
    /// `Σ_k x_k y_k`, rows in order.
    static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        precondition(x.count == y.count)
        var sum = CompensatedSum()
        for k in 0..<x.count { sum.add(x[k] * y[k]) }
        return sum.value
    }

    /// `Σ (x − x̄)²`, two passes.
    static func sumOfSquaredDeviations(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        var total = CompensatedSum()
        for value in x { total.add(value) }
        let mean = total.value / Double(x.count)
        var squares = CompensatedSum()
        for value in x { squares.add((value - mean) * (value - mean)) }
        return squares.value
    }

    /// `X̃'X̃` (`p × p`, row-major), `X̃'ỹ` and `ỹ'ỹ` of a design, by dot products of its columns.
    static func crossProducts(design: DemeanedDesign) -> (gram: [Double], moment: [Double], outcomeSquares: Double) {
        let p = design.columnCount
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        let outcomeSquares = design.outcome.withUnsafeBufferPointer { y in
            for a in 0..<p {
                design.withColumn(a) { xa in
                    moment[a] = dot(xa, y)
                    for b in 0..<p { gram[a * p + b] = design.withColumn(b) { xb in dot(xa, xb) } }
                }
            }
            return dot(y, y)
        }
        return (gram, moment, outcomeSquares)
    }

    /// Stored residuals `û_i = ỹ_i − Σ_r β_r x̃_{kept[r], i}`.
    static func residuals(design: DemeanedDesign, kept: [Int], coefficients: [Double]) -> [Double] {
        precondition(kept.count == coefficients.count)
        let n = design.observationCount
        var residuals = design.outcome
        for (r, a) in kept.enumerated() {
            let start = a * n
            for i in 0..<n { residuals[i] -= coefficients[r] * design.matrix[start + i] }
        }
        return residuals
    }

    /// `Σ û²` and the meat: nothing (`.none`), `Σ_i û_i² z_i z_i'` (`.hetero`), or
    /// `Σ_g s_g s_g'` with `s_g = Σ_{i∈g} x̃_i û_i` (`.cluster`), over the kept columns, where
    /// `z_i = T x̃_i` and the scores are replaced by `T s_g` when a `transform` `T` is given
    /// (row-major `m × m`; see ``ResidualMoments``).
    static func moments(design: DemeanedDesign, kept: [Int], residuals: [Double], kind: ResidualMoments.Kind,
                        transform: [Double]?) -> ResidualMoments {
        let n = design.observationCount, m = kept.count
        precondition(residuals.count == n)
        var squares = CompensatedSum()
        for u in residuals { squares.add(u * u) }
        // Row i of the kept columns, multiplied by T when given.
        func mapped(_ v: [Double]) -> [Double] {
            guard let transform else { return v }
            return (0..<m).map { a in
                var sum = 0.0
                for b in 0..<m { sum += transform[a * m + b] * v[b] }
                return sum
            }
        }
        func row(_ i: Int) -> [Double] { kept.map { design.matrix[$0 * n + i] } }
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: m * m)
        func addOuter(_ v: [Double], weight: Double) {
            for a in 0..<m { for b in 0..<m { sums[a * m + b].add(weight * v[a] * v[b]) } }
        }
        switch kind {
        case .none:
            sums = []
        case .hetero:
            for i in 0..<n { addOuter(mapped(row(i)), weight: residuals[i] * residuals[i]) }
        case .cluster(let clustering):
            var scores = [[CompensatedSum]](repeating: [CompensatedSum](repeating: CompensatedSum(), count: m),
                                            count: clustering.count)
            for i in 0..<n {
                let g = Int(clustering.index[i])
                let x = row(i)
                for a in 0..<m { scores[g][a].add(x[a] * residuals[i]) }
            }
            for score in scores { addOuter(mapped(score.map(\.value)), weight: 1) }
        }
        return ResidualMoments(residualSumOfSquares: squares.value, meat: sums.map(\.value), transform: transform)
    }
}
