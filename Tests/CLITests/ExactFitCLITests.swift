import Foundation
import Testing

/// Exact fits and no residual degrees of freedom: no abort, no printed NaN, no silent huge
/// statistic. Oracle: the rule of the estimate tables (a standard error that is zero against its
/// coefficient, or no residual df, leaves t, p and the interval out) and GSL's domain (t and F
/// distributions need df > 0). Found by a review of issue 18: both commands aborted in GSL
/// (exit 134), or printed F = 3.95e+30, p = 3.2e-16, before.
@Suite struct ExactFitCLITests {
    static func write(_ text: String, _ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "exact-fit-\(getpid())-\(name).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Two units × three periods, iid: the event study and Sun–Abraham have 0 residual df.
    @Test(arguments: ["event", "sa"]) func noResidualDegreesOfFreedom(method: String) throws {
        let path = try Self.write("id,year,y,g\n1,2001,1.0,0\n1,2002,1.3,0\n1,2003,0.7,0\n"
                                  + "2,2001,0.2,2002\n2,2002,1.9,2002\n2,2003,2.4,2002\n", method)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLI.run(["estimate", path, "--y", "y", "--unit", "id", "--time", "year", "--cohort", "g",
                                  "--method", method, "--inference", "iid"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.lowercased().contains("nan"))
        #expect(result.stdout.contains("t, p and the interval are left out"))
    }

    /// BJS's pre-trend test when the leads fit the untreated outcomes exactly: NA with a reason.
    @Test func bjsPreTrendTestOnAnExactFit() throws {
        let path = try Self.write("id,year,y,g,cl\n0,2001,1.036666,0,0\n0,2003,3.248021,0,0\n1,2001,-0.107936,2003,0\n"
                                  + "1,2002,-0.303370,2003,0\n1,2003,1.151077,2003,0\n2,2001,-0.607709,2005,1\n"
                                  + "2,2002,-0.707561,2005,1\n", "bjs")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLI.run(["estimate", path, "--y", "y", "--unit", "id", "--time", "year", "--cohort", "g",
                                  "--method", "bjs", "--inference", "cr1", "--cluster", "cl", "--leads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("p = NA (not computed"), "\(result.stdout)")
        #expect(!result.stdout.lowercased().contains("nan"))
    }
}
