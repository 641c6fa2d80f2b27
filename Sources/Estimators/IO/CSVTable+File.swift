// CSVTable+File.swift — reading a CSV file into memory with POSIX calls.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CSVTable {
    /// Reads the whole file at `path` with POSIX calls.
    static func readFile(_ path: String) throws(CSVError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR || path.isEmpty { throw CSVError.fileNotFound(path: path) }
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw CSVError.unreadable(path: path, reason: "is a directory")
        }
        let expected = max(0, Int(info.st_size))
        if expected >= CSVFieldSpan.maxOffset {
            throw CSVError.unreadable(path: path, reason: "file is 2 GiB or larger, which CSVTable does not support")
        }
        var failure: Int32 = 0
        // Fill the expected size in place, then keep reading in case the file grew or is not
        // a regular file (a pipe reports size 0).
        var data = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            initialized = 0
            while initialized < expected {
                let got = read(fd, buffer.baseAddress! + initialized, expected - initialized)
                if got > 0 {
                    initialized += got
                } else if got == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure == 0 {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if got > 0 {
                    data.append(contentsOf: chunk[0..<got])
                    if data.count >= CSVFieldSpan.maxOffset {
                        throw CSVError.unreadable(path: path, reason: "file is 2 GiB or larger, which CSVTable does not support")
                    }
                } else if got == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 {
            throw CSVError.unreadable(path: path, reason: String(cString: strerror(failure)))
        }
        return data
    }
}
