import Estimators
import Foundation

/// One method of an experiment, decoded from its spec entry into typed values: which analysis
/// (a registered estimator with an ``InferenceSpec``, subgroups, mediation or spillover rings),
/// its settings, its draws and the estimand it aims at.
///
/// Decoding checks every key and every combination (an unknown key, a control group or event
/// window the estimator does not take, an inference it does not offer are errors naming the key
/// path, e.g. `methods[2].control`), so ``evaluator(unitName:)`` only resolves defaults.
public struct MethodSpec: Sendable, Decodable {
    /// What the method computes.
    public enum Analysis: Sendable {
        /// A registered estimator and its inference.
        case estimator(EstimatorEntry, InferenceSpec)
        /// Subgroup heterogeneity by a unit-level column (iid, hetero or cr1 inference).
        case subgroup(column: String, statistic: SubgroupMethod.Statistic, inference: InferenceSpec,
                      scope: SubgroupPermutationScope)
        /// Mediation of one mediator (spellings checked by ``MediationMethod/parse(mediator:term:inference:replications:target:unitName:)``).
        case mediation(mediator: String, quantity: String, inference: String)
        /// Butts' spillover rings (``RingMethod/parse(estimator:edges:term:inference:coordinates:target:unitName:)``).
        case rings(estimator: String, edges: [Double], term: String?, inference: String, coordinates: [String]?)
        /// The event study's joint test of every lead (``PreTrendMethod``; iid, hetero or cr1 inference).
        case preTrend(InferenceSpec)
        /// Callaway & Sant'Anna's test of every pre-treatment ATT(g,t) (``CallawaySantAnnaPreTrendMethod``;
        /// spec `estimator: pretrend, source: cs`; cr1 inference = the influence-function variance,
        /// clustered by units or a column); control group and anticipation in ``MethodSpec/settings``.
        case csPreTrend(InferenceSpec)
        /// HonestDiD's robust set for one event-time effect under one bound (``HonestMethod``).
        case honest(HonestDiD.Restriction, HonestDiD.Target, InferenceSpec)
    }

    /// Display name (default "ESTIMATOR INFERENCE").
    public var name: String
    /// The analysis.
    public var analysis: Analysis
    /// Control group, event window and effect (the spec's `term`) of a registered estimator.
    public var settings: EstimatorSettings
    /// Estimand key of the truth: `att`, `att_cell`, `e+K`, `indirect:MEDIATOR`, `spillover`, `zero`, ….
    public var target: String
    /// Placebo or label-permutation draws (default 199).
    public var permutations: Int
    /// Bootstrap draws (default 999).
    public var reps: Int
    /// Clusterings the method reads, with the key that names each (checked against the data).
    public var clusterColumns: [(key: String, column: String)]
    /// Other numeric columns it reads (mediators, coordinates), with their keys.
    public var dataColumns: [(key: String, column: String)]
    /// An analytic estimator tested against the normal (`reference: normal`) instead of its own
    /// t reference (`reference: t`, the default).
    public var normalReference = false
    /// The planar coordinate columns of a Conley method (spec `coords`, default `coord_x`, `coord_y`).
    public var conleyCoordinates: [String]?

    /// The keys a method entry may have.
    public static let keys = ["name", "estimator", "term", "leads", "lags", "inference", "permutations", "target", "control",
                              "reps", "by", "group", "difference", "test", "scope", "mediator", "rings", "coords", "reference",
                              "anticipation", "honest", "source"]
    /// The `estimator:` values besides the registry's ids.
    static let analyses = ["subgroup", "mediation", "pretrend", "honest"]

    /// Decodes and checks one entry of `methods`.
    /// - Throws: `DecodingError` whose coding path names the key at fault.
    public init(from decoder: any Decoder) throws {
        let entry = try SpecEntry(decoder, allowed: Self.keys)
        let estimator = try entry.string("estimator") ?? "twfe"
        let registered = EstimatorRegistry.entry(id: estimator)
        guard registered != nil || Self.analyses.contains(estimator) else {
            throw entry.error("estimator", "expected one of "
                              + (EstimatorRegistry.entries.map(\.id) + Self.analyses).joined(separator: ", ")
                              + ", got '\(estimator)'")
        }
        let term = try entry.string("term")
        let by = try entry.string("by")
        if estimator == "subgroup" && by == nil { throw entry.error("by", "a subgroup method needs a unit-level column, e.g. by: region") }
        if estimator != "subgroup" && by != nil { throw entry.error("by", "only subgroup methods take 'by'") }
        for key in ["group", "difference", "test", "scope"] where estimator != "subgroup" && entry.has(key) {
            throw entry.error(key, "only subgroup methods take '\(key)'")
        }
        let isRings = registered?.needsCoordinates ?? false
        let preTrendSource = try entry.string("source")
        if estimator != "pretrend" && preTrendSource != nil {
            throw entry.error("source", "only pretrend methods take 'source' (event or cs)")
        }
        if let preTrendSource, !["event", "cs"].contains(preTrendSource) {
            throw entry.error("source", "expected event (the event study's leads) or cs (Callaway-Sant'Anna's "
                              + "pre-treatment ATT(g,t)), got '\(preTrendSource)'")
        }
        let isCSPreTrend = preTrendSource == "cs"
        if estimator != "honest" && entry.has("honest") { throw entry.error("honest", "only honest methods take 'honest'") }
        if estimator != "mediation" && entry.has("mediator") { throw entry.error("mediator", "only mediation methods take 'mediator'") }
        let isConley = (try entry.string("inference"))?.hasPrefix("conley") ?? false
        for key in ["rings", "coords"] where !isRings && entry.has(key) && !(key == "coords" && isConley) {
            throw entry.error(key, "only rings and rings-2s methods take '\(key)'")
        }
        reps = try entry.integer("reps") ?? 999
        guard reps >= 1 else { throw entry.error("reps", "expected at least 1, got \(reps)") }
        permutations = try entry.integer("permutations") ?? 199
        guard permutations >= 1 else { throw entry.error("permutations", "expected at least 1, got \(permutations)") }
        let inferenceText = try entry.string("inference")
            ?? (estimator == "mediation" && (term ?? "indirect") == "indirect" ? "sobel" : "cr1")
        settings = EstimatorSettings(variance: .iid)
        if let control = try entry.string("control") {
            guard let group = ComparisonGroup(rawValue: control) else {
                throw entry.error("control", "expected " + ComparisonGroup.allCases.map(\.rawValue).joined(separator: ", ")
                                  + ", got '\(control)'")
            }
            settings.control = group
        }
        settings.leads = try entry.integer("leads")
        settings.lags = try entry.integer("lags")
        if let anticipation = try entry.integer("anticipation") {
            guard estimator == "cs" || isCSPreTrend else {
                throw entry.error("anticipation", "only cs methods (and pretrend with source: cs) take 'anticipation' "
                                  + "(R did's anticipation periods)")
            }
            guard anticipation >= 0 else { throw entry.error("anticipation", "expected a whole number >= 0, got \(anticipation)") }
            settings.anticipation = anticipation
        }
        var defaultTarget: String?
        clusterColumns = []
        dataColumns = []
        switch estimator {
        case "pretrend" where isCSPreTrend:
            let inference = try entry.inference(inferenceText)
            guard case .cr1(let column) = inference else {
                throw entry.error("inference", "a CS pre-test takes cr1[:COLUMN] (the influence-function variance, "
                                  + "clustered by units or COLUMN)")
            }
            if let control = settings.control, control != .never && control != .notyet {
                throw entry.error("control", "a CS pre-test takes never or notyet, got '\(control.rawValue)'")
            }
            if term != nil { throw entry.error("term", "a pre-trend test tests every pre-treatment ATT(g,t); it takes no term") }
            if settings.leads != nil { throw entry.error("leads", "a CS pre-test tests every pre-treatment ATT(g,t); it takes no leads") }
            if settings.lags != nil { throw entry.error("lags", "a CS pre-test takes no lags") }
            analysis = .csPreTrend(inference)
            defaultTarget = "zero"
            if let column { clusterColumns.append(("inference", column)) }
        case "pretrend":
            let inference = try entry.inference(inferenceText)
            guard [.iid, .hetero, .cr1].contains(inference.family) else {
                throw entry.error("inference", "a pre-trend test takes iid, hetero or cr1[:COLUMN]")
            }
            if settings.control != nil { throw entry.error("control", "a pre-trend test takes no control group") }
            if term != nil { throw entry.error("term", "a pre-trend test tests every lead; it takes no term") }
            if let leads = settings.leads, leads < 2 { throw entry.error("leads", "a pre-trend test needs at least 2 leads (e-2), got \(leads)") }
            analysis = .preTrend(inference)
            defaultTarget = "zero"
            if case .cr1(let column?) = inference { clusterColumns.append(("inference", column)) }
        case "honest":
            let inference = try entry.inference(inferenceText)
            guard [.iid, .hetero, .cr1].contains(inference.family) else {
                throw entry.error("inference", "a HonestDiD method takes iid, hetero or cr1[:COLUMN] for the event study")
            }
            if settings.control != nil { throw entry.error("control", "a HonestDiD method takes no control group") }
            guard let text = try entry.string("honest") else {
                throw entry.error("honest", "a HonestDiD method needs one bound, e.g. honest: \"rm:1\" or honest: \"sd:0.005\"")
            }
            let restriction: HonestDiD.Restriction
            do {
                let list = try HonestDiD.parseRestrictions(text)
                guard list.count == 1, let only = list.first else {
                    throw entry.error("honest", "expected one bound per method (one method per bound), got '\(text)'")
                }
                restriction = only
            } catch let failure as HonestDiDError { throw entry.error("honest", failure.description) }
            let honestTarget: HonestDiD.Target
            do { honestTarget = try HonestDiD.Target(parsing: term ?? "first") } catch let failure as HonestDiDError {
                throw entry.error("term", failure.description)
            }
            switch honestTarget {
            case .firstPost: defaultTarget = "e+0"
            case .eventTime(let k): defaultTarget = "e+\(k)"
            case .average:
                throw entry.error("term", "the runner measures a HonestDiD set against one event-time effect: first or e+K")
            }
            if let leads = settings.leads, leads < 2 { throw entry.error("leads", "HonestDiD needs at least one lead besides e-1 (leads ≥ 2), got \(leads)") }
            analysis = .honest(restriction, honestTarget, inference)
            if case .cr1(let column?) = inference { clusterColumns.append(("inference", column)) }
        case "mediation":
            guard let mediator = try entry.string("mediator") else {
                throw entry.error("mediator", "a mediation method needs a mediator column")
            }
            let quantity = term ?? "indirect"
            do {
                _ = try MediationMethod.parse(mediator: mediator, term: quantity, inference: inferenceText,
                                              replications: reps, target: "")
            } catch { throw entry.error("term", "\(error)") }
            analysis = .mediation(mediator: mediator, quantity: quantity, inference: inferenceText)
            defaultTarget = quantity == "total" ? "att" : "\(quantity):\(mediator)"
            dataColumns.append(("mediator", mediator))
            if let column = Self.column(of: inferenceText) { clusterColumns.append(("inference", column)) }
        case "subgroup":
            let inference = try entry.inference(inferenceText)
            guard [.iid, .hetero, .cr1].contains(inference.family) else {
                throw entry.error("inference", "a subgroup method takes iid, hetero or cr1[:COLUMN] "
                                  + "(set test: permutation for permutations)")
            }
            let test = try entry.string("test")
            if let test, !["wald", "permutation", "permutation-t"].contains(test) {
                throw entry.error("test", "expected wald, permutation or permutation-t, got '\(test)'")
            }
            let scopeText = try entry.string("scope")
            guard let scope = SubgroupPermutationScope(rawValue: scopeText ?? "treated") else {
                throw entry.error("scope", "expected treated or all, got '\(scopeText ?? "")'")
            }
            let difference = try entry.strings("difference")
            if let difference, difference.count != 2 {
                throw entry.error("difference", "expected two group labels, e.g. [east, central]")
            }
            let statistic: SubgroupMethod.Statistic
            if let group = try entry.string("group") {
                statistic = .effect(group)
            } else if let difference {
                statistic = .difference(difference[0], difference[1])
            } else if let test, test.hasPrefix("permutation") {
                statistic = .permutation(studentized: test == "permutation-t")
            } else {
                statistic = .equalEffects
            }
            try Self.checkNoWindow(entry, settings: settings, what: "subgroup")
            analysis = .subgroup(column: by ?? "", statistic: statistic, inference: inference, scope: scope)
            clusterColumns.append(("by", by ?? ""))
            if case .cr1(let column?) = inference { clusterColumns.append(("inference", column)) }
        default:
            guard let registered else { throw entry.error("estimator", "unknown estimator '\(estimator)'") }
            if isRings {
                guard let edges = try entry.numbers("rings"), !edges.isEmpty else {
                    throw entry.error("rings", "a ring method needs rings: [d1, d2, ...] in km")
                }
                let coordinates = try entry.strings("coords")
                do {
                    _ = try RingMethod.parse(estimator: estimator, edges: edges, term: term, inference: inferenceText,
                                             coordinates: coordinates, target: "")
                } catch { throw entry.error("term", "\(error)") }
                try Self.checkNoWindow(entry, settings: settings, what: "ring")
                analysis = .rings(estimator: estimator, edges: edges, term: term, inference: inferenceText,
                                  coordinates: coordinates)
                defaultTarget = (term ?? "treat") == "treat" ? "att" : "spillover"
                for name in coordinates ?? [] { dataColumns.append(("coords", name)) }
                if let column = Self.column(of: inferenceText) { clusterColumns.append(("inference", column)) }
                break
            }
            let inference = try entry.inference(inferenceText)
            if registered.takesEventWindow && registered.id == "event" && term == nil {
                throw entry.error("term", "an event-study method needs a term such as e+0")
            }
            settings.effect = term
            do {
                try registered.check(settings, inference: inference)
            } catch let error as InvalidParameter {
                throw entry.error(Self.key(of: error.parameter), error.problem + (error.value.map { ", got \($0)" } ?? ""))
            }
            analysis = .estimator(registered, inference)
            if case .conley = inference {
                let names = try entry.strings("coords") ?? ["coord_x", "coord_y"]
                guard names.count == 2 else { throw entry.error("coords", "expected two coordinate columns, e.g. [coord_x, coord_y]") }
                conleyCoordinates = names
                for name in names { dataColumns.append(("coords", name)) }
            }
            if let reference = try entry.string("reference") {
                guard reference == "normal" || reference == "t" else {
                    throw entry.error("reference", "expected normal or t, got '\(reference)'")
                }
                guard [.iid, .hetero, .cr1, .cr2, .cr3, .twoway, .conley].contains(inference.family) else {
                    throw entry.error("reference", "only analytic inference (iid, hetero, cr1, cr2, cr3, two-way cr1, "
                                      + "conley) takes a reference distribution")
                }
                normalReference = reference == "normal"
            }
            switch inference {
            case .cr1(let column?), .cr2(let column?), .cr3(let column?):
                for name in InferenceSpec.columns(ofClusterTerm: column) { clusterColumns.append(("inference", name)) }
            case let .twoWayCluster(first, second):
                for term in [first, second] {
                    for name in InferenceSpec.columns(ofClusterTerm: term) { clusterColumns.append(("inference", name)) }
                }
            case .wildBootstrap(let choice): if let column = choice.cluster { clusterColumns.append(("inference", column)) }
            case .placebo(let level?, _): clusterColumns.append(("inference", level))
            default: break
            }
        }
        if entry.has("reference"), !Self.isRegisteredEstimator(analysis) {
            throw entry.error("reference", "only a registered estimator with analytic inference takes a reference distribution")
        }
        target = try entry.string("target") ?? defaultTarget ?? (term ?? "att")
        name = try entry.string("name") ?? "\(estimator) \(inferenceText)"
    }

    /// The method's evaluator on panels whose unit column is `unitName` (the default cluster and
    /// placebo level).
    public func evaluator(unitName: String) throws -> any MethodEvaluator {
        switch analysis {
        case let .estimator(entry, inference):
            var settings = self.settings
            settings.variance = inference.variance(unit: unitName)
            switch inference {
            case .iid, .hetero, .cr1, .cr2, .cr3, .twoWayCluster, .conley:
                if case .cr1(let column) = inference, entry.id == "cs" { settings.cluster = column }
                return EstimatorMethod(entry: entry, settings: settings, target: target, normalReference: normalReference,
                                       coordinateColumns: conleyCoordinates)
            case .wildBootstrap(let choice):
                return WildBootstrapMethod(entry: entry, settings: settings, choice: choice, replications: reps,
                                           unitName: unitName, target: target)
            case let .placebo(level, studentized):
                return PlaceboMethod(entry: entry, settings: settings, level: level, permutations: permutations,
                                     studentized: studentized, target: target)
            }
        case let .subgroup(column, statistic, inference, scope):
            return SubgroupMethod(column: column, statistic: statistic, variance: inference.variance(unit: unitName),
                                  permutations: permutations, scope: scope, target: target)
        case let .mediation(mediator, quantity, inference):
            return try MediationMethod.parse(mediator: mediator, term: quantity, inference: inference,
                                             replications: reps, target: target, unitName: unitName)
        case let .rings(estimator, edges, term, inference, coordinates):
            return try RingMethod.parse(estimator: estimator, edges: edges, term: term, inference: inference,
                                        coordinates: coordinates, target: target, unitName: unitName)
        case let .honest(restriction, honestTarget, inference):
            return HonestMethod(restriction: restriction, honestTarget: honestTarget, leads: settings.leads, lags: settings.lags,
                                variance: inference.variance(unit: unitName), target: target)
        case .csPreTrend(let inference):
            var settings = self.settings
            settings.variance = inference.variance(unit: unitName)
            if case .cr1(let column) = inference { settings.cluster = column }
            return CallawaySantAnnaPreTrendMethod(settings: settings, target: target)
        case .preTrend(let inference):
            return PreTrendMethod(leads: settings.leads, lags: settings.lags, variance: inference.variance(unit: unitName),
                                  target: target)
        }
    }

    /// Whether the analysis is a registered estimator (the analyses that take `reference`).
    static func isRegisteredEstimator(_ analysis: Analysis) -> Bool {
        if case .estimator = analysis { return true }
        return false
    }

    /// Refuses an event window on analyses that take none.
    static func checkNoWindow(_ entry: SpecEntry, settings: EstimatorSettings, what: String) throws {
        if settings.leads != nil { throw entry.error("leads", "a \(what) method takes no event window") }
        if settings.lags != nil { throw entry.error("lags", "a \(what) method takes no event window") }
        if settings.control != nil { throw entry.error("control", "a \(what) method takes no control group") }
    }

    /// The column after `KIND:` in an inference spelling.
    static func column(of inference: String) -> String? {
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        return parts.count > 1 ? parts[1] : nil
    }

    /// The spec key of a parameter role.
    static func key(of parameter: Parameter) -> String {
        switch parameter {
        case .control: return "control"
        case .leads: return "leads"
        case .lags: return "lags"
        case .term: return "term"
        case .bootstrapDraws: return "reps"
        case .permutations: return "permutations"
        case .estimator: return "estimator"
        default: return "inference"
        }
    }
}

/// A mapping of a spec decoded key by key: unknown keys are refused, and each value is read with
/// an error that names its key path and what was expected.
struct SpecEntry {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let container: KeyedDecodingContainer<Key>
    let path: [any CodingKey]

    /// Opens the mapping and refuses keys outside `allowed`.
    init(_ decoder: any Decoder, allowed: [String]) throws {
        path = decoder.codingPath
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "expected a mapping"))
        }
        for key in container.allKeys.map(\.stringValue).sorted() where !allowed.contains(key) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: path + [Key(key)],
                debugDescription: "unknown field; expected one of " + allowed.sorted().joined(separator: ", ")))
        }
    }

    func has(_ key: String) -> Bool { container.contains(Key(key)) }

    func error(_ key: String, _ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path + [Key(key)], debugDescription: reason))
    }

    /// The scalar at `key` as text, whatever it looks like (for messages).
    func text(_ key: String) -> String { (try? container.decode(String.self, forKey: Key(key))) ?? "a list or mapping" }

    func string(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        guard let value = try? container.decode(String.self, forKey: Key(key)) else { throw error(key, "expected text") }
        return value
    }

    func integer(_ key: String) throws -> Int? {
        guard has(key) else { return nil }
        guard let value = try? container.decode(Int.self, forKey: Key(key)) else {
            throw error(key, "expected an integer, found '\(text(key))'")
        }
        return value
    }

    func numbers(_ key: String) throws -> [Double]? {
        guard has(key) else { return nil }
        guard let value = try? container.decode([Double].self, forKey: Key(key)) else {
            throw error(key, "expected a list of numbers")
        }
        return value
    }

    func strings(_ key: String) throws -> [String]? {
        guard has(key) else { return nil }
        guard let value = try? container.decode([String].self, forKey: Key(key)) else {
            throw error(key, "expected a list of names")
        }
        return value
    }

    func inference(_ text: String) throws -> InferenceSpec {
        do { return try InferenceSpec(parsing: text) } catch let failure as InvalidParameter {
            throw error("inference", failure.problem + ", got '\(text)'")
        }
    }
}

extension DecodingError {
    /// The key path of the error, as specs spell it: `methods[2].reps`.
    var keyPath: String {
        let path: [any CodingKey]
        switch self {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        return path.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
    }

    /// What was expected.
    var reason: String {
        switch self {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.debugDescription
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        @unknown default: return "\(self)"
        }
    }
}
