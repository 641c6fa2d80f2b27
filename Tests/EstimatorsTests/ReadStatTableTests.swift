import Foundation
import Testing
@testable import Estimators

/// The ReadStat reader (issue 17). Oracles: the CSV of the same data written beside each fixture
/// by `scripts/reference/make-dta-fixtures.py` (pyreadstat 1.3.8), and for Stata's own `float`
/// storage the CSV that statsmodels 0.15.0 ships with its Stata-written `macrodata.dta` (every
/// float is the float nearest the decimal). Comparisons are exact: the .dta holds the CSV's
/// doubles (or floats) bit for bit.
@Suite("ReadStat tables")
struct ReadStatTableTests {
    func both(_ dta: String, _ csv: String) throws -> (ReadStatTable, CSVTable) {
        (try ReadStatTable(contentsOfFile: Fixtures.path(dta)), try CSVTable(contentsOfFile: Fixtures.path(csv)))
    }

    @Test("every cell of mpdta.dta, mpdta_v8.dta (format 113) and mpdta.sav equals mpdta.csv's", arguments: [
        "mpdta.dta", "mpdta_v8.dta", "mpdta.sav",
    ])
    func sameCellsAsCSV(file: String) throws {
        let (typed, csv) = try both(file, "mpdta.csv")
        #expect(typed.header == csv.header.map { $0 == "first.treat" ? "first_treat" : $0 })
        #expect(typed.rowCount == 2500 && typed.rowCount == csv.rowCount)
        for column in 0..<csv.header.count {
            for row in 0..<csv.rowCount where typed.double(row: row, column: column) != csv.double(row: row, column: column) {
                Issue.record("\(file) row \(row) column \(csv.header[column])")
                return
            }
        }
        #expect(typed.string(row: 0, column: 0) == "2003" && typed.string(row: 0, column: 1) == "8001")
        #expect(typed.lineNumber(ofRow: 0) == 1 && typed.format == DataFileFormat(path: file))
    }

    @Test("a .dta written by Stata (macrodata, format 114): float storage read exactly, as Double(Float(decimal))")
    func stataWrittenFloats() throws {
        let (typed, csv) = try both("macrodata.dta", "macrodata.csv")
        #expect(typed.header == csv.header && typed.rowCount == 203 && csv.rowCount == 203)
        var compared = 0
        for column in 0..<csv.header.count {
            for row in 0..<csv.rowCount {
                guard let decimal = csv.double(row: row, column: column) else { Issue.record("csv \(row)"); return }
                // year (int16) and quarter (int8) are whole numbers: Float(decimal) is exact for them too.
                let expected = Double(Float(decimal))
                if typed.double(row: row, column: column) != expected {
                    Issue.record("row \(row) \(csv.header[column]): \(String(describing: typed.double(row: row, column: column))) vs \(expected)")
                    return
                }
                compared += 1
            }
        }
        #expect(compared == 203 * 14)
        // 2710.349 as a float is 2710.34912109375: read as stored, not re-rounded to the decimal.
        #expect(typed.double(row: 0, column: 2) == 2710.34912109375)
    }

    /// Oracle: Fisher's iris as R 4 ships it (`datasets::iris`): column sums 876.5, 458.6, 563.7,
    /// 179.9 (`colSums(iris[, 1:4])`), 50 rows of each species, first row 5.1, 3.5, 1.4, 0.2 setosa.
    /// The file stores Species in 6 bytes, so it holds `versic` and `virgin` (R haven 2.5.1's
    /// `read_sas` reads the same). Tolerance 1e-9: a sum of 150 one-decimal doubles is off by far less.
    @Test("a .sas7bdat written by SAS itself (9.4 M2, from R haven 2.5.1's examples)")
    func sasWrittenFile() throws {
        let table = try ReadStatTable(contentsOfFile: Fixtures.path("iris.sas7bdat"))
        #expect(table.header == ["Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width", "Species"])
        #expect(table.rowCount == 150 && table.format == .sas)
        for (column, sum) in [876.5, 458.6, 563.7, 179.9].enumerated() {
            let total = (0..<150).reduce(0.0) { $0 + (table.double(row: $1, column: column) ?? .nan) }
            #expect(abs(total - sum) < 1e-9, "\(table.header[column])")
        }
        #expect((0..<4).map { table.double(row: 0, column: $0) } == [5.1, 3.5, 1.4, 0.2])
        let species = Dictionary(grouping: 0..<150) { table.groupName(row: $0, column: 4) }.mapValues(\.count)
        #expect(species == ["setosa": 50, "versic": 50, "virgin": 50])
        #expect(table.isStringVariable(4) && table.nonNumericReason(column: 4)?.contains(".sas7bdat file") == true)
    }

    @Test("., .a and .b (and SPSS system and user-missing values) are missing exactly where the CSV is empty",
          arguments: ["mpdta_missing.dta", "mpdta_missing.sav"])
    func missingValues(file: String) throws {
        let (typed, csv) = try both(file, "mpdta_missing.csv")
        var missing = 0
        for column in 0..<csv.header.count {
            for row in 0..<csv.rowCount {
                #expect(typed.isMissing(row: row, column: column) == csv.isMissing(row: row, column: column))
                if typed.isMissing(row: row, column: column) {
                    missing += 1
                    #expect(typed.double(row: row, column: column) == nil && typed.string(row: row, column: column).isEmpty)
                }
            }
        }
        #expect(missing > 100)
    }

    @Test("value labels name groups; the number is read wherever a number is")
    func valueLabels() throws {
        let table = try ReadStatTable(contentsOfFile: Fixtures.path("mpdta_regions.dta"))
        let region = try #require(table.columnIndex(named: "region"))
        let county = try #require(table.columnIndex(named: "county"))
        // County 8001: 8001 mod 4 + 1 = 2, "West".
        #expect(table.groupName(row: 0, column: region) == "West")
        #expect(table.string(row: 0, column: region) == "2" && table.double(row: 0, column: region) == 2)
        #expect(table.hasValueLabels(region) && !table.isStringVariable(region))
        #expect(table.groupName(row: 0, column: county) == "c8001" && table.isStringVariable(county))
        #expect(table.double(row: 0, column: county) == nil && table.nonNumericReason(column: county) != nil)
        #expect(table.nonNumericReason(column: region) == nil)
    }

    @Test("two values with one label are two groups: the value is added to the name")
    func collidingLabels() {
        let names = ReadStatParse.displayNames(values: [1, 2, 3, 4, .nan], labels: [1: "East", 2: "East", 3: "West"])
        #expect(names == [1: "East (1)", 2: "East (2)", 3: "West"])
        // A label equal to another value's number: both get the value.
        #expect(ReadStatParse.displayNames(values: [1, 2], labels: [1: "2"]) == [1: "2 (1)"])
        #expect(ReadStatParse.displayNames(values: [1, 2], labels: [:]).isEmpty)
    }

    @Test("labels that differ only in leading or trailing blanks are two groups; a blank label names nothing")
    func labelsCollidingOnceTrimmed() {
        // The panel reader trims group names (`String.trimmed`): " East" and "East" would be one group.
        let names = ReadStatParse.displayNames(values: [1, 2, 3, 4], labels: [1: "East", 2: " East", 3: "West\t"])
        #expect(names == [1: "East (1)", 2: "East (2)", 3: "West\t"])
        // A label equal, once trimmed, to another value's number.
        #expect(ReadStatParse.displayNames(values: [1, 2], labels: [1: " 2"]) == [1: "2 (1)"])
        #expect(ReadStatParse.displayNames(values: [1, 2, 3], labels: [1: " ", 2: "A"]) == [2: "A"])
        #expect(ReadStatParse.displayNames(values: [1, 2], labels: [1: " ", 2: "\t"]).isEmpty)
    }

    /// Oracle: the value labels pyreadstat 1.3.8 writes (`make-dta-fixtures.py`: regions 1 "East",
    /// 2 " East", 3 "North", 4 "South", two counties each), so four clusters of two counties.
    @Test("regions_spaces.dta: the labels \"East\" and \" East\" are two clusters, not one")
    func clustersOfLabelsCollidingOnceTrimmed() throws {
        let spec = PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first_treat"),
                             clusterColumns: ["region"])
        let panel = try Panel.load(file: Fixtures.path("regions_spaces.dta"), spec: spec)
        let region = try #require(panel.clusterings["region"])
        #expect(region.count == 4 && Set(region.labels) == ["East (1)", "East (2)", "North", "South"])
        #expect(panel.unitLabels.count == 8 && panel.notes.isEmpty)
    }

    /// Oracle: pyreadstat 1.3.8 `read_sav` of `regions_user_missing.sav` (written by
    /// `make-dta-fixtures.py` with `missing_ranges={"county": ["c8001"], "region": ["North"]}`)
    /// gives NaN in 5 county cells (county 8001's five years) and 10 region cells (two counties).
    @Test("SPSS user-missing strings are missing: rows dropped and counted like any missing cell")
    func userMissingStrings() throws {
        let table = try ReadStatTable(contentsOfFile: Fixtures.path("regions_user_missing.sav"))
        let county = try #require(table.columnIndex(named: "county"))
        let region = try #require(table.columnIndex(named: "region"))
        let countyreal = try #require(table.columnIndex(named: "countyreal"))
        #expect(table.rowCount == 40 && table.isStringVariable(county) && table.isStringVariable(region))
        let missingCounty = (0..<40).filter { table.isMissing(row: $0, column: county) }
        #expect(missingCounty.count == 5 && missingCounty.allSatisfy { table.double(row: $0, column: countyreal) == 8001 })
        #expect(missingCounty.allSatisfy { table.string(row: $0, column: county).isEmpty })
        #expect((0..<40).filter { table.isMissing(row: $0, column: region) }.count == 10)
        #expect(!(0..<40).contains { table.string(row: $0, column: county) == "c8001" || table.string(row: $0, column: region) == "North" })
        let spec = PanelSpec(outcome: "lemp", unit: "county", time: "year", treatment: .cohort("first_treat"))
        let panel = try Panel.load(file: Fixtures.path("regions_user_missing.sav"), spec: spec)
        #expect(panel.unitLabels.count == 7 && !panel.unitLabels.contains("c8001"))
        #expect(panel.notes.contains("5 rows dropped for missing values in used columns"))
        var clustered = spec
        clustered.clusterColumns = ["region"]
        let byRegion = try Panel.load(file: Fixtures.path("regions_user_missing.sav"), spec: clustered)
        #expect(byRegion.notes.contains("15 rows dropped for missing values in used columns"))
        #expect(byRegion.clusterings["region"].map { Set($0.labels) } == ["East", "West", "South"])
    }

    @Test("the panel of mpdta.dta is the panel of mpdta.csv")
    func samePanel() throws {
        let spec = PanelSpec(outcome: "lemp", unit: "countyreal", time: "year", treatment: .cohort("first_treat"),
                             covariates: ["lpop"])
        let fromCSV = try Fixtures.mpdta(covariates: ["lpop"])
        for file in ["mpdta.dta", "mpdta.sav"] {
            let typed = try Panel.load(file: Fixtures.path(file), spec: spec)
            #expect(typed.outcome == fromCSV.outcome && typed.covariates == fromCSV.covariates)
            #expect(typed.unitLabels == fromCSV.unitLabels && typed.periodLabels == fromCSV.periodLabels)
            #expect(typed.adoptionPeriod == fromCSV.adoptionPeriod && typed.unitIndex == fromCSV.unitIndex)
            #expect(typed.notes == fromCSV.notes)
        }
    }

    @Test("only the variables asked for are loaded")
    func variableSubset() throws {
        let table = try ReadStatTable(contentsOfFile: Fixtures.path("mpdta.dta"), variables: ["lemp", "year"])
        #expect(table.header.count == 6 && table.rowCount == 2500)
        #expect(table.columns.filter { if case .skipped = $0 { return true } else { return false } }.count == 4)
        #expect(table.double(row: 1, column: 0) == 2004)
    }

    @Test("errors name the file and the reason")
    func errors() throws {
        #expect(throws: ReadStatError.fileNotFound(path: "/nonexistent/x.dta")) {
            try ReadStatTable(contentsOfFile: "/nonexistent/x.dta")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("didlab-readstat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mpdta.dta")))
        // Truncated inside the data: ReadStat's read error, with what it means.
        let truncated = directory.appendingPathComponent("truncated.dta").path
        try bytes.prefix(30_000).write(to: URL(fileURLWithPath: truncated))
        do {
            _ = try ReadStatTable(contentsOfFile: truncated)
            Issue.record("a truncated file was read")
        } catch {
            #expect(error.description.hasPrefix(truncated + ": cannot read the .dta file: "))
            #expect(error.description.contains("truncated"))
        }
        // A CSV named .dta.
        let csv = directory.appendingPathComponent("text.dta").path
        try Data("a,b\n1,2\n".utf8).write(to: URL(fileURLWithPath: csv))
        #expect(throws: ReadStatError.self) { try ReadStatTable(contentsOfFile: csv) }
        // A header declaring 2^30 observations is refused before anything is allocated.
        var huge = bytes
        let n = try #require(huge.range(of: Data("<N>".utf8))).upperBound
        withUnsafeBytes(of: UInt64(1 << 30).littleEndian) { huge.replaceSubrange(n..<n + 8, with: $0) }
        let big = directory.appendingPathComponent("big.dta").path
        try huge.write(to: URL(fileURLWithPath: big))
        #expect(throws: ReadStatError.tooLarge(path: big, rows: 1 << 30, variables: 6)) {
            try ReadStatTable(contentsOfFile: big)
        }
    }

    @Test("a panel error in a .dta names the observation and the variable")
    func panelErrorPlace() throws {
        let spec = PanelSpec(outcome: "county", unit: "countyreal", time: "year", treatment: .cohort("first_treat"))
        #expect(throws: PanelError.self) { try Panel.load(file: Fixtures.path("mpdta_regions.dta"), spec: spec) }
        let error = PanelError.nonNumeric(source: "panel.dta", line: 17, column: "y", value: "x", expected: "a number")
        #expect(error.description == "panel.dta: observation 17: variable 'y': expected a number, found 'x'")
        let csvError = PanelError.nonNumeric(source: "panel.csv", line: 17, column: "y", value: "x", expected: "a number")
        #expect(csvError.description == "panel.csv:17: column 'y': expected a number, found 'x'")
    }
}
