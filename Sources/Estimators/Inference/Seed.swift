/// A master seed in JSON: always a decimal string, e.g. `"42"` or `"18446744073709551615"`.
///
/// A string because a seed is any unsigned 64-bit value and JSON readers that keep every number
/// as a double (JavaScript, many others) would round seeds above 2^53; a string reads back
/// exactly everywhere. One representation for every report (results.json always wrote a string;
/// the other reports once switched between an integer and a string by size).
public struct Seed: Codable, Sendable, Equatable {
    /// The seed.
    public let value: UInt64

    /// Wraps a seed.
    public init(_ value: UInt64) { self.value = value }

    /// Reads the decimal string back (reports read by `didlab report`).
    /// - Throws: `DecodingError.dataCorrupted` when it is not an unsigned 64-bit decimal.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = UInt64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a seed (a decimal string), got '\(text)'")
        }
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}
