import Estimators
import Foundation
import Yams

/// A method of a diagnosis: the runner's method, its design size and what kind of test it is.
public struct DiagnosisMethod: Sendable {
    /// The method as given (`twfe cr1:province`).
    public let name: String
    /// The decoded method.
    public let spec: MethodSpec
    /// Its evaluator.
    public let evaluator: any MethodEvaluator
    /// Whether it is the pre-trend test (its power against a constant effect is not an MDE).
    public let isPreTest: Bool
    /// The column its inference clusters or permutes by (nil: units, or none).
    public let level: String?
    /// The test level the design size is computed at.
    let alpha: Double

    /// Parses one method: `ESTIMATOR [INFERENCE] [KEY=VALUE …]`, e.g. `twfe wcb:province`,
    /// `cs cr1 control=notyet`, `pretrend cr1:city leads=4`, `twfe placebo:province permutations=99`.
    /// The keys are those of an experiment spec's method (``MethodSpec/keys``), checked the same way.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/estimator``) naming the item and the key at fault.
    public init(parsing text: String, unitName: String, alpha: Double, permutations: Int, reps: Int) throws {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let estimator = tokens.first else { throw InvalidParameter(.estimator, text.quotedForMessage, "expected a method") }
        var pairs: [(Node, Node)] = [(Node("estimator"), Node(estimator))]
        var rest = tokens.dropFirst()
        if let inference = rest.first, !inference.contains("=") {
            pairs.append((Node("inference"), Node(inference)))
            rest = rest.dropFirst()
        }
        var given = Set<String>()
        for token in rest {
            let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw InvalidParameter(.estimator, text.quotedForMessage, "expected KEY=VALUE after the estimator and "
                                       + "inference, got '\(token)'")
            }
            given.insert(parts[0])
            pairs.append((Node(parts[0]), Node(parts[1])))
        }
        if !given.contains("permutations") { pairs.append((Node("permutations"), Node(String(permutations)))) }
        if !given.contains("reps") { pairs.append((Node("reps"), Node(String(reps)))) }
        if !given.contains("name") { pairs.append((Node("name"), Node(text))) }
        let spec: MethodSpec
        do {
            // Serialised by Yams (which quotes every value as it must), then decoded as a spec's method.
            let yaml = try Yams.serialize(node: Node.mapping(Node.Mapping(pairs)))
            spec = try YAMLDecoder().decode(MethodSpec.self, from: yaml)
        } catch let error as DecodingError {
            throw InvalidParameter(.estimator, text.quotedForMessage, "\(error.keyPath): \(error.reason)")
        } catch {
            throw InvalidParameter(.estimator, text.quotedForMessage, "\(error)")
        }
        if case .estimator(_, let inference) = spec.analysis, inference.family == .placebo,
           !(spec.target == "att" || spec.target.hasPrefix("e+")) {
            throw InvalidParameter(.estimator, text.quotedForMessage, "expected a test of the effect")
        }
        if case .estimator(_, let inference) = spec.analysis, inference.family == .conley {
            throw InvalidParameter(.estimator, text.quotedForMessage, "Conley standard errors are not available in a "
                                   + "diagnosis: its placebo laws and calibrated panels carry no unit locations")
        }
        self.name = text
        self.spec = spec
        self.alpha = alpha
        self.evaluator = try spec.evaluator(unitName: unitName)
        switch spec.analysis {
        case .preTrend(let inference), .csPreTrend(let inference):
            isPreTest = true
            level = Self.column(inference)
        case .estimator(_, let inference):
            isPreTest = false
            level = Self.column(inference)
        default:
            throw InvalidParameter(.estimator, text.quotedForMessage, "a diagnosis takes a registered estimator "
                                   + "(" + EstimatorRegistry.entries.map(\.id).joined(separator: ", ") + ") or pretrend")
        }
    }

    /// The test's exact size under exchangeability on `panel` (the panel of a source): α for
    /// analytic tests; for randomization and wild bootstrap tests, from their number of draws, or
    /// from the number of distinct assignments or sign vectors when those are all enumerated
    /// (placebo designs with at most R assignments; Rademacher weights with 2^G ≤ B).
    public func designSize(on panel: Panel) -> DesignSize {
        evaluator.designSize(alpha: alpha, on: panel) ?? .analytic(alpha: alpha)
    }

    static func column(_ inference: InferenceSpec) -> String? {
        switch inference {
        case .cr1(let column), .cr2(let column), .cr3(let column): return column
        case .wildBootstrap(let choice): return choice.cluster
        case .placebo(let level, _): return level
        default: return nil
        }
    }

    /// The default methods: TWFE with CR1 by the cluster and by the level, the wild cluster
    /// bootstrap (WCR, Rademacher) by the level (else the cluster), randomization inference by
    /// units and by the level (when the real adoption is constant within level groups),
    /// Callaway–Sant'Anna (not-yet-treated), Sun–Abraham, BJS, and the event study's joint
    /// pre-trend test.
    ///
    /// Sun–Abraham uses the last-treated cohort as its control when no unit is never treated.
    /// The pre-trend test bins its window at 5 leads and 5 lags (fewer on short panels): with every
    /// event time as a term and no never-treated unit, the far post-period terms are collinear,
    /// get dropped, and the leads absorb the effect.
    public static func defaults(cluster: String, level: String?, levelAssignable: Bool, periods: Int,
                                hasNeverTreated: Bool) -> [String] {
        var methods = ["twfe cr1:\(cluster)"]
        if let level, level != cluster { methods.append("twfe cr1:\(level)") }
        methods.append("twfe wcb:\(level ?? cluster)")
        methods.append("twfe placebo")
        if let level, levelAssignable { methods.append("twfe placebo:\(level)") }
        methods += ["cs cr1:\(cluster) control=notyet", "sa cr1:\(cluster) term=att" + (hasNeverTreated ? "" : " control=last"),
                    "bjs cr1:\(cluster)"]
        if periods >= 3 {
            methods.append("pretrend cr1:\(cluster) leads=\(max(2, min(5, periods - 1))) lags=\(max(0, min(5, periods - 2)))")
        }
        return methods
    }
}
