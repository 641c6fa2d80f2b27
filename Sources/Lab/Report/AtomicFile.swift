import Foundation
import Synchronization

/// Writes files so that a reader never sees half of one: the bytes go to a hidden temporary file
/// in the same directory (`.NAME.tmp-PID-N`), which is then renamed over the target (atomic on
/// POSIX file systems).
///
/// Temporary files never outlive their writer: a failed write removes its own, an interrupted
/// program removes every open one (``installInterruptCleanup()``, for SIGINT, SIGTERM and SIGHUP),
/// and a writer first removes stale ones beside its target that a killed process (SIGKILL, power
/// loss) left behind — those whose process no longer runs.
public enum AtomicFile {
    /// Why a file could not be written: the path and the operating system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        /// The target path.
        public let path: String
        /// What went wrong, in the operating system's words.
        public let reason: String
        /// Creates an error.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        /// One line.
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Writes `text` to `path` atomically.
    /// - Throws: ``WriteError`` naming the path and the reason (for example "No space left on device").
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        let writer = try Writer(path: path)
        try writer.write(data)
        try writer.commit()
    }

    /// A file written in pieces (streamed), then renamed over its target by ``commit()``; if it is
    /// never committed, its temporary file is removed.
    public final class Writer {
        /// The target path.
        public let path: String
        let temporary: String
        private var descriptor: Int32
        private var buffer: [UInt8] = []

        /// Opens a temporary file beside `path`.
        /// - Throws: ``WriteError`` when the directory does not exist or cannot be written.
        public init(path: String) throws {
            self.path = path
            let url = URL(fileURLWithPath: path)
            let directory = url.deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw WriteError(path: path, reason: isDirectory.boolValue || !FileManager.default.fileExists(atPath: directory)
                                 ? "No such file or directory (the directory \(directory) does not exist)"
                                 : "Not a directory (\(directory) is a file)")
            }
            AtomicFile.removeStaleTemporaries(beside: path)
            temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(AtomicFile.nextSerial())"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw WriteError(path: path, reason: AtomicFile.systemReason()) }
            AtomicFile.register(temporary)
        }

        deinit { abandon() }

        /// Appends text.
        public func write(_ text: String) throws { try write(Data(text.utf8)) }

        /// Appends bytes (buffered; written out in 1 MiB pieces).
        public func write(_ data: Data) throws {
            buffer.append(contentsOf: data)
            if buffer.count >= 1 << 20 { try flush() }
        }

        /// Writes the buffer out.
        func flush() throws {
            guard descriptor >= 0 else { throw WriteError(path: path, reason: "the file is already closed") }
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { bytes in
                    Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    let reason = AtomicFile.systemReason()
                    abandon()
                    throw WriteError(path: path, reason: reason)
                }
                offset += written
            }
            buffer.removeAll(keepingCapacity: true)
        }

        /// Writes what is left, closes the temporary file and renames it over the target.
        public func commit() throws {
            try flush()
            let closed = close(descriptor)
            descriptor = -1
            guard closed == 0 else {
                let reason = AtomicFile.systemReason()
                abandon()
                throw WriteError(path: path, reason: reason)
            }
            guard rename(temporary, path) == 0 else {
                let reason = AtomicFile.systemReason()
                abandon()
                throw WriteError(path: path, reason: reason)
            }
            AtomicFile.unregister(temporary)
        }

        /// Closes and removes the temporary file (nothing is written to the target).
        public func abandon() {
            if descriptor >= 0 { close(descriptor); descriptor = -1 }
            if AtomicFile.unregister(temporary) { unlink(temporary) }
        }
    }

    // MARK: Temporary files of this process

    private static let openTemporaries = Mutex<(serial: Int, paths: Set<String>)>((0, []))

    static func nextSerial() -> Int { openTemporaries.withLock { state in state.serial += 1; return state.serial } }

    static func register(_ path: String) { _ = openTemporaries.withLock { $0.paths.insert(path) } }

    /// Forgets `path`; true when it was registered (still to be removed by its owner).
    @discardableResult
    static func unregister(_ path: String) -> Bool { openTemporaries.withLock { $0.paths.remove(path) != nil } }

    /// Removes every temporary file this process has open (what an interrupt leaves).
    public static func removeOpenTemporaries() {
        let paths = openTemporaries.withLock { state -> Set<String> in
            let paths = state.paths
            state.paths = []
            return paths
        }
        for path in paths { unlink(path) }
    }

    /// On SIGINT, SIGTERM or SIGHUP: removes this process's temporary files, then ends it with the
    /// conventional status 128 + signal. Call once at startup.
    public static func installInterruptCleanup() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                removeOpenTemporaries()
                _exit(128 + signal)
            }
            source.resume()
            interruptSources.append(source)
        }
    }

    /// Kept alive for the program's life; written once, at startup, before any other thread runs.
    nonisolated(unsafe) private static var interruptSources: [any DispatchSourceSignal] = []

    /// Removes `.NAME.tmp-PID-…` files beside `path` whose process no longer runs.
    static func removeStaleTemporaries(beside path: String) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pid = Int32(rest.prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    /// The text of `errno`, e.g. "No space left on device".
    public static func systemReason() -> String { String(cString: strerror(errno)) }

    /// The operating system's words for a Foundation error ("No space left on device"), never
    /// its `NSCocoaErrorDomain` dump: the POSIX code of the error or of its underlying error.
    public static func systemReason(for error: any Error) -> String {
        let error = error as NSError
        for candidate in [error, error.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap({ $0 })
        where candidate.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(candidate.code)))
        }
        let description = error.localizedDescription
        return description.contains("Error Domain=") ? "input/output error (code \(error.code))" : description
    }

    /// Creates the directory `path` and any missing parents (`mkdir -p`).
    /// - Throws: ``WriteError`` naming `path` and the operating system's reason, with the component
    ///   at fault when one exists but is not a directory ("Not a directory (afile is a file)").
    public static func createDirectory(_ path: String) throws {
        guard !path.isEmpty else { throw WriteError(path: path, reason: "an empty path is not a directory") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var status = stat()
            if stat(prefix, &status) == 0 {
                guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) else {
                    throw WriteError(path: path, reason: "Not a directory (\(prefix) exists and is not a directory)")
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw WriteError(path: path, reason: "cannot create the directory \(prefix) (\(systemReason()))")
            }
        }
    }

    /// Runs `body`, turning a Foundation error into a ``WriteError`` naming `path` and the
    /// operating system's reason.
    @discardableResult
    public static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as WriteError { throw error } catch {
            throw WriteError(path: path, reason: systemReason(for: error))
        }
    }
}

/// The files one command writes, as one set: every file is opened (as a temporary beside its
/// target) before the work starts, so a path that cannot be written fails first and costs
/// nothing; the contents are written as they are ready; ``commit()`` renames them all at the
/// end. If the command fails or is interrupted first, none of them is left, half written or not.
public final class OutputFiles {
    private var writers: [(String, AtomicFile.Writer)] = []

    /// Opens a temporary file for each path given (nil entries are skipped).
    /// - Throws: ``AtomicFile/WriteError`` for the first path that cannot be written; the
    ///   temporaries already opened are removed.
    public init(_ paths: [String?]) throws {
        for path in paths.compactMap({ $0 }) where !writers.contains(where: { $0.0 == path }) {
            writers.append((path, try AtomicFile.Writer(path: path)))
        }
    }

    /// The writer of `path` (nil when it was not opened).
    public func writer(_ path: String?) -> AtomicFile.Writer? {
        guard let path else { return nil }
        return writers.first { $0.0 == path }?.1
    }

    /// Writes `text` to `path`, if it was opened; `text` is built only then (a figure nobody
    /// asked for costs nothing).
    public func write(_ text: @autoclosure () throws -> String, to path: String?) throws {
        guard let writer = writer(path) else { return }
        try writer.write(text())
    }

    /// Renames every file over its target.
    public func commit() throws {
        for (_, writer) in writers { try writer.flush() }
        for (_, writer) in writers { try writer.commit() }
        writers = []
    }
}
