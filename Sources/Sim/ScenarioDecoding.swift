import Foundation

/// A coding key for any string, used to find keys a scenario section does not know.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// The dotted path of a coding path, e.g. `mediators[1].effect`.
func dottedPath(_ path: [CodingKey]) -> String {
    var out = ""
    for key in path {
        if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
    }
    return out
}

extension Decoder {
    /// Throws ``ScenarioError/unknownKey(path:allowed:)`` for any key of this object that
    /// `Keys` does not list (a typo such as `rhoo:` must not silently fall back to a default).
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        let allowed = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw ScenarioError.unknownKey(path: dottedPath(codingPath + [key]), allowed: allowed)
        }
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` by the decoded value when the key is present (the default stays otherwise).
    func update<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    /// Optional fields: replaces `value` when the key is present and not null.
    func update<T: Decodable>(_ value: inout T?, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }
}
