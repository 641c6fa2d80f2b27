import Foundation

/// Writes files so that a reader never sees half of one: the text goes to a temporary file in
/// the same directory, which is then renamed over the target (atomic on POSIX file systems).
public enum AtomicFile {
    /// Why a file could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The target path.
        public let path: String
        /// What went wrong.
        public let reason: String
        /// One line.
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Writes `text` to `path` atomically.
    /// - Throws: ``WriteError`` naming the path.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
        } catch {
            throw WriteError(path: path, reason: (error as NSError).localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, reason: reason)
        }
    }
}
