/// Subgroup heterogeneity results: split-sample estimates, the interaction model with its test of
/// equal effects, and the permutation test of the between-group difference.
public struct SubgroupResult: Sendable {
    /// One level of the grouping column.
    public struct Group: Sendable {
        /// Level label (e.g. "east", "1").
        public let label: String
        /// Units, ever-treated units and observations in the group.
        public let unitCount: Int
        public let treatedUnitCount: Int
        public let observationCount: Int
        /// TWFE on the group's units alone (own fixed effects and covariate slopes); nil when the
        /// group has no treated unit or the fit failed (see ``splitSampleNote``).
        public let splitSample: Estimate?
        /// Why ``splitSample`` is nil.
        public let splitSampleNote: String?
        /// The group's term in ``SubgroupResult/interaction`` (`treat:COL=label`), nil when the
        /// group has no treated unit and is left out.
        public let interactionTerm: String?
    }

    /// The grouping column (`--by`).
    public let column: String
    /// Every level, in label order.
    public let groups: [Group]
    /// `y ~ Σ_g β_g·D·1{group = g} + X | unit + period` over the groups with treated units.
    public let interaction: Estimate
    /// F test of `β_1 = … = β_m` in the interaction model.
    public let wald: WaldTest
    /// Permutation test of the between-group difference (nil when no permutations were asked).
    public let permutation: SubgroupPermutationTest?
    /// Dropped groups, failed split samples, conventions, in words.
    public var notes: [String]

    /// The groups in the interaction model, in term order.
    public var testedGroups: [Group] { groups.filter { $0.interactionTerm != nil } }

    /// The interaction coefficient of group `label`, if tested.
    public func effect(of label: String) -> (estimate: Double, standardError: Double)? {
        guard let term = groups.first(where: { $0.label == label })?.interactionTerm,
              let index = interaction.index(of: term) else { return nil }
        return (interaction.coefficients[index], interaction.standardError(index))
    }

    /// `β_a − β_b` in the interaction model with its standard error `√(V_aa + V_bb − 2V_ab)`.
    public func difference(_ a: String, _ b: String) -> (estimate: Double, standardError: Double)? {
        guard let termA = groups.first(where: { $0.label == a })?.interactionTerm,
              let termB = groups.first(where: { $0.label == b })?.interactionTerm,
              let i = interaction.index(of: termA), let j = interaction.index(of: termB) else { return nil }
        let m = interaction.terms.count
        let v = interaction.variance.matrix
        let variance = v[i * m + i] + v[j * m + j] - 2 * v[i * m + j]
        return (interaction.coefficients[i] - interaction.coefficients[j], variance.squareRoot())
    }
}

/// Which units' group labels a permutation reshuffles.
public enum SubgroupPermutationScope: String, Sendable, CaseIterable {
    /// Labels are permuted among the ever-treated units, so every tested group keeps its number of
    /// treated units and every draw is valid. The default: in the interaction model only treated
    /// units' labels enter (a never-treated unit's `D·1{g}` is zero whatever its label).
    case treatedUnits = "treated"
    /// Labels are permuted across all units (the literal "reshuffle the group labels"); a draw
    /// that leaves a group without treated units is invalid and left out (counted).
    case allUnits = "all"
}

/// The permutation test of subgroup heterogeneity.
///
/// Statistics: with two groups, the difference `Δ = β_1 − β_2` (two-sided, `|Δ*| ≥ |Δ|`); with
/// more, the range `max_g β_g − min_g β_g` (`R* ≥ R`); and, for any number, the Wald F of equal
/// effects (`F* ≥ F`, the studentized version). p-values are `(1 + c)/(1 + R)` over valid draws,
/// ties within `1e-7` relative (``RandomizationPValue``).
public struct SubgroupPermutationTest: Sendable {
    /// "difference" (two groups) or "range".
    public let statisticName: String
    /// Observed `Δ` or range, and the observed F.
    public let observed: Double
    public let observedWald: Double
    /// p-values of the coefficient statistic and of the F.
    public let pValue: Double
    public let pValueWald: Double
    /// Requested draws, valid draws, and the draws (coefficient statistic, F) in draw order.
    public let permutations: Int
    public let validDraws: Int
    public let draws: [Double]
    public let drawsWald: [Double]
    /// Which labels were permuted, the seed and worker count.
    public let scope: SubgroupPermutationScope
    public let seed: UInt64
    public let threads: Int
}

/// Why a subgroup analysis could not run.
public enum SubgroupError: ParameterError, Equatable {
    /// `--by` names a column that is not loaded.
    case unknownColumn(name: String, available: [String])
    /// `--by` varies within a unit.
    case notConstantWithinUnit(name: String, unit: String)
    /// Fewer than two groups have treated units, so there is no difference to estimate.
    case tooFewTreatedGroups(name: String, withTreated: [String], all: [String])
    /// A bad option value (the message names the flag).
    case invalidOption(String)

    /// The subgroup column, for the errors about it.
    public var subject: ParameterSubject? {
        switch self {
        case let .unknownColumn(name, available):
            return ParameterSubject(.subgroups, name, "no such column loaded; available: "
                                    + available.sorted().joined(separator: ", "))
        case let .notConstantWithinUnit(name, unit):
            return ParameterSubject(.subgroups, name, "the column changes within unit \(unit); expected one group per unit")
        case let .tooFewTreatedGroups(name, withTreated, all):
            return ParameterSubject(.subgroups, name, "only \(withTreated.count) of \(all.count) groups "
                + "(\(all.joined(separator: ", "))) have treated units"
                + "\(withTreated.isEmpty ? "" : " (\(withTreated.joined(separator: ", ")))"); expected at least two to compare effects")
        case .invalidOption:
            return nil
        }
    }

    /// One line for the user.
    public var description: String {
        if let subject { return subject.roleMessage }
        if case .invalidOption(let message) = self { return message }
        return ""
    }
}
