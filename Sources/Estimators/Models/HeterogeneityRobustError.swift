/// Why a heterogeneity-robust estimator (Sun–Abraham, BJS imputation, Goodman-Bacon, TWFE
/// weights) cannot run on a panel. Each message names the method, what was found and what
/// was expected or what to do.
public enum HeterogeneityRobustError: Error, Equatable, CustomStringConvertible {
    /// No observation with `D = 0` (BJS needs untreated observations to fit `Y(0)`).
    case noUntreatedObservations(method: String)
    /// No observation with `D = 1`.
    case noTreatedObservations(method: String)
    /// No treated observation's counterfactual is identified (every treated unit or period
    /// lacks untreated observations in its connected component).
    case nothingImputable(method: String, treated: Int)
    /// Sun–Abraham found no never-treated cohort to serve as control.
    case noControlCohort(method: String)
    /// The method needs a balanced panel.
    case unbalancedPanel(method: String, observations: Int, units: Int, periods: Int)
    /// The method is defined without covariates.
    case covariatesNotSupported(method: String, covariates: [String])
    /// A sample restriction left nothing to estimate on.
    case emptySample(method: String, what: String)
    /// Fewer than two treatment-timing groups or no variation in treatment.
    case noTreatmentVariation(method: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .noUntreatedObservations(let method):
            return "\(method): every observation is treated; expected untreated (D = 0) observations to fit unit "
                + "and period effects (add never-treated units or pre-treatment periods)"
        case .noTreatedObservations(let method):
            return "\(method): no observation is treated; expected at least one unit-period with D = 1"
        case let .nothingImputable(method, treated):
            return "\(method): none of the \(treated) treated observations can be imputed: their units or periods have "
                + "no untreated observations; expected pre-treatment periods or not-yet-treated units"
        case .noControlCohort(let method):
            return "\(method): no never-treated units to serve as the control cohort; use the last-treated cohort "
                + "as control (control: lastTreated), which drops the periods from its adoption on"
        case let .unbalancedPanel(method, observations, units, periods):
            return "\(method): the panel is unbalanced (\(observations) observations, expected \(units) units × "
                + "\(periods) periods = \(units * periods)); the decomposition needs every unit in every period"
        case let .covariatesNotSupported(method, covariates):
            return "\(method): defined for TWFE without covariates; drop the covariates (" + covariates.joined(separator: ", ") + ")"
        case let .emptySample(method, what):
            return "\(method): no observation left after \(what)"
        case .noTreatmentVariation(let method):
            return "\(method): the treatment does not vary after removing unit and period effects; expected "
                + "treated and untreated units, or several adoption dates"
        }
    }
}
