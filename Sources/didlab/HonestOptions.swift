import ArgumentParser
import Estimators
import Lab

/// `--honest rm:M̄1,…|sd:M1,…` and `--honest-target`: HonestDiD's sensitivity analysis of an event study.
struct HonestOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "HonestDiD robust sets for --method event: rm:Mbar1,Mbar2,... (relative magnitudes, C-LF) or sd:M1,M2,... (smoothness, FLCI).",
        discussion: "Rambachan & Roth (2023) with R HonestDiD's defaults; prints each bound's set, the original "
            + "interval and the breakdown value (JSON: the \"honest\" object)."))
    var honest: String?

    @Option(help: "HonestDiD target: first (default, e+0: R's l_vec), average (of the post periods) or e+K.")
    var honestTarget: String?

    /// The parsed bounds and target; nil without `--honest`.
    func parsed() throws -> (restrictions: [HonestDiD.Restriction], target: HonestDiD.Target)? {
        guard let honest else {
            if honestTarget != nil { throw ValidationError("--honest-target applies only with --honest") }
            return nil
        }
        let restrictions: [HonestDiD.Restriction], target: HonestDiD.Target
        do { restrictions = try HonestDiD.parseRestrictions(honest) } catch { throw ValidationError("--honest: \(error)") }
        do { target = try honestTarget.map { try HonestDiD.Target(parsing: $0) } ?? .firstPost } catch {
            throw ValidationError("--honest-target: \(error)")
        }
        return (restrictions, target)
    }

    /// Checks the combination with the rest of `estimate`'s options.
    func check(method: String, inference: InferenceSpec.Family, format: ReportFormat, by: String?) throws {
        guard try parsed() != nil else { return }
        if method != "event" { throw ValidationError("--honest applies only to --method event, got --method \(method)") }
        if inference == .wcb { throw ValidationError("--honest needs the event study's covariance: not with --inference wcb") }
        if format != .table && format != .json { throw ValidationError("--honest supports --format table or json, got \(format.rawValue)") }
        if by != nil { throw ValidationError("--honest cannot be combined with --by") }
    }

    /// The event study's report with HonestDiD's analysis at `level` (α = 1 − level).
    func report(_ estimate: Estimate, panel: Panel, level: Double, format: ReportFormat) throws -> String? {
        guard let (restrictions, target) = try parsed() else { return nil }
        let analysis: HonestDiDAnalysis
        do {
            // α to 12 decimals, so 0.95 gives 0.05 and not 1 − 0.95 = 0.050000000000000044.
            let alpha = ((1 - level) * 1e12).rounded() / 1e12
            analysis = try HonestDiDAnalysis(estimate: estimate, restrictions: restrictions, target: target, alpha: alpha)
        } catch let error as HonestDiDError {
            throw ValidationError("--honest: \(error)")
        }
        return estimate.report(panel: panel, level: level, honest: analysis, format: format)
    }
}
