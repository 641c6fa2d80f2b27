import CGSL

/// Options of a pairs (cluster) bootstrap: resample whole clusters with replacement.
public struct PairsBootstrapOptions: Sendable, Equatable {
    /// Number of bootstrap draws `B` (default 999; 0 turns the bootstrap off).
    public var replications: Int
    /// Master seed: draw `b` uses the stream `(seed, b, .bootstrap)` alone, so results do not
    /// depend on the thread count and any draw can be replayed (default 1).
    public var seed: UInt64
    /// Worker threads (nil = all cores; use 1 inside a Monte Carlo replication).
    public var threads: Int?

    /// Creates options; see the properties for the defaults.
    public init(replications: Int = 999, seed: UInt64 = 1, threads: Int? = nil) {
        self.replications = replications
        self.seed = seed
        self.threads = threads
    }
}

/// What a pairs bootstrap gives for one statistic.
///
/// - ``standardError``: SD of the valid draws (divisor `B_valid − 1`);
/// - ``confLow``/``confHigh``: the percentile interval, quantiles `(1 ∓ level)/2` of the valid
///   draws with GSL's `gsl_stats_quantile_from_sorted_data` (linear interpolation, R type 7);
/// - ``pValue``: the two-sided percentile p-value of H0: statistic = 0,
///   `min(1, 2·min(#{θ* ≤ 0}, #{θ* ≥ 0}) / B_valid)` — it is below α exactly when 0 lies outside
///   the `1 − α` percentile interval, up to interpolation between neighbouring draws. It is 0 when
///   no draw lies on the far side of 0: read that as `p < 1/B_valid` (the table prints it so).
///
/// Draws whose statistic is not identified (for example no treated cluster drawn) are NaN, left
/// out of every summary and counted as `requested − valid`.
public struct BootstrapSummary: Sendable {
    /// `B` as requested.
    public let requested: Int
    /// Draws with a finite statistic.
    public let valid: Int
    /// Master seed.
    public let seed: UInt64
    /// Confidence level of the interval.
    public let level: Double
    /// SD of the valid draws.
    public let standardError: Double
    /// Percentile interval.
    public let confLow: Double
    public let confHigh: Double
    /// Percentile p-value of H0: statistic = 0.
    public let pValue: Double
    /// Every draw, in draw order (NaN when not identified).
    public let draws: [Double]

    /// Summarises `draws` (see the type's documentation).
    public init(draws: [Double], seed: UInt64, level: Double) {
        self.draws = draws
        self.requested = draws.count
        self.seed = seed
        self.level = level
        var sorted = draws.filter(\.isFinite)
        sorted.sort()
        valid = sorted.count
        guard valid >= 2 else {
            standardError = .nan; confLow = .nan; confHigh = .nan; pValue = .nan
            return
        }
        var sum = 0.0
        for value in sorted { sum += value }
        let mean = sum / Double(valid)
        var squares = 0.0
        for value in sorted { squares += (value - mean) * (value - mean) }
        standardError = (squares / Double(valid - 1)).squareRoot()
        let (low, high) = sorted.withUnsafeBufferPointer { buffer in
            (gsl_stats_quantile_from_sorted_data(buffer.baseAddress, 1, buffer.count, (1 - level) / 2),
             gsl_stats_quantile_from_sorted_data(buffer.baseAddress, 1, buffer.count, (1 + level) / 2))
        }
        confLow = low
        confHigh = high
        let below = sorted.lazy.filter { $0 <= 0 }.count
        let above = sorted.lazy.filter { $0 >= 0 }.count
        pValue = min(1, 2 * Double(min(below, above)) / Double(valid))
    }
}

/// The resampling of a pairs cluster bootstrap.
public enum PairsBootstrap {
    /// How many times each cluster is drawn in draw `draw`: `clusterCount` uniform draws with
    /// replacement (`gsl_rng_uniform_int`) from the stream `(seed, draw, .bootstrap)`.
    /// Exposed so that a draw can be replayed (and tested against a brute-force re-estimation).
    public static func clusterCounts(seed: UInt64, draw: Int, clusterCount: Int) -> [Int] {
        var counts = [Double](repeating: 0, count: clusterCount)
        let stream = RandomStream(seed: seed, replication: UInt64(draw), purpose: .bootstrap)
        counts.withUnsafeMutableBufferPointer { fillClusterCounts($0, stream: stream) }
        return counts.map { Int($0) }
    }

    /// Writes the counts of one draw into `counts` from the draw's `stream` (allocation-free
    /// version of ``clusterCounts(seed:draw:clusterCount:)``).
    static func fillClusterCounts(_ counts: UnsafeMutableBufferPointer<Double>, stream: borrowing RandomStream) {
        for g in counts.indices { counts[g] = 0 }
        let clusterCount = counts.count
        for _ in 0..<clusterCount { counts[stream.integer(below: clusterCount)] += 1 }
    }

    /// Cluster of each unit, or nil when some unit's rows fall in several clusters (a pairs
    /// bootstrap with unit fixed effects must resample whole units).
    static func unitClusters(panel: Panel, clustering: Clustering) -> [Int32]? {
        var owner = [Int32](repeating: -1, count: panel.unitCount)
        for unit in 0..<panel.unitCount {
            let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
            guard let first = rows.first else { continue }
            let cluster = clustering.index[first]
            for row in rows where clustering.index[row] != cluster { return nil }
            owner[unit] = cluster
        }
        return owner
    }
}
