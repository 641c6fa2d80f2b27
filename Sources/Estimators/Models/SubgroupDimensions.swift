/// Subgroup heterogeneity along several unit-level columns at once (`--by region,resource,
/// old_industrial`), with p-values adjusted for testing every dimension.
///
/// Each dimension is a ``SubgroupHeterogeneity`` analysis; the tested claim of dimension `d` is
/// "the effect differs across its groups", with statistic `T_d` the Wald F of equal effects
/// (`W/(m_d − 1)` from the interaction model's variance; studentized, but F(m_d − 1, ·) tails still
/// differ with the number of groups `m_d`, which is why the adjustment below works on p-values).
///
/// **Joint permutation draws.** Every dimension runs with the same seed, scope and draw blocks, and
/// a draw shuffles the same list of units (treated units, or all units) with a Fisher–Yates
/// shuffle whose random numbers do not depend on the labels: draw `b` applies one permutation `π_b`
/// of the units to every dimension's labels at once, so the dimensions' draws are joint, keeping
/// the dependence between the columns (a unit's region and resource status move together).
///
/// Reported per dimension: its permutation p-value of the F (`p_value_wald` of the single
/// analysis), Holm's adjustment of those p-values (``MultipleTesting/holm(_:)``), and Romano &
/// Wolf's step-down adjustment on the joint draws in the min-P form: each draw's F of each
/// dimension becomes its permutation p-value within that dimension's draws (add-one rule, the
/// same tie tolerance as the observed p-value), and step `j` compares the smallest of those
/// p-values over the remaining dimensions with the observed one
/// (``MultipleTesting/romanoWolf(observed:draws:)``). Taking the max of the raw F instead would let
/// the dimension with the heaviest F tail (fewest groups) dominate every draw. With every draw
/// valid in every dimension, the Romano–Wolf p-value is at most Holm's. Deterministic for a seed
/// and any thread count.
public struct SubgroupDimensions: Sendable {
    /// The grouping columns, at least one, each at most once.
    public var columns: [String]
    /// The analysis of each dimension (its column is replaced by each of ``columns``).
    public var analysis: SubgroupHeterogeneity

    /// One dimension's tested claim.
    public struct Test: Sendable, Equatable {
        /// The grouping column.
        public var column: String
        /// Observed Wald F of equal effects, and its degrees of freedom.
        public var statistic: Double
        public var numeratorDegreesOfFreedom: Int
        /// Permutation p-value of the F (add-one rule).
        public var pValue: Double
        /// Holm- and Romano–Wolf-adjusted p-values.
        public var pValueHolm: Double
        public var pValueRomanoWolf: Double
    }

    /// The analyses and the adjusted tests.
    public struct Result: Sendable {
        /// One analysis per column, in the given order.
        public var dimensions: [SubgroupResult]
        /// One test per column, in the given order.
        public var tests: [Test]
        /// Permutation draws asked for, and those valid in every dimension (Romano–Wolf's B; its
        /// p-values of the draws and of the observed F are taken over these).
        public var permutations: Int
        public var jointValidDraws: Int
    }

    /// Creates the analysis.
    public init(columns: [String], analysis: SubgroupHeterogeneity) {
        self.columns = columns
        self.analysis = analysis
    }

    /// Runs every dimension and adjusts.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/subgroups``) for no column, an empty or
    ///   repeated column, or (role ``Parameter/permutations``) no permutation draws; each
    ///   dimension's ``SubgroupHeterogeneity/estimate(_:)`` errors.
    public func estimate(_ panel: Panel) throws -> Result {
        guard !columns.isEmpty else { throw InvalidParameter(.subgroups, "", "expected at least one column") }
        var seen: Set<String> = []
        for column in columns {
            guard !column.isEmpty else { throw InvalidParameter(.subgroups, columns.joined(separator: ","), "expected non-empty column names") }
            guard seen.insert(column).inserted else {
                throw InvalidParameter(.subgroups, column, "the column is listed twice; expected each dimension once")
            }
        }
        guard analysis.permutations >= 1 else {
            throw InvalidParameter(.permutations, String(analysis.permutations),
                                   "adjusting several subgroup dimensions needs permutation draws; expected at least 1")
        }
        let dimensions = try columns.map { column -> SubgroupResult in
            var one = analysis
            one.column = column
            return try one.estimate(panel)
        }
        let observed = dimensions.map { $0.permutation?.observedWald ?? .nan }
        let pValues = dimensions.map { $0.permutation?.pValueWald ?? .nan }
        let draws = dimensions.map { $0.permutation?.drawsWald ?? [] }
        let holm = MultipleTesting.holm(pValues)
        let (romanoWolf, valid) = MultipleTesting.romanoWolf(observed: observed, draws: draws)
        let tests = dimensions.indices.map { d in
            Test(column: columns[d], statistic: observed[d], numeratorDegreesOfFreedom: dimensions[d].wald.numeratorDegreesOfFreedom,
                 pValue: pValues[d], pValueHolm: holm[d], pValueRomanoWolf: romanoWolf[d])
        }
        return Result(dimensions: dimensions, tests: tests, permutations: analysis.permutations, jointValidDraws: valid)
    }
}
