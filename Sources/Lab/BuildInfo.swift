import CGSL
import CPUGuard
/// What built this binary: DiDLab's version, the git commit and how it was compiled.
///
/// `didlab --version` prints ``line``; every JSON output carries ``json`` as its first field
/// (`"didlab": {...}`) and every written report names it, so a number can be traced to the code
/// that produced it. The commit comes from `scripts/build-info.sh`, run before each build by
/// `Plugins/BuildInfoPlugin`; a build from a tree with modified tracked files says so.
public enum BuildInfo {
    /// The release version (semantic versioning; below 1.0 the JSON contract may still change).
    public static let version = "0.9.0"

    /// The full git commit hash, or `unknown` outside a git checkout.
    public static let commit = GeneratedBuildInfo.commit

    /// Whether tracked files differed from ``commit`` when this was built.
    public static let modified = GeneratedBuildInfo.modified

    /// The commit as people write it: 12 hex digits, `+modified` when the tree was modified.
    public static var shortCommit: String {
        let short = commit == "unknown" ? commit : String(commit.prefix(12))
        return modified ? short + "+modified" : short
    }

    /// `debug` or `release`.
    public static var configuration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The CPU the code was compiled for, with the widest vectors it may use: `native`
    /// (`scripts/build-release.sh`: `-target-cpu native`, the build machine's CPU), `named`
    /// (`DIDLAB_CPU=haswell` and the like), `portable x86-64-v3` (`DIDLAB_PORTABLE=1`) or
    /// `portable` (a plain build: the x86-64 baseline), e.g. `native, AVX-512`. Results are bit-identical either way; only speed differs.
    public static var cpuTarget: String {
        #if DIDLAB_NATIVE_CPU
        let target = "native"
        #elseif DIDLAB_NAMED_CPU
        let target = "named"
        #else
        // The portable release build is x86-64-v3 and refuses older CPUs (cpu_guard.h); a plain
        // `swift build` has no guard and targets the x86-64 baseline.
        let target = didlab_cpu_guard_active() == 1 ? "portable x86-64-v3" : "portable"
        #endif
        switch cgsl_compiled_vector_bits() {
        case 512: return target + ", AVX-512"
        case 256: return target + ", AVX2"
        case 128: return target + ", SSE2"
        default: return target
        }
    }

    /// One line: `didlab 0.9.0 (commit 25dd0f6a1b2c, release, CPU: native, AVX-512)`.
    public static var line: String {
        "didlab \(version) (commit \(shortCommit), \(configuration), CPU: \(cpuTarget))"
    }

    /// The line a written Markdown report ends with.
    public static var markdownFooter: String { "\n---\nProduced by \(line).\n" }

    /// The stamp every JSON output begins with.
    public static var json: JSONValue {
        .object([("version", .string(version)), ("commit", .string(commit)), ("modified", .bool(modified)),
                 ("build", .string(configuration)), ("cpu_target", .string(cpuTarget))])
    }
}
