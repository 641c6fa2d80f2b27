/// The performance of every method in every condition, reduced from records in a fixed order.
public struct RunSummary: Sendable {
    /// One condition's results.
    public struct Condition: Sendable {
        public var name: String
        public var parameters: [(String, Double)]
        public var results: [MethodSummary]
    }

    /// One method's performance in one condition.
    public struct MethodSummary: Sendable {
        public var methodName: String
        public var estimator: String
        public var inference: String
        public var target: String
        public var measures: PerformanceMeasures
        /// The test's exact size under exchangeability (randomization and bootstrap tests; nil for
        /// analytic ones): compare the rejection rate under the null with it, not with α.
        public var designSize: Double? = nil
        /// Why replications failed: each distinct message with its count, most frequent first.
        public var failureReasons: [(message: String, count: Int)] = []
        /// The measures over the replications in which the experiment's pre-trend test did not
        /// reject (Roth 2022: conditioning on passing a pre-test can worsen bias and coverage);
        /// nil without a pre-trend method, and for the pre-trend method itself.
        public var pretestPassed: PerformanceMeasures? = nil
        /// Size-adjusted power in this (alternative) condition against its paired null condition;
        /// nil when the condition is no alternative of a pair, or the method's truth is not 0 in
        /// the null condition or is 0 here (its rejections would not be power).
        public var sizeAdjusted: SizeAdjusted? = nil
        /// True when the method reports a test, not an estimate (bias, RMSE and coverage are NaN).
        public var isTestOnly: Bool = false
    }

    /// Size-adjusted power of a method in an alternative condition (``SizeAdjustedPower``).
    public struct SizeAdjusted: Sendable {
        /// Name of the null condition that set the critical value.
        public var nullCondition: String
        /// The measure.
        public var measures: SizeAdjustedPower
    }

    /// Experiment name.
    public var experiment: String
    /// Replications per condition asked for.
    public var replications: Int
    /// Master seed.
    public var seed: UInt64
    /// Test level.
    public var alpha: Double
    /// Conditions in grid order.
    public var conditions: [Condition]
    /// What reading a real panel dropped or assumed (empty for simulated data).
    public var dataNotes: [String] = []

    /// Reduces records (any order) to summaries: records are sorted by (condition,
    /// replication, method) first, so the result does not depend on how they were produced.
    /// `preTrendMethods` are the indices of the pre-trend tests (nil: found by their labels); the
    /// first one gates the measures conditional on passing it.
    public init(experiment: String, replications: Int, seed: UInt64, alpha: Double,
                conditionNames: [String], conditionParameters: [[(String, Double)]],
                methods: [(name: String, estimator: String, inference: String, target: String)],
                records: [ReplicationRecord], designSizes: [[Double?]] = [], testOnlyMethods: Set<Int> = [],
                sizeAdjustedPairs: [SizeAdjustedPair]? = nil, preTrendMethods: Set<Int>? = nil) {
        self.experiment = experiment
        self.replications = replications
        self.seed = seed
        self.alpha = alpha
        let sorted = records.sorted {
            ($0.condition, $0.replication, $0.method) < ($1.condition, $1.replication, $1.method)
        }
        var byCell: [[[PerformanceMeasures.Draw]]] = Array(repeating: Array(repeating: [], count: methods.count),
                                                           count: conditionNames.count)
        var failures: [[[String: Int]]] = Array(repeating: Array(repeating: [:], count: methods.count),
                                                count: conditionNames.count)
        for record in sorted where record.condition < conditionNames.count && record.method < methods.count {
            if !record.failure.isEmpty { failures[record.condition][record.method][record.failure, default: 0] += 1 }
            byCell[record.condition][record.method].append(
                .init(estimate: record.failure.isEmpty ? record.estimate : .nan, standardError: record.standardError,
                      confLow: record.confLow, confHigh: record.confHigh, pValue: record.pValue, truth: record.truth))
        }
        // The first pre-trend method (`preTrendMethods`, or by label: the event study's, or any
        // `…:pretrend`) gates the conditional measures: a replication passes when its p-value is finite
        // and not below α.
        let gate: Int? = if let preTrendMethods {
            preTrendMethods.min()
        } else {
            methods.firstIndex { $0.estimator == PreTrendMethod.label || $0.estimator.hasSuffix(":pretrend") }
        }
        var passed: [[Bool]] = Array(repeating: [], count: conditionNames.count)
        if let gate {
            for c in conditionNames.indices { passed[c] = byCell[c][gate].map { $0.estimate.isFinite && $0.pValue >= alpha } }
        }
        // Size-adjusted power: the spec's pairs, or each effect condition with its zero-effect twin.
        let pairs = sizeAdjustedPairs ?? SizeAdjustedPair.defaults(names: conditionNames, parameters: conditionParameters)
        let nullOf = Dictionary(pairs.filter { conditionNames.indices.contains($0.null) && conditionNames.indices.contains($0.alternative) }
                                    .map { ($0.alternative, $0.null) }, uniquingKeysWith: { first, _ in first })
        func truth(_ c: Int, _ m: Int) -> Double {
            let draws = byCell[c][m]
            return draws.isEmpty ? .nan : draws.reduce(0) { $0 + $1.truth } / Double(draws.count)
        }
        func sizeAdjusted(_ c: Int, _ m: Int) -> SizeAdjusted? {
            guard let n = nullOf[c], truth(n, m) == 0, truth(c, m).isFinite, truth(c, m) != 0 else { return nil }
            func pValues(_ cell: [PerformanceMeasures.Draw]) -> [Double] { cell.filter { $0.estimate.isFinite }.map(\.pValue) }
            return SizeAdjustedPower(nullPValues: pValues(byCell[n][m]), alternativePValues: pValues(byCell[c][m]), alpha: alpha)
                .map { SizeAdjusted(nullCondition: conditionNames[n], measures: $0) }
        }
        conditions = conditionNames.indices.map { c in
            Condition(name: conditionNames[c], parameters: conditionParameters[c],
                      results: methods.indices.map { m in
                          MethodSummary(methodName: methods[m].name, estimator: methods[m].estimator,
                                        inference: methods[m].inference, target: methods[m].target,
                                        measures: testOnlyMethods.contains(m)
                                            ? PerformanceMeasures(draws: byCell[c][m], alpha: alpha).testOnly()
                                            : PerformanceMeasures(draws: byCell[c][m], alpha: alpha),
                                        designSize: c < designSizes.count && m < designSizes[c].count ? designSizes[c][m] : nil,
                                        failureReasons: failures[c][m].map { ($0.key, $0.value) }
                                            .sorted { ($1.1, $0.0) < ($0.1, $1.0) },
                                        pretestPassed: gate.flatMap { g -> PerformanceMeasures? in
                                            // Replications align only when both methods have every record.
                                            guard m != g, byCell[c][m].count == passed[c].count else { return nil }
                                            let kept = zip(byCell[c][m], passed[c]).filter(\.1).map(\.0)
                                            let measures = PerformanceMeasures(draws: kept, alpha: alpha)
                                            return testOnlyMethods.contains(m) ? measures.testOnly() : measures
                                        },
                                        sizeAdjusted: sizeAdjusted(c, m), isTestOnly: testOnlyMethods.contains(m))
                      })
        }
    }
}
