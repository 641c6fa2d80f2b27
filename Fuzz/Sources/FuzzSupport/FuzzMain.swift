// FuzzMain.swift — the entry point shared by the fuzz targets.
//
// Built by scripts/fuzz.sh (with `-D DIDLAB_LIBFUZZER -sanitize=fuzzer,address`), a target hands
// its harness to libFuzzer, which takes the usual libFuzzer arguments (corpus folders, -runs=,
// -max_total_time=, -dict=, a crash file to reproduce). Built plainly, it is a replay driver: it
// runs the harness once on every file named (folders are read recursively) and prints each path
// before running it, so a trap names its input.

import CFuzzerShim
import Foundation

/// Runs one fuzz harness under libFuzzer or as a replay driver.
public enum FuzzMain {
    /// The harness, kept where libFuzzer's C callback can reach it (set once, before fuzzing).
    nonisolated(unsafe) static var harness: (([UInt8]) -> Void)?

    /// Whether `note` prints: set `DIDLAB_FUZZ_VERBOSE=1` to see why each replayed input was
    /// rejected (useful when writing seeds, which should reach deep into the reader).
    public static let verbose = ProcessInfo.processInfo.environment["DIDLAB_FUZZ_VERBOSE"] == "1"

    /// Prints `message` on stderr when ``verbose`` is set.
    public static func note(_ message: @autoclosure () -> String) {
        if verbose { FileHandle.standardError.write(Data("  \(message())\n".utf8)) }
    }

    /// Runs `harness` on each input and exits: under libFuzzer when built with `DIDLAB_LIBFUZZER`,
    /// otherwise once per file named on the command line.
    ///
    /// The harness must not keep state between inputs and must return normally for every input it
    /// considers handled; a trap, a crash, an allocation past libFuzzer's limits or a time-out is
    /// the finding.
    public static func run(_ harness: @escaping ([UInt8]) -> Void) -> Never {
        self.harness = harness
        #if DIDLAB_LIBFUZZER
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            FuzzMain.harness?(bytes)
            return 0
        }
        exit(status)
        #else
        exit(replay(Array(CommandLine.arguments.dropFirst())))
        #endif
    }

    /// Replays every file under `paths`; returns the exit status.
    static func replay(_ paths: [String]) -> Int32 {
        guard !paths.isEmpty else {
            let name = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "fuzz-target"
            FileHandle.standardError.write(Data("usage: \(name) FILE_OR_FOLDER... (replays each input once; build with scripts/fuzz.sh to fuzz)\n".utf8))
            return 2
        }
        var count = 0
        for path in paths {
            for file in files(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("\(file): cannot read\n".utf8))
                    return 1
                }
                FileHandle.standardError.write(Data("running \(file)\n".utf8))
                harness?([UInt8](data))
                count += 1
            }
        }
        print("replayed \(count) input\(count == 1 ? "" : "s") without a crash")
        return 0
    }

    /// `path` itself when it is a file, else every regular file below it, sorted.
    static func files(under path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return found.sorted().map { path + "/" + $0 }.filter { file in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }
}
