extension HonestDiD {
    /// The event study HonestDiD works on: `β̂ = (β̂_pre, β̂_post)` in event-time order with the
    /// reference period dropped, and its covariance.
    public struct EventStudyCoefficients: Sendable {
        /// `β̂`: the `preCount` pre-period coefficients (`e−K−1 … e−2`), then the `postCount`
        /// post-period ones (`e+0 … e+P−1`).
        public var coefficients: [Double]
        /// Covariance of ``coefficients``, row-major `n × n`.
        public var covariance: [Double]
        /// Number of pre periods `K` (≥ 1).
        public var preCount: Int
        /// Number of post periods `P` (≥ 1).
        public var postCount: Int

        /// Creates the input, checking it.
        /// - Throws: ``HonestDiDError`` for non-conformable sizes, no pre or no post period, a
        ///   non-finite value, or a covariance that is not symmetric with a positive diagonal.
        public init(coefficients: [Double], covariance: [Double], preCount: Int, postCount: Int) throws {
            let n = coefficients.count
            // The tests' linear programs grow with the window (and are dense): refuse windows no
            // event study of this kind has, rather than trap or run without bound.
            guard preCount <= 100 && postCount <= 100 else {
                throw HonestDiDError("the event study has \(preCount) pre and \(postCount) post periods; HonestDiD here takes at most 100 of each (bin the window with --leads/--lags)")
            }
            guard preCount >= 1 else {
                throw HonestDiDError("the event study has no pre-period coefficient (HonestDiD needs at least one lead besides the reference period)")
            }
            guard postCount >= 1 else { throw HonestDiDError("the event study has no post-period coefficient") }
            guard preCount + postCount == n else {
                throw HonestDiDError("the numbers of pre (\(preCount)) and post (\(postCount)) periods do not add up to the \(n) coefficients")
            }
            guard covariance.count == n * n else {
                throw HonestDiDError("the covariance has \(covariance.count) entries, expected \(n) × \(n)")
            }
            guard coefficients.allSatisfy(\.isFinite) && covariance.allSatisfy(\.isFinite) else {
                throw HonestDiDError("the event-study coefficients or their covariance are not all finite")
            }
            for i in 0..<n {
                guard covariance[i * n + i] > 0 else {
                    throw HonestDiDError("the covariance's diagonal entry \(i + 1) is not positive")
                }
                for j in 0..<i {
                    let a = covariance[i * n + j], b = covariance[j * n + i]
                    guard abs(a - b) <= 1e-10 * max(abs(a), abs(b), covariance[i * n + i], covariance[j * n + j]) else {
                        throw HonestDiDError("the covariance is not symmetric (entries \(i + 1),\(j + 1))")
                    }
                }
            }
            self.coefficients = coefficients
            self.covariance = covariance
            self.preCount = preCount
            self.postCount = postCount
        }

        /// The event-time coefficients of an event study (``EventStudy``, Sun–Abraham): terms with an
        /// event time, negative ones as pre periods and the others as post periods.
        /// - Throws: ``HonestDiDError`` when the event times are not consecutive around the
        ///   omitted reference period `e−1` (a dropped term, or another reference period), or as
        ///   ``init(coefficients:covariance:preCount:postCount:)``.
        public init(estimate: Estimate) throws {
            let indexed = estimate.terms.enumerated().compactMap { index, term in term.eventTime.map { (index, $0) } }
                .sorted { $0.1 < $1.1 }
            guard !indexed.isEmpty else { throw HonestDiDError("the estimate has no event-time coefficients (HonestDiD needs an event study)") }
            let times = indexed.map(\.1)
            let pre = times.filter { $0 < 0 }, post = times.filter { $0 >= 0 }
            guard !times.contains(-1) else {
                throw HonestDiDError("the event study estimates e-1; HonestDiD needs e-1 as the omitted reference period")
            }
            let expected = (pre.isEmpty ? [] : Array(pre[0]...(-2))) + (post.isEmpty ? [] : Array(0...(post.last ?? 0)))
            guard times == expected else {
                throw HonestDiDError("the event times \(times.map(EventStudy.termName).joined(separator: ", ")) are not consecutive "
                                     + "around the reference period e-1 (a term was dropped?)")
            }
            let k = estimate.terms.count
            let positions = indexed.map(\.0)
            var covariance = [Double](repeating: 0, count: positions.count * positions.count)
            for (a, i) in positions.enumerated() {
                for (b, j) in positions.enumerated() { covariance[a * positions.count + b] = estimate.variance.matrix[i * k + j] }
            }
            try self.init(coefficients: positions.map { estimate.coefficients[$0] }, covariance: covariance,
                          preCount: pre.count, postCount: post.count)
        }

        /// Entry `(i, j)` of the covariance.
        func sigma(_ i: Int, _ j: Int) -> Double { covariance[i * coefficients.count + j] }

        /// `l'β̂_post` and its standard deviation.
        func postCombination(_ l: [Double]) -> (estimate: Double, sd: Double) {
            var estimate = 0.0, variance = 0.0
            for a in 0..<postCount {
                estimate += l[a] * coefficients[preCount + a]
                for b in 0..<postCount { variance += l[a] * l[b] * sigma(preCount + a, preCount + b) }
            }
            return (estimate, max(variance, 0).squareRoot())
        }
    }
}
