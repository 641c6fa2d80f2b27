import Estimators

/// The replications of a diagnosis: every source (placebo laws, calibrated model) at every effect
/// δ of the grid, as conditions of the lab's runner.
///
/// Condition `c` is effect `c / S` of source `c % S` (effect-major, so the δ = 0 conditions come
/// first and a pilot run of them is the start of the full run). Replication r of a source uses
/// the same stream at every effect (common random numbers): the same placebo calendar, or the
/// same simulated errors, shifted by δ; so the power curve's differences carry less Monte Carlo
/// noise, and a size-adjusted critical value applies to the same draws it was taken from.
public struct DiagnosisSource: ReplicationSource {
    /// One source of replications.
    public enum Source: Sendable {
        /// The real outcome under placebo adoption calendars.
        case placeboLaws(PlaceboLaws)
        /// The calibrated model on the real design.
        case model(CalibratedModel)

        /// `placebo-laws` or `model`, as JSON names it.
        public var name: String {
            switch self {
            case .placeboLaws: return "placebo-laws"
            case .model: return "model"
            }
        }
    }

    /// The sources, in report order.
    public let sources: [Source]
    /// The effects, `effects[0] == 0`.
    public let effects: [Double]
    /// Master seed.
    public let seed: UInt64
    /// How the effect is laid on the treated cells.
    public let profile: EffectProfile

    /// The real panel's notes (rows dropped, cohorts assumed), for a run spec's reports.
    public var dataNotes: [String] = []
    /// Whether replications of the constant profile carry their δ = 0 draw (``EffectShift``);
    /// false makes every method refit at every δ (the tests' comparison).
    var shiftsBaselines = true

    /// Creates the source.
    public init(sources: [Source], effects: [Double], seed: UInt64, profile: EffectProfile = .constant) {
        self.sources = sources
        self.effects = effects
        self.seed = seed
        self.profile = profile
    }

    public var conditionCount: Int { sources.count * effects.count }

    /// The source and effect of condition `c`.
    public func split(_ condition: Int) -> (source: Int, effect: Int) {
        (condition % sources.count, condition / sources.count)
    }

    public func conditionName(_ condition: Int) -> String {
        let (s, e) = split(condition)
        return "\(sources[s].name), effect=\(effects[e])"
    }

    public func conditionParameters(_ condition: Int) -> [(String, Double)] {
        [("effect", effects[split(condition).effect])]
    }

    /// The same key at every effect: purpose 16 + source index, so the sources never share draws.
    public func streamKey(condition: Int, replication: Int) -> UInt64 {
        RandomStream.key(seed: seed, replication: UInt64(replication), purpose: 16 + UInt64(split(condition).source))
    }

    public func replicate(condition: Int, replication: Int) throws -> ReplicationData {
        let (s, e) = split(condition)
        let effect = effects[e]
        let stream = RandomStream(key: RandomStream.key(seed: streamKey(condition: condition, replication: replication),
                                                        replication: 0, purpose: RandomStream.Purpose.data.rawValue))
        // A constant effect is laid on the δ = 0 draw here, so the methods that can shift their
        // baseline result by δ (EffectShift) see the baseline too; the panel is the one the source
        // draws at δ (the same additions to the same numbers).
        let shifts = profile == .constant && shiftsBaselines
        let drawEffect = shifts ? 0 : effect
        let drawn: (panel: Panel, truth: [String: Double])
        switch sources[s] {
        case .placeboLaws(let laws):
            var scratch = AssignmentScratch(for: laws.plan)
            drawn = try laws.draw(stream, scratch: &scratch, effect: drawEffect, profile: profile)
        case .model(let model):
            drawn = try model.draw(stream, effect: drawEffect, profile: profile)
        }
        guard shifts else { return ReplicationData(panel: drawn.panel, truth: drawn.truth) }
        let baseline = drawn.panel
        var outcome = baseline.outcome
        let truth = profile.apply(effect, to: &outcome, panel: baseline, adoption: baseline.adoptionPeriod)
        let panel = effect == 0 ? baseline : try baseline.replacing(outcome: outcome, adoption: baseline.adoptionPeriod)
        return ReplicationData(panel: panel, truth: truth, effectShift: EffectShift(baseline: baseline, effect: effect))
    }
}
