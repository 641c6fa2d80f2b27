import Foundation

extension HonestDiD {
    /// Parses a list of restrictions, `rm:M̄1,M̄2,…` or `sd:M1,M2,…` (one family per list).
    /// - Throws: ``HonestDiDError`` naming what was expected: a missing or unknown family, an empty
    ///   list, a value that is not a number, or a negative or non-finite bound.
    public static func parseRestrictions(_ text: String) throws -> [Restriction] {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0].trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw HonestDiDError("expected rm:M̄1,M̄2,… (relative magnitudes) or sd:M1,M2,… (smoothness), got '\(text)'")
        }
        let items = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !(items.count == 1 && items[0].isEmpty) else {
            throw HonestDiDError("expected at least one bound after '\(kind.rawValue):', got '\(text)'")
        }
        return try items.map { item in
            guard let value = Double(item), value.isFinite else {
                throw HonestDiDError("'\(item)' in '\(text)' is not a number (expected bounds such as \(kind.rawValue):0.5,1,2)")
            }
            guard value <= 1e100 else {
                throw HonestDiDError("the bound \(item) in '\(text)' is too large to compute with (expected at most 1e100)")
            }
            guard value >= 0 else {
                throw HonestDiDError("the bound \(item) in '\(text)' is negative; \(kind == .relativeMagnitudes ? "M̄" : "M") must be ≥ 0")
            }
            return kind == .relativeMagnitudes ? .relativeMagnitudes(value) : .smoothness(value)
        }
    }
}

extension HonestDiD.Target {
    /// Parses `first`, `average` or `e+K` (K ≥ 0).
    /// - Throws: ``HonestDiDError`` for anything else.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "first": self = .firstPost
        case "average": self = .average
        default:
            guard text.hasPrefix("e+"), let k = Int(text.dropFirst(2)), k >= 0 else {
                throw HonestDiDError("expected first, average or e+K (K ≥ 0) as the target, got '\(text)'")
            }
            self = .eventTime(k)
        }
    }
}
