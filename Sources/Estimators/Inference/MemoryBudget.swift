import Foundation

/// How much memory allocations proportional to user input may take: the draws of a placebo test
/// or a bootstrap, the records of a Monte Carlo run, the terms of an event study.
///
/// Sizes that cannot fit are refused up front, in one line that says what they would need, the
/// budget and how many would fit, instead of allocating until the system kills the process. The
/// default is half of physical memory: room for the data, the program and what else the machine
/// runs. `didlab … --memory 8G` (or `50%`) changes it.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The budget in bytes.
    public let bytes: Double
    /// How it was set, for messages ("half of physical memory", "--memory 8G").
    public let origin: String

    /// A budget of `bytes`, set by `origin`.
    public init(bytes: Double, origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    /// Half of physical memory.
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: Double(ProcessInfo.processInfo.physicalMemory) / 2, origin: "half of physical memory")
    }

    /// Reads a size: bytes (`1000000`), with a binary suffix (`512K`, `800M`, `8G`, `1T`; `KiB`,
    /// `MB` and the like are read the same way), or a share of physical memory (`50%`).
    /// Returns nil for anything else, zero, or more than physical memory.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if trimmed.hasSuffix("%") {
            guard let share = Double(trimmed.dropLast()), share > 0, share <= 100 else { return nil }
            self.init(bytes: physical * share / 100, origin: "\(text) of physical memory")
            return
        }
        var number = Substring(trimmed)
        for suffix in ["IB", "B"] where number.hasSuffix(suffix) { number = number.dropLast(suffix.count); break }
        var scale = 1.0
        if let last = number.last, let power = ["K": 1.0, "M": 2.0, "G": 3.0, "T": 4.0][String(last)] {
            scale = pow(1024, power)
            number = number.dropLast()
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale <= physical else { return nil }
        self.init(bytes: value * scale, origin: "set to \(text)")
    }

    /// `8.0 GiB (half of physical memory)`.
    public var description: String { "\(MemoryBudget.format(bytes)) (\(origin))" }

    /// Checks that `count` items of `bytesPerItem` bytes fit.
    /// - Parameters:
    ///   - what: the items, for the message ("placebo draws").
    ///   - role: what sets the count ("the number of placebo draws").
    /// - Throws: ``MemoryBudgetError`` naming the need, the budget and how many fit.
    public func check(count: Int, bytesPerItem: Double, what: String, role: String) throws {
        let needed = Double(count) * bytesPerItem
        guard needed > bytes else { return }
        throw MemoryBudgetError(role: role, count: count, what: what, needed: needed, budget: self,
                                fitting: Int(min(bytes / bytesPerItem, Double(Int.max / 2))))
    }

    /// Binary units with three significant digits: `12.0 GiB`, `8.00 EiB`.
    public static func format(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
        var value = bytes, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(Int(value)) B" : String(format: value < 10 ? "%.2f %@" : value < 100 ? "%.1f %@" : "%.0f %@",
                                                       value, units[unit])
    }
}

/// A size refused by a ``MemoryBudget``.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    /// What set the size ("the number of placebo draws").
    public let role: String
    /// The size asked for.
    public let count: Int
    /// The items ("placebo draws").
    public let what: String
    /// Bytes it would need.
    public let needed: Double
    /// The budget.
    public let budget: MemoryBudget
    /// How many items fit in the budget.
    public let fitting: Int

    /// One line: the need, the budget and how many fit.
    public var description: String {
        "\(role) (\(count)) would need \(MemoryBudget.format(needed)) for the \(what); the memory budget is "
            + "\(budget), so at most \(fitting) fit (raise the budget, e.g. to 75% of physical memory)"
    }
}
