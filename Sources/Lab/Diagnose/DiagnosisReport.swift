import Estimators
import Foundation

/// The report of `didlab diagnose`, as data: its JSON is the contract of issue 13 (`command`,
/// `data`, `calibration`, `sources[].methods[]` with `size`, `power`, `mde`, `bias`, `coverage`,
/// `verdict`, `notes`).
public struct DiagnosisReport: Codable, Sendable {
    /// The design as the data give it.
    public struct DataSummary: Codable, Sendable {
        /// One adoption period and its number of units.
        public struct Cohort: Codable, Sendable {
            /// Adoption period label, or `never`.
            public var cohort: String
            /// Units adopting then.
            public var units: Int
        }
        /// Units of the panel.
        public var nUnits: Int
        /// Periods of the panel.
        public var nPeriods: Int
        /// Rows of the panel.
        public var nObs: Int
        /// Units per adoption period.
        public var cohorts: [Cohort]
        /// Cluster column and its number of clusters.
        public var cluster: String
        /// Number of clusters of ``cluster``.
        public var clusters: Int
        /// Level column and its number of groups (nil without a level).
        public var level: String?
        /// Number of groups of ``level``.
        public var levelGroups: Int?
        /// SD of the outcome over all rows.
        public var outcomeSd: Double
        /// SD of the outcome net of unit and period effects, over the untreated rows (degrees of
        /// freedom corrected): the noise an estimator faces, and the MDE's unit.
        public var withinSd: Double
    }

    /// One calibrated parameter.
    public struct Parameter: Codable, Sendable {
        /// Calibrated value.
        public var estimate: Double
        /// Its jackknife standard error.
        public var stdError: Double
        /// Its 95% jackknife interval, clamped to the parameter's range.
        public var low: Double, high: Double
        /// The value used (an override, or the estimate).
        public var used: Double
    }

    /// The calibrated model (nil when the model source did not run).
    public struct Calibration: Codable, Sendable {
        /// AR(1) coefficient.
        public var rho: Parameter
        /// Share of the error variance common to a level group in a period.
        public var levelShare: Parameter
        /// Stationary error SD.
        public var sigma: Parameter
        /// SD of the unit variance scales (0: homoskedastic).
        public var unitVarianceSd: Parameter
        /// Whether unit error scales are used.
        public var heteroskedastic: Bool
        /// The calibration sample.
        public var sample: String
        /// Units and periods of the calibration rectangle.
        public var units: Int, periods: Int
        /// Jackknife replicates behind the standard errors.
        public var jackknifeBlocks: Int
        /// How the parameters were estimated, in words.
        public var method: String
        /// Statistics of the data beside their expectation under the model.
        public var checks: [Check]
        /// Notes on the fit.
        public var notes: [String]

        /// One statistic: its value in the data and under the model.
        public struct Check: Codable, Sendable {
            /// What is compared, its value in the data, its expectation under the model.
            public var statistic: String, data: Double, model: Double
        }
    }

    /// One source's results.
    public struct SourceResult: Codable, Sendable {
        /// `placebo-laws` or `model`.
        public var source: String
        /// Which outcomes and design the replications use.
        public var sample: String
        /// Replications per effect.
        public var replications: Int
        /// Each method's operating characteristics.
        public var methods: [MethodDiagnosis]
    }

    /// One line of the verdict.
    public struct Verdict: Codable, Sendable {
        /// `placebo-laws` or `model`.
        public var source: String
        /// The method judged, as given.
        public var method: String
        /// Rejection without an effect ≤ design size + 2 MCSE, design size ≤ α, results in ≥ 90% of replications.
        public var holdsSize: Bool
        /// The method's MDE (nil when not reached).
        public var mde: Double?
        /// Among the methods that hold their size on this source, the one with the smallest MDE.
        public var recommended: Bool
        /// The finding in words.
        public var finding: String
    }

    /// Always `diagnose`.
    public var command = "diagnose"
    /// The design as the data give it.
    public var data: DataSummary
    /// The calibrated model (nil when the model source did not run).
    public var calibration: Calibration?
    /// The effect grid, 0 first.
    public var effects: [Double]
    /// How the effect is laid on the treated cells: `constant` or `ramp`.
    public var profile: String
    /// Test level.
    public var alpha: Double
    /// Master seed.
    public var seed: Seed
    /// One result per source.
    public var sources: [SourceResult]
    /// One line per source and method.
    public var verdict: [Verdict]
    /// What the findings rest on, fallbacks and failures.
    public var notes: [String]

    /// Reduces the records (any order) of a diagnosis.
    init(panel: Panel, cluster: String, level: String?, laws: PlaceboLaws?, model: CalibratedModel?,
         source: DiagnosisSource, methods: [DiagnosisMethod], records: [ReplicationRecord],
         options: Diagnosis.Options, notes: [String]) {
        let mean = panel.outcome.reduce(0, +) / Double(max(panel.observationCount, 1))
        let rawSD = (panel.outcome.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(panel.observationCount - 1, 1))).squareRoot()
        let sd = Self.withinSD(panel)
        var cohortCounts: [Int32: Int] = [:]
        for g in panel.adoptionPeriod { cohortCounts[g, default: 0] += 1 }
        data = DataSummary(nUnits: panel.unitCount, nPeriods: panel.periodCount, nObs: panel.observationCount,
                           cohorts: cohortCounts.keys.sorted().map {
                               DataSummary.Cohort(cohort: $0 == Panel.neverTreated ? "never" : panel.adoptionLabel($0),
                                                  units: cohortCounts[$0] ?? 0)
                           },
                           cluster: cluster, clusters: panel.clusterings[cluster]?.count ?? panel.unitCount,
                           level: level, levelGroups: level.flatMap { panel.clusterings[$0]?.count }, outcomeSd: rawSD,
                           withinSd: sd)
        calibration = model.map(Self.calibration)
        effects = source.effects
        profile = options.profile.rawValue
        alpha = options.alpha
        seed = Seed(options.seed)
        // Draws by (source, method, effect), in replication order, and failure reasons.
        let s = source.sources.count, e = source.effects.count
        var draws = [[[PerformanceMeasures.Draw]]](repeating: [[PerformanceMeasures.Draw]](repeating: [], count: e),
                                                   count: s * methods.count)
        var reasons = [[String: Int]](repeating: [:], count: s * methods.count)
        let sorted = records.sorted { ($0.condition, $0.replication, $0.method) < ($1.condition, $1.replication, $1.method) }
        for record in sorted where record.condition < source.conditionCount && record.method < methods.count {
            let (si, ei) = source.split(record.condition)
            if !record.failure.isEmpty { reasons[si * methods.count + record.method][record.failure, default: 0] += 1 }
            draws[si * methods.count + record.method][ei].append(
                .init(estimate: record.failure.isEmpty ? record.estimate : .nan, standardError: record.standardError,
                      confLow: record.confLow, confHigh: record.confHigh, pValue: record.pValue, truth: record.truth))
        }
        sources = source.sources.enumerated().map { index, kind in
            let sample: String, sourcePanel: Panel
            switch kind {
            case .placeboLaws(let laws): (sample, sourcePanel) = (laws.description, laws.base)
            case .model(let model): (sample, sourcePanel) = (Self.sampleText(model), model.panel)
            }
            return SourceResult(source: kind.name, sample: sample, replications: options.replications,
                                methods: methods.enumerated().map { m, method in
                                    let counts = reasons[index * methods.count + m]
                                    let reason = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
                                    return MethodDiagnosis.summarise(
                                        name: method.name, estimator: method.evaluator.estimatorName,
                                        inference: method.evaluator.inferenceName, isPreTest: method.isPreTest,
                                        effects: source.effects, draws: draws[index * methods.count + m],
                                        alpha: options.alpha, targetPower: options.power,
                                        designSize: method.designSize(on: sourcePanel), outcomeSD: sd,
                                        failureReason: reason)
                                })
        }
        verdict = Self.verdict(sources: sources, methods: methods, model: model, level: level, cluster: cluster,
                               alpha: options.alpha)
        var all = notes
        if let laws {
            all += laws.notes.map { "placebo laws: " + $0 }
            for method in methods {
                if case .estimator(_, .placebo(let level, _)) = method.spec.analysis, level == laws.assignmentLevel {
                    all.append("placebo laws: \(method.name) permutes the calendar exactly as the placebo laws draw it, so "
                               + "it holds its size there by construction; judge it on the model source")
                }
            }
        }
        if let model { all += model.notes.map { "model: " + $0 } }
        for result in sources {
            for method in result.methods where method.failures > 0 {
                all.append("\(result.source): \(method.name) failed in \(method.failures) of "
                           + "\(options.replications * source.effects.count) replications (left out of its rates): "
                           + (method.failureReason ?? ""))
            }
        }
        all.append("MDEs are in outcome units and in within SDs (the SD of the outcome net of unit and period effects "
                   + "on untreated rows, \(Self.format(sd)); the raw SD, \(Self.format(rawSD)), includes the unit effects)")
        all.append("size is judged against the design size ± 2 MCSE at \(options.replications) replications: "
                   + "a method that over-rejects by less cannot be told apart from one that holds")
        switch options.profile {
        case .constant:
            all.append("the effect is constant (added to every placebo-treated or treated cell); with effects that grow with "
                       + "exposure (--profile ramp) or differ by cohort, TWFE's power and bias differ from these")
        case .ramp:
            all.append("the effect grows linearly with exposure, δ(k + 1)/(k̄ + 1) at k periods after adoption, so the "
                       + "ATT over treated cells is δ; it does not differ by cohort")
        }
        self.notes = all
    }

    static func sampleText(_ model: CalibratedModel) -> String {
        switch model.rectangle {
        case let .neverTreated(units, periods):
            return "the real design (units, periods, cohorts, clusters) with errors calibrated on the \(units) never-treated "
                + "units × \(periods) periods"
        case let .preAdoption(units, periods):
            return "the real design with errors calibrated on \(units) units × the \(periods) periods before the first adoption"
        }
    }

    static func calibration(_ model: CalibratedModel) -> Calibration {
        let c = model.calibration
        func parameter(_ estimate: ErrorCalibration.Estimate, used: Double) -> Parameter {
            Parameter(estimate: estimate.value, stdError: estimate.standardError, low: estimate.low, high: estimate.high, used: used)
        }
        let units: Int, periods: Int, sample: String
        switch model.rectangle {
        case let .neverTreated(u, p): (units, periods, sample) = (u, p, "never-treated units, every period")
        case let .preAdoption(u, p): (units, periods, sample) = (u, p, "every unit, periods before the first adoption")
        }
        return Calibration(rho: parameter(c.rho, used: model.model.rho),
                           levelShare: parameter(c.levelShare, used: model.model.levelShare),
                           sigma: parameter(c.sigma, used: model.model.sigma),
                           unitVarianceSd: parameter(c.unitVarianceSD, used: model.heteroskedastic ? c.unitVarianceSD.value : 0),
                           heteroskedastic: model.heteroskedastic, sample: sample, units: units, periods: periods,
                           jackknifeBlocks: c.blocks,
                           method: "moments of two-way demeaned untreated residuals matched to their exact expectations "
                               + "under s_i(level-period shock + AR(1)) errors (Nickell-bias free); jackknife over "
                               + (c.groups != nil ? "level groups" : "blocks of units"),
                           checks: c.checks.map { Calibration.Check(statistic: $0.statistic, data: $0.data, model: $0.model) },
                           notes: c.notes)
    }

    /// Which methods hold their size (rejection ≤ design size + 2 MCSE of the design size), and
    /// among them the smallest MDE, per source; a method that over-rejects is never recommended.
    static func verdict(sources: [SourceResult], methods: [DiagnosisMethod], model: CalibratedModel?, level: String?,
                        cluster: String, alpha: Double) -> [Verdict] {
        var lines: [Verdict] = []
        for result in sources {
            // A method holds its size when its rejection under no effect is within 2 MCSE of its
            // design size, which itself must not exceed α, and when at least 90% of its
            // replications gave a result.
            let holds = result.methods.map { method -> Bool in
                let k = Double(max(method.replications, 1))
                let d = method.size.designSize
                return method.size.rejection.isFinite && method.size.rejection <= d + 2 * (d * (1 - d) / k).squareRoot()
                    && d <= alpha * (1 + 1e-12) && !unreliable(method, replications: result.replications)
            }
            let candidates = result.methods.indices.filter { holds[$0] && result.methods[$0].kind == "effect"
                && result.methods[$0].mde != nil }
            let best = candidates.min { (result.methods[$0].mde?.effect ?? .infinity) < (result.methods[$1].mde?.effect ?? .infinity) }
            for (m, method) in result.methods.enumerated() {
                let size = Self.rate(method.size.rejection), mcse = Self.rate(method.size.mcse)
                let design = Self.rate(method.size.designSize)
                var finding: String
                if !method.size.rejection.isFinite {
                    finding = "\(method.name) gave no result on this source: " + (method.failureReason ?? "no finite estimate")
                } else if unreliable(method, replications: result.replications) {
                    finding = "\(method.name) is unreliable here: it gave a result in only \(method.replications) of "
                        + "\(result.replications) replications without an effect" + (method.failureReason.map { " (" + $0 + ")" } ?? "")
                } else if method.size.designSize > alpha * (1 + 1e-12) {
                    finding = "\(method.name) cannot hold α = \(Self.format(alpha)): with so few draws its exact size is "
                        + "\(Self.rate(method.size.designSize)); raise --permutations or --reps"
                } else if method.size.designSize == 0 {
                    finding = "\(method.name) cannot reject at α = \(Self.format(alpha)) with so few draws (design size 0): "
                        + "raise --permutations or --reps"
                } else if method.kind == "pretest" {
                    finding = holds[m]
                        ? "the pre-trend test rejects \(size) ± \(mcse) of the time under parallel trends (design \(design))"
                        : "the pre-trend test rejects \(size) ± \(mcse) under parallel trends, above its \(design): "
                            + "it flags pre-trends that are not there"
                    // Its leads should not move with a constant post-period effect.
                    if let last = method.power.last, last.rejection.isFinite,
                       abs(last.rejection - method.size.rejection) > 3 * ((last.mcse * last.mcse + method.size.mcse * method.size.mcse).squareRoot() + 0.005) {
                        finding += "; its rejection moves with the effect (\(size) → \(Self.rate(last.rejection)) at "
                            + "\(Self.format(last.effect))): its leads absorb post-period effects, so bin the window (leads=, lags=)"
                    }
                } else if holds[m] {
                    finding = "\(method.name) holds its size (\(size) ± \(mcse), design \(design))"
                    if let mde = method.mde {
                        finding += "; MDE \(Self.format(mde.effect)) (\(Self.format(mde.effectInSD)) SD) at power \(Self.format(mde.power))"
                    } else {
                        finding += "; it does not reach the target power on the effect grid"
                    }
                    // With few replications the check cannot tell a test that rejects twice as often.
                    let d = method.size.designSize, k = Double(max(method.replications, 1))
                    let passing = d + 2 * (d * (1 - d) / k).squareRoot()
                    if passing >= 2 * alpha {
                        finding += " (but with \(method.replications) replications a size up to \(Self.rate(passing)) "
                            + "would pass this check: raise --replications before trusting it)"
                    }
                } else {
                    finding = "\(method.name) over-rejects (\(size) ± \(mcse), design \(design)): do not use it here"
                    if let model, let level, model.model.levelShare > 0, methods[m].level != level {
                        finding += "; \(level)-period shocks carry \(Self.format(100 * model.model.levelShare))% of the error variance"
                    }
                }
                if best == m {
                    finding += " — the most powerful method that holds its size"
                    let ties = candidates.filter { $0 != m && Self.overlap(result.methods[$0].mde, method.mde) }
                    if !ties.isEmpty {
                        finding += ", though its MDE interval overlaps that of " + ties.map { result.methods[$0].name }.joined(separator: ", ")
                            + ": not ranked apart at \(result.replications) replications"
                    }
                }
                lines.append(Verdict(source: result.source, method: method.name, holdsSize: holds[m],
                                     mde: method.mde?.effect, recommended: best == m, finding: finding))
            }
        }
        guard sources.count > 1 else { return lines }
        // Across sources, the verdict is the least flattering one: a method holds its size only if
        // it holds on every source, its MDE is its largest, and the recommendation is the smallest
        // such MDE.
        let names = sources[0].methods.map(\.name)
        let combined = names.map { name -> (holds: Bool, mde: Double?, kind: String) in
            let entries = lines.filter { $0.method == name }
            let mdes = entries.map(\.mde)
            let mde = mdes.contains { $0 == nil } ? nil : mdes.compactMap { $0 }.max()
            let kind = sources[0].methods.first { $0.name == name }?.kind ?? "effect"
            return (entries.count == sources.count && entries.allSatisfy(\.holdsSize), mde, kind)
        }
        let best = names.indices.filter { combined[$0].holds && combined[$0].kind == "effect" && combined[$0].mde != nil }
            .min { (combined[$0].mde ?? .infinity) < (combined[$1].mde ?? .infinity) }
        let all = sources.map(\.source).joined(separator: " and ")
        for (m, name) in names.enumerated() {
            var finding: String
            if combined[m].holds {
                finding = "\(name) holds its size on \(all)"
                if combined[m].kind == "effect" {
                    finding += combined[m].mde.map { "; its larger MDE is \(Self.format($0))" } ?? "; it does not reach the target power on every source"
                }
            } else {
                finding = "\(name) does not hold its size on every source: do not rely on it"
            }
            if best == m {
                finding += " — the most powerful method that holds its size on every source"
                // Not ranked apart from a method that also holds everywhere when their MDE intervals
                // overlap on some source.
                let rivals = names.indices.filter { r in
                    r != m && combined[r].holds && combined[r].kind == "effect" && combined[r].mde != nil
                        && sources.contains { source in
                            let mine = source.methods.first { $0.name == name }, theirs = source.methods.first { $0.name == names[r] }
                            return Self.overlap(mine?.mde, theirs?.mde)
                        }
                }
                if !rivals.isEmpty {
                    finding += ", though its MDE interval overlaps that of " + rivals.map { names[$0] }.joined(separator: ", ")
                        + " on some source: not ranked apart at these replications"
                }
            }
            lines.append(Verdict(source: "all", method: name, holdsSize: combined[m].holds, mde: combined[m].mde,
                                 recommended: best == m, finding: finding))
        }
        return lines
    }

    /// Whether two MDEs' Monte Carlo intervals overlap (an interval open beyond the grid reaches
    /// to infinity on that side).
    static func overlap(_ a: MethodDiagnosis.MDE?, _ b: MethodDiagnosis.MDE?) -> Bool {
        guard let a, let b else { return false }
        return (a.low ?? -.infinity) <= (b.high ?? .infinity) && (b.low ?? -.infinity) <= (a.high ?? .infinity)
    }

    /// Fewer than 90% of the replications without an effect gave a result.
    static func unreliable(_ method: MethodDiagnosis, replications: Int) -> Bool {
        Double(method.replications) < 0.9 * Double(replications)
    }

    /// SD of the outcome net of unit and period effects (fitted on the untreated rows), over the
    /// untreated rows, with `n − N − T + 1` degrees of freedom.
    static func withinSD(_ panel: Panel) -> Double {
        let fitted = CalibratedModel.twoWayFit(panel)
        var sum = 0.0, count = 0
        for row in 0..<panel.observationCount where !panel.isTreated(row: row) {
            let r = panel.outcome[row] - fitted[row]
            sum += r * r
            count += 1
        }
        let df = count - panel.unitCount - panel.periodCount + 1
        return df > 0 ? (sum / Double(df)).squareRoot() : .nan
    }

    /// A rate with three decimals.
    static func rate(_ value: Double) -> String { value.isFinite ? String(format: "%.3f", value) : "–" }

    /// Three significant digits, as the tables print.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let digits = max(0, 2 - Int(Foundation.floor(Foundation.log10(abs(value)))))
        return String(format: "%.\(min(digits, 8))f", value)
    }
}
