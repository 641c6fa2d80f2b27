import ArgumentParser
import Estimators

/// `--memory`: the budget for allocations proportional to user input (draws, records).
public struct MemoryOption: ParsableArguments {
    /// Creates the option group with no `--memory` (ArgumentParser fills it in).
    public init() {}

    @Option(parsing: .unconditional, help: "Memory budget for draws and records: a size (8G, 512M) or a share of physical memory (50%). Default: half of physical memory.")
    /// The value as given (nil: the default budget).
    public var memory: String?

    /// Refuses a value that is no size or share.
    public func validate() throws {
        if let memory, MemoryBudget(parsing: memory) == nil {
            throw ValidationError("--memory expects a size such as 8G or 512M, or a share such as 50%, "
                                  + "at most the physical memory; got \(memory.quotedForMessage)")
        }
    }

    /// The budget: `--memory`, else half of physical memory.
    public var budget: MemoryBudget { memory.flatMap(MemoryBudget.init(parsing:)) ?? .default }

    /// Refuses `count` items of `bytesPerItem` bytes beyond the budget, naming `flag`.
    public func check(_ count: Int?, bytesPerItem: Double, what: String, flag: String) throws {
        guard let count else { return }
        do {
            try budget.check(count: count, bytesPerItem: bytesPerItem, what: what, role: flag)
        } catch let error as MemoryBudgetError {
            throw ValidationError(error.description + "; --memory sets the budget")
        }
    }
}
