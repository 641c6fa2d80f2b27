import ArgumentParser
import Estimators

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

/// The wild cluster bootstrap's choices of `estimate --inference wcb`.
struct WildBootstrapOptions: ParsableArguments {
    @Option(help: "--inference wcb: weights rademacher, webb or mammen.")
    var weights: BootstrapWeights?

    @Option(help: "--inference wcb: wcr (null imposed, default) or wcu.")
    var bootstrap: BootstrapKindOption?

    @Option(help: "--inference wcb: bootstrap statistics equal to |t| are counted (count, default) or not (exclude, as boottest).")
    var ties: BootstrapTieRule?

    /// Whether any was given.
    var isGiven: Bool { weights != nil || bootstrap != nil || ties != nil }
}

/// The files `placebo` writes besides standard output.
struct PlaceboFileOptions: ParsableArguments {
    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var out: String?

    @Option(help: "Write every placebo coefficient, standard error and t to this CSV file.")
    var draws: String?

    @Option(help: "Write the placebo density plot to this SVG file.")
    var plot: String?
}
