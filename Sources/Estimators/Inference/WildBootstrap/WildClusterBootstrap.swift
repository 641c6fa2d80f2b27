/// The wild cluster bootstrap of fixed-effects regression coefficients (Cameron, Gelbach &
/// Miller 2008; "fast and wild", Roodman, MacKinnon, Nielsen & Webb 2019), for inference that
/// survives few (treated) clusters.
///
/// **What is bootstrapped.** The model is `y ~ regressors + covariates | unit + period` (TWFE, the
/// event study, or given columns), clustered by ``cluster``. For a coefficient `β_j` and null
/// `β_j = r` (default 0):
/// - **WCR** (``imposeNull`` true, the default, boottest's and wildboottest's default): the
///   bootstrap samples are `y* = Xβ̃ + Dα̃ + ũ ∘ v`, with the restricted estimates and residuals
///   (null imposed) and one weight `v_g` per cluster;
/// - **WCU** (``imposeNull`` false): `y* = Xβ̂ + Dα̂ + û ∘ v`, statistics centred at `β̂_j`.
/// Each `y*` is re-estimated *with the two-way fixed effects* and CR1-studentized:
/// `t*_b = (β*_j − r)/se*` (WCR) or `(β*_j − β̂_j)/se*` (WCU). This is the "11" bootstrap of
/// wildboottest/boottest on the dummy-variable model; no per-draw regression is run (see
/// ``WildBootstrapKernel`` for the algebra, O(G·(k + T)) per draw).
///
/// **Weights** (``BootstrapWeights``): Rademacher (default), Webb, Mammen. With Rademacher weights
/// and `2^G ≤ B` every sign vector is enumerated once (as wildboottest; ``allowFullEnumeration``)
/// and the p-value is exact over the 2^G draws.
///
/// **p-value**: `c/B`, no add-one, as boottest and wildboottest (``BootstrapPValueType``: symmetric
/// by default, or equal-tailed). Ties with the observed `|t|` follow ``ties`` (counted by default;
/// ``BootstrapTieRule/exclude`` is boottest's rule). **Confidence interval**: by inverting the
/// bootstrap test over the null value (``WildBootstrapDistribution/confidenceInterval(level:halfWidth:type:ties:)``).
///
/// **Streams.** Draws come in blocks of ``drawsPerStream`` (64): block `k` uses the stream
/// `(seed, replication: k, purpose: .bootstrap)` alone, so draw `b` depends only on (seed, b) and
/// results are bit-identical for any thread count. All terms of one run share the weights.
public struct WildClusterBootstrap: Sendable {
    /// Bootstrap (and CR1) cluster column, e.g. "city" or "province".
    public var cluster: String
    /// Number of draws `B` (default 999).
    public var replications: Int
    /// Weight distribution (default Rademacher).
    public var weights: BootstrapWeights
    /// Restricted (WCR, default) or unrestricted (WCU) bootstrap.
    public var imposeNull: Bool
    /// The null value `r` of `β_j = r` for the p-value (default 0).
    public var nullValue: Double
    /// Confidence level of the interval (default 0.95).
    public var level: Double
    /// Which p-value is reported as ``WildBootstrapResult/pValue`` (both are computed).
    public var pValueType: BootstrapPValueType
    /// Tie rule (default: ties count).
    public var ties: BootstrapTieRule
    /// Master seed of the weight streams.
    public var seed: UInt64
    /// Worker threads (nil = all cores); results do not depend on it.
    public var threads: Int?
    /// Enumerate all 2^G Rademacher sign vectors when `2^G ≤ B` (default true).
    public var allowFullEnumeration: Bool
    /// Small-sample correction of the CR1 standard error (cancels in p-values and intervals).
    public var correction: SmallSampleCorrection

    /// Whether sign weights take the sign-table path (``WildBootstrapSignTable``) where it
    /// applies; tests turn it off to compare with the kernel's own loop.
    var useSignTables = true

    /// Draws per random stream: block `k` of 64 draws uses stream `(seed, k, .bootstrap)`.
    public static let drawsPerStream = 64

    /// Creates a bootstrap; see the properties for the defaults.
    public init(cluster: String, replications: Int = 999, weights: BootstrapWeights = .rademacher,
                imposeNull: Bool = true, nullValue: Double = 0, level: Double = 0.95,
                pValueType: BootstrapPValueType = .symmetric, ties: BootstrapTieRule = .count, seed: UInt64 = 1,
                threads: Int? = nil, allowFullEnumeration: Bool = true, correction: SmallSampleCorrection = .fixest) {
        self.cluster = cluster
        self.replications = replications
        self.weights = weights
        self.imposeNull = imposeNull
        self.nullValue = nullValue
        self.level = level
        self.pValueType = pValueType
        self.ties = ties
        self.seed = seed
        self.threads = threads
        self.allowFullEnumeration = allowFullEnumeration
        self.correction = correction
    }

    /// Short name of the bootstrap, e.g. "WCR" or "WCU".
    public var kindName: String { imposeNull ? "WCR" : "WCU" }

    /// Runs the bootstrap of `terms` (default: every regressor of the model, not the covariates).
    ///
    /// - Returns: the CR1 estimate at ``cluster`` and one ``WildBootstrapResult`` per term.
    /// - Throws: ``WildBootstrapError`` for bad options or terms; ``EstimationError`` for an
    ///   unknown cluster column, fewer than two clusters, or a failed fit.
    public func run(on panel: Panel, model: BootstrapModel = .twfe, terms requested: [String]? = nil) throws
        -> WildBootstrapRun {
        try panel.refuseRegressionWeights(in: "the wild cluster bootstrap")
        guard replications >= 1 else { throw InvalidParameter(.bootstrapDraws, String(replications), "expected at least 1") }
        guard level > 0 && level < 1 else { throw InvalidParameter(.confidenceLevel, String(level), "expected a level between 0 and 1") }
        if let threads, threads < 1 { throw InvalidParameter(.threads, String(threads), "expected at least 1") }
        guard nullValue.isFinite else { throw WildBootstrapError.invalidOption("the null value must be finite") }
        let clustering = try panel.clustering(named: cluster)  // a column or an interaction A^B
        guard clustering.count >= 2 else { throw EstimationError.tooFewClusters(name: cluster, count: clustering.count) }

        let (modelTerms, columns, modelNotes) = try model.design(on: panel)
        let within = TwoWayWithin(panel: panel)
        let options = RegressionOptions(variance: .cluster(cluster), correction: correction)
        let (estimate, fitted) = try FixedEffectsRegression.fitWithDesign(
            panel: panel, method: model.methodName, terms: modelTerms, columns: columns, indicatorRows: nil,
            options: options, extraNotes: modelNotes, within: within)
        let allTerms = modelTerms + panel.covariateNames.map { Estimate.Term(name: $0) }
        // The fit's demeaned columns, reused (no second within transformation); the kernel's
        // normal equations are solved from plain dots of them.
        let design = fitted.withPlainCrossProducts()
        let fit = try LeastSquaresFit(design: design)
        let names = requested ?? modelTerms.map(\.name).filter { estimate.index(of: $0) != nil }
        guard !names.isEmpty else {
            throw WildBootstrapError.unknownTerm(name: "(none)", available: estimate.terms.map(\.name))
        }
        var positions: [Int] = []
        for name in names {
            guard let position = estimate.index(of: name) else {
                if allTerms.contains(where: { $0.name == name }) { throw WildBootstrapError.termDropped(name: name) }
                throw WildBootstrapError.unknownTerm(name: name, available: estimate.terms.map(\.name))
            }
            positions.append(position)
        }
        let kernels = positions.map {
            WildBootstrapKernel(design: design, fit: fit, position: $0, panel: panel, within: within,
                                clustering: clustering, restricted: imposeNull)
        }
        let groups = clustering.count
        let enumerated = weights == .rademacher && allowFullEnumeration && groups < 63
            && (UInt64(1) << UInt64(groups)) <= UInt64(replications)
        let draws = enumerated ? 1 << groups : replications
        let loop = ResamplingLoop(count: draws, drawsPerStream: WildClusterBootstrap.drawsPerStream, seed: seed,
                                  purpose: .bootstrap, seeded: !enumerated, workers: threads)
        let values = drawAll(kernels: kernels, loop: loop, enumerated: enumerated)

        let correctionFactor = estimate.variance.correctionFactor
        let degreesOfFreedom = estimate.variance.degreesOfFreedom
        let quantile = Distributions.tQuantile(0.5 + level / 2, degreesOfFreedom: degreesOfFreedom)
        var results: [WildBootstrapResult] = []
        for (t, position) in positions.enumerated() {
            let standardError = estimate.standardError(position)
            let distribution = WildBootstrapDistribution(draws: values[t], drawCount: draws, restricted: imposeNull,
                                                         correctionFactor: correctionFactor,
                                                         inverseDiagonal: kernels[t].inverseDiagonal,
                                                         estimate: estimate.coefficients[position],
                                                         standardError: standardError)
            let interval = distribution.confidenceInterval(level: level, halfWidth: quantile * standardError,
                                                           type: pValueType, ties: ties)
            let symmetric = distribution.pValue(null: nullValue, type: .symmetric, ties: ties)
            let equalTailed = distribution.pValue(null: nullValue, type: .equalTailed, ties: ties)
            var notes = runNotes(groups: groups, draws: draws, enumerated: enumerated, kernel: kernels[t])
                + ClusterAdequacy.notes(panel: panel, clustering: cluster, bootstrap: true)
            if !interval.low.isFinite || !interval.high.isFinite {
                notes.append("the \(Int((level * 100).rounded()))% bootstrap confidence set is unbounded: no value within "
                             + "2^20 Wald half-widths of the estimate is rejected (too few clusters for this level)")
            }
            let invalid = distribution.invalidDraws(null: nullValue)
            if invalid > 0 { notes.append("\(invalid) draws with a zero bootstrap variance left out of the p-value") }
            results.append(WildBootstrapResult(
                term: estimate.terms[position].name, estimate: estimate.coefficients[position],
                standardError: standardError, statistic: distribution.observedStatistic(null: nullValue),
                nullValue: nullValue, pValue: pValueType == .symmetric ? symmetric : equalTailed,
                pValueSymmetric: symmetric, pValueEqualTailed: equalTailed, confLow: interval.low,
                confHigh: interval.high, level: level, drawCount: draws, requestedReplications: replications,
                enumerated: enumerated, invalidDraws: invalid, weights: weights, imposeNull: imposeNull, ties: ties,
                pValueType: pValueType, seed: seed, threads: loop.workers, clusterName: cluster, clusterCount: groups,
                treatedClusterCount: WildClusterBootstrap.clustersWithVariation(
                    column: modelTerms.firstIndex { $0.name == estimate.terms[position].name }.map { columns[$0] },
                    clustering: clustering),
                distribution: distribution, notes: notes))
        }
        return WildBootstrapRun(estimate: estimate, results: results)
    }

    /// Evaluates every draw for every kernel: `values[k][b]` for kernel `k`, draw `b`.
    func drawAll(kernels: [WildBootstrapKernel], loop: ResamplingLoop, enumerated: Bool) -> [[WildBootstrapDraw]] {
        let lanes = WildBootstrapKernel.lanes
        let terms = kernels.count
        let weights = self.weights
        if useSignTables && (weights == .rademacher || enumerated) {
            let tables = kernels.compactMap { WildBootstrapSignTable(kernel: $0) }
            if tables.count == kernels.count {
                return drawSigns(tables: tables, loop: loop, enumerated: enumerated)
            }
        }
        let all = loop.run(width: terms, initial: WildBootstrapDraw.zero,
                           makeWorkspace: { BootstrapWorker(kernels: kernels) }) { worker, stream, block, out in
            var cursor = MersenneCursor(stream.generator)
            guard let base = out.baseAddress else { return }
            var start = block.lowerBound
            while start < block.upperBound {
                let count = min(lanes, block.upperBound - start)
                worker.fill(count: count) { draw, v, groups, stride in
                    if enumerated {
                        BootstrapWeights.enumerated(UInt64(start + draw), into: v, count: groups, stride: stride)
                    } else {
                        weights.draw(into: v, count: groups, stride: stride, &cursor)
                    }
                }
                for k in kernels.indices {
                    worker.evaluate(kernel: k, into: base + (start - block.lowerBound) * terms + k, count: count,
                                    stride: terms)
                }
                start += count
            }
            cursor.store()
        }
        guard terms > 1 else { return [all] }
        return kernels.indices.map { k in (0..<loop.count).map { all[$0 * terms + k] } }
    }

    /// ``drawAll(kernels:loop:enumerated:)`` for sign weights through the kernels' sign tables
    /// (``WildBootstrapSignTable``). Draw `b`'s signs are the same words of the same stream as
    /// ``BootstrapWeights/draw(into:count:stride:_:)`` reads (or enumeration vector `b`).
    func drawSigns(tables: [WildBootstrapSignTable], loop: ResamplingLoop, enumerated: Bool) -> [[WildBootstrapDraw]] {
        let terms = tables.count
        let groups = tables[0].groups
        let words = (groups + 31) / 32
        let all = loop.run(width: terms, initial: WildBootstrapDraw.zero,
                           makeWorkspace: { SignWorker(tables: tables, words: words) }) { worker, stream, block, out in
            var cursor = MersenneCursor(stream.generator)
            guard let base = out.baseAddress, let signs = worker.signs.baseAddress else { return }
            for draw in block {
                if enumerated {
                    for w in 0..<words { signs[w] = 0 }
                    for g in 0..<groups where (UInt64(draw) >> UInt64(groups - 1 - g)) & 1 == 1 {
                        signs[g >> 5] |= UInt32(1) << UInt32(g & 31)
                    }
                } else {
                    for w in 0..<words { signs[w] = cursor.next() }
                }
                for k in 0..<terms {
                    tables[k].evaluate(signs: signs, into: base + (draw - block.lowerBound) * terms + k,
                                       scratch: worker.scratch[k])
                }
            }
            cursor.store()
        }
        guard terms > 1 else { return [all] }
        return tables.indices.map { k in (0..<loop.count).map { all[$0 * terms + k] } }
    }

    /// Number of clusters in which `column` is not identically zero (treated clusters for "treat").
    static func clustersWithVariation(column: [Double]?, clustering: Clustering) -> Int? {
        guard let column else { return nil }
        var seen = [Bool](repeating: false, count: clustering.count)
        for (row, value) in column.enumerated() where value != 0 { seen[Int(clustering.index[row])] = true }
        return seen.filter { $0 }.count
    }

    func runNotes(groups: Int, draws: Int, enumerated: Bool, kernel: WildBootstrapKernel) -> [String] {
        var notes = ["wild cluster bootstrap \(kindName) (\(weights.rawValue) weights), clustered by \(cluster) "
                     + "(\(groups) clusters), \(draws) draws; p = c/B, ties \(ties == .count ? "counted" : "excluded")"]
        if enumerated {
            notes.append("full enumeration: all 2^\(groups) = \(draws) Rademacher sign vectors (2^G ≤ B = \(replications)); "
                         + "the p-value is exact")
        } else if weights == .rademacher && groups <= 12 {
            notes.append("only \(groups) clusters: Rademacher weights give at most 2^\(groups) distinct draws; "
                         + "Webb weights are recommended (Webb 2023)")
        }
        if kernel.dense0 != nil {
            notes.append("the clusters split units: the absorbed fixed effects enter each draw densely (O(G²))")
        }
        return notes
    }
}

extension DemeanedDesign {
    /// The same demeaned columns without the cross products accumulated while demeaning and without
    /// indicator rows, so that a fit of it takes its Gram matrix from plain dots of the columns.
    func withPlainCrossProducts() -> DemeanedDesign {
        var design = self
        design.crossProducts = nil
        design.indicatorRows = Array(repeating: nil, count: columnCount)
        return design
    }
}

/// One worker's workspace: the weights of eight draws (lane-major) and per-term scratch.
final class BootstrapWorker {
    /// `lanes[g]` holds cluster `g`'s weight in each of the eight draws.
    var lanes: [WildBootstrapKernel.Lanes]
    let kernels: [WildBootstrapKernel]
    var scratch: [WildBootstrapKernel.Scratch]

    init(kernels: [WildBootstrapKernel]) {
        let groups = kernels[0].clusterCount
        lanes = [WildBootstrapKernel.Lanes](repeating: WildBootstrapKernel.Lanes(), count: groups)
        self.kernels = kernels
        scratch = kernels.map { WildBootstrapKernel.Scratch($0) }
    }

    /// Fills lanes `0..<count` with one draw each: `make(d, base, G, stride)` writes draw `d`'s
    /// weight of cluster `g` at `base[g·stride]`. Unused lanes are 0.
    @inline(__always)
    func fill(count: Int, _ make: (Int, UnsafeMutablePointer<Double>, Int, Int) -> Void) {
        let groups = lanes.count
        let stride = WildBootstrapKernel.lanes
        lanes.withUnsafeMutableBufferPointer { l in
            for g in 0..<groups { l[g] = WildBootstrapKernel.Lanes() }
            UnsafeMutableRawBufferPointer(l).withMemoryRebound(to: Double.self) { flat in
                guard let base = flat.baseAddress else { return }
                for d in 0..<count { make(d, base + d, groups, stride) }
            }
        }
    }

    @inline(__always)
    func evaluate(kernel k: Int, into out: UnsafeMutablePointer<WildBootstrapDraw>, count: Int, stride: Int) {
        lanes.withUnsafeBufferPointer { l in
            guard let base = l.baseAddress else { return }
            kernels[k].evaluate(base, into: out, count: count, stride: stride, scratch: &scratch[k])
        }
    }
}

/// One worker's workspace on the sign-table path: a draw's sign words and per-term scratch.
final class SignWorker {
    let signs: UnsafeMutableBufferPointer<UInt32>
    let scratch: [WildBootstrapSignTable.Scratch]

    init(tables: [WildBootstrapSignTable], words: Int) {
        signs = .allocate(capacity: max(words, 1))
        signs.initialize(repeating: 0)
        scratch = tables.map { WildBootstrapSignTable.Scratch($0) }
    }

    deinit { signs.deallocate() }
}

/// Why a wild bootstrap could not run.
public enum WildBootstrapError: Error, Equatable, CustomStringConvertible {
    /// A bad option value (the message names the flag).
    case invalidOption(String)
    /// The term is not in the model.
    case unknownTerm(name: String, available: [String])
    /// The term was dropped as collinear, so there is nothing to bootstrap.
    case termDropped(name: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        case let .unknownTerm(name, available):
            return "wild bootstrap: no term '\(name)' in the model; estimated terms: \(available.joined(separator: ", "))"
        case .termDropped(let name):
            return "wild bootstrap: term '\(name)' was dropped as collinear and cannot be tested"
        }
    }
}
