import Foundation
import Testing

/// `didlab estimate` with two-way clustering and Conley standard errors, as a user runs it.
/// Oracles: `twoway_conley_reference.json` (pyfixest 0.60.0 two-way CRV1; by-hand numpy Conley
/// checked against diff-diff 3.13; see scripts/reference/make_twoway_conley_reference.py) for the
/// numbers; the house rule (one line on stderr, exit 1) for bad input.
@Suite("didlab estimate: two-way and Conley")
struct TwoWayConleyCLITests {
    static let synthetic = ["estimate", CLI.fixture("synthetic.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                            "--cohort", "cohort", "--x", "x1,x2", "--format", "json"]
    static let spillover = ["estimate", CLI.fixture("spillover.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                            "--cohort", "cohort"]

    static func reference(_ caseName: String, _ key: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("twoway_conley_reference.json")))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let found = try #require(cases.first { $0["name"] as? String == caseName })
        return try #require((found["variances"] as? [String: Any])?[key] as? [String: Any])
    }

    static func treat(_ result: CLIResult) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        return try #require(coefficients.first { $0["term"] as? String == "treat" })
    }

    /// `--cluster province+year` and `--cluster unit,province^year` (comma and interaction) give
    /// pyfixest's two-way SE; 1e-8 relative (the JSON prints 17 significant digits).
    @Test func twoWayMatchesPyfixest() throws {
        for (cluster, key) in [("province+year", "twoway:province+year"), ("unit,province^year", "twoway:unit+province^year")] {
            let result = try CLI.run(Self.synthetic + ["--cluster", cluster])
            #expect(result.status == 0, "\(result.stderr)")
            let expected = try #require(try Self.reference("synthetic_twfe", key)["se"] as? [String: Double])
            let se = try #require(try Self.treat(result)["std_error"] as? Double)
            #expect(abs(se / (try #require(expected["treat"])) - 1) < 1e-8, "\(cluster)")
            #expect(result.stdout.contains("\"vcov\" : \"CR1\"") || result.stdout.contains("\"vcov\": \"CR1\""))
        }
    }

    /// `--inference conley` with a uniform kernel and 3 lags on the planar fixture coordinates of
    /// the reference needs coordinate columns; spillover.csv has them, so this checks the table
    /// names the estimator and the JSON its vcov.
    @Test func conleyRunsAndNamesItself() throws {
        let table = try CLI.run(Self.spillover + ["--inference", "conley", "--cutoff", "100", "--kernel", "uniform",
                                                  "--lag", "2", "--latlon", "lat,lon"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("Conley spatial HAC (uniform, cutoff 100, 2 serial lags)"))
        let json = try CLI.run(Self.spillover + ["--inference", "conley", "--cutoff", "100", "--coords", "coord_x,coord_y",
                                                 "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains("conley"))
    }

    /// Bad input: one line on stderr naming the flag or column, exit 1.
    @Test(arguments: [
        (["--cluster", "province+nope"], "'nope'"),
        (["--cluster", "province+province"], "the two cluster terms are the same"),
        (["--cluster", "a+b+c"], "one or two cluster terms"),
        (["--inference", "twoway"], "needs two cluster terms"),
        (["--inference", "wcb", "--cluster", "unit+year"], "applies to --inference cr1 or twoway"),
        (["--inference", "conley", "--cutoff", "100"], "--coords X,Y (plane) or --latlon"),
        (["--inference", "conley", "--coords", "coord_x,coord_y"], "needs --cutoff"),
        (["--inference", "conley", "--cutoff", "0", "--coords", "coord_x,coord_y"], "positive finite"),
        (["--inference", "conley", "--cutoff", "-3", "--coords", "coord_x,coord_y"], "positive finite"),
        (["--inference", "conley", "--cutoff", "nan", "--coords", "coord_x,coord_y"], "positive finite"),
        (["--inference", "conley", "--cutoff", "50", "--lag", "-1", "--coords", "coord_x,coord_y"], "--lag"),
        (["--inference", "conley", "--cutoff", "50", "--coords", "nope,coord_y"], "'nope'"),
        (["--cutoff", "50"], "apply only to --inference conley"),
        (["--method", "cs", "--inference", "conley", "--cutoff", "50", "--coords", "coord_x,coord_y"], "cs takes"),
        (["--method", "cs", "--cluster", "unit+year"], "cs takes"),
        (["--method", "bjs", "--cluster", "unit+year"], "bjs takes"),
        (["--method", "did2s", "--cluster", "unit+year"], "did2s takes"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try CLI.run(Self.spillover + arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// Fewer than two clusters in a dimension: one line naming it, exit 1.
    @Test func singleClusterRefused() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOfFile: CLI.fixture("synthetic.csv"), encoding: .utf8)
        var lines = source.split(separator: "\n").map(String.init)
        lines[0] += ",country"
        for k in 1..<lines.count { lines[k] += ",cn" }
        let path = directory.appendingPathComponent("one.csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["estimate", path, "--y", "y", "--unit", "unit", "--time", "year", "--cohort", "cohort",
                                  "--cluster", "province+country"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("country"), "\(result.stderr)")
    }
}
