/// How a randomization p-value counts.
public enum PValueConvention: String, Sendable, CaseIterable {
    /// `(1 + c) / (1 + R)`: the observed assignment counts as one of the draws (Phipson & Smyth
    /// 2010). Valid, slightly conservative, never 0. The default (DESIGN.md).
    case includeObserved = "add-one"
    /// `c / R`: Stata `ritest` (Heß 2017), R `ritest` and pyfixest.
    case proportion = "ritest"
}

/// Which placebo statistics count as "at least as extreme" as the observed one.
public enum PlaceboAlternative: String, Sendable, CaseIterable {
    /// `|T*| ≥ |T|`.
    case twoSided = "two-sided"
    /// `T* ≥ T` (evidence for a positive effect).
    case greater
    /// `T* ≤ T` (evidence for a negative effect).
    case less
}

/// Randomization-inference p-values, with a stated tie tolerance.
///
/// With `c` the number of valid (finite) draws at least as extreme as the observed value `T`:
/// - sampled draws: `(1 + c)/(1 + R)` (``PValueConvention/includeObserved``) or `c/R`
///   (``PValueConvention/proportion``, Stata `ritest`), `R` the number of valid draws;
/// - exact enumeration (the draws are every distinct assignment, the observed one included):
///   `c/R` whatever the convention, the exact randomization p-value.
///
/// **Ties.** "At least as extreme" uses a relative tolerance: two-sided counts
/// `|T*| ≥ |T| − τ`, greater `T* ≥ T − τ`, less `T* ≤ T + τ`, with `τ = 1e-7 · |T|`. Assignments
/// that are relabellings of the observed one give the same statistic up to rounding (~1e-14
/// relative), and must count as ties. Stata `ritest` uses an absolute `1e-7`; DiDLab's is
/// relative so that rescaling the outcome (an index in [0, 1] or ×100) leaves p unchanged.
public enum RandomizationPValue {
    /// Relative tie tolerance `τ/|T|`.
    public static let relativeTolerance = 1e-7

    /// The count `c` and the number of valid draws.
    public static func count(observed: Double, draws: UnsafeBufferPointer<Double>, stride: Int = 1, offset: Int = 0,
                             alternative: PlaceboAlternative) -> (extreme: Int, valid: Int) {
        let tolerance = relativeTolerance * abs(observed)
        var extreme = 0, valid = 0
        var k = offset
        while k < draws.count {
            let value = draws[k]
            k += stride
            guard value.isFinite else { continue }
            valid += 1
            switch alternative {
            case .twoSided: if abs(value) >= abs(observed) - tolerance { extreme += 1 }
            case .greater: if value >= observed - tolerance { extreme += 1 }
            case .less: if value <= observed + tolerance { extreme += 1 }
            }
        }
        return (extreme, valid)
    }

    /// The p-value for `extreme` of `valid` draws (see the type's documentation); NaN when the
    /// observed value is not finite or no draw is valid.
    public static func pValue(extreme: Int, valid: Int, observedIsFinite: Bool = true,
                              convention: PValueConvention, exact: Bool) -> Double {
        guard observedIsFinite, valid > 0 else { return .nan }
        if exact || convention == .proportion { return Double(extreme) / Double(valid) }
        return Double(1 + extreme) / Double(1 + valid)
    }

    /// Convenience over an array of draws.
    public static func pValue(observed: Double, draws: [Double], alternative: PlaceboAlternative = .twoSided,
                              convention: PValueConvention = .includeObserved, exact: Bool = false) -> Double {
        let (extreme, valid) = draws.withUnsafeBufferPointer { count(observed: observed, draws: $0, alternative: alternative) }
        return pValue(extreme: extreme, valid: valid, observedIsFinite: observed.isFinite, convention: convention,
                      exact: exact)
    }
}
