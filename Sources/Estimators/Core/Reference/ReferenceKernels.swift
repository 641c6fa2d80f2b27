/// The reference cross products, residuals and sandwich meat (the ``KernelBackend/reference``
/// backend): textbook formulas in plain scalar loops over stored columns, the same for every
/// panel shape. See ``ReferenceWithin`` for the demeaning.
enum ReferenceKernels {
    /// `Σ_k x_k y_k`, one scalar accumulator, rows in order.
    static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        precondition(x.count == y.count)
        var sum = 0.0
        for k in 0..<x.count { sum += x[k] * y[k] }
        return sum
    }

    /// `Σ (x − x̄)²`, plain two passes.
    static func sumOfSquaredDeviations(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        var total = 0.0
        for value in x { total += value }
        let mean = total / Double(x.count)
        var squares = 0.0
        for value in x { squares += (value - mean) * (value - mean) }
        return squares
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
        var squares = 0.0
        for u in residuals { squares += u * u }
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
        func addOuter(_ v: [Double], weight: Double, to meat: inout [Double]) {
            for a in 0..<m { for b in 0..<m { meat[a * m + b] += weight * v[a] * v[b] } }
        }
        var meat: [Double]
        switch kind {
        case .none:
            meat = []
        case .hetero:
            meat = [Double](repeating: 0, count: m * m)
            for i in 0..<n { addOuter(mapped(row(i)), weight: residuals[i] * residuals[i], to: &meat) }
        case .cluster(let clustering):
            var scores = [[Double]](repeating: [Double](repeating: 0, count: m), count: clustering.count)
            for i in 0..<n {
                let g = Int(clustering.index[i])
                let x = row(i)
                for a in 0..<m { scores[g][a] += x[a] * residuals[i] }
            }
            meat = [Double](repeating: 0, count: m * m)
            for score in scores { addOuter(mapped(score), weight: 1, to: &meat) }
        }
        return ResidualMoments(residualSumOfSquares: squares, meat: meat, transform: transform)
    }
}
