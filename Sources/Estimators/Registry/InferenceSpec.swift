/// How an estimate's uncertainty is measured: one vocabulary for the command line, experiment
/// specs and reports (fixest keeps its vcov types the same way, as data).
///
/// Spellings (``init(parsing:)``, ``spelling``):
/// - `iid`, `hetero`: classical and heteroskedasticity-robust (HC1) variances;
/// - `cr1`, `cr1:COL`: cluster-robust CR1 by a column (default: the unit); `COL` may be an
///   interaction `A^B` (fixest's `province^year`: one cluster per observed pair);
/// - `cr1:A+B`: two-way clustering by `A` and `B` (Cameron, Gelbach & Miller 2011; fixest's
///   `cluster = ~A + B`), either of which may be an interaction;
/// - `conley:CUTOFF[:LAGS]`, `conley-uniform:CUTOFF[:LAGS]`: Conley spatial HAC with a Bartlett
///   (default) or uniform kernel up to CUTOFF (km for latitude/longitude, else the plane's units)
///   and, with LAGS > 0, Bartlett-weighted serial correlation within units up to LAGS periods;
/// - `cr1`, `cr1:COL`: cluster-robust CR1 by a column (default: the unit);
/// - `cr2`, `cr2:COL`: CR2 (Bell–McCaffrey) with Satterthwaite df per coefficient, by a column;
/// - `cr3`, `cr3:COL`: CR3, the leave-one-cluster-out jackknife, by a column;
/// - `wcb`, `wcb-webb:COL`, `wcu-mammen:COL`, …: the wild cluster bootstrap, restricted (`wcb`,
///   null imposed) or unrestricted (`wcu`), Rademacher weights unless named;
/// - `placebo`, `placebo:LEVEL`, `placebo-t:LEVEL`: randomization inference by placebo
///   permutations of the adoption dates across units (or whole `LEVEL` groups), on the
///   coefficient (RI-β) or its t statistic (RI-t).
public enum InferenceSpec: Sendable, Hashable {
    /// Homoskedastic variance.
    case iid
    /// Heteroskedasticity-robust variance (HC1).
    case hetero
    /// CR1 by `cluster` (nil: the unit).
    case cr1(cluster: String?)
    /// Two-way CR1 by two clusterings (spelled `cr1:A+B`).
    case twoWayCluster(first: String, second: String)
    /// Conley spatial HAC.
    case conley(ConleyKernel)
    /// CR2 (Bell–McCaffrey, Satterthwaite df) by `cluster` (nil: the unit).
    case cr2(cluster: String?)
    /// CR3 (leave-one-cluster-out jackknife) by `cluster` (nil: the unit).
    case cr3(cluster: String?)
    /// The wild cluster bootstrap.
    case wildBootstrap(WildBootstrapChoice)
    /// Placebo permutations at `level` (nil: units), of the coefficient or of its t statistic.
    case placebo(level: String?, studentized: Bool)

    /// The wild cluster bootstrap's choices.
    public struct WildBootstrapChoice: Sendable, Hashable {
        /// Bootstrap (and CR1) cluster column; nil: the unit.
        public var cluster: String?
        /// Weight distribution.
        public var weights: BootstrapWeights
        /// Null imposed (WCR, default) or not (WCU).
        public var restricted: Bool
        /// Creates the choice.
        public init(cluster: String? = nil, weights: BootstrapWeights = .rademacher, restricted: Bool = true) {
            self.cluster = cluster
            self.weights = weights
            self.restricted = restricted
        }
    }

    /// The families, for declaring what an estimator allows.
    public enum Family: String, Sendable, CaseIterable {
        case iid, hetero, cr1, cr2, cr3, wcb, placebo
        /// Two-way clustering (`cr1:A+B`).
        case twoway
        /// Conley spatial HAC (`conley:CUTOFF`).
        case conley
    }

    /// This spec's family.
    public var family: Family {
        switch self {
        case .iid: return .iid
        case .hetero: return .hetero
        case .cr1: return .cr1
        case .cr2: return .cr2
        case .cr3: return .cr3
        case .wildBootstrap: return .wcb
        case .placebo: return .placebo
        case .twoWayCluster: return .twoway
        case .conley: return .conley
        }
    }

    /// Every spelling ``init(parsing:)`` accepts, for messages.
    public static let grammar = "iid, hetero, cr1[:COLUMN], cr1:COLUMN+COLUMN (two-way; a column may be A^B), "
        + "cr2[:COLUMN], cr3[:COLUMN], "
        + "conley[-bartlett|-uniform]:CUTOFF[:LAGS], wcb[-webb|-mammen][:COLUMN], wcu[-webb|-mammen][:COLUMN], "
        + "placebo[:LEVEL] or placebo-t[:LEVEL]"

    /// Parses a spelling of the grammar above.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/inference``) naming the spelling.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let head = parts[0]
        let column = parts.count > 1 ? parts[1] : nil
        if let column, column.isEmpty {
            throw InvalidParameter(.inference, text.quotedForMessage, "expected a column name after ':'")
        }
        if head == "conley" || head.hasPrefix("conley-") {
            let shapeText = head == "conley" ? ConleyKernel.Shape.bartlett.rawValue : String(head.dropFirst("conley-".count))
            guard let shape = ConleyKernel.Shape(rawValue: shapeText) else {
                throw InvalidParameter(.inference, text.quotedForMessage, "unknown Conley kernel; expected "
                                       + ConleyKernel.Shape.allCases.map(\.rawValue).joined(separator: " or "))
            }
            guard let column else {
                throw InvalidParameter(.inference, text.quotedForMessage,
                                       "expected a distance cutoff, e.g. conley:100 or conley-uniform:250:2")
            }
            self = .conley(try ConleyKernel.parse(arguments: column, shape: shape, text: text))
            return
        }
        if head == "cr1", let column, column.contains("+") {
            let terms = try Self.clusterTerms(column, text: text)
            guard terms.count == 2 else {
                throw InvalidParameter(.inference, text.quotedForMessage,
                                       "expected one or two cluster terms (cr1:A or cr1:A+B), got \(terms.count)")
            }
            self = .twoWayCluster(first: terms[0], second: terms[1])
            return
        }
        switch head {
        case "iid" where column == nil: self = .iid
        case "hetero" where column == nil: self = .hetero
        case "cr1": self = .cr1(cluster: column)
        case "cr2": self = .cr2(cluster: column)
        case "cr3": self = .cr3(cluster: column)
        case "placebo": self = .placebo(level: column, studentized: false)
        case "placebo-t": self = .placebo(level: column, studentized: true)
        default:
            let kind = head.split(separator: "-", maxSplits: 1).map(String.init)
            guard kind[0] == "wcb" || kind[0] == "wcu" else {
                throw InvalidParameter(.inference, text.quotedForMessage, "expected " + Self.grammar)
            }
            var weights = BootstrapWeights.rademacher
            if kind.count > 1 {
                guard let parsed = BootstrapWeights(rawValue: kind[1]) else {
                    throw InvalidParameter(.inference, text.quotedForMessage, "unknown bootstrap weights; expected "
                                           + BootstrapWeights.allCases.map(\.rawValue).joined(separator: ", "))
                }
                weights = parsed
            }
            self = .wildBootstrap(WildBootstrapChoice(cluster: column, weights: weights, restricted: kind[0] == "wcb"))
        }
    }

    /// The terms of `A+B` (or `A,B`): non-empty, each `COLUMN` or `COLUMN^COLUMN…`, distinct.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/inference``) naming `text`.
    public static func clusterTerms(_ list: String, text: String) throws -> [String] {
        let separator: Character = list.contains("+") ? "+" : ","
        let terms = list.split(separator: separator, omittingEmptySubsequences: false)
            .map { String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
        for term in terms where term.isEmpty || term.split(separator: "^", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw InvalidParameter(.inference, text.quotedForMessage, "expected cluster terms such as city+province^year")
        }
        if terms.count == 2 && terms[0] == terms[1] {
            throw InvalidParameter(.inference, text.quotedForMessage, "the two cluster terms are the same column")
        }
        return terms
    }

    /// The columns a cluster term names: `province^year` → province, year.
    public static func columns(ofClusterTerm term: String) -> [String] {
        term.split(separator: "^").map(String.init)
    }

    /// The canonical spelling (``init(parsing:)`` reads it back).
    public var spelling: String { label(unit: nil) }

    /// The spelling with the default column filled in, as reports and experiment records name
    /// the method: `cr1:city`, `wcb-webb:province`, `placebo-t:units`.
    /// - Parameter unit: the unit column (nil keeps defaults implicit).
    public func label(unit: String?) -> String {
        switch self {
        case .iid: return "iid"
        case .hetero: return "hetero"
        case .cr1(let cluster): return "cr1" + ((cluster ?? unit).map { ":" + $0 } ?? "")
        case let .twoWayCluster(first, second): return "cr1:\(first)+\(second)"
        case .conley(let kernel): return kernel.spelling
        case .cr2(let cluster): return "cr2" + ((cluster ?? unit).map { ":" + $0 } ?? "")
        case .cr3(let cluster): return "cr3" + ((cluster ?? unit).map { ":" + $0 } ?? "")
        case .wildBootstrap(let choice):
            return (choice.restricted ? "wcb" : "wcu") + (choice.weights == .rademacher ? "" : "-\(choice.weights.rawValue)")
                + ((choice.cluster ?? unit).map { ":" + $0 } ?? "")
        case let .placebo(level, studentized):
            return "placebo" + (studentized ? "-t" : "") + ((level ?? (unit == nil ? nil : "units")).map { ":" + $0 } ?? "")
        }
    }

    /// The analytic variance this spec reports beside its own inference: the variance itself
    /// for iid/hetero/cr1/cr2/cr3, CR1 at the bootstrap cluster for the wild bootstrap, CR1 by the
    /// unit for placebo tests (their studentized statistic).
    public func variance(unit: String) -> VarianceType {
        switch self {
        case .iid: return .iid
        case .hetero: return .hetero
        case .cr1(let cluster): return .cluster(cluster ?? unit)
        case let .twoWayCluster(first, second): return .twoWayCluster(first, second)
        case .conley(let kernel): return .conley(kernel)
        case .cr2(let cluster): return .cr2(cluster ?? unit)
        case .cr3(let cluster): return .cr3(cluster ?? unit)
        case .wildBootstrap(let choice): return .cluster(choice.cluster ?? unit)
        case .placebo: return .cluster(unit)
        }
    }
}
