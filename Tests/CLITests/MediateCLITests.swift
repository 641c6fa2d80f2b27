import Foundation
import Testing

/// `didlab mediate` as a user runs it. Oracle for numbers: `Tests/Fixtures/mediation_reference.json`
/// (scripts/reference/make_mediation_reference.py: pyfixest 0.60.0 `feols` estimates, explicit fixest
/// CR1 formula SEs, Sobel from them). 1e-8 relative: the parity target (JSON carries 17 digits).
@Suite("didlab mediate")
struct MediateCLITests {
    let synthetic = ["mediate", CLI.fixture("synthetic.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                     "--cohort", "cohort", "--x", "x2", "--m", "x1"]

    static func reference() throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("mediation_reference.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        return try #require(cases.first { $0["name"] as? String == "synthetic_x1" })
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) / max(abs(b), 1e-12) < 1e-8
    }

    @Test("JSON: the DESIGN.md fields, steps and Sobel match the reference")
    func json() throws {
        let result = try CLI.run(synthetic + ["--reps", "199", "--seed", "11", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let reference = try Self.reference()
        let goldenSteps = try #require(reference["steps"] as? [[String: Any]])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? Int } == [1, 2, 3])
        #expect(steps.map { $0["outcome"] as? String } == ["y", "x1", "y"])
        for (step, golden) in zip(steps, goldenSteps) {
            let coefficients = try #require(step["coefficients"] as? [[String: Any]])
            let estimates = try #require(golden["estimate"] as? [String: Double])
            let se = try #require(((golden["vcov"] as? [String: Any])?["cr1:unit"] as? [String: Any])?["se"] as? [String: Double])
            for coefficient in coefficients {
                let term = (coefficient["term"] as? String).map { $0 == "treat" ? "D" : $0 } ?? ""
                #expect(Self.close(coefficient["estimate"] as? Double, estimates[term]), "step \(step["step"] ?? "") \(term)")
                #expect(Self.close(coefficient["std_error"] as? Double, se[term]), "step \(step["step"] ?? "") \(term) SE")
            }
        }
        let sobel = try #require((reference["sobel"] as? [String: Any])?["cr1:unit"] as? [String: Double])
        let indirect = try #require(object["indirect"] as? [String: Any])
        #expect(Self.close(indirect["estimate"] as? Double, sobel["indirect"]))
        #expect(Self.close(indirect["std_error"] as? Double, sobel["std_error"]))
        #expect(indirect["interval"] as? String == "percentile bootstrap")
        let low = try #require(indirect["conf_low"] as? Double), high = try #require(indirect["conf_high"] as? Double)
        #expect(low < high)
        let test = try #require(object["sobel"] as? [String: Any])
        #expect(Self.close(test["statistic"] as? Double, sobel["statistic"]))
        #expect(Self.close(test["p_value"] as? Double, sobel["p_value"]))
        #expect(Self.close(object["proportion_mediated"] as? Double, sobel["proportion_mediated"]))
        let bootstrap = try #require(object["bootstrap"] as? [String: Any])
        #expect(bootstrap["reps"] as? Int == 199 && bootstrap["seed"] as? String == "11")
        #expect((object["joint_significance"] as? [String: Any])?["significant"] is Bool)
        #expect((object["notes"] as? [String])?.contains { $0.contains("Jiang 2022") } == true)
    }

    /// Oracle: determinism by construction (draw b's stream depends on (seed, b) only).
    @Test("the bootstrap interval does not depend on --threads")
    func threads() throws {
        let one = try CLI.run(synthetic + ["--reps", "99", "--threads", "1", "--format", "json"])
        let two = try CLI.run(synthetic + ["--reps", "99", "--threads", "2", "--format", "json"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.stdout == two.stdout)
    }

    @Test("table shows the steps, tests and the identification note")
    func table() throws {
        let result = try CLI.run(synthetic + ["--reps", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        for text in ["Step 1: y ~ treat + X (c)", "Step 2: x1 ~ treat + X (a)", "Step 3: y ~ treat + x1 + X (c', b)",
                     "Sobel test", "joint significance", "Sobel normal", "Observations: 1,200", "Jiang 2022"] {
            #expect(result.stdout.contains(text), "\(text)")
        }
    }

    @Test("several mediators give lists keyed by mediator")
    func severalMediators() throws {
        let result = try CLI.run(["mediate", CLI.fixture("synthetic.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                                  "--cohort", "cohort", "--m", "x1,x2", "--reps", "0", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let indirect = try #require(object["indirect"] as? [[String: Any]])
        #expect(indirect.map { $0["mediator"] as? String } == ["x1", "x2"])
        #expect((object["sobel"] as? [[String: Any]])?.count == 2)
        #expect((object["steps"] as? [[String: Any]])?.count == 5)
    }

    @Test("bad input: one line on stderr, exit 1")
    func badInput() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var csv = "unit,year,cohort,y,flat\n"
        for unit in 1...6 {
            for year in 2010...2015 {
                csv += "\(unit),\(year),\(unit <= 2 ? 2013 : 0),\(Double(unit * year % 7) + 0.1 * Double(year)),3\n"
            }
        }
        let path = try CLI.write(csv, named: "flat.csv", in: directory)
        let base = ["mediate", path, "--y", "y", "--unit", "unit", "--time", "year", "--cohort", "cohort"]
        let cases: [([String], String)] = [
            (base + ["--m", "flat"], "mediator 'flat' is constant"),
            (base + ["--m", "nope"], "column 'nope' (from --m) is not in the header"),
            (base + ["--m", "y"], "--m y: the column is also the outcome"),
            (base, "--m COL[,COL...] is required"),
            (base + ["--m", "flat", "--reps=-1"], "--reps must be at least 0"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments.suffix(3))")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(result.stdout.isEmpty)
        }
    }
}
