// ReadStatTable+IO.swift — buffered file reading for ReadStat.
//
// ReadStat's default I/O calls read(2) once per row (a .dta row of a panel is a few dozen bytes),
// so a 500,000-row file cost 500,000 system calls: a third of the time to load it. These handlers
// serve its reads from a 1 MiB buffer refilled with pread(2); memory stays bounded whatever the
// file's size.

import CReadStat
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One open file, read through a buffer: the `io_ctx` of ReadStat's I/O handlers.
final class ReadStatBufferedFile {
    static let bufferSize = 1 << 20
    var descriptor: Int32 = -1
    /// The file offset ReadStat reads from next.
    var position = 0
    /// The file offset of `buffer[0]`, and how many bytes of `buffer` hold file data.
    var bufferStart = 0
    var bufferCount = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ReadStatBufferedFile.bufferSize, alignment: 16)

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
    }

    static func from(_ ctx: UnsafeMutableRawPointer) -> ReadStatBufferedFile {
        Unmanaged<ReadStatBufferedFile>.fromOpaque(ctx).takeUnretainedValue()
    }

    /// Installs the handlers on `parser`; `self` must outlive the parse.
    func install(on parser: UnsafeMutablePointer<readstat_parser_t>) {
        readstat_set_open_handler(parser) { path, ctx in
            guard let path, let ctx else { return -1 }
            let file = ReadStatBufferedFile.from(ctx)
            file.descriptor = open(path, O_RDONLY | O_CLOEXEC)
            file.position = 0
            file.bufferCount = 0
            return file.descriptor
        }
        readstat_set_close_handler(parser) { ctx in
            guard let ctx else { return -1 }
            let file = ReadStatBufferedFile.from(ctx)
            guard file.descriptor >= 0 else { return 0 }
            let result = close(file.descriptor)
            file.descriptor = -1
            return result
        }
        readstat_set_seek_handler(parser) { offset, whence, ctx in
            guard let ctx else { return -1 }
            return readstat_off_t(ReadStatBufferedFile.from(ctx).seek(Int(offset), whence))
        }
        readstat_set_read_handler(parser) { destination, count, ctx in
            guard let ctx, let destination else { return -1 }
            return ReadStatBufferedFile.from(ctx).read(into: destination, count: Int(count))
        }
        readstat_set_update_handler(parser) { _, _, _, _ in READSTAT_OK }
        readstat_set_io_ctx(parser, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The new position, or -1 (a negative target, or a failed fstat).
    func seek(_ offset: Int, _ whence: readstat_io_flags_t) -> Int {
        let target: Int
        switch whence {
        case READSTAT_SEEK_SET: target = offset
        case READSTAT_SEEK_CUR: target = position + offset
        case READSTAT_SEEK_END:
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return -1 }
            target = Int(info.st_size) + offset
        default: return -1
        }
        guard target >= 0 else { return -1 }
        position = target
        return target
    }

    /// Copies up to `count` bytes from the current position; the count copied (short only at the
    /// end of the file), or -1 on a read error.
    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        var copied = 0
        while copied < count {
            if position < bufferStart || position >= bufferStart + bufferCount {
                var got: Int
                repeat { got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position)) } while got < 0 && errno == EINTR
                if got < 0 { return -1 }
                bufferStart = position
                bufferCount = got
                if got == 0 { break }
            }
            let available = bufferStart + bufferCount - position
            let take = min(available, count - copied)
            (destination + copied).copyMemory(from: buffer.baseAddress! + (position - bufferStart), byteCount: take)
            copied += take
            position += take
        }
        return copied
    }
}
