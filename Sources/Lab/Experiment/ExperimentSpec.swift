import Foundation
import Sim
import Yams

/// An experiment, in the ADEMP structure of Morris, White & Crowther (2019): aims,
/// data-generating mechanisms (a scenario, or a grid over its fields), estimands and methods,
/// performance measures, replications, seed and test level.
///
/// ```yaml
/// experiment: paper-baseline
/// aims: Does TWFE with city-clustered CR1 keep its size and coverage under the pilot calendar?
/// data:
///   scenario: paper                 # a built-in scenario (didlab simulate --list), or a list
///   set: {errors.rho: 0.8}          # field overrides, dotted paths into the scenario
///   grid: {effects.att: [0, 0.01]}  # each combination is one condition
/// methods:
///   - {name: TWFE CR1, estimator: twfe, inference: cr1, target: att}
///   - {name: ES e+0, estimator: event, term: e+0, inference: cr1, target: e+0}
///   - {name: TWFE placebo, estimator: twfe, inference: placebo, permutations: 199, target: att}
/// replications: 500
/// seed: 20251215
/// alpha: 0.05
/// ```
///
/// Unknown fields and impossible values are errors naming the field.
public struct ExperimentSpec: Sendable {
    /// One data-generating condition: a fully resolved scenario and its grid values.
    public struct Condition: Sendable {
        public var name: String
        public var parameters: [(String, Double)]
        public var scenario: Scenario
    }

    public var name: String
    public var aims: String
    /// The scenario conditions (empty when the data are a real panel).
    public var conditions: [Condition]
    /// A real panel and one of `diagnose`'s sources, instead of scenarios (nil for scenarios).
    public var panelData: PanelDataSource?
    public var methods: [MethodSpec]
    public var performance: [String]
    public var replications: Int
    public var seed: UInt64
    public var alpha: Double
    /// Where the spec came from (file name), for messages.
    public var source: String
    /// The directory relative paths in the spec resolve against (absolute).
    public var directory: String = "."
    /// The spec's `size_adjusted` pairs of condition names (nil: the default pairing,
    /// ``SizeAdjustedPair/defaults(names:parameters:)``), checked by ``sizeAdjustedPairs(conditionNames:)``.
    public var sizeAdjusted: [(null: String, alternative: String)]? = nil

    static let topLevelKeys: Set<String> = ["experiment", "aims", "data", "estimands", "methods", "performance",
                                            "replications", "seed", "alpha", "size_adjusted"]
    static let dataKeys: Set<String> = ["scenario", "spec", "set", "grid"]
    /// Most conditions a spec may have (scenarios × the grid's combinations): each costs a
    /// scenario built and validated (~3 ms) and its own replications.
    static let maximumConditions = 1000

    /// Performance measures a spec may list (every report shows all of them; the list states the
    /// experiment's aims). `power` and `size` are the rejection rate under an effect or under the null.
    static let performanceMeasures = ["bias", "rmse", "sd", "mean_se", "coverage", "rejection", "power", "size",
                                      "ci_length"]
    /// Reads a spec file.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming the field.
    public static func load(path: String) throws -> ExperimentSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError.invalidSpec(path: path, field: "(file)", reason: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: (path as NSString).lastPathComponent,
                         directory: (path as NSString).deletingLastPathComponent)
    }

    /// Parses spec text.
    public static func parse(_ text: String, source: String, directory: String = ".") throws -> ExperimentSpec {
        func fail(_ field: String, _ reason: String) -> RunError { .invalidSpec(path: source, field: field, reason: reason) }
        if let problem = YAMLLimits.problem(with: text) { throw fail("(document)", problem) }
        if text.allSatisfy(\.isWhitespace) { throw fail("(document)", "the spec is empty; expected a mapping with the fields "
                                                       + topLevelKeys.sorted().joined(separator: ", ")) }
        let root: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: text) as? [String: Any] else {
                throw fail("(document)", "expected a mapping with the fields " + topLevelKeys.sorted().joined(separator: ", "))
            }
            root = loaded
        } catch let error as RunError {
            throw error
        } catch {
            throw fail("(document)", "not valid YAML: \(error)")
        }
        try checkKeys(root, allowed: topLevelKeys, prefix: "", source: source)
        guard let name = root["experiment"] as? String, !name.isEmpty else { throw fail("experiment", "expected a name") }
        let replications = try integer(root["replications"], default: 500, field: "replications", source: source)
        guard replications >= 2 else { throw fail("replications", "expected at least 2, got \(replications)") }
        let seedValue = try integer(root["seed"], default: 1, field: "seed", source: source)
        guard seedValue >= 0 else { throw fail("seed", "expected a non-negative integer, got \(seedValue)") }
        let alpha = try number(root["alpha"], default: 0.05, field: "alpha", source: source)
        guard alpha > 0 && alpha < 1 else { throw fail("alpha", "expected a level between 0 and 1, got \(alpha)") }
        if root["performance"] != nil && !(root["performance"] is [Any]) {
            throw fail("performance", "expected a list of measures, e.g. [bias, rmse, coverage, rejection]")
        }
        let performance = (root["performance"] as? [Any])?.map { "\($0)" } ?? ["bias", "rmse", "coverage", "rejection"]
        for (k, measure) in performance.enumerated() where !performanceMeasures.contains(measure) {
            throw fail("performance[\(k)]", "unknown measure '\(measure)'; expected one of "
                       + performanceMeasures.joined(separator: ", "))
        }

        let sizeAdjusted = try decodeSizeAdjusted(root["size_adjusted"], source: source)

        // Data-generating mechanisms: scenarios, or a real panel under one of diagnose's sources.
        guard let data = root["data"] as? [String: Any] else { throw fail("data", "expected a mapping with 'scenario'") }
        let methods = try decodeMethods(root, text: text, source: source)
        let base = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        if data["panel"] != nil {
            let panelData = try PanelDataSource(data, directory: base, source: source)
            return ExperimentSpec(name: name, aims: root["aims"] as? String ?? "", conditions: [], panelData: panelData,
                                  methods: methods, performance: performance, replications: replications,
                                  seed: UInt64(seedValue), alpha: alpha, source: source, directory: base,
                                  sizeAdjusted: sizeAdjusted)
        }
        try checkKeys(data, allowed: dataKeys, prefix: "data.", source: source)
        var bases: [Scenario] = []
        if let specFile = data["spec"] as? String {
            bases = [try wrapScenario(field: "data.spec", source: source) {
                try Scenario.load(yamlFile: specFile.hasPrefix("/") ? specFile : directory + "/" + specFile)
            }]
        } else {
            let names: [String]
            if let list = data["scenario"] as? [Any] { names = list.map { "\($0)" } } else { names = [data["scenario"] as? String ?? "paper"] }
            guard !names.isEmpty else { throw fail("data.scenario", "expected a scenario name or a list of names") }
            bases = try names.map { name in try wrapScenario(field: "data.scenario", source: source) { try Scenario.preset(named: name) } }
        }
        if data["set"] != nil && data["set"] as? [String: Any] == nil { throw fail("data.set", "expected a mapping of field: value") }
        let overrides = (data["set"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if !overrides.isEmpty {
            bases = try bases.map { try apply(overrides, to: $0, field: "data.set", source: source) }
        }
        var conditions = bases.map { Condition(name: $0.name, parameters: [], scenario: $0) }
        if let grid = data["grid"] {
            guard let grid = grid as? [String: Any] else { throw fail("data.grid", "expected a mapping of field: [values]") }
            // Every list is checked, and the product of their lengths bounded, before any scenario
            // is built: each condition costs a scenario of its own.
            let entries = grid.sorted(by: { $0.key < $1.key })
            var count = conditions.count
            for (path, values) in entries {
                guard let list = values as? [Any], !list.isEmpty else {
                    throw fail("data.grid.\(path)", "expected a non-empty list of values")
                }
                for value in list where !(value is Double || value is Int) {
                    throw fail("data.grid.\(path)", "expected numbers, found '\(value)'")
                }
                count = count.multipliedReportingOverflow(by: list.count).partialValue
                guard count <= maximumConditions else {
                    throw fail("data.grid", "the grid has more than \(maximumConditions) conditions (the product of its "
                               + "lists' lengths); expected at most \(maximumConditions)")
                }
            }
            // The combinations in grid order (the first field varies slowest), each applied to its
            // base scenario once.
            var combinations: [(base: Condition, assignments: [(String, Any)])] = conditions.map { ($0, []) }
            for (path, values) in entries {
                let list = values as? [Any] ?? []
                combinations = combinations.flatMap { combination in
                    list.map { (combination.base, combination.assignments + [(path, $0)]) }
                }
            }
            conditions = try combinations.map { base, assignments in
                let scenario = try apply(assignments, to: base.scenario, field: "data.grid", source: source)
                return Condition(name: base.name + assignments.map { ", \($0.0)=\($0.1)" }.joined(),
                                 parameters: base.parameters + assignments.map { ($0.0, ($0.1 as? Double) ?? Double($0.1 as? Int ?? 0)) },
                                 scenario: scenario)
            }
        }

        let spec = ExperimentSpec(name: name, aims: root["aims"] as? String ?? "", conditions: conditions, panelData: nil,
                                  methods: methods, performance: performance, replications: replications,
                                  seed: UInt64(seedValue), alpha: alpha, source: source, directory: base,
                                  sizeAdjusted: sizeAdjusted)
        _ = try spec.sizeAdjustedPairs(conditionNames: conditions.map(\.name))
        return spec
    }

    /// The methods, decoded into typed values.
    static func decodeMethods(_ root: [String: Any], text: String, source: String) throws -> [MethodSpec] {
        func fail(_ field: String, _ reason: String) -> RunError { .invalidSpec(path: source, field: field, reason: reason) }
        guard let methodList = root["methods"] as? [Any], !methodList.isEmpty else {
            throw fail("methods", "expected a non-empty list of methods")
        }
        do {
            guard let node = try Yams.compose(yaml: text)?["methods"] else { throw fail("methods", "expected a list") }
            return try YAMLDecoder().decode([MethodSpec].self, from: try Yams.serialize(node: node))
        } catch let error as DecodingError {
            throw fail("methods" + error.keyPath, error.reason)
        }
    }

    /// Number of conditions: scenario conditions, or the panel's effects.
    public var conditionCount: Int { panelData?.effects.count ?? conditions.count }

    /// The source of the replications and the name of the unit column (the default cluster and
    /// placebo level): the scenarios (Sim names its unit column "city"), or the real panel.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` for a panel that cannot be loaded or
    ///   a source that cannot run on it, and scenario errors.
    public func replicationSource() throws -> (source: any ReplicationSource, unitName: String) {
        if let panelData {
            let (made, panel) = try panelData.replicationSource(methods: methods, seed: seed, specSource: source)
            return (made, panel.unitName)
        }
        return (try ScenarioSource(conditions: conditions, seed: seed), "city")
    }

    static func checkKeys(_ object: [String: Any], allowed: Set<String>, prefix: String, source: String) throws {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw RunError.invalidSpec(path: source, field: prefix + key,
                                       reason: "unknown field; expected one of " + allowed.sorted().joined(separator: ", "))
        }
    }

    static func integer(_ value: Any?, default fallback: Int, field: String, source: String) throws -> Int {
        guard let value else { return fallback }
        if let int = value as? Int { return int }
        throw RunError.invalidSpec(path: source, field: field, reason: "expected an integer, found '\(value)'")
    }

    static func number(_ value: Any?, default fallback: Double, field: String, source: String) throws -> Double {
        guard let value else { return fallback }
        if let double = value as? Double { return double }
        if let int = value as? Int { return Double(int) }
        throw RunError.invalidSpec(path: source, field: field, reason: "expected a number, found '\(value)'")
    }

    static func wrapScenario<T>(field: String, source: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            throw RunError.invalidSpec(path: source, field: field, reason: "\(error)")
        }
    }

    /// Sets dotted-path fields of a scenario through its exact node tree (``Scenario/exactNode()``),
    /// so every field the scenario reads from YAML can be overridden or put on a grid, with the
    /// scenario's own validation, and no number loses a digit on the way (Yams would write
    /// doubles with 15 significant digits).
    static func apply(_ assignments: [(String, Any)], to scenario: Scenario, field: String, source: String) throws -> Scenario {
        try wrapScenario(field: field, source: source) {
            var tree = try scenario.exactNode()
            for (path, value) in assignments {
                let keys = path.split(separator: ".").map(String.init)
                guard !keys.isEmpty else { throw RunError.invalidSpec(path: source, field: field, reason: "empty field path") }
                guard let node = exactNode(value) else {
                    throw RunError.invalidSpec(path: source, field: "\(field).\(path)",
                                               reason: "expected a number, text, list or mapping, found '\(value)'")
                }
                tree = try set(keys[...], to: node, in: tree, path: path, field: field, source: source)
            }
            return try Scenario.fromYAML(try Yams.serialize(node: tree), source: "\(source) \(field)")
        }
    }

    /// A value read by `Yams.load` as a node, numbers spelled exactly; nil for other types.
    static func exactNode(_ value: Any) -> Node? {
        switch value {
        case let bool as Bool: return Node(bool ? "true" : "false", Tag(.bool))
        case let int as Int: return Node(String(int), Tag(.int))
        case let double as Double: return Node("\(double)", Tag(.float))
        case let text as String: return Node(text, Tag(.str), .doubleQuoted)
        case let list as [Any]:
            let elements = list.compactMap(exactNode)
            return elements.count == list.count ? Node(elements) : nil
        case let object as [String: Any]:
            var pairs: [(Node, Node)] = []
            for (key, element) in object.sorted(by: { $0.key < $1.key }) {
                guard let node = exactNode(element) else { return nil }
                pairs.append((Node(key), node))
            }
            return Node(pairs)
        default: return nil
        }
    }

    static func set(_ keys: ArraySlice<String>, to value: Node, in tree: Node, path: String, field: String,
                    source: String) throws -> Node {
        guard let key = keys.first else { return tree }
        guard case .mapping(var mapping) = tree else {
            throw RunError.invalidSpec(path: source, field: "\(field).\(path)", reason: "'\(key)' is not a group of scenario fields")
        }
        if keys.count == 1 {
            // Unknown fields are rejected by the scenario's own decoder, naming them.
            mapping[key] = value
            return .mapping(mapping)
        }
        // A list element by index: `mediators.0.effect`.
        if case .sequence(var list)? = mapping[key], let index = Int(keys[keys.index(after: keys.startIndex)]) {
            guard list.indices.contains(index) else {
                throw RunError.invalidSpec(path: source, field: "\(field).\(path)",
                                           reason: "'\(key)' has \(list.count) entries; index \(index) is out of range")
            }
            let rest = keys.dropFirst(2)
            if rest.isEmpty {
                list[index] = value
            } else {
                guard case .mapping = list[index] else {
                    throw RunError.invalidSpec(path: source, field: "\(field).\(path)",
                                               reason: "'\(key).\(index)' is not a group of fields")
                }
                list[index] = try set(rest, to: value, in: list[index], path: path, field: field, source: source)
            }
            mapping[key] = .sequence(list)
            return .mapping(mapping)
        }
        let child = mapping[key] ?? Node([(Node, Node)]())
        guard case .mapping = child else {
            throw RunError.invalidSpec(path: source, field: "\(field).\(path)", reason: "'\(key)' is not a group of scenario fields")
        }
        mapping[key] = try set(keys.dropFirst(), to: value, in: child, path: path, field: field, source: source)
        return .mapping(mapping)
    }
}
