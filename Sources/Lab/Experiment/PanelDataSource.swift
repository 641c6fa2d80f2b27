import Estimators
import Foundation

/// The `data:` of an experiment run on a real panel instead of a scenario: one of `diagnose`'s
/// sources (placebo laws on the real outcome, or the model calibrated to it) at a grid of
/// effects, so that any methods and performance measures of `didlab run` apply to the user's own
/// design.
///
/// ```yaml
/// data:
///   panel: mpdta.csv              # CSV, relative to the spec's directory
///   y: lemp
///   unit: countyreal
///   time: year
///   cohort: first.treat           # or treat: a 0/1 column
///   x: [lpop]                     # covariates (optional)
///   level: state                  # level groups (optional)
///   source: placebo-laws          # or model
///   sample: never                 # placebo laws: never (default), untreated or all
///   set: {errors.rho: 0.5}        # model: overrides of the calibration
///   effects: [0, 0.02, 0.05]      # one condition each (default [0])
///   profile: constant             # or ramp: growing with exposure, ATT still the effect
/// ```
/// Every replication's truth follows ``EffectProfile``: `att` is δ, `e+K` (K ≥ 0) the effect at
/// exposure K; `zero` and `e-K` are 0.
public struct PanelDataSource: Sendable {
    /// The panel file (resolved against the spec's directory).
    public var path: String
    /// Column roles.
    public var outcome: String, unit: String, time: String
    /// Cohort column (first treated period) or 0/1 treatment column.
    public var treatment: PanelSpec.Treatment
    /// Covariate columns.
    public var covariates: [String]
    /// Level column (groups sharing shocks, assigned whole when possible).
    public var level: String?
    /// Which source draws the replications.
    public var kind: Diagnosis.SourceKind
    /// The placebo-laws sample (nil: never-treated units when there are enough).
    public var sample: PlaceboLaws.Sample?
    /// Overrides of the calibrated model.
    public var overrides: CalibratedModel.Overrides
    /// The effects, one condition each.
    public var effects: [Double]
    /// How the effect is laid on the treated cells.
    public var profile: EffectProfile

    /// The keys `data:` takes for a panel.
    static let keys: Set<String> = ["panel", "y", "unit", "time", "cohort", "treat", "x", "level", "source", "sample", "set",
                                    "effects", "profile"]

    /// Reads the panel keys of `data`.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming `data.KEY`.
    init(_ data: [String: Any], directory: String, source: String) throws {
        func fail(_ key: String, _ reason: String) -> RunError { .invalidSpec(path: source, field: "data." + key, reason: reason) }
        func text(_ key: String, required: Bool = true) throws -> String? {
            guard let value = data[key] else {
                if required { throw fail(key, "a panel needs its \(key) column") }
                return nil
            }
            guard let string = value as? String, !string.isEmpty else { throw fail(key, "expected a column name") }
            return string
        }
        try ExperimentSpec.checkKeys(data, allowed: Self.keys, prefix: "data.", source: source)
        guard let file = try text("panel") else { throw fail("panel", "expected a CSV file") }
        path = file.hasPrefix("/") ? file : directory + "/" + file
        outcome = try text("y") ?? ""
        unit = try text("unit") ?? ""
        time = try text("time") ?? ""
        switch (try text("cohort", required: false), try text("treat", required: false)) {
        case (let cohort?, nil): treatment = .cohort(cohort)
        case (nil, let treat?): treatment = .indicator(treat)
        default: throw fail("cohort", "give exactly one of cohort (first treated period) or treat (0/1 column)")
        }
        if let list = data["x"] {
            guard let names = list as? [Any], names.allSatisfy({ $0 is String }) else { throw fail("x", "expected a list of columns") }
            covariates = names.compactMap { $0 as? String }
        } else {
            covariates = []
        }
        level = try text("level", required: false)
        let sourceText = data["source"].map { "\($0)" } ?? "placebo-laws"
        guard let kind = Diagnosis.SourceKind(rawValue: sourceText) else {
            throw fail("source", "expected placebo-laws or model, got '\(sourceText)'")
        }
        self.kind = kind
        if let value = data["sample"] {
            guard let sample = PlaceboLaws.Sample(rawValue: "\(value)") else {
                throw fail("sample", "expected never, untreated or all, got '\(value)'")
            }
            guard kind == .placeboLaws else { throw fail("sample", "only placebo laws take a sample") }
            self.sample = sample
        } else {
            sample = nil
        }
        var overrides = CalibratedModel.Overrides()
        if let set = data["set"] {
            guard let map = set as? [String: Any] else { throw fail("set", "expected a mapping such as {errors.rho: 0.5}") }
            guard kind == .model else { throw fail("set", "only the model source takes overrides") }
            for (key, value) in map.sorted(by: { $0.key < $1.key }) {
                do { try overrides.set("\(key)=\(value)") } catch let error as InvalidParameter {
                    throw fail("set." + key, error.problem)
                }
            }
        }
        self.overrides = overrides
        if let list = data["effects"] {
            guard let values = list as? [Any], !values.isEmpty else { throw fail("effects", "expected a non-empty list of numbers") }
            effects = try values.map { value in
                guard let number = (value as? Double) ?? (value as? Int).map(Double.init), number.isFinite else {
                    throw fail("effects", "expected numbers, found '\(value)'")
                }
                return number
            }
            guard Set(effects).count == effects.count else { throw fail("effects", "expected distinct effects") }
        } else {
            effects = [0]
        }
        let profileText = data["profile"].map { "\($0)" } ?? "constant"
        guard let profile = EffectProfile(rawValue: profileText) else {
            throw fail("profile", "expected constant or ramp, got '\(profileText)'")
        }
        self.profile = profile
    }

    /// Loads the panel (with the columns `methods` cluster or permute by) and prepares the source.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming `data.panel` (or `data.source`
    ///   when the source cannot run on the panel).
    func replicationSource(methods: [MethodSpec], seed: UInt64, specSource: String) throws -> (DiagnosisSource, Panel) {
        let columns = Set(([level].compactMap { $0 } + methods.flatMap { $0.clusterColumns.map(\.column) })
            .filter { $0 != unit }).sorted()
        let lower = path.lowercased()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw RunError.invalidSpec(path: specSource, field: "data.panel", reason: "\(path): no such file")
        }
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".txt") || DataFileFormat(path: path).isStatisticalFile else {
            throw RunError.invalidSpec(path: specSource, field: "data.panel", reason: "\(path): expected a .csv file or one of "
                                       + DataFileFormat.readStatExtensions.joined(separator: ", "))
        }
        let panel: Panel
        do {
            panel = try Panel.load(file: path, spec: PanelSpec(outcome: outcome, unit: unit, time: time, treatment: treatment,
                                                              covariates: covariates, clusterColumns: columns))
        } catch {
            throw RunError.invalidSpec(path: specSource, field: "data.panel", reason: "\(error)")
        }
        let made: DiagnosisSource.Source
        do {
            switch kind {
            case .placeboLaws: made = .placeboLaws(try PlaceboLaws(panel: panel, sample: sample, level: level))
            case .model: made = .model(try CalibratedModel(panel: panel, level: level, overrides: overrides))
            }
        } catch let error as DiagnosisError {
            throw RunError.invalidSpec(path: specSource, field: "data.source", reason: "\(error)")
        }
        var source = DiagnosisSource(sources: [made], effects: effects, seed: seed, profile: profile)
        source.dataNotes = panel.notes
        return (source, panel)
    }
}
