import Foundation
import Testing

/// `didlab estimate --method dcdh` as a user runs it: the estimates read back from JSON equal the
/// library's parity-tested ones (moderndid 0.4.1 on mpdta, `Tests/Fixtures/dcdh_reference.json`,
/// 1e-8 relative: JSON carries 17 significant digits), and every refused input is one line on
/// stderr with exit status 1.
@Suite("didlab estimate --method dcdh")
struct ChaisemartinDHaultfoeuilleCLITests {
    static let mpdta = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                        "--cohort", "first.treat", "--method", "dcdh"]

    @Test("JSON: every effect, placebo and att of moderndid's mpdta case")
    func matchesReference() throws {
        let result = try CLI.run(Self.mpdta + ["--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let coefficients = try #require(object["coefficients"] as? [[String: Any]])
        let data = try #require(FileManager.default.contents(atPath: CLI.fixture("dcdh_reference.json")))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(reference["cases"] as? [[String: Any]])
        let all = try #require(cases.first { $0["name"] as? String == "mpdta_all" })
        var rows = (all["effects"] as? [[String: Any]] ?? []) + (all["placebos"] as? [[String: Any]] ?? [])
        var att = try #require(all["att"] as? [String: Any])
        att["term"] = "att"
        rows.append(att)
        #expect(coefficients.count == rows.count)
        for row in rows {
            let term = try #require(row["term"] as? String)
            let ours = try #require(coefficients.first { $0["term"] as? String == term }, "\(term)")
            for key in ["estimate", "std_error"] {
                let a = try #require(ours[key] as? Double), b = try #require(row[key] as? Double)
                #expect(abs(a - b) <= 1e-8 * abs(b), "\(term) \(key): \(a) vs \(b)")
            }
        }
    }

    @Test("refused: too many lags or leads, another clustering, covariates, a treatment that switches off")
    func refused() throws {
        let directory = try CLI.temporaryDirectory()
        let off = directory.appendingPathComponent("off.csv")
        try "u,t,y,d\n1,1,1.0,0\n1,2,2.0,1\n1,3,3.0,0\n2,1,1.5,0\n2,2,2.5,0\n2,3,3.1,0\n".write(to: off, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (Self.mpdta + ["--lags", "9"], "10 effects (e+0..e+9) asked for, expected at least 1 and at most 4"),
            (Self.mpdta + ["--leads", "5"], "4 placebos asked for, expected at most 2"),
            (Self.mpdta + ["--cluster", "lpop"], "clustered by the unit column (countyreal); got lpop"),
            (Self.mpdta + ["--x", "lpop"], "--method dcdh takes no covariates"),
            (Self.mpdta + ["--inference", "hetero"], "--method dcdh"),
            (["estimate", off.path, "--y", "y", "--unit", "u", "--time", "t", "--treat", "d", "--method", "dcdh"],
             "switches off"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("didlab: error: ") && result.stderr.contains(message), "\(result.stderr)")
        }
    }
}
