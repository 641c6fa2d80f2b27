import Estimators
import Testing
@testable import Lab

/// The one JSON encoder of the reports. Oracle: hand-written JSON text for small values (the
/// rules of ``JSONOutput``'s documentation).
@Suite("JSON output encoder")
struct JSONOutputTests {
    struct Inline: InlineFields, Sendable {
        var inference: String
        @Omitted var reps: Int? = nil
    }

    struct Sample: Encodable, Sendable {
        var stdError: Double
        var r2Within: Double
        var aPValue: Double
        var nClusters: Int?
        @Omitted var eventTime: Int? = nil
        @Omitted var band: Double? = nil
        var extra: Inline
        var seed: Seed
        var flags: [Bool]
        var grid: JSONObject<Double>
    }

    @Test func rulesOfTheEncoder() {
        let sample = Sample(stdError: 1, r2Within: .nan, aPValue: 0.25, nClusters: nil, eventTime: -2, band: nil,
                            extra: Inline(inference: "wcb"), seed: Seed(.max), flags: [true, false],
                            grid: JSONObject([("effects.att", 0.5), ("errors.rhoAR", .infinity)]))
        let expected = """
        {"std_error":1.0,"r2_within":null,"a_p_value":0.25,"n_clusters":null,"event_time":-2,\
        "inference":"wcb","seed":"18446744073709551615","flags":[true, false],\
        "grid":{"effects.att":0.5,"errors.rhoAR":null}}
        """
        #expect(JSONValue(encoding: sample).rendered(indent: 0) == expected)
        #expect(JSONOutput.render(Seed(42)) == "\"42\"\n")
    }

    @Test func snakeCaseNames() {
        #expect(snakeCase("stdError") == "std_error")
        #expect(snakeCase("pValueCr1") == "p_value_cr1")
        #expect(snakeCase("q025") == "q025")
        #expect(snakeCase("sigmaFe") == "sigma_fe")
        #expect(snakeCase("aPValue") == "a_p_value")
    }
}
