import Foundation
import Testing

/// Every bad input of the foundation issue: a one-line message naming file, line, column and
/// what was expected, exit code 1, no crash. Oracle: the message text we promise.
@Suite("bad input")
struct BadInputCLITests {
    let columns = ["--y", "y", "--unit", "city", "--time", "year"]

    func estimate(_ csv: String, _ extra: [String] = ["--cohort", "cohort"]) throws -> CLIResult {
        let directory = try CLI.temporaryDirectory()
        let path = try CLI.write(csv, named: "data.csv", in: directory)
        return try CLI.run(["estimate", path] + columns + extra)
    }

    func expectError(_ result: CLIResult, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit code", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "nothing on stdout", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "'\(fragment)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    static let good = """
    city,year,cohort,y,treat
    a,2010,2011,1.0,0
    a,2011,2011,2.0,1
    b,2010,0,1.5,0
    b,2011,0,1.7,0

    """

    @Test func missingFile() throws {
        let result = try CLI.run(["estimate", "/nonexistent/data.csv"] + columns + ["--cohort", "cohort"])
        expectError(result, contains: ["/nonexistent/data.csv", "no such file"])
    }

    @Test func emptyFile() throws {
        expectError(try estimate(""), contains: ["data.csv", "empty"])
    }

    @Test func missingHeaderColumn() throws {
        expectError(try estimate(Self.good, ["--cohort", "first_treat"]),
                    contains: ["data.csv", "'first_treat'", "--cohort", "not in the header"])
    }

    @Test func nonNumericValue() throws {
        let csv = Self.good.replacingOccurrences(of: "b,2010,0,1.5,0", with: "b,2010,0,abc,0")
        expectError(try estimate(csv), contains: ["data.csv:4", "column 'y'", "expected a number", "'abc'"])
    }

    @Test func duplicateUnitTimeRows() throws {
        let csv = Self.good + "b,2011,0,1.9,0\n"
        expectError(try estimate(csv), contains: ["data.csv:6", "unit 'b'", "'2011'", "lines 5 and 6"])
    }

    @Test func treatmentSwitchingOff() throws {
        let csv = """
        city,year,y,treat
        a,2010,1.0,0
        a,2011,2.0,1
        a,2012,2.0,0
        b,2010,1.5,0
        b,2011,1.7,0
        b,2012,1.7,0

        """
        expectError(try estimate(csv, ["--treat", "treat"]), contains: ["data.csv:4", "unit 'a'", "switches off", "'2012'"])
    }

    @Test func treatmentNotZeroOne() throws {
        let csv = Self.good.replacingOccurrences(of: "a,2011,2011,2.0,1", with: "a,2011,2011,2.0,2")
        expectError(try estimate(csv, ["--treat", "treat"]), contains: ["data.csv:3", "column 'treat'", "expected 0 or 1"])
    }

    @Test func cohortVaryingWithinUnit() throws {
        let csv = Self.good.replacingOccurrences(of: "a,2011,2011,2.0,1", with: "a,2011,2012,2.0,1")
        expectError(try estimate(csv), contains: ["data.csv:3", "unit 'a'", "'2012'", "'2011'"])
    }

    @Test func noTreatedObservations() throws {
        let csv = Self.good.replacingOccurrences(of: ",2011,", with: ",0,")
        expectError(try estimate(csv), contains: ["data.csv", "no observation is treated"])
    }

    @Test func noUntreatedObservations() throws {
        let csv = """
        city,year,cohort,y
        a,2010,2010,1.0
        a,2011,2010,2.0
        b,2010,2010,1.5
        b,2011,2010,1.7

        """
        expectError(try estimate(csv), contains: ["data.csv", "every observation is treated"])
    }

    @Test func malformedQuoting() throws {
        let csv = "city,year,cohort,y\n\"a,2010,2011,1.0\n"
        expectError(try estimate(csv), contains: ["data.csv"])
    }

    @Test func wrongFieldCount() throws {
        let csv = Self.good.replacingOccurrences(of: "b,2010,0,1.5,0", with: "b,2010,0,1.5")
        expectError(try estimate(csv), contains: ["data.csv:4", "5", "4"])
    }

    @Test func missingTreatmentFlag() throws {
        expectError(try estimate(Self.good, []), contains: ["--treat", "--cohort"])
    }

    @Test func unknownMethod() throws {
        expectError(try estimate(Self.good, ["--cohort", "cohort", "--method", "magic"]), contains: ["magic"])
    }

    @Test func missingValuesAreDroppedAndCounted() throws {
        let csv = """
        city,year,cohort,y
        a,2010,2011,1.0
        a,2011,2011,2.0
        a,2012,2011,
        b,2010,0,1.5
        b,2011,0,1.7
        b,2012,0,NA
        c,2010,0,1.1
        c,2011,0,1.3
        c,2012,0,1.2

        """
        let result = try estimate(csv, ["--cohort", "cohort", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"n_obs\": 7"))
        #expect(result.stdout.contains("2 rows dropped for missing values"))
    }

    @Test func outputFileIsNotHalfWrittenOnError() throws {
        let directory = try CLI.temporaryDirectory()
        let data = try CLI.write(Self.good.replacingOccurrences(of: "1.5", with: "x"), named: "data.csv", in: directory)
        let out = directory.appendingPathComponent("out.json").path
        let result = try CLI.run(["estimate", data] + columns + ["--cohort", "cohort", "--out", out])
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
