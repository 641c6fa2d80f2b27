/// Which variance–covariance estimator to report.
///
/// The names follow R fixest: `iid` (classical), `hetero` (White/HC1), `cluster` (CR1 by a
/// column); `cr2` and `cr3` follow R clubSandwich's names. Labels and JSON names come from here,
/// so every output agrees.
public enum VarianceType: Sendable, Equatable, Hashable {
    /// Homoskedastic errors: `V = σ̂² (X̃'X̃)⁻¹`, `σ̂² = Σû² / (n − K)`.
    case iid
    /// Heteroskedasticity-robust (HC1 with fixest's correction).
    case hetero
    /// Cluster-robust CR1 by the named clustering of the panel.
    case cluster(String)
    /// Two-way cluster-robust CR1 by two clusterings (Cameron, Gelbach & Miller 2011; fixest
    /// `cluster = ~A + B`); either may be an interaction `A^B`. See ``TwoWayClusterVariance``.
    case twoWayCluster(String, String)
    /// Conley (1999) spatial HAC with this kernel; the coordinates travel in ``RegressionOptions``.
    case conley(ConleyKernel)
    /// Cluster-robust CR2 by the named clustering: Bell–McCaffrey's adjustment
    /// `A_g = (I − H_gg)^{−1/2}` on the regression with explicit unit and period dummies, no
    /// small-sample factor, and a Satterthwaite t test per coefficient (Pustejovsky & Tipton
    /// 2018; R clubSandwich `vcovCR(type = "CR2")` with `coef_test(test = "Satterthwaite")`).
    /// See ``BellMcCaffreyVariance``.
    case cr2(String)
    /// Cluster jackknife CR3 by the named clustering: leave-one-cluster-out re-estimation,
    /// `V = (G − 1)/G Σ_g (β̂₍₋g₎ − β̂)(β̂₍₋g₎ − β̂)'` (MacKinnon, Nielsen & Webb's CV3), t(G − 1).
    /// See ``ClusterJackknifeVariance``.
    case cr3(String)

    /// Short label for tables: "IID", "Heteroskedasticity-robust", "Clustered (city)".
    public var label: String {
        switch self {
        case .iid: return "IID"
        case .hetero: return "Heteroskedasticity-robust"
        case .cluster(let name): return "Clustered (\(name))"
        case let .twoWayCluster(first, second): return "Two-way clustered (\(first) & \(second))"
        case .conley(let kernel):
            return "Conley spatial HAC (\(kernel.shape.rawValue), cutoff \(kernel.cutoffText)"
                + (kernel.lags > 0 ? ", \(kernel.lags) serial lag\(kernel.lags == 1 ? "" : "s"))" : ")")
        case .cr2(let name): return "Clustered (\(name)), CR2 Bell-McCaffrey"
        case .cr3(let name): return "Clustered (\(name)), CR3 jackknife"
        }
    }

    /// The JSON `vcov` field: "iid", "hetero", "CR1" (one- or two-way), "CR2", "CR3" or "conley".
    public var jsonName: String {
        switch self {
        case .iid: return "iid"
        case .hetero: return "hetero"
        case .cluster: return "CR1"
        case .twoWayCluster: return "CR1"
        case .conley: return "conley"
        case .cr2: return "CR2"
        case .cr3: return "CR3"
        }
    }

    /// The lab's inference name, e.g. "iid", "hetero", "cr1:city", "cr1:city+province^year", "cr2:province",
    /// "conley:100:2".
    public var inferenceName: String {
        switch self {
        case .iid: return "iid"
        case .hetero: return "hetero"
        case .cluster(let name): return "cr1:\(name)"
        case let .twoWayCluster(first, second): return "cr1:\(first)+\(second)"
        case .conley(let kernel): return kernel.spelling
        case .cr2(let name): return "cr2:\(name)"
        case .cr3(let name): return "cr3:\(name)"
        }
    }
}

/// The small-sample correction of a variance estimator, as a typed value (fixest's `ssc()`).
///
/// With `K` the number of estimated parameters (regressors plus counted fixed effects), `n`
/// observations and `G` clusters, the variance is multiplied by
/// - `(n − 1)/(n − K)` when ``kAdjustment`` is on (fixest `K.adj`, Stata's `(N−1)/(N−K)`),
/// - `G/(G − 1)` for clustered variances when ``clusterAdjustment`` is on (fixest `G.adj`).
///
/// Fixed effects in `K` (fixest `K.fixef`): ``FixedEffectCount-swift.enum/nested`` (default)
/// counts a fixed effect whose levels are nested in the cluster variable as a single
/// parameter, so `y ~ D + X | city + year` clustered by city has `K = k + T`; `.full` counts
/// every level, `K = k + N + T − 1`; `.none` counts none. With ``exactRank`` the fixed effects
/// count their exact rank (fixest `K.exact`; differs only on disconnected panels).
///
/// p-values and intervals use the t distribution with `G − 1` degrees of freedom for clustered
/// variances and `n − K` (all fixed effects counted) otherwise (fixest `t.df = "min"`).
public struct SmallSampleCorrection: Sendable, Equatable {
    /// How fixed effects enter `K`.
    public enum FixedEffectCount: String, Sendable, CaseIterable {
        /// Fixed effects nested in the cluster variable count as one parameter (fixest default).
        case nested
        /// Every fixed-effect level counts.
        case full
        /// Fixed effects are not counted.
        case none
    }

    /// Apply `(n − 1)/(n − K)`.
    public var kAdjustment: Bool
    /// How fixed effects count in `K`.
    public var fixedEffectCount: FixedEffectCount
    /// Count fixed effects by their exact rank rather than `levels − 1` per extra effect.
    public var exactRank: Bool
    /// Apply `G/(G − 1)` to clustered variances.
    public var clusterAdjustment: Bool
    /// Use `n/(n − K)` (HC1) instead of `(n − 1)/(n − K)` for `hetero`. fixest and pyfixest use
    /// `n/(n − K)` (confirmed against pyfixest 0.60.0, `scripts/reference`).
    public var heteroUsesN: Bool

    /// Creates a correction; see the properties.
    public init(kAdjustment: Bool = true, fixedEffectCount: FixedEffectCount = .nested, exactRank: Bool = false,
                clusterAdjustment: Bool = true, heteroUsesN: Bool = true) {
        self.kAdjustment = kAdjustment
        self.fixedEffectCount = fixedEffectCount
        self.exactRank = exactRank
        self.clusterAdjustment = clusterAdjustment
        self.heteroUsesN = heteroUsesN
    }

    /// R fixest's default `ssc()` (and pyfixest's): nested K, `(n−1)/(n−K)` clustered,
    /// `n/(n−K)` hetero, `G/(G−1)`, t(G−1) clustered and t(n−K) otherwise.
    public static let fixest = SmallSampleCorrection()

    /// Stata `reghdfe`: absorbed effects nested in the cluster are not counted but `_cons` is,
    /// so clustered results equal fixest's on connected panels; fixed effects count their exact
    /// rank, as reghdfe detects redundant levels (this differs from fixest on disconnected
    /// panels). Singletons are not dropped here: reghdfe drops them by default, so pass
    /// panels without singleton units to compare.
    public static let reghdfe = SmallSampleCorrection(exactRank: true)
}
