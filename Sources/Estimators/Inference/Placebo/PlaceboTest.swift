import CGSL
import Foundation

/// A randomization-inference ("placebo") test: the statistic under many pseudo-policy
/// assignments, compared with its observed value.
///
/// **Streams.** Draws come in fixed blocks of ``drawsPerStream`` (16): block `b` (draws
/// `16b … 16b + 15`) uses the random stream `(seed, replication: b, purpose: .permutation)`
/// alone, its draws taken in order. A draw therefore depends only on (seed, its index), never on
/// the worker or thread count: results are bit-identical for any `threads`, and draw `r` can be
/// replayed from its block. (One stream per draw would be simplest, but seeding the full
/// mt19937 state costs ~1.5 µs, more than the fast path spends on a whole draw.) **Exact enumeration**: for permutation designs with at most
/// `R` distinct assignments (``AssignmentPlan/distinctAssignments``), every assignment is
/// evaluated once instead (the observed one included) and the p-values are exact.
///
/// Inside a Monte Carlo replication, call ``run(on:statistic:progress:)`` with `threads: 1`
/// (the replications are the parallel loop) and a seed derived from the replication, e.g.
/// `RandomStream.key(seed: seed, replication: replication, purpose: RandomStream.Purpose.permutation.rawValue)`.
public struct PlaceboTest: Sendable {
    /// The assignment scheme and its strata/levels.
    public var design: PlaceboDesign
    /// Number of placebo draws `R` (ignored by the fake-timing scheme).
    public var permutations: Int
    /// Master seed of the draw streams.
    public var seed: UInt64
    /// Worker threads (nil = all cores).
    public var threads: Int?
    /// p-value convention (default `(1 + c)/(1 + R)`).
    public var convention: PValueConvention
    /// Alternative hypothesis (default two-sided).
    public var alternative: PlaceboAlternative
    /// Evaluation path (default: the fastest available).
    public var path: PlaceboPath
    /// Enumerate every assignment when there are at most `R` of them (default true).
    public var allowExactEnumeration: Bool

    /// Creates a test; defaults: 1000 draws, seed 1, all cores, add-one p, two-sided.
    public init(design: PlaceboDesign = PlaceboDesign(), permutations: Int = 1000, seed: UInt64 = 1,
                threads: Int? = nil, convention: PValueConvention = .includeObserved,
                alternative: PlaceboAlternative = .twoSided, path: PlaceboPath = .automatic,
                allowExactEnumeration: Bool = true) {
        self.design = design
        self.permutations = permutations
        self.seed = seed
        self.threads = threads
        self.convention = convention
        self.alternative = alternative
        self.path = path
        self.allowExactEnumeration = allowExactEnumeration
    }

    /// Runs the test of `statistic` on `panel`.
    ///
    /// - Parameter progress: called now and then from worker threads with (done, total).
    /// - Throws: ``PlaceboError`` for bad designs or options, or the estimator's error on the
    ///   observed data. Draws whose estimate fails (e.g. a collinear placebo treatment) are
    ///   recorded as NaN, left out of the p-values and counted in ``PlaceboResult/invalidDraws``.
    public func run(on panel: Panel, statistic: any PlaceboStatistic,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> PlaceboResult {
        try panel.refuseRegressionWeights(in: "the placebo test")
        if let threads, threads < 1 { throw InvalidParameter(.threads, String(threads), "expected at least 1") }
        if case .timingShift(let shift) = design.scheme {
            return try runTiming(panel: panel, statistic: statistic, observed: try observedValue(statistic, panel),
                                 shift: shift)
        }
        guard permutations >= 1 else { throw InvalidParameter(.permutations, String(permutations), "expected at least 1") }
        let plan = try AssignmentPlan(panel: panel, design: design)
        let evaluator: any PlaceboEvaluator = try statistic.specialisedEvaluator(panel: panel, plan: plan, path: path)
            ?? ReestimationEvaluator(statistic: statistic, panel: panel)
        let observed = try evaluator.observed ?? observedValue(statistic, panel)
        let exact = allowExactEnumeration && plan.kind == .permutation
            && (plan.distinctAssignments.map { $0 <= UInt64(permutations) } ?? false)
        let count = exact ? Int(plan.distinctAssignments!) : permutations
        let loop = ResamplingLoop(count: count, drawsPerStream: PlaceboTest.drawsPerStream, seed: seed,
                                  purpose: .permutation, seeded: !exact, workers: threads)
        let values = loop.run(initial: PlaceboValue(estimate: .nan, standardError: .nan),
                              makeWorkspace: { DrawState(plan: plan, worker: evaluator.makeWorker()) },
                              progress: progress) { state, stream, draws, out in
            for draw in draws {
                if exact {
                    plan.enumerate(UInt64(draw), into: &state.scratch)
                } else {
                    plan.draw(stream, into: &state.scratch)
                }
                out[draw - draws.lowerBound] = state.worker.evaluate(&state.scratch, plan: plan)
            }
        }
        var notes = panel.notes   // what loading the data dropped or assumed, as every estimate reports it
        if exact {
            notes.append("exact: all \(count) distinct assignments enumerated (observed included); p = c/\(count)")
        }
        return PlaceboResult(statisticLabel: statistic.label, clusterName: statistic.clusterName, design: design,
                             observed: observed, estimates: values.map { $0.estimate },
                             standardErrors: values.map { $0.standardError }, requestedPermutations: permutations,
                             seed: seed, threads: loop.workers, exact: exact,
                             distinctAssignments: plan.distinctAssignments, convention: convention,
                             alternative: alternative, path: evaluator.pathName, notes: notes)
    }

    /// Draws per random stream: draw `r` uses stream `(seed, ⌊r/16⌋)` (see the type's documentation).
    public static let drawsPerStream = 16

    func observedValue(_ statistic: any PlaceboStatistic, _ panel: Panel) throws -> PlaceboValue {
        do { return try statistic.value(on: panel) } catch let error as PlaceboError { throw error } catch {
            throw PlaceboError.observedFailed("\(error)")
        }
    }

    func runTiming(panel: Panel, statistic: any PlaceboStatistic, observed: PlaceboValue, shift: Int) throws -> PlaceboResult {
        guard shift >= 1 else { throw InvalidParameter(.shift, String(shift), "expected at least 1 period") }
        let shifted = try panel.timingShifted(by: shift)
        let fake: PlaceboValue
        do { fake = try statistic.value(on: shifted) } catch {
            throw PlaceboError.observedFailed("fake timing (adoption moved \(shift) periods earlier): \(error)")
        }
        var notes = panel.notes + Array(shifted.notes.suffix(shifted.notes.count - panel.notes.count))
        notes.append("fake timing is deterministic (R = 1); p-values are the t-test of the fake-timing coefficient")
        return PlaceboResult(statisticLabel: statistic.label, clusterName: statistic.clusterName, design: design,
                             observed: observed, estimates: [fake.estimate], standardErrors: [fake.standardError],
                             requestedPermutations: 1, seed: seed, threads: 1, exact: false, distinctAssignments: nil,
                             convention: convention, alternative: alternative, path: "re-estimate", notes: notes,
                             fakeTiming: fake)
    }
}

/// One worker's workspace in the permutation loop.
final class DrawState {
    var scratch: AssignmentScratch
    let worker: any PlaceboWorker

    init(plan: AssignmentPlan, worker: any PlaceboWorker) {
        scratch = AssignmentScratch(for: plan)
        self.worker = worker
    }
}
