import Estimators
import Sim

/// Replications drawn from Sim scenarios: condition `c` uses the run seed mixed with `c`, and
/// replication `r` the stream (that seed, r, data), so a replication's panel does not depend on
/// the thread, shard or which other replications ran.
public struct ScenarioSource: ReplicationSource {
    /// One prepared simulator per condition.
    public let simulators: [Simulator]
    let names: [String]
    let parameters: [[(String, Double)]]
    /// The run seed.
    public let seed: UInt64

    /// Prepares every condition of a spec.
    /// - Throws: the scenario's errors, prefixed by the condition.
    public init(conditions: [ExperimentSpec.Condition], seed: UInt64) throws {
        simulators = try conditions.map { condition in
            do { return try Simulator(condition.scenario) } catch {
                throw RunError.invalidSpec(path: condition.name, field: "data", reason: "\(error)")
            }
        }
        names = conditions.map(\.name)
        parameters = conditions.map(\.parameters)
        self.seed = seed
    }

    public var conditionCount: Int { simulators.count }
    public func conditionName(_ condition: Int) -> String { names[condition] }
    public func conditionParameters(_ condition: Int) -> [(String, Double)] { parameters[condition] }

    /// The seed of condition `c`: the run seed itself for the first condition, then mixed.
    public func conditionSeed(_ condition: Int) -> UInt64 {
        condition == 0 ? seed : RandomStream.key(seed: seed, replication: UInt64(condition), purpose: 5)
    }

    public func streamKey(condition: Int, replication: Int) -> UInt64 {
        RandomStream.key(seed: conditionSeed(condition), replication: UInt64(replication),
                         purpose: RandomStream.Purpose.data.rawValue)
    }

    public func replicate(condition: Int, replication: Int) throws -> ReplicationData {
        let simulated = try simulators[condition].simulate(replication: replication, seed: conditionSeed(condition))
        return ReplicationData(panel: simulated.panel, truth: ScenarioSource.estimands(simulated.truth),
                               columns: ScenarioSource.columns(simulated))
    }

    /// Mediators and covariates by name, and the cities' coordinates per row ("coord_x", "coord_y").
    public static func columns(_ simulated: SimulatedPanel) -> [String: [Double]] {
        var columns: [String: [Double]] = [:]
        for (name, column) in zip(simulated.covariateNames, simulated.covariates) { columns[name] = column }
        for (name, column) in zip(simulated.mediatorNames, simulated.mediators) { columns[name] = column }
        let periods = simulated.years.count
        columns["coord_x"] = (0..<simulated.rowCount).map { simulated.geography.x[$0 / periods] }
        columns["coord_y"] = (0..<simulated.rowCount).map { simulated.geography.y[$0 / periods] }
        return columns
    }

    /// The estimand keys of a truth: `att`, `att_cell`, `att_identified`, `e+K`, `indirect:NAME`
    /// (with `a:NAME`, `b:NAME` and `direct:NAME` = att − indirect, the step-3 `c′` with that mediator
    /// alone), `spillover`, `att:DIMENSION=LEVEL`, `zero`.
    ///
    /// `att_identified` is the observation-weighted ATT over the treated cells that have a
    /// comparison: with no never-treated units, years from the last cohort's adoption on have
    /// no untreated unit, and Callaway–Sant'Anna, Sun–Abraham and BJS estimate the ATT of the
    /// earlier cells only (Baker, Larcker & Wang 2022 drop those years for the same reason).
    public static func estimands(_ truth: Truth) -> [String: Double] {
        var values: [String: Double] = ["att": truth.overall, "att_cell": truth.cellAverage, "zero": 0]
        let lastCohort = truth.groupTime.map(\.cohort).max() ?? 0
        let identified = truth.groupTime.filter { truth.neverTreatedCities > 0 || $0.year < lastCohort }
        let identifiedCount = identified.reduce(0) { $0 + $1.observations }
        values["att_identified"] = identifiedCount > 0
            ? identified.reduce(0.0) { $0 + $1.att * Double($1.observations) } / Double(identifiedCount) : .nan
        for event in truth.eventTimes { values[EventStudy.termName(event.eventTime)] = event.att }
        for indirect in truth.indirect {
            values["indirect:\(indirect.mediator)"] = indirect.effect
            values["a:\(indirect.mediator)"] = indirect.a
            values["b:\(indirect.mediator)"] = indirect.b
            values["direct:\(indirect.mediator)"] = truth.overall - indirect.effect
        }
        if let spillover = truth.spillover { values["spillover"] = spillover.effect }
        for subgroup in truth.subgroups { values["att:\(subgroup.dimension)=\(subgroup.level)"] = subgroup.att }
        // Differences between two levels of one dimension: "att:region=east-central".
        for a in truth.subgroups {
            for b in truth.subgroups where b.dimension == a.dimension && b.level != a.level {
                values["att:\(a.dimension)=\(a.level)-\(b.level)"] = a.att - b.att
            }
        }
        return values
    }
}
