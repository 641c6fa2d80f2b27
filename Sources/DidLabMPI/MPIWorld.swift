import CMPI
import Foundation

/// An MPI call that failed: the call and Open MPI's words for its error code.
struct MPIError: Error, CustomStringConvertible {
    /// The MPI function, e.g. `MPI_Gatherv`.
    var call: String
    /// Its return code.
    var code: Int32

    var description: String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        let words = cmpi_error_string(code, &buffer, &length) == 0
            ? String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "error code \(code)"
        return "\(call) failed: \(words)"
    }
}

/// The processes of the MPI job (`MPI_COMM_WORLD`), through the CMPI shim. Every method except
/// ``abort(_:)`` is collective where MPI's call is: each rank calls it, in the same order.
struct MPIWorld {
    /// This process's rank, 0-based.
    let rank: Int
    /// The number of ranks.
    let size: Int

    /// Initializes MPI (once per process), with errors returned rather than fatal.
    static func start() throws -> MPIWorld {
        try check(cmpi_init(), "MPI_Init")
        var rank: Int32 = 0, size: Int32 = 0
        try check(cmpi_rank(&rank), "MPI_Comm_rank")
        try check(cmpi_size(&size), "MPI_Comm_size")
        return MPIWorld(rank: Int(rank), size: Int(size))
    }

    static func check(_ code: Int32, _ call: String) throws {
        if code != 0 { throw MPIError(call: call, code: code) }
    }

    /// The number of ranks on this rank's node (collective).
    func localSize() throws -> Int {
        var size: Int32 = 1
        try Self.check(cmpi_local_size(&size), "MPI_Comm_split_type")
        return Int(size)
    }

    /// Every rank's `value`, in rank order, on every rank.
    func allGather(_ value: Int32) throws -> [Int32] {
        var values = [Int32](repeating: 0, count: size)
        try Self.check(cmpi_allgather_int(value, &values), "MPI_Allgather")
        return values
    }

    /// Every rank's `bytes`, in rank order, on `root` (nil on the other ranks). Large payloads go
    /// in rounds of at most 1 GiB in all, as MPI counts and displacements are 32-bit.
    func gather(_ bytes: [UInt8], root: Int = 0) throws -> [[UInt8]]? {
        let slice = max(1, (1 << 30) / size)
        let rounds = try allGather(Int32(clamping: (bytes.count + slice - 1) / slice)).max() ?? 0
        var received: [[UInt8]] = rank == root ? Array(repeating: [], count: size) : []
        for round in 0..<Int(rounds) {
            let start = min(bytes.count, round * slice), end = min(bytes.count, start + slice)
            var counts = [Int32](repeating: 0, count: size)
            try Self.check(cmpi_gather_int(Int32(end - start), &counts, Int32(root)), "MPI_Gather")
            var displacements = [Int32](repeating: 0, count: size)
            for k in counts.indices.dropFirst() { displacements[k] = displacements[k - 1] + counts[k - 1] }
            let total = rank == root ? Int(counts.reduce(0, +)) : 0
            var buffer = [UInt8](repeating: 0, count: max(total, 1))
            let code = bytes[start..<end].withUnsafeBytes { send in
                buffer.withUnsafeMutableBytes { receive in
                    cmpi_gatherv_bytes(send.baseAddress, Int32(end - start), receive.baseAddress, counts, displacements, Int32(root))
                }
            }
            try Self.check(code, "MPI_Gatherv")
            if rank == root {
                for k in 0..<size { received[k] += buffer[Int(displacements[k])..<Int(displacements[k] + counts[k])] }
            }
        }
        return rank == root ? received : nil
    }

    /// `root`'s `value` on every rank.
    func broadcast(_ value: Int32, root: Int = 0) throws -> Int32 {
        var value = value
        try Self.check(cmpi_bcast_int(&value, Int32(root)), "MPI_Bcast")
        return value
    }

    /// Ends every process of the job; mpirun exits with a non-zero status.
    func abort(_ code: Int32) -> Never {
        cmpi_abort(code)
        Foundation.exit(code)  // MPI_Abort does not return; should it, the process still ends with `code`
    }

    /// Finalizes MPI; call once, last.
    func finish() { _ = cmpi_finalize() }
}
