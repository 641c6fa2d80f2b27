import Foundation
import Testing
import Estimators
@testable import Lab

/// A small, self-contained data source for runner tests: a balanced panel with a constant
/// effect and iid noise drawn from DiDLab's random streams (stream (seed, condition, r)).
struct ToySource: ReplicationSource {
    let seed: UInt64
    let effects: [Double]
    let units = 40, periods = 6
    var conditionCount: Int { effects.count }
    func conditionName(_ condition: Int) -> String { "effect=\(effects[condition])" }
    func conditionParameters(_ condition: Int) -> [(String, Double)] { [("effect", effects[condition])] }
    func streamKey(condition: Int, replication: Int) -> UInt64 {
        RandomStream.key(seed: seed &+ UInt64(condition), replication: UInt64(replication), purpose: 1)
    }
    func replicate(condition: Int, replication: Int) throws -> ReplicationData {
        let stream = RandomStream(key: streamKey(condition: condition, replication: replication))
        var unit: [Int32] = [], period: [Int32] = [], y: [Double] = []
        var adoption = [Int32](repeating: Panel.neverTreated, count: units)
        for i in 0..<units / 4 { adoption[i] = 3 }
        for i in 0..<units {
            let alpha = stream.normal()
            for t in 0..<periods {
                unit.append(Int32(i)); period.append(Int32(t))
                y.append(alpha + 0.1 * Double(t) + (t >= Int(adoption[i]) ? effects[condition] : 0) + stream.normal())
            }
        }
        let panel = try Panel(unitIndex: unit, periodIndex: period, unitCount: units, periodCount: periods,
                              outcomeName: "y", outcome: y, adoptionPeriod: adoption, unitName: "unit")
        return ReplicationData(panel: panel, truth: ["att": effects[condition]])
    }
}

/// The runner's determinism and durability. Oracles: the serial single-shard run (bit-identical
/// records and report), and MCSE-based tolerances for the statistical checks.
@Suite("Monte Carlo runner")
struct MonteCarloRunnerTests {
    static let methods: [any MethodEvaluator] = [
        EstimatorMethod(entry: EstimatorRegistry.standard, settings: EstimatorSettings(variance: .cluster("unit")), target: "att"),
        EstimatorMethod(entry: EstimatorRegistry.standard, settings: EstimatorSettings(variance: .iid), target: "att"),
    ]

    static func runner(replications: Int) -> MonteCarloRunner {
        MonteCarloRunner(source: ToySource(seed: 7, effects: [0, 0.5]), methods: methods,
                         replications: replications, alpha: 0.05)
    }

    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString).csv").path
    }

    static func run(replications: Int, threads: Int, shard: MonteCarloRunner.Shard = .all, blockSize: Int = 16,
                    path: String = temporaryFile(), resume: Bool = false) throws -> [ReplicationRecord] {
        let (file, existing) = try RecordFile.open(path: path, resume: resume, methodsPerTask: methods.count)
        return try runner(replications: replications).run(file: file, existing: existing, shard: shard,
                                                          threads: threads, blockSize: blockSize)
    }

    static func sorted(_ records: [ReplicationRecord]) -> [ReplicationRecord] {
        records.sorted { ($0.condition, $0.replication, $0.method) < ($1.condition, $1.replication, $1.method) }
    }

    static func report(_ records: [ReplicationRecord], replications: Int) -> String {
        let summary = RunSummary(experiment: "toy", replications: replications, seed: 7, alpha: 0.05,
                                 conditionNames: ["a", "b"], conditionParameters: [[], []],
                                 methods: methods.map { ("m", $0.estimatorName, $0.inferenceName, $0.target) },
                                 records: records)
        return RunReport(summary).json().rendered()
    }

    @Test func identicalForAnyThreadCount() throws {
        let one = Self.sorted(try Self.run(replications: 40, threads: 1))
        for threads in [2, 8] {
            let many = Self.sorted(try Self.run(replications: 40, threads: threads))
            #expect(many.count == one.count && many == one, "threads \(threads)")
        }
    }

    @Test func shardsMergeToTheSingleRun() throws {
        let single = try Self.run(replications: 30, threads: 2)
        for count in [3, 7] {
            var merged: [ReplicationRecord] = []
            for index in 0..<count {
                merged += try Self.run(replications: 30, threads: 2, shard: .init(index: index, count: count))
            }
            #expect(merged.count == single.count && Self.sorted(merged) == Self.sorted(single), "\(count) shards")
            #expect(Self.report(merged, replications: 30) == Self.report(single, replications: 30))
        }
    }

    @Test func resumeAfterATornWriteRecomputesNothingFinished() throws {
        let path = Self.temporaryFile()
        let full = try Self.run(replications: 20, threads: 2)
        // Write the first 25 records, then half a line, as a crash would leave them.
        let head = Self.sorted(full).prefix(25)
        var text = ReplicationRecord.header + "\n" + head.map(\.csvLine).joined(separator: "\n") + "\n"
        text += String(Self.sorted(full)[25].csvLine.prefix(12))
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (_, existing) = try RecordFile.open(path: path, resume: true, methodsPerTask: 2)
        #expect(existing.count == 24, "the half-finished task 12 is cut, with the torn line")
        let resumed = try Self.run(replications: 20, threads: 2, path: path, resume: true)
        #expect(resumed.count == full.count && Self.sorted(resumed) == Self.sorted(full))
        let (onDisk, _) = try RecordFile.read(path: path)
        #expect(onDisk.count == full.count && Self.sorted(onDisk) == Self.sorted(full), "file holds every record exactly once")
    }

    @Test func coverageOfCR1NearNominal() throws {
        // 400 replications: coverage MCSE = √(.95·.05/400) ≈ 0.011; tolerance 4 MCSE.
        let records = try Self.run(replications: 400, threads: 2, blockSize: 128)
        let summary = RunSummary(experiment: "toy", replications: 400, seed: 7, alpha: 0.05,
                                 conditionNames: ["a", "b"], conditionParameters: [[], []],
                                 methods: Self.methods.map { ("m", $0.estimatorName, $0.inferenceName, $0.target) },
                                 records: records)
        for condition in summary.conditions {
            let cr1 = condition.results[0].measures
            #expect(abs(cr1.coverage - 0.95) < 4 * (0.95 * 0.05 / 400).squareRoot(), "\(condition.name): \(cr1.coverage)")
            #expect(abs(cr1.bias) < 4 * cr1.biasMCSE, "\(condition.name): unbiased")
        }
    }
}
