import Foundation
import Testing

/// `--regression-weights COL` on the command line: the JSON carries the weighted fit of
/// `Tests/Fixtures/weights_reference.json` (dense WLS + fixest's weighted formulas, pyfixest
/// 0.60.0 beside; `scripts/reference/make_weights_reference.py`), and every analysis that does not
/// take weights refuses them with one line naming the flag, exit 1. Tolerance 1e-8 relative, the
/// issue's target (the JSON prints 17 significant digits).
@Suite("regression weights CLI")
struct RegressionWeightsCLITests {
    static func reference(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("weights_reference.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        return try #require(cases.first { $0["name"] as? String == name })
    }

    static let synthetic = [CLI.fixture("synthetic_weights.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                            "--cohort", "cohort", "--x", "x1,x2", "--regression-weights", "w"]

    @Test("twfe, event and sa JSON match the weighted reference", arguments: ["twfe", "event", "sa"])
    func jsonMatches(method: String) throws {
        let reference = try Self.reference("synthetic_\(method)")
        let result = try CLI.run(["estimate"] + Self.synthetic + ["--method", method, "--cluster", "province",
                                                                   "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["n_obs"] as? Int == 1200)
        let expected = try #require(reference["estimate"] as? [String: Double])
        let variances = try #require(reference["variances"] as? [[String: Any]])
        let province = variances.first { $0["cluster"] as? String == "province" } ?? variances[variances.count - 1]
        let se = try #require(province["std_error"] as? [String: Double])
        let coefficients = try #require(json["coefficients"] as? [[String: Any]])
        #expect(!coefficients.isEmpty)
        for coefficient in coefficients {
            let term = try #require(coefficient["term"] as? String)
            guard let want = expected[term] else { continue }
            #expect(abs((coefficient["estimate"] as? Double ?? .nan) - want) <= 1e-8 * max(abs(want), 1e-12), "\(term)")
            if province["cluster"] as? String == "province", let wantSE = se[term] {
                #expect(abs((coefficient["std_error"] as? Double ?? .nan) - wantSE) <= 1e-8 * wantSE, "\(term) SE")
            }
        }
    }

    @Test("analyses without weights refuse them in one line",
          arguments: [["estimate", "--method", "bjs"], ["estimate", "--method", "did2s"],
                      ["estimate", "--method", "cs"], ["estimate", "--inference", "wcb"],
                      ["estimate", "--by", "province"], ["placebo", "--permutations", "9"]])
    func refusals(arguments: [String]) throws {
        let result = try CLI.run([arguments[0]] + Self.synthetic + Array(arguments.dropFirst()))
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("--regression-weights"), "\(result.stderr)")
    }

    @Test("variances not checked against a weighted reference refuse weights in one line",
          arguments: [["--inference", "cr2"], ["--inference", "cr3"], ["--cluster", "unit+province"]])
    func unverifiedVariances(arguments: [String]) throws {
        let result = try CLI.run(["estimate"] + Self.synthetic + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not available with regression weights"), "\(result.stderr)")
    }

    @Test("a missing weight column names the flag")
    func missingColumn() throws {
        var arguments = Self.synthetic
        arguments[arguments.count - 1] = "pop"
        let result = try CLI.run(["estimate"] + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("didlab: error: synthetic_weights.csv: column 'pop' (from --regression-weights) is not in the header"),
                "\(result.stderr)")
    }

    @Test("the help says regression weights, apart from the bootstrap's --weights")
    func help() throws {
        let result = try CLI.run(["estimate", "--help"])
        #expect(result.stdout.contains("--regression-weights <COL>"))
        #expect(result.stdout.contains("regression weights"))
    }
}
