import ArgumentParser
import Estimators

/// The options of `--inference conley` (Conley 1999 spatial HAC): the distance cutoff, the kernel
/// and the serial lags within units. The units' locations come from `--coords X,Y` (a plane,
/// cutoff in its units) or `--latlon LAT,LON` (degrees, cutoff in km).
struct ConleyOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "Conley: distance cutoff (km with --latlon, the plane's units with --coords); pairs farther apart get no weight.")
    var cutoff: Double?

    @Option(help: "Conley: spatial kernel, bartlett (default: 1 - d/cutoff) or uniform (1 within the cutoff).")
    var kernel: ConleyKernel.Shape?

    @Option(parsing: .unconditional,
            help: "Conley: serial lags within a unit, Bartlett-weighted 1 - l/(L+1) (default 0: spatial pairs within a period only).")
    var lag: Int?

    /// Whether any Conley option was given.
    var isGiven: Bool { cutoff != nil || kernel != nil || lag != nil }

    /// Checks the options: required with `--inference conley`, refused otherwise.
    func validate(conley: Bool) throws {
        guard conley else {
            if isGiven { throw ValidationError("--cutoff, --kernel and --lag apply only to --inference conley") }
            return
        }
        guard let cutoff else {
            throw ValidationError("--inference conley needs --cutoff D (km with --latlon, the plane's units with --coords)")
        }
        guard cutoff.isFinite && cutoff > 0 else {
            throw ValidationError("--cutoff must be a positive finite distance, got \(cutoff)")
        }
        if let lag, lag < 0 || lag > 10_000 { throw ValidationError("--lag must be a whole number from 0 to 10000, got \(lag)") }
        // Whatever else ConleyKernel refuses is refused here too, never turned into another variance.
        do { _ = try ConleyKernel(cutoff: cutoff, shape: kernel ?? .bartlett, lags: lag ?? 0) } catch {
            throw ValidationError("--inference conley: \(error)")
        }
    }

    /// The kernel (nil until validated).
    var conleyKernel: ConleyKernel? {
        cutoff.flatMap { try? ConleyKernel(cutoff: $0, shape: kernel ?? .bartlett, lags: lag ?? 0) }
    }
}

extension ConleyKernel.Shape: ExpressibleByArgument {}
