import Foundation
import Testing

/// `--method stacked` through `estimate`, `placebo` and `diagnose`, as a user runs them. Oracles:
/// `stacked_reference.json` (diff-diff 3.13.0 `StackedDiD`), the estimate-object contract, and the
/// one-line errors with exit code 1.
@Suite("stacked CLI")
struct StackedCLITests {
    let mpdta = [CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat"]

    func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func expectError(_ result: CLIResult, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit code", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "nothing on stdout", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "'\(fragment)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// Oracle: diff-diff 3.13.0 `StackedDiD(kappa_pre=1, kappa_post=1)` (case mpdta_k1_1_notyet) and
    /// `StackedDiD(kappa_pre=1, kappa_post=0, control_group="never_treated")` (mpdta_k1_0_never):
    /// --leads is κ_pre, --lags κ_post, --control never|notyet; 1e-8 relative (the JSON prints 17
    /// significant digits).
    @Test("estimate: --leads/--lags are the event window; numbers match diff-diff")
    func estimateMatchesReference() throws {
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: CLI.fixture("stacked_reference.json")))) as? [String: Any])
        let cases = try #require(reference["cases"] as? [[String: Any]])
        for (name, flags) in [("mpdta_k1_1_notyet", [String]()),
                              ("mpdta_k1_0_never", ["--leads", "1", "--lags", "0", "--control", "never"])] {
            let expected = try #require(cases.first { $0["name"] as? String == name })
            let result = try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--format", "json"] + flags)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try json(result)
            #expect(object["method"] as? String == "stacked")
            #expect(object["n_obs"] as? Int == expected["n_obs"] as? Int)
            let coefficients = try #require(object["coefficients"] as? [[String: Any]])
            let estimates = try #require(expected["estimate"] as? [String: Double])
            let errors = try #require(expected["se"] as? [String: Double])
            #expect(coefficients.compactMap { $0["term"] as? String } == expected["terms"] as? [String])
            for coefficient in coefficients {
                let term = try #require(coefficient["term"] as? String)
                let estimate = try #require(coefficient["estimate"] as? Double)
                let se = try #require(coefficient["std_error"] as? Double)
                #expect(abs(estimate - (estimates[term] ?? .nan)) <= 1e-8 * abs(estimates[term] ?? 1), "\(name) \(term)")
                #expect(abs(se - (errors[term] ?? .nan)) <= 1e-8 * (errors[term] ?? 1), "\(name) \(term) SE")
            }
        }
        let table = try CLI.run(["estimate"] + mpdta + ["--method", "stacked"])
        #expect(table.status == 0 && table.stdout.contains("att") && table.stdout.contains("sub-experiment"), "\(table.stdout)")
    }

    @Test("bad input: one line on stderr, exit 1")
    func badInput() throws {
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--leads", "2", "--lags", "3"]),
                    contains: ["stacked", "e-2..e+3", "2004, 2006, 2007", "leads", "lags"])
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--leads", "0"]),
                    contains: ["--method stacked", "--leads", "expected 1 to 10000"])
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--lags", "-1"]),
                    contains: ["--lags", "expected 0 to 10000"])
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--control", "last"]),
                    contains: ["--control", "notyet or never"])
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--inference", "hetero"]),
                    contains: ["--inference", "cr1"])
        expectError(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--x", "lpop"]),
                    contains: ["--method stacked takes no covariates"])
    }

    /// Oracle: `estimate --method stacked` on the same window (the observed statistic is the same
    /// fit); the placebo re-estimates the stack on every permutation.
    @Test("placebo: the observed statistic is the estimate's att, or the term asked for")
    func placebo() throws {
        let estimate = try json(try CLI.run(["estimate"] + mpdta + ["--method", "stacked", "--lags", "0", "--format", "json"]))
        let coefficients = try #require(estimate["coefficients"] as? [[String: Any]])
        for term in ["att", "e+0"] {
            let result = try CLI.run(["placebo"] + mpdta + ["--method", "stacked", "--lags", "0", "--term", term,
                                                            "--permutations", "9", "--seed", "3", "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let observed = try #require((try json(result)["observed"] as? [String: Any])?["estimate"] as? Double)
            let expected = try #require(coefficients.first { $0["term"] as? String == term }?["estimate"] as? Double)
            #expect(abs(observed - expected) <= 1e-12 * abs(expected), "\(term)")
        }
    }

    @Test("diagnose runs the stacked estimator as a method")
    func diagnose() throws {
        let result = try CLI.run(["diagnose"] + mpdta + ["--methods", "stacked cr1", "--source", "model",
                                                         "--replications", "4", "--effects", "0.05", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("stacked"))
    }
}
