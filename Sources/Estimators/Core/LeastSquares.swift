import CGSL

/// The solution of the normal equations of a demeaned design, with fixest's collinearity rule:
/// kept and dropped terms, coefficients and `(X̃'X̃)⁻¹`, but no residuals (see ``LeastSquaresFit``
/// for those, and ``ResidualMoments`` for what inference needs of them without storing them).
///
/// A regressor is dropped when it is absorbed by the fixed effects (its demeaned sum of squares
/// is below `1e-10 ×` its raw centred sum of squares), or when it is a linear combination of
/// regressors kept before it (``DroppingCholesky`` with `collin.tol = 1e-10`). The kept system is
/// solved and inverted with GSL's Cholesky (`gsl_linalg_cholesky_decomp1`, `…_invert`).
struct NormalEquationsSolution: Sendable {
    /// Indices (into the design's terms) of the kept regressors.
    let keptTerms: [Int]
    /// Names of dropped regressors, in order.
    let droppedTerms: [String]
    /// Coefficients of the kept regressors.
    let coefficients: [Double]
    /// `(X̃'X̃)⁻¹` of the kept regressors, row-major.
    let bread: [Double]
    /// Sum of squares of the demeaned outcome (for the within R²).
    let withinTotalSumOfSquares: Double
    /// `X̃'X̃` of every term, absorbed terms zeroed (for ``termsCollinearOnlyThrough(firstTerms:)``).
    let gram: [Double]
    /// Names of every term of the design, in order.
    let termNames: [String]
    /// Which terms the fixed effects absorb.
    let absorbed: [Bool]

    /// The dropped terms at or after index `firstTerms` that are collinear only through the
    /// first `firstTerms` terms: among the later terms alone (and the fixed effects) they would be
    /// kept. With the estimator's own regressors (treatment or event-time dummies) first and the
    /// covariates after them, these are covariates the treatment determines — bad controls, whose
    /// silent drop would change the model the user asked for.
    func termsCollinearOnlyThrough(firstTerms: Int) -> [String] {
        let p = termNames.count
        // Nothing later was dropped (the usual case): no allocation.
        guard (firstTerms..<p).contains(where: { !keptTerms.contains($0) && !absorbed[$0] }) else { return [] }
        let later = Array(firstTerms..<p)
        let candidates = later.filter { !keptTerms.contains($0) && !absorbed[$0] }
        let q = later.count
        var reduced = [Double](repeating: 0, count: q * q)
        for (r, a) in later.enumerated() { for (c, b) in later.enumerated() { reduced[r * q + c] = gram[a * p + b] } }
        let pivots = DroppingCholesky(matrix: reduced, dimension: q, tolerance: 1e-10)
        return candidates.filter { pivots.kept[$0 - firstTerms] }.map { termNames[$0] }
    }

    /// Solves `X̃'X̃ β = X̃'ỹ`.
    /// - Throws: ``EstimationError/singularDesign`` if GSL's factorisation fails on the kept set.
    init(design: DemeanedDesign, tolerance: Double = 1e-10) throws {
        let p = design.columnCount
        let n = design.observationCount
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        let totalSumOfSquares: Double
        if design.backend == .reference {
            (gram, moment, totalSumOfSquares) = ReferenceKernels.crossProducts(design: design)
        } else if let products = design.crossProducts {
            // Accumulated while demeaning (outcome last).
            let q = p + 1
            for a in 0..<p {
                moment[a] = products[a * q + p]
                for b in 0..<p { gram[a * p + b] = products[a * q + b] }
            }
            totalSumOfSquares = products[p * q + p]
        } else {
            totalSumOfSquares = dot(design.outcome, design.outcome)
        }
        if design.backend == .fast && design.crossProducts == nil { design.matrix.withUnsafeBufferPointer { x in
            design.outcome.withUnsafeBufferPointer { y in
                func column(_ j: Int) -> UnsafeBufferPointer<Double> { UnsafeBufferPointer(rebasing: x[(j * n)..<((j + 1) * n)]) }
                // Between two 0/1 indicators, x̃_a'x̃_b = x_a'x̃_b (Frisch–Waugh–Lovell): a sum of
                // x̃_b over the rows of x_a. Only indicator pairs take this path: the rounding of a
                // demeaned indicator is of order ε·mean(x_b) ≈ 1e-17, whereas a dense column with a
                // large level (an outcome such as log employment) would leak its means' rounding.
                func indicatorSum(_ rows: [Int32], _ x: UnsafeBufferPointer<Double>) -> Double {
                    var even = 0.0, odd = 0.0
                    var k = 0
                    while k + 1 < rows.count { even += x[Int(rows[k])]; odd += x[Int(rows[k + 1])]; k += 2 }
                    if k < rows.count { even += x[Int(rows[k])] }
                    return even + odd
                }
                for a in 0..<p {
                    moment[a] = dot(column(a), y)
                    for b in 0...a {
                        let value: Double
                        if let rowsA = design.indicatorRows[a], let rowsB = design.indicatorRows[b] {
                            value = rowsA.count <= rowsB.count ? indicatorSum(rowsA, column(b)) : indicatorSum(rowsB, column(a))
                        } else {
                            value = dot(column(a), column(b))
                        }
                        gram[a * p + b] = value
                        gram[b * p + a] = value
                    }
                }
            }
        } }
        // Absorbed by the fixed effects?
        var absorbed = [Bool](repeating: false, count: p)
        for a in 0..<p {
            let scale = design.rawScale(a, demeanedSumOfSquares: gram[a * p + a])
            guard gram[a * p + a] <= tolerance * scale || scale == 0 else { continue }
            absorbed[a] = true
            gram[a * p + a] = 0
        }
        let solved = try NormalEquationsSolution.solveKept(gram: gram, moment: moment, absorbed: absorbed,
                                                           names: design.termNames, tolerance: tolerance)
        keptTerms = solved.kept
        self.gram = gram
        self.termNames = design.termNames
        self.absorbed = absorbed
        droppedTerms = (0..<p).filter { !solved.kept.contains($0) }.map { design.termNames[$0] }
        bread = solved.bread
        coefficients = solved.coefficients
        withinTotalSumOfSquares = totalSumOfSquares
    }

    /// The kept terms of normal equations `gram · β = moment` (`p × p`, absorbed terms' diagonals
    /// already zeroed): the dropping Cholesky's pivots less the absorbed terms, the inverse of
    /// their Gram (GSL Cholesky) and their coefficients. Shared with Sun–Abraham's lean path, which
    /// builds its normal equations from cell sums.
    /// - Throws: ``EstimationError/singularDesign(terms:)`` when GSL cannot invert the kept block.
    static func solveKept(gram: [Double], moment: [Double], absorbed: [Bool], names: [String],
                          tolerance: Double) throws -> (kept: [Int], bread: [Double], coefficients: [Double]) {
        let p = names.count
        let pivots = DroppingCholesky(matrix: gram, dimension: p, tolerance: tolerance)
        let kept = (0..<p).filter { pivots.kept[$0] && !absorbed[$0] }
        let m = kept.count
        var inverse = [Double](repeating: 0, count: m * m)
        for (r, a) in kept.enumerated() { for (c, b) in kept.enumerated() { inverse[r * m + c] = gram[a * p + b] } }
        if m > 0 {
            let status = inverse.withUnsafeMutableBufferPointer { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return -1 }
                var view = gsl_matrix_view_array(base, m, m)
                let decomposed = gsl_linalg_cholesky_decomp1(&view.matrix)
                return decomposed != 0 ? decomposed : gsl_linalg_cholesky_invert(&view.matrix)
            }
            guard status == 0 else { throw EstimationError.singularDesign(terms: kept.map { names[$0] }) }
        }
        var beta = [Double](repeating: 0, count: m)
        for r in 0..<m { for c in 0..<m { beta[r] += inverse[r * m + c] * moment[kept[c]] } }
        return (kept, inverse, beta)
    }
}

/// Ordinary least squares on a demeaned design (``NormalEquationsSolution``) with its residuals.
struct LeastSquaresFit: Sendable {
    /// The solved normal equations.
    let solution: NormalEquationsSolution
    /// Residuals `û = ỹ − X̃β̂` (equal to the full model's residuals by Frisch–Waugh–Lovell).
    public let residuals: [Double]
    /// Residual sum of squares.
    public let residualSumOfSquares: Double

    /// Indices (into the design's terms) of the kept regressors.
    public var keptTerms: [Int] { solution.keptTerms }
    /// Names of dropped regressors, in order.
    public var droppedTerms: [String] { solution.droppedTerms }
    /// Coefficients of the kept regressors.
    public var coefficients: [Double] { solution.coefficients }
    /// `(X̃'X̃)⁻¹` of the kept regressors, row-major.
    public var bread: [Double] { solution.bread }
    /// Sum of squares of the demeaned outcome (for the within R²).
    public var withinTotalSumOfSquares: Double { solution.withinTotalSumOfSquares }

    /// Fits `ỹ = X̃β + û`.
    /// - Throws: ``EstimationError/singularDesign`` if GSL's factorisation fails on the kept set.
    public init(design: DemeanedDesign, tolerance: Double = 1e-10) throws {
        let solution = try NormalEquationsSolution(design: design, tolerance: tolerance)
        self.solution = solution
        if design.backend == .reference {
            residuals = ReferenceKernels.residuals(design: design, kept: solution.keptTerms,
                                                   coefficients: solution.coefficients)
            residualSumOfSquares = residuals.reduce(0) { $0 + $1 * $1 }
            return
        }
        let n = design.observationCount
        var residual = design.outcome
        residual.withUnsafeMutableBufferPointer { u in
            guard let target = u.baseAddress else { return }
            for (r, a) in solution.keptTerms.enumerated() {
                design.withColumn(a) { x in
                    guard let column = x.baseAddress else { return }
                    ResidualMoments.subtractScaled(solution.coefficients[r], column, from: target, count: n)
                }
            }
        }
        residuals = residual
        residualSumOfSquares = dot(residual, residual)
    }
}

/// Dot product with four accumulators (a fixed summation order, so results are reproducible).
func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in dot(x, y) } }
}

/// Dot product of two buffers of equal length, with four `SIMD8` accumulators over 32-element
/// chunks, then the tail, in a fixed order (so results are reproducible bit for bit on every run,
/// thread and build). Four independent chains keep the adds from waiting on each other's latency
/// when a `SIMD8` is one AVX-512 instruction.
func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
    let n = min(x.count, y.count)
    guard n > 0, let px = x.baseAddress, let py = y.baseAddress else { return 0 }
    var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>(), acc2 = SIMD8<Double>(), acc3 = SIMD8<Double>()
    var i = 0
    let rx = UnsafeRawPointer(px), ry = UnsafeRawPointer(py)
    let stride = MemoryLayout<Double>.stride
    while i &+ 32 <= n {
        let offset = i &* stride
        acc0 += rx.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self)
            * ry.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self)
        acc1 += rx.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD8<Double>.self)
            * ry.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD8<Double>.self)
        acc2 += rx.loadUnaligned(fromByteOffset: offset &+ 128, as: SIMD8<Double>.self)
            * ry.loadUnaligned(fromByteOffset: offset &+ 128, as: SIMD8<Double>.self)
        acc3 += rx.loadUnaligned(fromByteOffset: offset &+ 192, as: SIMD8<Double>.self)
            * ry.loadUnaligned(fromByteOffset: offset &+ 192, as: SIMD8<Double>.self)
        i &+= 32
    }
    while i &+ 8 <= n {
        acc0 += rx.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<Double>.self)
            * ry.loadUnaligned(fromByteOffset: i &* stride, as: SIMD8<Double>.self)
        i &+= 8
    }
    var tail = 0.0
    while i < n { tail += px[i] * py[i]; i &+= 1 }
    return treeSum((acc0 + acc1) + (acc2 + acc3)) + tail
}

/// The eight lanes summed in a fixed tree order (halves added lane-wise, then the last pair), so
/// every kernel reduces its vector accumulators the same way on every build.
@inline(__always)
func treeSum(_ lanes: SIMD8<Double>) -> Double {
    let four = lanes.lowHalf + lanes.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// `Σ (x − x̄)²` in two SIMD passes (mean, then squared deviations), in a fixed order.
func sumOfSquaredDeviations(_ x: UnsafeBufferPointer<Double>) -> Double {
    let n = x.count
    guard n > 0, let base = x.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    let stride = MemoryLayout<Double>.stride
    var acc = SIMD8<Double>()
    var i = 0
    while i + 8 <= n { acc += raw.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<Double>.self); i += 8 }
    var tail = 0.0
    while i < n { tail += base[i]; i += 1 }
    let mean = (acc.sum() + tail) / Double(n)
    let center = SIMD8<Double>(repeating: mean)
    var squares = SIMD8<Double>()
    i = 0
    while i + 8 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<Double>.self) - center
        squares += d * d
        i += 8
    }
    tail = 0
    while i < n { let d = base[i] - mean; tail += d * d; i += 1 }
    return squares.sum() + tail
}

/// Why an estimation failed.
public enum EstimationError: ParameterError, Equatable {
    /// GSL could not factor the kept normal equations.
    case singularDesign(terms: [String])
    /// Every regressor was dropped as collinear.
    case noIdentifiedTerms(dropped: [String])
    /// A requested clustering does not exist in the panel.
    case unknownClustering(name: String, available: [String])
    /// Fewer than two clusters.
    case tooFewClusters(name: String, count: Int)
    /// An option is invalid for this estimator.
    case invalidOption(String)
    /// Covariates that are linear combinations of the estimator's own regressors (the treatment
    /// or event-time terms) and the fixed effects.
    case covariateCollinearWithTreatment(covariates: [String], regressors: [String])

    /// The cluster column, for the errors about it.
    public var subject: ParameterSubject? {
        switch self {
        case let .unknownClustering(name, available):
            return ParameterSubject(.cluster, "'\(name)'", "the column is not loaded; available: "
                                    + available.sorted().joined(separator: ", "))
        case let .tooFewClusters(name, count):
            return ParameterSubject(.cluster, name, "\(count) cluster; expected at least 2")
        default:
            return nil
        }
    }

    /// One line for the user.
    public var description: String {
        switch self {
        case .singularDesign(let terms):
            return "the normal equations of (\(terms.joined(separator: ", "))) are singular"
        case .noIdentifiedTerms(let dropped):
            return "every regressor was dropped as collinear with the fixed effects or each other: "
                + dropped.joined(separator: ", ")
        case .unknownClustering, .tooFewClusters:
            return subject?.roleMessage ?? ""
        case .invalidOption(let message):
            return message
        case let .covariateCollinearWithTreatment(covariates, regressors):
            let shown = regressors.count > 3 ? regressors.prefix(3).joined(separator: ", ") + ", …" : regressors.joined(separator: ", ")
            return "the covariate\(covariates.count == 1 ? "" : "s") \(covariates.map { "'\($0)'" }.joined(separator: ", ")) "
                + "\(covariates.count == 1 ? "is" : "are") collinear with the treatment terms (\(shown)) given the fixed effects: "
                + "a covariate that the treatment determines is a bad control; expected covariates not determined by treatment"
        }
    }
}
