/// The spec's `size_adjusted` key: which null condition sets the critical value of which
/// alternative condition (``SizeAdjustedPower``).
///
/// ```yaml
/// size_adjusted:
///   - {null: "paper, effects.att=0.0", alternative: "paper, effects.att=0.01"}
/// ```
///
/// Names are condition names as the reports print them. Without the key, each condition with a
/// non-zero effect on the grid is paired with the one that differs from it only in the effect
/// (zero); `size_adjusted: []` turns the measure off.
extension ExperimentSpec {
    static func decodeSizeAdjusted(_ value: Any?, source: String) throws -> [(null: String, alternative: String)]? {
        guard let value else { return nil }
        func fail(_ field: String, _ reason: String) -> RunError { .invalidSpec(path: source, field: field, reason: reason) }
        guard let list = value as? [Any] else {
            throw fail("size_adjusted", "expected a list of {null: CONDITION, alternative: CONDITION}")
        }
        return try list.enumerated().map { k, entry in
            guard let pair = entry as? [String: Any] else {
                throw fail("size_adjusted[\(k)]", "expected a mapping {null: CONDITION, alternative: CONDITION}")
            }
            try checkKeys(pair, allowed: ["null", "alternative"], prefix: "size_adjusted[\(k)].", source: source)
            func name(_ key: String) throws -> String {
                guard let text = pair[key] as? String, !text.isEmpty else {
                    throw fail("size_adjusted[\(k)].\(key)", "expected a condition name")
                }
                return text
            }
            return (try name("null"), try name("alternative"))
        }
    }

    /// The size-adjusted pairs by condition index: the spec's, checked against the condition names,
    /// or nil for the default pairing.
    /// - Throws: ``RunError/invalidSpec(path:field:reason:)`` naming `size_adjusted[k].null` or
    ///   `.alternative` for an unknown condition, a pair of one condition with itself, or an
    ///   alternative listed twice.
    public func sizeAdjustedPairs(conditionNames: [String]) throws -> [SizeAdjustedPair]? {
        guard let sizeAdjusted else { return nil }
        func fail(_ field: String, _ reason: String) -> RunError { .invalidSpec(path: source, field: field, reason: reason) }
        var seen: Set<Int> = []
        return try sizeAdjusted.enumerated().map { k, pair in
            func index(_ key: String, _ name: String) throws -> Int {
                guard let c = conditionNames.firstIndex(of: name) else {
                    throw fail("size_adjusted[\(k)].\(key)", "no condition '\(name)'; expected one of: "
                               + conditionNames.map { "'\($0)'" }.joined(separator: ", "))
                }
                return c
            }
            let null = try index("null", pair.null), alternative = try index("alternative", pair.alternative)
            guard null != alternative else {
                throw fail("size_adjusted[\(k)].alternative", "expected a condition other than the null '\(pair.null)'")
            }
            guard seen.insert(alternative).inserted else {
                throw fail("size_adjusted[\(k)].alternative", "'\(pair.alternative)' is already paired with a null condition; "
                           + "expected each alternative once")
            }
            return SizeAdjustedPair(null: null, alternative: alternative)
        }
    }
}
