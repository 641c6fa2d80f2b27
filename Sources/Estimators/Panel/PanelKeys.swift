/// Maps unit or cluster labels to dense indices in sorted order.
///
/// When every label is a number, labels are keys by value (`7`, `7.0` and `07` are one unit, as
/// when a statistics package reads the column as numeric) and sorted numerically; otherwise they
/// are keys by text and sorted as text. Numbers beyond 2⁵³ in magnitude are not exact in `Double`,
/// so a column holding one is keyed by text: two long identifiers are never merged by rounding.
/// The label kept for a key is its first spelling in the file.
struct LabelIndexer {
    let labels: [String]
    let index: [Int32]

    init(labels raw: [String]) {
        var lookup: [String: Int32] = [:]
        var distinct: [String] = []
        var firstPass = [Int32](); firstPass.reserveCapacity(raw.count)
        for label in raw {
            if let found = lookup[label] { firstPass.append(found); continue }
            let new = Int32(truncatingIfNeeded: distinct.count)
            lookup[label] = new
            distinct.append(label)
            firstPass.append(new)
        }
        let numbers = distinct.map(LabelIndexer.exactNumber)
        let numeric = numbers.allSatisfy { $0 != nil }
        // Key of each distinct spelling: its value when numeric, else itself.
        var keyOf = [Int](repeating: 0, count: distinct.count)
        var keySpelling: [Int] = []      // first distinct spelling of each key
        if numeric {
            var byValue: [Double: Int] = [:]
            for (k, number) in numbers.enumerated() {
                let value = number ?? 0
                if let key = byValue[value] { keyOf[k] = key; continue }
                byValue[value] = keySpelling.count
                keyOf[k] = keySpelling.count
                keySpelling.append(k)
            }
        } else {
            keyOf = Array(distinct.indices)
            keySpelling = Array(distinct.indices)
        }
        let order = Array(keySpelling.indices).sorted { a, b in
            if numeric { return (numbers[keySpelling[a]] ?? 0) < (numbers[keySpelling[b]] ?? 0) }
            return distinct[keySpelling[a]] < distinct[keySpelling[b]]
        }
        var rank = [Int32](repeating: 0, count: keySpelling.count)
        for (position, key) in order.enumerated() { rank[key] = Int32(truncatingIfNeeded: position) }
        labels = order.map { distinct[keySpelling[$0]] }
        index = firstPass.map { rank[keyOf[Int($0)]] }
    }

    /// The label's value when it is a plain decimal number exactly representable as an
    /// identifier (finite, at most 2⁵³ in magnitude); nil for text, hexadecimal, `inf` or `nan`.
    static func exactNumber(_ label: String) -> Double? {
        guard !label.isEmpty, label.utf8.allSatisfy({ byte in
            (byte >= 48 && byte <= 57) || byte == 43 || byte == 45 || byte == 46 || byte == 69 || byte == 101
        }), let value = Double(label), value.isFinite, abs(value) <= 9_007_199_254_740_992 else { return nil }
        return value
    }
}

/// The periods of a panel: every time value read by ``PeriodValue``, one kind per column,
/// dense indices in order of value, and canonical labels (so `2004` and `2004.0` are one period).
struct PeriodIndexer {
    let kind: PeriodKind
    /// Canonical label of each period, in order.
    let labels: [String]
    /// Ordinal of each period, in order.
    let ordinals: [Int]
    /// Period index of each input value.
    let index: [Int32]

    /// Why a time value was refused: its position in the input and the reason.
    struct Rejection: Error {
        let position: Int
        let reason: String
    }

    /// Reads `values` (trimmed field texts).
    /// - Throws: ``Rejection`` at the first value that is not a period, or whose kind differs
    ///   from the first value's.
    init(values: [String]) throws(Rejection) {
        var parsed = [Int](); parsed.reserveCapacity(values.count)
        var kind: PeriodKind?
        // A panel repeats a few period texts many times: each distinct text is parsed once.
        var known: [String: PeriodValue] = [:]
        for (position, text) in values.enumerated() {
            let value: PeriodValue
            if let cached = known[text] {
                value = cached
            } else {
                guard let parsed = PeriodValue(parsing: Substring(text)) else {
                    throw Rejection(position: position, reason: PeriodValue.problem(with: Substring(text)))
                }
                if known.count < 4096 { known[text] = parsed }
                value = parsed
            }
            if let kind, kind != value.kind {
                throw Rejection(position: position,
                                reason: "expected \(kind.expectation), as in the rest of the column")
            }
            kind = value.kind
            parsed.append(value.ordinal)
        }
        let distinct = Array(Set(parsed)).sorted()
        var rank: [Int: Int32] = [:]
        for (position, ordinal) in distinct.enumerated() { rank[ordinal] = Int32(truncatingIfNeeded: position) }
        let resolved = kind ?? .integer
        self.kind = resolved
        self.ordinals = distinct
        self.labels = distinct.map { resolved.label(ofOrdinal: $0) }
        self.index = parsed.map { rank[$0] ?? 0 }
    }
}

/// Places cohort values (first treated periods) on the panel's period grid.
struct PeriodGrid {
    enum Placement: Equatable {
        /// A period of the panel.
        case exact(Int32)
        /// Between two observed periods: the first period after it (the first one observed treated).
        case nextPeriod(Int32)
        /// Before the first period, at this (negative) index of an evenly spaced grid.
        case beforeStart(Int32)
        /// Before the first period and between two points of the extrapolated grid: the next one.
        case beforeStartRounded(Int32)
        /// After the last period.
        case afterEnd
        /// Before the first period of an unevenly spaced grid: no index can be given.
        case offGrid
    }

    let ordinals: [Int]
    /// Common spacing of the periods, when evenly spaced.
    let step: Int?

    init(ordinals: [Int]) {
        self.ordinals = ordinals
        if ordinals.count >= 2 {
            let first = ordinals[1] - ordinals[0]
            step = zip(ordinals.dropFirst(), ordinals).allSatisfy { $0 - $1 == first } ? first : nil
        } else {
            step = nil
        }
    }

    /// Where first-treated period `ordinal` falls. Ordinals are bounded (see ``PeriodKind``), so
    /// every index fits `Int32`.
    func place(_ ordinal: Int) -> Placement {
        guard let first = ordinals.first, let last = ordinals.last else { return .offGrid }
        if ordinal > last { return .afterEnd }
        if ordinal >= first {
            var low = 0, high = ordinals.count - 1       // first period at or after `ordinal`
            while low < high {
                let middle = (low + high) / 2
                if ordinals[middle] < ordinal { low = middle + 1 } else { high = middle }
            }
            let index = Int32(truncatingIfNeeded: low)
            return ordinals[low] == ordinal ? .exact(index) : .nextPeriod(index)
        }
        guard let step, step > 0 else { return .offGrid }
        // The first grid point at or after `ordinal`, extrapolating the grid backwards.
        let periodsBefore = (first - ordinal) / step
        guard periodsBefore > 0 else { return .nextPeriod(0) }
        guard let index = Int32(exactly: -periodsBefore) else { return .offGrid }
        return (first - ordinal) % step == 0 ? .beforeStart(index) : .beforeStartRounded(index)
    }
}
