import Foundation

/// An exclusive lock on a run directory (`flock` on `DIR/.lock`), so two runs can never write
/// one directory's records and reports at once. The kernel releases it when the process ends,
/// however it ends, so a killed run never leaves a stale lock.
final class DirectoryLock {
    private var descriptor: Int32

    /// Takes the lock without waiting.
    /// - Throws: ``RunError/invalidOption(_:)`` when another process holds it, or
    ///   ``AtomicFile/WriteError`` when the lock file cannot be opened.
    init(directory: String) throws {
        let path = directory + "/.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.systemReason()) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = AtomicFile.systemReason()
            close(descriptor)
            descriptor = -1
            if busy {
                throw RunError.invalidOption("\(directory): another didlab run is writing to this directory; "
                                             + "wait for it to finish or choose another output directory")
            }
            throw AtomicFile.WriteError(path: path, reason: reason)
        }
    }

    /// Releases the lock (also done when the process ends).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
