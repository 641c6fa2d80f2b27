// FuzzDataFile — bytes → a Stata/SPSS/SAS file → ReadStatTable → Panel.load(table:spec:) under every
// spec of FuzzPanelChecks.
//
// ReadStat (the C library) parses from a path, so each input is written to a scratch file whose
// extension follows the input's first byte (the seeds in Fuzz/Corpus/datafile are small .dta files
// of formats 113/118, .sav and .sas7bdat files). ReadStat itself is not instrumented (Debian's
// shared library); the findings are in DiDLab's side: its callbacks, the cell store, value labels,
// the size limits, and the panel loader on what they produce.
//
// Findings: any trap or crash, an accessor that traps or returns a non-finite number for a cell the
// reader accepted, and a loaded panel that breaks Panel's documented invariants.

import Estimators
import Foundation
import FuzzPanelChecks
import FuzzSupport

/// The scratch file of this process (one per process: libFuzzer runs inputs one at a time).
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("didlab-fuzz-\(getpid())").path
/// The extension ReadStat is asked to read: Stata .dta files begin with 0x71-0x73 (formats 113-115)
/// or "<stata_dta>" (117-119); SPSS with "$FL2"/"$FL3"; anything else is tried as SAS.
func fileExtension(_ bytes: [UInt8]) -> String {
    guard let first = bytes.first else { return ".dta" }
    switch first {
    case UInt8(ascii: "$"): return ".sav"
    case 0x00: return ".sas7bdat"
    default: return ".dta"
    }
}

FuzzMain.run { bytes in
    let path = scratch + fileExtension(bytes)
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return FuzzMain.note("cannot write \(path)") }
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table: ReadStatTable
    do { table = try ReadStatTable(contentsOfFile: path) } catch { return FuzzMain.note("\(error)") }
    let columns = table.header.count
    for row in 0..<table.rowCount {
        require(table.lineNumber(ofRow: row) == row + 1, "observation number")
        for column in 0..<columns {
            _ = table.string(row: row, column: column)
            _ = table.groupName(row: row, column: column)
            let missing = table.isMissing(row: row, column: column)
            if let value = table.double(row: row, column: column) {
                require(value.isFinite && !missing, "double() gave \(value) for a cell that is missing: \(missing)")
            }
        }
    }
    loadUnderEverySpec(table)
}
