import ArgumentParser

/// `--seed` and `--threads`: the random streams' master seed and the worker count, which never
/// changes a result.
struct StreamOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Master seed of the random streams (bootstrap, permutations).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }
}

/// `--leads` and `--lags`: an event study's window.
struct WindowOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Event study: number of pre-periods with a term (e-K..e-2; e-K binned).")
    var leads: Int?

    @Option(parsing: .unconditional, help: "Event study: number of post-periods with a term (e+0..e+L; e+L binned).")
    var lags: Int?
}
