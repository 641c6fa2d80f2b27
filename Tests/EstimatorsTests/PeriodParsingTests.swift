import Testing
@testable import Estimators

/// Time values, cohorts and identifiers as the panel reader reads them (issue 12, classes 1, 5, 6
/// and 11). Oracles: the calendar (day counts from Python's `datetime.date` differences, e.g.
/// 2010-03-31 − 1970-01-01 = 14,699 days), the ordering by value, and the notes the reader must
/// write for every recode.
@Suite("periods, cohorts and identifiers")
struct PeriodParsingTests {
    func panel(_ csv: String, cohort: Bool = true) throws -> Panel {
        let table = try CSVTable(data: Array(csv.utf8), path: "p.csv")
        return try Panel.load(table: table, spec: PanelSpec(outcome: "y", unit: "u", time: "t",
                                                            treatment: cohort ? .cohort("g") : .indicator("d")))
    }

    @Test(arguments: [
        ("2004", PeriodKind.integer, 2004), ("2004.0", .integer, 2004), ("2.004e3", .integer, 2004), ("-3", .integer, -3),
        ("2010q1", .quarter, 4 * 2010), ("2010Q4", .quarter, 4 * 2010 + 3), ("2010-Q2", .quarter, 4 * 2010 + 1),
        ("2010m3", .month, 12 * 2010 + 2), ("2010M12", .month, 12 * 2010 + 11), ("2010-03", .month, 12 * 2010 + 2),
        ("2010-03-31", .day, 14_699), ("1970-01-01", .day, 0), ("0001-01-01", .day, -719_162), ("9999-12-31", .day, 2_932_896),
        ("2000-02-29", .day, 11_016),
    ])
    func recognisedPeriods(_ text: String, _ kind: PeriodKind, _ ordinal: Int) {
        let value = PeriodValue(parsing: Substring(text))
        #expect(value == PeriodValue(kind: kind, ordinal: ordinal), "\(text)")
        if let value, kind != .integer { #expect(PeriodValue(parsing: Substring(kind.label(ofOrdinal: value.ordinal))) == value) }
    }

    @Test(arguments: ["t1", "Q42010", "2004.5", "1e300", "-3e9", "9e18", "inf", "nan", "0x7D4", "2010q5", "2010m13",
                      "2010-02-30", "1900-02-29", "2010-3-1", ""])
    func refusedPeriods(_ text: String) {
        #expect(PeriodValue(parsing: Substring(text)) == nil, "\(text)")
    }

    @Test func textPeriodsAreRefusedNamingTheValue() {
        let csv = "u,t,g,y\n1,t1,0,1\n1,t2,0,2\n1,t10,0,3\n2,t1,t2,1\n2,t2,t2,2\n2,t10,t2,4\n"
        #expect(throws: PanelError.self) { try panel(csv) }
        do { _ = try panel(csv) } catch {
            #expect("\(error)".contains("p.csv:2") && "\(error)".contains("'t1'") && "\(error)".contains("ordered as text"))
        }
    }

    @Test func quartersAreOrderedByValueNotText() throws {
        // As text, 2010q4 < 2011q1 holds, but Q-first spellings would not; by value 2010q4 precedes 2011q1
        // and the event times follow the calendar.
        let csv = "u,t,g,y\n1,2011q1,2011q1,5\n1,2010q4,2011q1,1\n1,2010q3,2011q1,0\n2,2010q3,0,0\n2,2010q4,0,1\n2,2011q1,0,2\n"
        let p = try panel(csv)
        #expect(p.periodLabels == ["2010q3", "2010q4", "2011q1"])
        #expect(p.adoptionPeriod[0] == 2)
    }

    @Test func equalValuesAreOnePeriodSoDuplicatesAreCaught() {
        let csv = "u,t,g,y\n1,2004,2005,1\n1,2004.0,2005,2\n2,2004,0,1\n2,2005,0,3\n"
        do {
            _ = try panel(csv)
            Issue.record("2004 and 2004.0 of one unit were accepted as two periods")
        } catch {
            #expect("\(error)".contains("appears twice in period '2004'"), "\(error)")
        }
    }

    @Test func cohortsOutsideInt32AreRefusedNotTrapped() {
        for cohort in ["-3e9", "1e300", "9e18", "2147483648"] {
            let csv = "u,t,g,y\n1,2000,\(cohort),1\n1,2001,\(cohort),2\n2,2000,0,1\n2,2001,0,1\n"
            #expect(throws: PanelError.self) { try panel(csv) }
        }
    }

    @Test func everyCohortRecodeIsNoted() throws {
        // A biennial panel: cohort 2003 falls between 2002 and 2004; cohort 2010 after the end;
        // unit 4's cohort is missing.
        let csv = """
        u,t,g,y
        1,2002,2003,1
        1,2004,2003,2
        1,2006,2003,3
        2,2002,2010,1
        2,2004,2010,1
        2,2006,2010,2
        3,2002,0,1
        3,2004,0,2
        3,2006,0,2
        4,2002,NaN,1
        4,2004,NaN,1
        4,2006,NaN,1

        """
        let p = try panel(csv)
        #expect(p.adoptionPeriod == [1, Panel.neverTreated, Panel.neverTreated, Panel.neverTreated])
        let notes = p.notes.joined(separator: " | ")
        #expect(notes.contains("1 unit with a missing cohort (empty, NA, NaN or .) treated as never treated"), "\(notes)")
        #expect(notes.contains("1 unit first treated after the last period treated as never treated"), "\(notes)")
        #expect(notes.contains("placed at the next observed period") && notes.contains("1: 2003 -> 2004"), "\(notes)")
    }

    @Test func numericIdentifiersAreKeysByValueButLongOnesStayExact() {
        let byValue = LabelIndexer(labels: ["7", "7.0", "07", "10", "8"])
        #expect(byValue.labels == ["7", "8", "10"])
        #expect(byValue.index == [0, 0, 0, 2, 1])
        // Beyond 2^53 two identifiers would round to one Double: the column is keyed by text.
        let long = LabelIndexer(labels: ["12345678901234567890", "12345678901234567891"])
        #expect(long.labels.count == 2)
    }
}
