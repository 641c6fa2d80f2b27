import Estimators
import Foundation

/// One simulated replication: the estimation ``panel``, every extra column, the design and the truth.
/// Rows are ordered city by city, years in order (row = city·T + t), as in ``panel``.
public struct SimulatedPanel: Sendable {
    /// Outcome `y` (or the scenario's outcome name), the scenario's controls as covariates, clusterings
    /// "city" (the unit), "province" and "region"; adoption from the design.
    public let panel: Panel
    /// The truth on the outcome's scale.
    public let truth: Truth
    /// Who adopts when, and the per-row latent effects.
    public let design: Design
    /// The cities.
    public let geography: Geography
    /// Sample years.
    public let years: [Int]
    /// Replication number and seed that produced this panel.
    public let replication: Int
    public let seed: UInt64
    /// Mediator names and columns.
    public let mediatorNames: [String]
    public let mediators: [[Double]]
    /// All covariate names and columns (controls are a subset of these).
    public let covariateNames: [String]
    public let covariates: [[Double]]
    /// Indicator names and columns (entropy measurement only).
    public let indicatorNames: [String]
    public let indicators: [[Double]]
    /// The latent outcome `Y*` (equal to the outcome under latent measurement).
    public let latentOutcome: [Double]
    /// The fitted index (entropy measurement only).
    public let index: EntropyWeightIndex?

    /// Number of rows.
    public var rowCount: Int { latentOutcome.count }

    /// Named numeric columns other than the outcome: mediators, covariates, indicators.
    public func column(named name: String) -> [Double]? {
        if name == panel.outcomeName { return panel.outcome }
        if let k = mediatorNames.firstIndex(of: name) { return mediators[k] }
        if let k = covariateNames.firstIndex(of: name) { return covariates[k] }
        if let k = indicatorNames.firstIndex(of: name) { return indicators[k] }
        if name == "y_latent" { return latentOutcome }
        return nil
    }

    /// The same panel with another outcome (e.g. a mediator, for step 2 of a mediation analysis)
    /// and other covariates.
    /// - Throws: ``ScenarioError/invalidValue(field:value:expected:)`` for an unknown column.
    public func panel(outcome: String, covariates names: [String]) throws -> Panel {
        func lookup(_ name: String, _ role: String) throws -> [Double] {
            guard let column = column(named: name) else {
                throw ScenarioError.invalidValue(field: role, value: name, expected: "a simulated column: "
                    + ([panel.outcomeName] + mediatorNames + covariateNames + indicatorNames).joined(separator: ", "))
            }
            return column
        }
        let y = try lookup(outcome, "outcome")
        let x = try names.map { try lookup($0, "covariates") }
        return try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: panel.unitCount,
                         periodCount: panel.periodCount, outcomeName: outcome, outcome: y, covariateNames: names,
                         covariates: x, adoptionPeriod: panel.adoptionPeriod, unitLabels: panel.unitLabels,
                         periodLabels: panel.periodLabels, periodValues: panel.periodValues, unitName: panel.unitName,
                         timeName: panel.timeName,
                         clusterings: panel.clusterings.filter { $0.key != panel.unitName }, notes: panel.notes,
                         source: "simulation")
    }
}
