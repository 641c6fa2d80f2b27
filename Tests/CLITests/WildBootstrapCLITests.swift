import Foundation
import Testing

/// `didlab estimate --inference wcb` and `--by` as a user runs them. Oracle for the bootstrap
/// numbers: `Tests/Fixtures/wcb_reference.json` (wildboottest 0.3.2; with 12 province clusters
/// and B = 9999 every sign vector is enumerated, so the p-value is exact: 2/4096 with ties counted).
@Suite("didlab estimate --inference wcb / --by")
struct WildBootstrapCLITests {
    let synthetic = ["estimate", CLI.fixture("synthetic.csv"), "--y", "y", "--unit", "unit", "--time", "year",
                     "--cohort", "cohort", "--x", "x1,x2"]

    @Test func wildBootstrapJSON() throws {
        let result = try CLI.run(synthetic + ["--cluster", "province", "--inference", "wcb", "--reps", "9999",
                                              "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["inference"] as? String == "wcb")
        #expect(object["reps"] as? Int == 4096)
        #expect(object["weights"] as? String == "rademacher")
        let treat = try #require((object["coefficients"] as? [[String: Any]])?.first)
        #expect(treat["p_value"] as? Double == 2.0 / 4096)
        #expect(treat["inference"] as? String == "wcb")
    }

    @Test func threadsDoNotChangeTheOutput() throws {
        let base = synthetic + ["--cluster", "province", "--inference", "wcb", "--weights", "webb", "--format", "json"]
        let one = try CLI.run(base + ["--threads", "1"]), two = try CLI.run(base + ["--threads", "2"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.stdout.replacingOccurrences(of: "\"threads\": 1", with: "")
                == two.stdout.replacingOccurrences(of: "\"threads\": 2", with: ""))
    }

    @Test func subgroupTable() throws {
        let result = try CLI.run(synthetic + ["--cluster", "unit", "--by", "province", "--permutations", "99"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Subgroup heterogeneity by province"))
        #expect(result.stdout.contains("Equal effects (Wald): F(11, 119)"))
    }

    @Test func badInput() throws {
        let cases: [([String], String)] = [
            (["--reps", "99"], "--reps applies only to --inference wcb, --bands or --method sdid"),
            (["--weights", "webb"], "--weights, --bootstrap and --ties apply only to --inference wcb"),
            (["--inference", "wcb", "--reps", "0"], "--reps must be at least 1"),
            (["--by", "year"], "--by year: the column changes within unit c001"),
            (["--by", "province", "--method", "event"], "--by applies to --method twfe"),
            (["--permutations", "9"], "--permutations and --scope apply only to --by"),
        ]
        for (extra, message) in cases {
            let result = try CLI.run(synthetic + extra)
            #expect(result.status == 1, "\(extra)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
        }
    }
}
