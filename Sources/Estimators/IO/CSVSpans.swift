// CSVSpans.swift — where the tokenizer records each field: byte spans in one flat buffer.

/// Byte offsets of one field's content (quotes excluded) within the file bytes.
///
/// The top bit of `rawEnd` flags a quoted field that contains `""` and so needs unescaping.
struct CSVFieldSpan: Sendable {
    /// Offsets must stay below this (2 GiB) so that the flag bit is free.
    static let maxOffset = 1 << 31
    static let escapeFlag: UInt32 = 1 << 31

    let start: UInt32
    let rawEnd: UInt32

    @inline(__always)
    init(start: Int, end: Int, escaped: Bool) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.rawEnd = UInt32(truncatingIfNeeded: end) | (escaped ? CSVFieldSpan.escapeFlag : 0)
    }

    /// One past the last content byte.
    @inline(__always) var end: UInt32 { rawEnd & ~CSVFieldSpan.escapeFlag }
    /// Whether the content holds doubled quotes that must be collapsed.
    @inline(__always) var hasEscapedQuote: Bool { rawEnd & CSVFieldSpan.escapeFlag != 0 }
}

/// Immutable heap storage for the field spans (header record first, row-major).
///
/// A plain buffer rather than an `Array` so that the tokenizer can append without uniqueness
/// checks; it is written only while parsing and never mutated afterwards, hence Sendable.
final class CSVSpanStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<CSVFieldSpan>
    let count: Int

    init(taking writer: CSVSpanWriter) {
        base = writer.base
        count = writer.count
    }

    deinit { base.deallocate() }

    @inline(__always) subscript(index: Int) -> CSVFieldSpan { base[index] }
}

/// A growable span buffer used by the tokenizer; ownership passes to `CSVSpanStorage` on
/// success, otherwise the caller must `deallocate()` it.
struct CSVSpanWriter {
    var base: UnsafeMutablePointer<CSVFieldSpan>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ span: CSVFieldSpan) {
        if count == capacity { reserve(capacity * 2) }
        (base + count).initialize(to: span)
        count += 1
    }

    @inline(never)
    mutating func reserve(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        let grown = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: minimumCapacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = minimumCapacity
    }

    func deallocate() { base.deallocate() }
}

/// What the tokenizer produces: all field spans (header record first, row-major) and the
/// starting line of each data record.
struct CSVLayout {
    var spans: CSVSpanStorage
    var rowLines: [UInt32]
    var columnCount: Int
}
