import Foundation
import Testing

/// `didlab estimate` as a user runs it: the binary, its stdout/stderr and exit code.
/// Oracle for numbers: `Tests/Fixtures/reference.json` (pyfixest 0.60.0, see scripts/reference).
@Suite("didlab estimate")
struct EstimateCLITests {
    let mpdta = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat", "--cluster", "countyreal"]

    /// fixest on mpdta: D = −0.03654893667406441, CR1 SE 0.013265155429338867 (pyfixest 0.60.0,
    /// `feols('lemp ~ D | countyreal + year', vcov={'CRV1': 'countyreal'})`).
    static let coefficient = -0.03654893667406441
    static let standardError = 0.013265155429338867

    @Test func jsonMatchesFixest() throws {
        let result = try CLI.run(mpdta + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "twfe")
        #expect(object["n_obs"] as? Int == 2500)
        #expect(object["n_units"] as? Int == 500)
        #expect(object["n_periods"] as? Int == 5)
        #expect(object["n_clusters"] as? Int == 500)
        #expect(object["vcov"] as? String == "CR1")
        #expect(object["cluster"] as? String == "countyreal")
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        let treat = try #require(coefficients.first)
        #expect(treat["term"] as? String == "treat")
        let estimate = try #require(treat["estimate"] as? Double)
        let se = try #require(treat["std_error"] as? Double)
        #expect(abs(estimate - Self.coefficient) / abs(Self.coefficient) < 1e-8)
        #expect(abs(se - Self.standardError) / Self.standardError < 1e-8)
        for key in ["statistic", "p_value", "conf_low", "conf_high"] { #expect(treat[key] is Double, "\(key)") }
    }

    @Test func csvMatchesFixest() throws {
        let result = try CLI.run(mpdta + ["--format", "csv"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high")
        let fields = try #require(lines.dropFirst().first).split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields[0] == "treat")
        let estimate = try #require(Double(String(fields[2])))
        let se = try #require(Double(String(fields[3])))
        #expect(abs(estimate - Self.coefficient) / abs(Self.coefficient) < 1e-8)
        #expect(abs(se - Self.standardError) / Self.standardError < 1e-8)
    }

    @Test func tableAndLatexShowTheNumbers() throws {
        let table = try CLI.run(mpdta)
        #expect(table.status == 0)
        #expect(table.stdout.contains("-0.0365489"))   // six significant digits of the fixest estimate
        #expect(table.stdout.contains("0.0132652"))
        #expect(table.stdout.contains("Observations: 2,500"))
        #expect(table.stdout.contains("Clustered (countyreal), 500 clusters"))
        let latex = try CLI.run(mpdta + ["--format", "latex"])
        #expect(latex.status == 0)
        #expect(latex.stdout.contains("\\begin{tabular}"))
        #expect(latex.stdout.contains("-0.0365489"))
        #expect(latex.stdout.contains("(0.0132652)"))
    }

    @Test func eventStudyJSONHasEventTimes() throws {
        let result = try CLI.run(mpdta + ["--method", "event", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        #expect(coefficients.compactMap { $0["term"] as? String } == ["e-4", "e-3", "e-2", "e+0", "e+1", "e+2", "e+3"])
        #expect(coefficients.compactMap { $0["event_time"] as? Int } == [-4, -3, -2, 0, 1, 2, 3])
        // pyfixest 0.60.0 mpdta_event e+2: estimate −0.131794857754322, CR1 SE 0.028837407390067592.
        let e2 = try #require(coefficients.first { $0["term"] as? String == "e+2" })
        #expect(abs((e2["estimate"] as? Double ?? 0) + 0.131794857754322) < 1e-9)
        #expect(abs((e2["std_error"] as? Double ?? 0) - 0.028837407390067592) < 1e-10)
    }

    @Test func outWritesTheFileAndNothingToStdout() throws {
        let directory = try CLI.temporaryDirectory()
        let path = directory.appendingPathComponent("est.json").path
        let result = try CLI.run(mpdta + ["--format", "json", "--out", path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"method\": \"twfe\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["est.json"], "no temporary file left behind")
    }
}

/// `estimate --by COL1,COL2`: the dimensions share their permutation draws. Oracle: a column
/// duplicated under another name has identical draws, so its Romano–Wolf p-value equals its
/// own permutation p-value (the min of two equal p-values is either), Holm's doubles it; the
/// min-P Romano–Wolf p-value never exceeds Holm's (every draw valid here); and
/// the first dimension's permutation p-value equals that of `--by` alone with the same seed.
@Suite("didlab estimate --by several")
struct SubgroupDimensionsCLITests {
    @Test func dimensionsShareTheirDraws() throws {
        let directory = try CLI.temporaryDirectory()
        let source = try String(contentsOfFile: CLI.fixture("synthetic.csv"), encoding: .utf8)
        var lines = source.split(separator: "\n").map(String.init)
        lines[0] += ",province2,third"
        for k in 1..<lines.count {
            let cells = lines[k].split(separator: ",", omittingEmptySubsequences: false)
            let unitNumber = Int(cells[0].filter(\.isNumber)) ?? 0
            lines[k] += ",\(cells[1]),\(unitNumber % 3)"
        }
        let data = try CLI.write(lines.joined(separator: "\n") + "\n", named: "two.csv", in: directory)
        let base = ["estimate", data, "--y", "y", "--unit", "unit", "--time", "year", "--cohort", "cohort",
                    "--permutations", "49", "--seed", "5", "--format", "json"]
        let many = try CLI.run(base + ["--by", "province,province2,third"])
        #expect(many.status == 0, "\(many.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(many.stdout.utf8)) as? [String: Any])
        let family = try #require(object["multiple_testing"] as? [String: Any])
        let tests = try #require(family["tests"] as? [[String: Any]])
        #expect(tests.map { $0["by"] as? String } == ["province", "province2", "third"])
        let p = tests.map { $0["p_value"] as? Double ?? .nan }
        let romanoWolf = tests.map { $0["p_value_romano_wolf"] as? Double ?? .nan }
        #expect(p[0] == p[1])
        #expect(romanoWolf[0] == romanoWolf[1] && romanoWolf[0] >= p[0])
        #expect(romanoWolf.allSatisfy { $0 <= 1 } && zip(romanoWolf, p).allSatisfy { $0 >= $1 })
        let holm = tests.map { $0["p_value_holm"] as? Double ?? .nan }
        #expect(zip(romanoWolf, holm).allSatisfy { $0 <= $1 + 1e-12 }, "Romano-Wolf \(romanoWolf), Holm \(holm)")
        let one = try CLI.run(base + ["--by", "province"])
        let single = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        let permutation = try #require(single["permutation"] as? [String: Any])
        #expect(permutation["p_value_wald"] as? Double == p[0])
        // Deterministic for a seed, and the usage errors name the flag.
        #expect(try CLI.run(base + ["--by", "province,province2,third"]).stdout == many.stdout)
        let twice = try CLI.run(base + ["--by", "province,province"])
        #expect(twice.status == 1 && twice.stderr.contains("--by"))
    }
}
