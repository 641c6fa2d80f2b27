import CGSL
import Estimators
import Foundation

/// Simulates panels from a scenario: prepared once, then called once per replication.
///
/// **What is fixed and what is drawn.** The geography (cities, provinces, labels, coordinates) is
/// a design: drawn once in ``init(_:)`` from `geography.layoutSeed` (stream purpose `geography`),
/// so every replication and every run seed see the same cities. The adoption calendar is fixed too
/// (the pilot calendar by construction; random calendars drawn once from the layout seed) unless
/// `calendar.redrawEachReplication` is set, when it is the first thing drawn from the replication's
/// stream. Everything else — unit effects, shocks, errors, covariates, mediators, indicators — is
/// drawn in ``simulate(replication:seed:)`` from `RandomStream(seed:replication:purpose: .data)`
/// alone, in a fixed order, so the panel depends only on (scenario, seed, replication): never on
/// the thread, the shard, or which other replications ran.
///
/// `Simulator` is an immutable value (`Sendable`): share one across worker threads.
public struct Simulator: Sendable {
    /// The scenario (validated).
    public let scenario: Scenario
    /// The fixed geography.
    public let geography: Geography
    /// Sample years.
    public let years: [Int]
    /// The fixed design, when the calendar is not redrawn.
    public let fixedDesign: Design?
    /// The truth shared by all replications, when it does not depend on the draws
    /// (fixed design and latent measurement).
    let fixedTruth: Truth?
    let unitIndex: [Int32]
    let periodIndex: [Int32]
    let clusterings: [String: Clustering]
    let unitLabels: [String]
    let periodLabels: [String]
    let periodValues: [Double]
    let controlIndices: [Int]
    /// Lower Cholesky factor (row-major N×N) of the spatial correlation `exp(−d/range)`, scaled by
    /// the spatial SD; empty without a spatial component.
    let spatialFactor: [Double]

    /// Prepares the scenario: validates it, draws the geography and (unless redrawn) the calendar.
    /// - Throws: ``ScenarioError`` for an invalid scenario or an infeasible geography.
    public init(_ scenario: Scenario) throws {
        try scenario.validate()
        self.scenario = scenario
        let geography = try Geography.generate(scenario.geography)
        self.geography = geography
        let calendar = scenario.calendar
        years = Array(calendar.firstYear...calendar.lastYear)
        let periods = years.count, cities = geography.cityCount
        if calendar.redrawEachReplication && calendar.kind != .pilot {
            fixedDesign = nil
        } else {
            let stream = RandomStream(seed: scenario.geography.layoutSeed, replication: 1, purpose: .geography)
            let cohorts = try Design.adoptionYears(scenario, geography: geography, stream: stream)
            fixedDesign = try Design(cohortYear: cohorts, geography: geography, scenario: scenario)
        }
        var units = [Int32](repeating: 0, count: cities * periods), times = units
        var provinceIndex = units, regionIndex = units, resourceIndex = units, oldIndustrialIndex = units
        for city in 0..<cities {
            for t in 0..<periods {
                let row = city * periods + t
                units[row] = Int32(city)
                times[row] = Int32(t)
                provinceIndex[row] = geography.province[city]
                regionIndex[row] = Int32(geography.region[city].rawValue)
                resourceIndex[row] = geography.resourceBased[city] ? 1 : 0
                oldIndustrialIndex[row] = geography.oldIndustrial[city] ? 1 : 0
            }
        }
        unitIndex = units
        periodIndex = times
        clusterings = [
            "province": Clustering(name: "province", index: provinceIndex, count: geography.provinceCount,
                                   labels: geography.provinceNames),
            "region": Clustering(name: "region", index: regionIndex, count: 3, labels: Geography.Region.allCases.map(\.name)),
            "resource": Clustering(name: "resource", index: resourceIndex, count: 2, labels: ["0", "1"]),
            "old_industrial": Clustering(name: "old_industrial", index: oldIndustrialIndex, count: 2, labels: ["0", "1"]),
        ]
        unitLabels = (0..<cities).map { String($0 + 1) }
        periodLabels = years.map(String.init)
        periodValues = years.map(Double.init)
        controlIndices = scenario.controlNames.map { name in scenario.covariates.firstIndex { $0.name == name }! }
        spatialFactor = try Simulator.spatialFactor(scenario.errors, geography: geography)
        if let design = fixedDesign, scenario.measurement.kind == .latent {
            fixedTruth = Simulator.latentTruth(design: design, geography: geography, scenario: scenario)
        } else {
            fixedTruth = nil
        }
    }

    /// Prepares a built-in scenario by name (see ``Scenario/presets``).
    public init(preset name: String) throws { try self.init(Scenario.preset(named: name)) }

    /// The truth on the latent scale of any design (including hand-built ones).
    public static func truth(design: Design, geography: Geography, scenario: Scenario) -> Truth {
        latentTruth(design: design, geography: geography, scenario: scenario)
    }

    /// Truth on the latent scale, from the design alone.
    static func latentTruth(design: Design, geography: Geography, scenario: Scenario) -> Truth {
        Truth.aggregate(design: design, geography: geography, scale: "latent", effect: design.effect,
                        spill: design.spillover, exposed: scenario.spillover.kind == .none ? nil : design.exposed,
                        indirect: scenario.mediators.map { ($0.name, $0.effect, $0.outcomeLoading, $0.indirectEffect) })
    }

    /// Simulates replication `replication` of the scenario under run seed `seed`.
    ///
    /// Draws, in order, from `RandomStream(seed: seed, replication: replication, purpose: .data)`:
    /// the calendar (if redrawn); N unit-effect normals; T year shocks; P·T province shocks; T·N
    /// spatial-field normals (year by year); N·T AR(1) innovations; per covariate N unit + N·T noise; per mediator N unit + N·T noise; N·T confounder;
    /// per indicator N·T noise — each block except the unit effects' only when its SD is non-zero.
    /// Blocks are drawn straight into the columns they become (``RandomStream/fillNormal(_:)``).
    /// - Throws: ``ScenarioError`` when a redrawn calendar is infeasible, or
    ///   ``EntropyWeightIndex/IndexError`` when an indicator is constant.
    public func simulate(replication: Int, seed: UInt64) throws -> SimulatedPanel {
        let stream = RandomStream(seed: seed, replication: UInt64(replication), purpose: .data)
        let design: Design
        if let fixedDesign {
            design = fixedDesign
        } else {
            let cohorts = try Design.adoptionYears(scenario, geography: geography, stream: stream)
            design = try Design(cohortYear: cohorts, geography: geography, scenario: scenario)
        }
        var columns = buildColumns(design: design, stream: stream)
        var outcome = columns.latent
        var truth = fixedTruth
        var index: EntropyWeightIndex?
        if scenario.measurement.kind == .entropy {
            (outcome, truth, index) = try measure(&columns, design: design)
        } else if truth == nil {
            truth = Simulator.latentTruth(design: design, geography: geography, scenario: scenario)
        }
        let panel = try Panel(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: geography.cityCount,
                              periodCount: years.count, outcomeName: scenario.measurement.outcomeName, outcome: outcome,
                              covariateNames: scenario.controlNames,
                              covariates: controlIndices.map { columns.covariates[$0] },
                              adoptionPeriod: design.adoptionPeriod, unitLabels: unitLabels, periodLabels: periodLabels,
                              periodValues: periodValues, unitName: "city", timeName: "year", clusterings: clusterings,
                              notes: [], source: "simulation")
        return SimulatedPanel(panel: panel, truth: truth!, design: design, geography: geography, years: years,
                              replication: replication, seed: seed, mediatorNames: scenario.mediators.map(\.name),
                              mediators: columns.mediators, covariateNames: scenario.covariates.map(\.name),
                              covariates: columns.covariates, indicatorNames: columns.indicatorNames,
                              indicators: columns.indicators, latentOutcome: columns.latent, index: index)
    }

    // MARK: - Drawing

    /// Variance pieces: province-year SD and AR(1) stationary SD.
    var errorSDs: (province: Double, ar: Double) {
        let e = scenario.errors
        return ((e.provinceShare).squareRoot() * e.sd, max(0, 1 - e.provinceShare - e.spatialShare).squareRoot() * e.sd)
    }

    /// The scaled Cholesky factor of the spatial correlation (see ``spatialFactor``).
    /// - Throws: ``ScenarioError/invalidValue(field:value:expected:)`` when GSL cannot factor it.
    static func spatialFactor(_ errors: Scenario.ErrorOptions, geography: Geography) throws -> [Double] {
        guard errors.spatialShare > 0 else { return [] }
        RandomStream.disableGSLAbort  // a failed factorisation returns a code instead of aborting
        let n = geography.cityCount
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let value = Foundation.exp(-geography.distance(i, j) / errors.spatialRangeKm)
                matrix[i * n + j] = value
                matrix[j * n + i] = value
            }
        }
        let status = matrix.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var view = gsl_matrix_view_array(buffer.baseAddress, n, n)
            return gsl_linalg_cholesky_decomp1(&view.matrix)
        }
        guard status == 0 else {
            throw ScenarioError.invalidValue(field: "errors.spatialRangeKm", value: "\(errors.spatialRangeKm)",
                                             expected: "a range whose correlation matrix is positive definite "
                                                 + "(cities at the same place make it singular)")
        }
        let sd = errors.spatialShare.squareRoot() * errors.sd
        for i in 0..<n {
            for j in 0..<n { matrix[i * n + j] = j <= i ? sd * matrix[i * n + j] : 0 }
        }
        return matrix
    }

    /// The simulated columns before measurement.
    struct Columns {
        var latent: [Double]
        var mediators: [[Double]]
        var covariates: [[Double]]
        var indicatorNames: [String] = []
        var indicators: [[Double]] = []
        /// Standard normal noise of each indicator (nil when its SD is 0), kept for counterfactuals.
        var indicatorNoise: [[Double]?] = []
    }

    /// `count` standard normals from the stream, in a new array.
    static func normals(_ count: Int, _ stream: borrowing RandomStream) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            stream.fillNormal(buffer)
            initialized = count
        }
    }

    /// Builds `Y*`, covariates and mediators. Blocks of normals are drawn in the documented order
    /// straight into the columns they become (then transformed in place), so nothing is copied.
    func buildColumns(design: Design, stream: borrowing RandomStream) -> Columns {
        let s = scenario, e = s.errors
        let cities = geography.cityCount, periods = years.count, rows = cities * periods
        let centre = Double(periods - 1) / 2

        // Unit effects μ_i and error scales s_i.
        let unitDraws = Simulator.normals(cities, stream)
        var mu = [Double](repeating: e.unitEffectMean, count: cities)
        if e.unitEffectSD > 0 {
            switch e.unitEffectDistribution {
            case .lognormal:
                let logVariance = Foundation.log(1 + (e.unitEffectSD * e.unitEffectSD) / (e.unitEffectMean * e.unitEffectMean))
                let logMean = Foundation.log(e.unitEffectMean) - logVariance / 2
                let logSD = logVariance.squareRoot()
                for i in 0..<cities { mu[i] = Foundation.exp(logMean + logSD * unitDraws[i]) }
            case .normal:
                for i in 0..<cities { mu[i] = e.unitEffectMean + e.unitEffectSD * unitDraws[i] }
            }
        }
        var scale = [Double](repeating: 1, count: cities)
        let municipalities = s.geography.kind == .china && e.municipalityScale != 1 ? s.geography.municipalityCount : 0
        if e.heteroskedasticity != 0 || municipalities > 0 {
            var meanSquare = 0.0
            for i in 0..<cities {
                scale[i] = Foundation.exp(e.heteroskedasticity * unitDraws[i])
                if Int(geography.province[i]) < municipalities { scale[i] *= e.municipalityScale }
                meanSquare += scale[i] * scale[i]
            }
            let norm = (meanSquare / Double(cities)).squareRoot()
            for i in 0..<cities { scale[i] /= norm }
        }
        var yearEffect = (0..<periods).map { e.trend * Double($0) }
        if e.yearShockSD > 0 {
            let draws = Simulator.normals(periods, stream)
            for t in 0..<periods { yearEffect[t] += e.yearShockSD * draws[t] }
        }
        let (provinceSD, arSD) = errorSDs
        let provinceDraws = provinceSD > 0 ? Simulator.normals(geography.provinceCount * periods, stream) : []
        // Spatial field, year by year: w_·t = L z_·t (row t·N + i holds city i's value in year t).
        var spatial: [Double] = []
        if !spatialFactor.isEmpty {
            let draws = Simulator.normals(cities * periods, stream)
            spatial = [Double](repeating: 0, count: cities * periods)
            for t in 0..<periods {
                for i in 0..<cities {
                    var sum = 0.0
                    for j in 0...i { sum += spatialFactor[i * cities + j] * draws[t * cities + j] }
                    spatial[t * cities + i] = sum
                }
            }
        }
        let innovationSD = arSD * (1 - e.rho * e.rho).squareRoot()
        let mediatedSum = s.mediators.reduce(0) { $0 + $1.indirectEffect }

        // Y* without covariates and mediators; the AR(1) innovations are drawn into Y* itself.
        var latent = arSD > 0 ? Simulator.normals(rows, stream) : [Double](repeating: 0, count: rows)
        latent.withUnsafeMutableBufferPointer { y in
            design.effect.withUnsafeBufferPointer { effect in
                design.spillover.withUnsafeBufferPointer { spill in
                    for city in 0..<cities {
                        let base = city * periods
                        let province = Int(geography.province[city]) * periods
                        let adoption = Int(min(design.adoptionPeriod[city], Int32(periods)))
                        let level = mu[city], cityScale = scale[city]
                        var u = 0.0
                        for t in 0..<periods {
                            let row = base + t
                            let z = y[row]
                            u = t == 0 ? arSD * z : e.rho * u + innovationSD * z
                            var error = u
                            if provinceSD > 0 { error += provinceSD * provinceDraws[province + t] }
                            if !spatial.isEmpty { error += spatial[t * cities + city] }
                            var value = level + yearEffect[t] + cityScale * error + effect[row] + spill[row]
                            if t >= adoption { value -= mediatedSum }
                            y[row] = value
                        }
                    }
                }
            }
        }

        // Covariates: X = mean + unitSD·ξ + trend·t + noiseSD·z; Y += β (X − mean) + γ (t − t̄) ξ.
        var covariates: [[Double]] = []
        for covariate in s.covariates {
            let unit = Simulator.normals(cities, stream)
            let hasNoise = covariate.noiseSD > 0
            var column = hasNoise ? Simulator.normals(rows, stream) : [Double](repeating: 0, count: rows)
            column.withUnsafeMutableBufferPointer { x in
                latent.withUnsafeMutableBufferPointer { y in
                    for city in 0..<cities {
                        let xi = unit[city] + (design.cohortYear[city] != 0 ? covariate.treatedShift : 0)
                        let level = covariate.mean + covariate.unitSD * xi
                        for t in 0..<periods {
                            let row = city * periods + t
                            let value = level + covariate.trend * Double(t) + covariate.noiseSD * x[row]
                            x[row] = value
                            y[row] += covariate.outcomeLoading * (value - covariate.mean)
                                + covariate.trendInteraction * (Double(t) - centre) * xi
                        }
                    }
                }
            }
            covariates.append(column)
        }

        // Mediators: M = mean + θ(μ − Eμ) + unitSD·η + trend·t + a·D + noiseSD(√(1−r²) e + r U); Y += b (M − mean).
        var mediatorUnits: [[Double]] = []
        var mediators: [[Double]] = []
        for mediator in s.mediators {
            mediatorUnits.append(mediator.unitSD > 0 ? Simulator.normals(cities, stream) : [Double](repeating: 0, count: cities))
            mediators.append(mediator.noiseSD > 0 ? Simulator.normals(rows, stream) : [Double](repeating: 0, count: rows))
        }
        let confounder = s.confounder.isActive ? Simulator.normals(rows, stream) : []
        let r = s.confounder.isActive ? s.confounder.correlation : 0, own = (1 - r * r).squareRoot()
        for (k, mediator) in s.mediators.enumerated() {
            mediators[k].withUnsafeMutableBufferPointer { m in
                latent.withUnsafeMutableBufferPointer { y in
                    for city in 0..<cities {
                        let level = mediator.mean + mediator.unitLoading * (mu[city] - e.unitEffectMean)
                            + mediator.unitSD * mediatorUnits[k][city]
                        let adoption = Int(min(design.adoptionPeriod[city], Int32(periods)))
                        for t in 0..<periods {
                            let row = city * periods + t
                            var noise = m[row]
                            if r != 0 { noise = own * noise + r * confounder[row] }
                            var value = level + mediator.trend * Double(t) + mediator.noiseSD * noise
                            if t >= adoption { value += mediator.effect }
                            m[row] = value
                            y[row] += mediator.outcomeLoading * (value - mediator.mean)
                        }
                    }
                }
            }
        }
        if !confounder.isEmpty, s.confounder.outcomeSD != 0 {
            for row in 0..<rows { latent[row] += s.confounder.outcomeSD * confounder[row] }
        }
        var columns = Columns(latent: latent, mediators: mediators, covariates: covariates)
        if s.measurement.kind == .entropy {
            columns.indicatorNames = s.measurement.indicators.map(\.name)
            columns.indicatorNoise = s.measurement.indicators.map { $0.noiseSD > 0 ? Simulator.normals(rows, stream) : nil }
        }
        return columns
    }

    // MARK: - Measurement

    /// Indicators of a latent column, with the replication's measurement noise.
    func indicators(of latent: [Double], noise: [[Double]?]) -> [[Double]] {
        scenario.measurement.indicators.enumerated().map { j, indicator in
            var column = [Double](repeating: 0, count: latent.count)
            for row in latent.indices {
                var value = indicator.mean + indicator.loading * latent[row]
                if let draws = noise[j] { value += indicator.noiseSD * draws[row] }
                column[row] = indicator.transform == .exponential ? Foundation.exp(value) : value
            }
            return column
        }
    }

    /// Builds the entropy index and its truth from the same draws with and without the policy.
    func measure(_ columns: inout Columns, design: Design) throws -> ([Double], Truth, EntropyWeightIndex) {
        let measurement = scenario.measurement
        let observed = indicators(of: columns.latent, noise: columns.indicatorNoise)
        let index = try EntropyWeightIndex(columns: observed,
                                           directions: measurement.indicators.map { $0.loading >= 0 ? .positive : .negative },
                                           shift: measurement.shift, names: measurement.indicators.map(\.name),
                                           equalWeights: measurement.weighting == .equal)
        let outcome = index.score(observed)
        func scoreShifted(_ delta: (Int) -> Double) -> [Double] {
            let shifted = columns.latent.indices.map { columns.latent[$0] - delta($0) }
            return index.score(indicators(of: shifted, noise: columns.indicatorNoise))
        }
        // Without the policy: no treatment effect (direct or mediated) and no spillover.
        let untreated = scoreShifted { design.effect[$0] + design.spillover[$0] }
        let effect = outcome.indices.map { outcome[$0] - untreated[$0] }
        let periods = design.periodCount
        var indirect: [(String, Double, Double, Double)] = []
        for mediator in scenario.mediators {
            let withoutChannel = scoreShifted { design.isTreated(row: $0) ? mediator.indirectEffect : 0 }
            var sum = 0.0, count = 0
            for row in outcome.indices where Int32(row % periods) >= design.adoptionPeriod[row / periods] {
                sum += outcome[row] - withoutChannel[row]
                count += 1
            }
            indirect.append((mediator.name, mediator.effect, mediator.outcomeLoading, count > 0 ? sum / Double(count) : 0))
        }
        let truth = Truth.aggregate(design: design, geography: geography, scale: "entropy-index", effect: effect,
                                    spill: effect, exposed: scenario.spillover.kind == .none ? nil : design.exposed,
                                    indirect: indirect)
        columns.indicators = observed
        columns.indicatorNoise = []
        return (outcome, truth, index)
    }
}
