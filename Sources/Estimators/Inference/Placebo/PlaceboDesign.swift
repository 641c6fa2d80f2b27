/// How placebo ("pseudo-policy") assignments are drawn for a randomization-inference test.
///
/// Every scheme works on *items*: units, or whole assignment levels (``PlaceboDesign/level``,
/// e.g. provinces, whose units share one adoption period and move together), grouped into
/// blocks (``PlaceboDesign/strata``, or one block holding every item).
public enum PlaceboScheme: Sendable, Equatable {
    /// Permute the observed adoption periods across items within each block: every cohort keeps
    /// its number of items per block (so, with unit items, its number of units everywhere). This
    /// is the design-based test of the sharp null under staggered adoption, and the default.
    case cohorts
    /// The genre's "random pseudo-treated cities with random years": in each block, as many
    /// items as were ever treated are drawn without replacement; each gets an adoption period
    /// drawn uniformly from the sample periods after the first (a unit adopting in the first
    /// period would be always treated and absorbed by its fixed effect). Cohort sizes vary.
    case randomTiming
    /// Fake timing: every treated unit's adoption is moved `periods` periods earlier, and the
    /// observations of treated units from their real adoption on are dropped, so the real effect
    /// cannot load on the fake indicator. Deterministic: a single placebo estimate (R = 1).
    case timingShift(periods: Int)

    /// The CLI spelling: "cohorts", "random" or "timing".
    public var name: String {
        switch self {
        case .cohorts: return "cohorts"
        case .randomTiming: return "random"
        case .timingShift: return "timing"
        }
    }
}

/// A placebo design: the scheme and the structure it must respect.
public struct PlaceboDesign: Sendable, Equatable {
    /// How assignments are drawn.
    public var scheme: PlaceboScheme
    /// Name of a clustering of the panel whose levels are strata: assignments are permuted
    /// (or drawn) within each stratum, preserving the counts per stratum. Must be constant
    /// within units (and within levels). `nil`: one stratum.
    public var strata: String?
    /// Name of a clustering whose levels are the units of assignment: all units of a level
    /// share one adoption period and move together (whole provinces swap adoption dates).
    /// `nil`: units are assigned one by one.
    public var level: String?

    /// Creates a design; the default permutes cohorts across units.
    public init(scheme: PlaceboScheme = .cohorts, strata: String? = nil, level: String? = nil) {
        self.scheme = scheme
        self.strata = strata
        self.level = level
    }
}

/// Why a placebo test cannot run.
public enum PlaceboError: ParameterError, Equatable {
    /// A clustering named by `--strata` or `--level` is not in the panel.
    case unknownColumn(parameter: Parameter, name: String, available: [String])
    /// A stratum or level column changes within one unit.
    case notConstantWithinUnit(parameter: Parameter, name: String, unit: String)
    /// The units of one assignment level have different adoption periods.
    case levelAdoptionVaries(name: String, level: String, unit: String, otherUnit: String)
    /// One level spans several strata.
    case levelCrossesStrata(level: String, strata: String, label: String)
    /// No treated unit: there is nothing to permute.
    case noTreatedUnits
    /// Every assignment equals the observed one.
    case nothingToPermute(String)
    /// A bad option value.
    case invalidOption(String)
    /// The statistic cannot be computed on the observed data.
    case observedFailed(String)

    /// The strata or assignment-level column, for the errors about them.
    public var subject: ParameterSubject? {
        switch self {
        case let .unknownColumn(parameter, name, available):
            return ParameterSubject(parameter, name, "no such column loaded; available: "
                                    + available.sorted().joined(separator: ", "))
        case let .notConstantWithinUnit(parameter, name, unit):
            return ParameterSubject(parameter, name, "the column changes within unit \(unit); expected one value per unit")
        case let .levelAdoptionVaries(name, level, unit, otherUnit):
            return ParameterSubject(.assignmentLevel, name, "units \(unit) and \(otherUnit) of level \(level) adopt in "
                                    + "different periods; expected every unit of a level to share one adoption period")
        case let .levelCrossesStrata(level, strata, label):
            return ParameterSubject(.assignmentLevel, level, "level \(label) spans several strata of \(strata); expected "
                                    + "levels nested in strata", remedies: [.strata])
        default:
            return nil
        }
    }

    /// One line for the user.
    public var description: String {
        if let subject { return subject.roleMessage }
        switch self {
        case .unknownColumn, .notConstantWithinUnit, .levelAdoptionVaries, .levelCrossesStrata:
            return ""
        case .noTreatedUnits:
            return "no unit is ever treated: there is no assignment to permute"
        case .nothingToPermute(let why):
            return "every placebo assignment equals the observed one (\(why)); nothing to test"
        case .invalidOption(let message):
            return message
        case .observedFailed(let message):
            return "the statistic cannot be computed on the observed data: \(message)"
        }
    }
}
