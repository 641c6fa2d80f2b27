import Foundation
import Lab

/// Renders benchmark results, with the Python peers side by side when they ran.
enum BenchReport {
    static func machine() -> JSONValue {
        var uts = utsname()
        uname(&uts)
        let machine = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return .object([
            ("cores", .integer(ProcessInfo.processInfo.activeProcessorCount)),
            ("memory_gib", .number((Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824).rounded())),
            ("arch", .string(machine)),
            ("cpu", .string(cpu.model)),
            ("cpu_features", .string(cpu.features)),
            ("os", .string(ProcessInfo.processInfo.operatingSystemVersionString)),
            ("build", .string(build)),
        ])
    }

    /// The CPU's model name and the vector features that select kernels' code paths (from
    /// `/proc/cpuinfo`; "unknown" elsewhere): every benchmark says which CPU it ran on, since this
    /// project's machines differ (some AVX-512, some AVX2 only).
    static var cpu: (model: String, features: String) {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return ("unknown", "unknown") }
        func field(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) == name }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let wanted = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl"]
        let features = wanted.filter(flags.contains).joined(separator: " ")
        // Virtual machines often name only the vendor ("AMD EPYC"): the family and model say the generation.
        var model = field("model name") ?? "unknown"
        if let family = field("cpu family"), let number = field("model") { model += " (family \(family), model \(number))" }
        return (model, features.isEmpty ? "none of \(wanted.joined(separator: " "))" : features)
    }

    /// How the binary was compiled: `scripts/build-release.sh` targets this machine's CPU.
    static var build: String {
        #if DEBUG
        return "debug (timings are meaningless)"
        #elseif DIDLAB_NATIVE_CPU
        return "release, -target-cpu native (scripts/build-release.sh): " + BuildInfo.cpuTarget
        #elseif DIDLAB_NAMED_CPU
        return "release, -target-cpu DIDLAB_CPU (scripts/build-release.sh): " + BuildInfo.cpuTarget
        #else
        return "release, portable baseline CPU (DIDLAB_PORTABLE=1 or plain swift build): " + BuildInfo.cpuTarget
        #endif
    }

    /// Peer median / DiDLab median: how many times faster DiDLab is.
    static func ratio(_ peer: PeersReport.Peer, _ result: WorkloadResult) -> Double { peer.timing.median / result.timing.median }

    static func peerJSON(_ peer: PeersReport.Peer, against result: WorkloadResult?) -> JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(peer.name))] + peer.timing.jsonFields
        if let result { fields.append(("ratio", .finite(ratio(peer, result)))) }
        if let note = peer.note { fields.append(("note", .string(note))) }
        if let memory = peer.memory {
            fields.append(("memory", .object(memory.keys.sorted().map { ($0, .finite(memory[$0])) })))
        }
        return .object(fields)
    }

    static func json(_ results: [WorkloadResult], data: BenchData, peers: PeersReport?, peersStatus: String) -> JSONValue {
        var top: [(String, JSONValue)] = [
            ("machine", machine()),
            ("data_dir", .string(data.directory)),
            ("workloads", .array(results.map { result in
                var fields: [(String, JSONValue)] = [
                    ("name", .string(result.name)),
                    ("description", .string(result.workload.description)),
                    ("unit", .string("s")),
                    ("didlab", .object(result.timing.jsonFields)),
                    ("throughput_per_s", .number(result.workload.itemsPerRun / result.timing.median)),
                    ("throughput_item", .string(result.workload.itemName)),
                ]
                if let memory = result.memory { fields.append(("memory", memory.json())) }
                fields.append(("peers", .array((peers?.peers(of: result.name) ?? []).map { peerJSON($0, against: result) })))
                return .object(fields)
            })),
        ]
        var environment: [(String, JSONValue)] = [("status", .string(peersStatus))]
        if let peers {
            environment += [
                ("python", .string(peers.python)),
                ("versions", .object(peers.versions.keys.sorted().map { ($0, .string(peers.versions[$0] ?? "")) })),
                ("threads", .integer(peers.settings.threads)),
                ("blas", .string(peers.settings.blas)),
                ("unset", .array(peers.settings.unset.map(JSONValue.string))),
            ]
            let names = Set(results.map(\.name))
            top.append(("peers_only", .array(peers.workloads.filter { !names.contains($0.name) }.map { workload in
                .object([("name", .string(workload.name)),
                         ("peers", .array(workload.peers.map { peerJSON($0, against: nil) }))])
            })))
            top.append(("peers_skipped", .array(peers.skipped.map {
                .object([("workload", .string($0.workload)), ("peer", .string($0.peer)), ("reason", .string($0.reason))])
            })))
        }
        top.insert(("peers_environment", .object(environment)), at: 2)
        return .object(top)
    }

    static func table(_ results: [WorkloadResult]) -> String {
        var rows = [["workload", "median", "min", "max", "runs", "throughput", "description"]]
        for r in results {
            rows.append([r.name] + r.timing.cells
                         + [String(format: "%.3g %@/s", r.workload.itemsPerRun / r.timing.median, r.workload.itemName),
                            r.workload.description])
        }
        return "\(BuildInfo.line)\nbuild: \(build)\ncpu: \(cpu.model) (\(cpu.features))\n" + Format.alignedColumns(rows, leftAligned: [0, 6])
    }

    /// DiDLab's median beside each peer's, with the ratio (peer / DiDLab).
    static func sideBySide(_ results: [WorkloadResult], peers: PeersReport) -> String {
        var rows = [["workload", "DiDLab", "peer", "peer median", "peer min", "peer max", "runs", "ratio"]]
        let names = Set(results.map(\.name))
        let entries: [(String, WorkloadResult?)] = results.map { ($0.name, $0) }
            + peers.workloads.filter { !names.contains($0.name) }.map { ($0.name, nil) }
        for (name, result) in entries {
            for (k, peer) in peers.peers(of: name).enumerated() {
                rows.append([k == 0 ? name : "", k == 0 ? (result.map { WorkloadResult.time($0.timing.median) } ?? "—") : "",
                             peer.name] + peer.timing.cells + [result.map { formatRatio(ratio(peer, $0)) } ?? "—"])
            }
        }
        var out = "Side by side (ratio = peer median / DiDLab median; python \(peers.python), "
            + "\(peers.settings.threads) thread(s), \(peers.settings.blas))\n"
        out += Format.alignedColumns(rows, leftAligned: [0, 2])
        for workload in peers.workloads {
            for peer in workload.peers {
                if let note = peer.note { out += "  \(workload.name) \(peer.name): \(note)\n" }
                if let memory = peer.memory {
                    let text = memory.keys.sorted().map { String(format: "%@ %.1f", $0, memory[$0] ?? .nan) }
                    out += "  \(workload.name) \(peer.name) memory (MiB): \(text.joined(separator: ", "))\n"
                }
            }
        }
        for skipped in peers.skipped { out += "  skipped: \(skipped.workload) \(skipped.peer): \(skipped.reason)\n" }
        return out
    }

    static func formatRatio(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return value >= 100 ? String(format: "%.0fx", value) : String(format: "%.3gx", value)
    }
}
