import CGSL

/// Process-wide allocator settings for long Monte Carlo and placebo runs.
public enum AllocatorTuning {
    /// Keeps freed memory in the process for reuse (glibc `mallopt`): blocks up to 64 MiB come
    /// from the heap rather than from a fresh `mmap`, and free heap memory is returned to the
    /// system only past 512 MiB. Every replication allocates the same design matrices (an event
    /// study's is ~1 MB); by default glibc maps and unmaps such blocks or trims the heap under
    /// them, so each replication pays a page fault per 4 KiB touched. Results are unaffected.
    /// Call once, before the work starts; a no-op where glibc is not the C library.
    /// - Returns: whether the settings were applied.
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        cgsl_keep_freed_memory(64 << 20, 512 << 20) == 1
    }
}
