/// Which columns of a data file make up a panel, as named on the command line.
public struct PanelSpec: Sendable, Equatable {
    /// How treatment is given in the data.
    public enum Treatment: Sendable, Equatable {
        /// A 0/1 column that switches on and stays on within each unit.
        case indicator(String)
        /// Each unit's first treated period; 0 or empty means never treated.
        case cohort(String)
    }

    /// Outcome column (`--y`).
    public var outcome: String
    /// Unit identifier column (`--unit`); integers or strings.
    public var unit: String
    /// Time column (`--time`); numbers (years) or strings (ordered as text).
    public var time: String
    /// Treatment column (`--treat` or `--cohort`).
    public var treatment: Treatment
    /// Covariate columns (`--x`), in model order.
    public var covariates: [String]
    /// Extra columns to keep as clusterings (`--cluster`, `--strata`, `--level`), besides the unit.
    public var clusterColumns: [String]
    /// Regression-weight column (R fixest's `weights = ~w`), or nil for none. Rows with a zero
    /// weight are dropped and counted in the notes, as fixest does; negative or non-finite
    /// weights, and a column of zeros, are errors naming the file, line and column.
    public var regressionWeights: String?

    /// Creates a spec; see each property for the meaning.
    public init(outcome: String, unit: String, time: String, treatment: Treatment,
                covariates: [String] = [], clusterColumns: [String] = [], regressionWeights: String? = nil) {
        self.outcome = outcome
        self.unit = unit
        self.time = time
        self.treatment = treatment
        self.covariates = covariates
        self.clusterColumns = clusterColumns
        self.regressionWeights = regressionWeights
    }

    /// What a column is used for, for messages (the command line maps each role to its flag).
    public enum Role: Sendable, Equatable, CustomStringConvertible {
        case outcome, unit, time, treatmentIndicator, cohort, covariate, clustering, regressionWeights
        /// The role in words.
        public var description: String {
            switch self {
            case .outcome: return "the outcome"
            case .unit: return "the unit identifier"
            case .time: return "the time column"
            case .treatmentIndicator: return "the treatment indicator"
            case .cohort: return "the cohort (first treated period)"
            case .covariate: return "a covariate"
            case .clustering: return "a clustering (cluster, strata, assignment level or subgroups)"
            case .regressionWeights: return "the regression weights"
            }
        }
    }

    /// Checks that no column is named for two roles: the outcome, unit, time, treatment and each
    /// covariate are distinct columns, and a clustering column (cluster, strata, assignment level,
    /// subgroups) is none of the outcome, the treatment or a covariate. (The unit and time columns
    /// may serve as clusterings.)
    /// - Throws: ``PanelError/columnInTwoRoles(column:first:second:)``.
    public func checkRoles(source: String) throws {
        var roles: [(String, Role)] = [(outcome, .outcome), (unit, .unit), (time, .time)]
        switch treatment {
        case .indicator(let name): roles.append((name, .treatmentIndicator))
        case .cohort(let name): roles.append((name, .cohort))
        }
        roles += covariates.map { ($0, .covariate) }
        if let regressionWeights { roles.append((regressionWeights, .regressionWeights)) }
        var seen: [String: Role] = [:]
        for (column, role) in roles {
            if let first = seen[column] {
                throw PanelError.columnInTwoRoles(column: column, first: first, second: role)
            }
            seen[column] = role
        }
        for column in clusterColumns where column != unit && column != time {
            if let first = seen[column] {
                throw PanelError.columnInTwoRoles(column: column, first: first, second: .clustering)
            }
        }
    }
}
