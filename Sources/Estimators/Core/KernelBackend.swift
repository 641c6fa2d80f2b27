import Foundation

/// Which implementation of the regression kernels runs: the within transformation, the cross
/// products `X̃'X̃`, the residuals and the sandwich's meat (see Documentation/Kernels.md).
///
/// The choice is made once, where a ``TwoWayWithin`` is created, and travels with it: a
/// ``DemeanedDesign`` built on it, the normal equations and the residual moments of that design
/// all use the same backend. Nothing else chooses kernels.
///
/// - ``fast``: today's kernels, chosen by the panel's shape (balanced rows of at most 16 periods
///   in SIMD registers, the fused demean-and-Gram pass, indicator cross products, the
///   no-stored-residuals moment pass). The default; every committed number comes from it.
/// - ``reference``: plain loops that state the maths (``ReferenceWithin``, ``ReferenceKernels``),
///   the same for every shape. Slower; it exists so that the fast kernels have an oracle that
///   shares none of their shape dispatch, and so the whole test suite can run on it.
public enum KernelBackend: String, Sendable, CaseIterable {
    /// The shape-dispatched SIMD kernels.
    case fast
    /// The plain reference loops.
    case reference

    /// Name of the environment variable that sets ``processDefault``.
    public static let environmentVariable = "DIDLAB_KERNELS"

    /// The backend of every ``TwoWayWithin`` that is not given one explicitly: the value of
    /// `DIDLAB_KERNELS` (`fast` or `reference`; unset or empty means `fast`), read once, at the
    /// first use. An unknown value is refused, never replaced by the default: the process writes
    /// one line to stderr naming the variable and the values expected, and exits with status 1.
    /// (A command-line tool can check the variable up front with ``fromEnvironment()``.)
    ///
    /// Tests that compare the backends pass one explicitly instead of changing this (tests run
    /// in parallel, and Dispatch worker threads do not inherit task-local values).
    public static let processDefault: KernelBackend = {
        switch fromEnvironment() {
        case .success(let backend): return backend
        case .failure(let error):
            FileHandle.standardError.write(Data(("didlab: error: " + error.description + "\n").utf8))
            exit(1)
        }
    }()

    /// The backend `DIDLAB_KERNELS` names (``fast`` when it is unset or empty).
    public static func fromEnvironment() -> Result<KernelBackend, KernelBackendError> {
        parse(ProcessInfo.processInfo.environment[environmentVariable])
    }

    /// The backend named by `value` (a setting of `DIDLAB_KERNELS`); nil or empty means ``fast``.
    public static func parse(_ value: String?) -> Result<KernelBackend, KernelBackendError> {
        guard let value, !value.isEmpty else { return .success(.fast) }
        guard let backend = KernelBackend(rawValue: value) else { return .failure(KernelBackendError(value: value)) }
        return .success(backend)
    }
}

/// An unknown value of `DIDLAB_KERNELS`.
public struct KernelBackendError: Error, Equatable, CustomStringConvertible {
    /// The value found.
    public let value: String

    /// One line for the user.
    public var description: String {
        "\(KernelBackend.environmentVariable)='\(value)' is not a kernel backend; expected "
            + KernelBackend.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ") + " (or unset for 'fast')"
    }
}
