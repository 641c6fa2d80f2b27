import Foundation
import Testing
@testable import Estimators
@testable import Lab

/// JSONInput reads back what JSONOutput writes. Oracle: the round trip itself (decode, then
/// encode again, gives the same text byte for byte) and values fixed in the test.
@Suite("JSON input")
struct JSONInputTests {
    struct Inner: Codable, Equatable {
        var stdError: Double, effectInSD: Double, label: String?
    }
    struct Outer: Codable {
        var name: String, count: Int, flag: Bool, seed: Seed, values: [Double], inner: [Inner], missing: Double?
    }

    @Test func aRoundTripIsByteIdenticalAndNullIsNaN() throws {
        let value = Outer(name: "a \"quoted\" \\ name\nwith é and 😀", count: -3, flag: true, seed: Seed(UInt64.max),
                          values: [0.1, 1e-300, .nan, 2.0 / 3.0],
                          inner: [Inner(stdError: .nan, effectInSD: 0.30000000000000004, label: nil)], missing: nil)
        let text = JSONOutput.render(value)
        #expect(text.contains("\"std_error\": null") && text.contains("\"effect_in_sd\""))
        let back = try JSONInput.decode(Outer.self, from: text)
        #expect(JSONOutput.render(back) == text)
        #expect(back.seed.value == UInt64.max && back.values[3] == 2.0 / 3.0 && back.values[2].isNaN)
        #expect(back.inner[0].stdError.isNaN && back.inner[0].label == nil && back.missing == nil)
    }

    @Test func aWrongShapeNamesItsKeyPath() throws {
        #expect {
            _ = try JSONInput.decode(Outer.self, from: #"{"name": "x", "count": 1.5}"#)
        } throws: { ($0 as? JSONInput.DecodeError)?.description.hasPrefix("count: expected an integer") == true }
        #expect {
            _ = try JSONInput.decode(Outer.self, from: #"{"name": "x", "count": 1, "flag": true, "seed": "1", "values": [], "inner": [{"label": 3}]}"#)
        } throws: { ($0 as? JSONInput.DecodeError)?.description.hasPrefix("inner[0].label: expected a string") == true }
        #expect {
            _ = try JSONValue(parsing: "{\"a\": [1, 2}")  // byte 12 is the "}"
        } throws: { ($0 as? JSONInput.DecodeError)?.description == "byte 12: expected ',' or ']'" }
    }

    @Test func htmlEscapesEveryMarkupCharacter() {
        #expect(HTMLReport.escape("<a href=\"x\">'&'</a>\u{1}") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{FFFD}")
    }
}
