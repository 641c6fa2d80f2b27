import Estimators

/// Renders ``SubgroupDimensions/Result`` (`didlab estimate --by COL1,COL2,…`): each dimension as
/// ``SubgroupReport`` renders it, then the family of tests with Holm and Romano–Wolf adjustments.
///
/// JSON:
/// ```json
/// { "method": "subgroup", "by": ["region", "resource"],
///   "dimensions": [ …one `--by COL` object per column… ],
///   "multiple_testing": { "statistic": "Wald F of equal effects", "permutations": 999,
///     "valid_joint_draws": 999, "seed": 1, "draws": "…", "romano_wolf": "…",
///     "tests": [ { "by": "region", "statistic", "df1", "p_value", "p_value_holm",
///                  "p_value_romano_wolf" } ] } }
/// ```
public struct SubgroupDimensionsReport: FormatRendering {
    /// The result.
    public let result: SubgroupDimensions.Result
    /// Confidence level of the intervals.
    public let level: Double

    /// Creates a report.
    public init(_ result: SubgroupDimensions.Result, level: Double = 0.95) {
        self.result = result
        self.level = level
    }

    /// The JSON object (see the type's documentation).
    public var output: SubgroupDimensionsOutput {
        let seed = result.dimensions.first?.permutation.map { Seed($0.seed) } ?? Seed(0)
        return SubgroupDimensionsOutput(
            by: result.tests.map(\.column),
            dimensions: result.dimensions.map { SubgroupReport($0, level: level).output },
            multipleTesting: .init(
                permutations: result.permutations, validJointDraws: result.jointValidDraws, seed: seed,
                tests: result.tests.map { .init(by: $0.column, statistic: $0.statistic, df1: $0.numeratorDegreesOfFreedom,
                                                pValue: $0.pValue, pValueHolm: $0.pValueHolm,
                                                pValueRomanoWolf: $0.pValueRomanoWolf) }))
    }

    /// One row per dimension: its F, permutation p-value and the adjusted p-values.
    public func csv() -> String {
        func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "" }
        var lines = ["by,statistic,df1,p_value,p_value_holm,p_value_romano_wolf"]
        for t in result.tests {
            lines.append([CSVText.quote(t.column), number(t.statistic), String(t.numeratorDegreesOfFreedom), number(t.pValue),
                          number(t.pValueHolm), number(t.pValueRomanoWolf)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each dimension's table, then the adjusted tests.
    public func table() -> String {
        var out = result.dimensions.map { SubgroupReport($0, level: level).table() }.joined(separator: "\n")
        out += "\nEqual effects across \(result.tests.count) dimensions: Wald F, permutation p-values "
            + "(\(Format.thousands(result.permutations)) joint draws, \(Format.thousands(result.jointValidDraws)) valid in every dimension)\n"
        let header = ["Dimension", "F", "df1", "Perm. p", "Holm p", "Romano-Wolf p"]
        let rows = result.tests.map { t in
            [t.column, Format.number(t.statistic, digits: 3), String(t.numeratorDegreesOfFreedom), Format.pValue(t.pValue),
             Format.pValue(t.pValueHolm), Format.pValue(t.pValueRomanoWolf)]
        }
        out += Format.alignedColumns([header] + rows, leftAligned: [0])
        out += "Romano-Wolf: min-P step-down: each draw's F becomes its permutation p-value within its dimension "
            + "((1+c)/(1+B), the observed F among the draws), then the min over the remaining dimensions per draw "
            + "(one label permutation of the units applied to every dimension); Holm: on the permutation p-values.\n"
        return out
    }

    /// LaTeX renders the table.
    public func latex() -> String { table() }
}

/// `didlab estimate --by COL1,COL2,… --format json` (see ``SubgroupDimensionsReport``). Fields in
/// Documentation/JSON.md.
public struct SubgroupDimensionsOutput: Encodable, Sendable {
    var method = "subgroup"
    var by: [String]
    var dimensions: [SubgroupOutput]
    var multipleTesting: MultipleTestingOutput

    /// The family of tests of equal effects, one per dimension.
    struct MultipleTestingOutput: Encodable, Sendable {
        var statistic = "Wald F of equal effects"
        var permutations, validJointDraws: Int
        var seed: Seed
        var draws = "joint: draw b applies one permutation of the units' labels to every dimension"
        var romanoWolf = "min-P step-down (Romano & Wolf 2005, 2016): each draw's F as its permutation p-value within "
            + "its dimension, (1+c)/(1+B); per draw the min over the remaining dimensions"
        var tests: [Test]
    }

    /// One dimension's test.
    struct Test: Encodable, Sendable {
        var by: String
        var statistic: Double, df1: Int
        var pValue, pValueHolm, pValueRomanoWolf: Double
    }
}
