import Foundation
import Testing

/// `didlab estimate --inference cr2|cr3` as a user runs it. Oracle: `Tests/Fixtures/cr_reference.json`
/// (`scripts/reference/make_cr_reference.R`: R 4.2.2, clubSandwich 0.5.8 `vcovCR(type = "CR2")` +
/// `coef_test(test = "Satterthwaite")` on `lm(lemp ~ treat + factor(countyreal) + factor(year))`;
/// CR3 by leave-one-county-out re-estimation). Tolerance 1e-8 relative (the target; the
/// reference holds 15 significant digits).
@Suite("didlab estimate --inference cr2/cr3")
struct ClusterRobustSmallSampleCLITests {
    let mpdta = ["estimate", CLI.fixture("mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--cohort", "first.treat"]

    /// mpdta, cluster countyreal: CR2 SE 0.0132704299803011 with Satterthwaite df 279.826220096537;
    /// CR3 SE 0.0132890339285237, df 499.
    @Test("the JSON coefficient carries its SE and df", arguments: [
        ("cr2", 0.0132704299803011, 279.826220096537), ("cr3", 0.0132890339285237, 499.0)])
    func jsonCarriesDegreesOfFreedom(kind: String, standardError: Double, df: Double) throws {
        let result = try CLI.run(mpdta + ["--inference", kind, "--cluster", "countyreal", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["vcov"] as? String == kind.uppercased())
        #expect(object["cluster"] as? String == "countyreal")
        #expect(object["n_clusters"] as? Int == 500)
        let treat = try #require((object["coefficients"] as? [[String: Any]])?.first)
        let se = try #require(treat["std_error"] as? Double)
        let termDF = try #require(treat["df"] as? Double)
        #expect(abs(se - standardError) / standardError < 1e-8)
        #expect(abs(termDF - df) / df < 1e-8)
        let csv = try CLI.run(mpdta + ["--inference", kind, "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("term,event_time,estimate,std_error,statistic,p_value,conf_low,conf_high,df\n"))
    }

    @Test("the table names CR2 and its Satterthwaite df")
    func table() throws {
        let result = try CLI.run(mpdta + ["--inference", "cr2", "--method", "event", "--leads", "2", "--lags", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("CR2 Bell-McCaffrey"))
        #expect(result.stdout.contains("Satterthwaite df"))
    }

    /// Bad input: one line on stderr naming the flag, exit 1.
    @Test("bad input is refused with one line", arguments: [
        (["--inference", "cr2", "--cluster", "nosuchcolumn"], "--cluster"),
        (["--inference", "cr3", "--method", "cs"], "--inference cr3"),
        (["--inference", "cr2", "--method", "bjs"], "--inference cr2"),
        (["--inference", "cr2", "--method", "did2s"], "--inference cr2"),
        (["--inference", "cr3", "--by", "treat"], "--by"),
    ])
    func refusesBadInput(arguments: [String], fragment: String) throws {
        let result = try CLI.run(mpdta + arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    /// A single cluster: CR2 needs at least two.
    @Test("a cluster column with one level is refused")
    func oneCluster() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rows = ["unit,year,cohort,y,region"]
        for u in 1...4 { for t in 1...4 { rows.append("c\(u),\(2000 + t),\(u <= 2 ? 2003 : 0),\(Double(u * t) * 0.37 + Double(t % 3)),r1") } }
        let path = try CLI.write(rows.joined(separator: "\n") + "\n", named: "one.csv", in: directory)
        let result = try CLI.run(["estimate", path, "--y", "y", "--unit", "unit", "--time", "year", "--cohort", "cohort",
                                  "--inference", "cr2", "--cluster", "region"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("--cluster"), "\(result.stderr)")
    }
}
