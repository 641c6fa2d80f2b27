import Foundation

/// What `scripts/bench-peers.py` prints: each peer's timing of each workload it ran.
struct PeersReport: Decodable {
    /// One peer's timing of one workload, in seconds per full workload (scaled when `note` says so).
    struct Peer: Decodable {
        let name: String
        /// Read from the same JSON object as the other fields (`median`, `min`, `max`, `runs`).
        let timing: Timing
        let note: String?
        /// Memory figures in MiB (W7), by name.
        let memory: [String: Double]?

        private enum CodingKeys: String, CodingKey { case name, note, memory }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            timing = try Timing(from: decoder)
            note = try container.decodeIfPresent(String.self, forKey: .note)
            memory = try container.decodeIfPresent([String: Double].self, forKey: .memory)
        }
    }

    struct WorkloadPeers: Decodable {
        let name: String
        let peers: [Peer]
    }

    /// A peer that was not run, and why.
    struct Skipped: Decodable {
        let workload: String
        let peer: String
        let reason: String
    }

    struct Settings: Decodable {
        let threads: Int
        let unset: [String]
        let blas: String
    }

    let python: String
    let versions: [String: String]
    let settings: Settings
    let workloads: [WorkloadPeers]
    let skipped: [Skipped]

    func peers(of workload: String) -> [Peer] { workloads.first { $0.name == workload }?.peers ?? [] }
}

/// Finds the peers' venv and script and runs the script on the Bench's data directory.
enum PeerRunner {
    static let setupHint = "create it with: bash scripts/bench/setup-peers-venv.sh (or set DIDLAB_PEERS_VENV to an existing one)"

    /// `$DIDLAB_PEERS_VENV/bin/python`, default `/opt/didlab-peers-venv/bin/python`.
    static var venvPython: String {
        let venv = ProcessInfo.processInfo.environment["DIDLAB_PEERS_VENV"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/opt/didlab-peers-venv"
        return (venv as NSString).appendingPathComponent("bin/python")
    }

    /// `scripts/bench-peers.py`, looked up in the working directory, then above the executable
    /// (`.build/<triple>/release/didlab-bench` sits four levels below the repository root).
    static func locateScript() -> String? {
        let relative = "scripts/bench-peers.py"
        var candidates = [(FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(relative)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var directory = executable.deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(directory.appendingPathComponent(relative).path)
                directory = directory.deletingLastPathComponent()
            }
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Runs the peers on `dataDirectory`; nil (after saying why on stderr) when they cannot run.
    static func run(dataDirectory: String, script: String?, quick: Bool, only: String?) -> PeersReport? {
        let python = venvPython
        guard FileManager.default.isExecutableFile(atPath: python) else {
            warn("peers: no venv at \(python); showing DiDLab's figures alone. To compare, \(setupHint)")
            return nil
        }
        guard let script = script ?? locateScript() else {
            warn("peers: cannot find scripts/bench-peers.py (run from the repository root or pass --peers-script)")
            return nil
        }
        var arguments = [script, "--data-dir", dataDirectory]
        if quick { arguments.append("--quick") }
        if let only { arguments += ["--only", only] }
        warn("peers: \(python) \(arguments.joined(separator: " "))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch {
            warn("peers: cannot start \(python): \(error.localizedDescription)")
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            warn("peers: bench-peers.py exited with status \(process.terminationStatus); showing DiDLab's figures alone")
            return nil
        }
        do {
            return try JSONDecoder().decode(PeersReport.self, from: data)
        } catch {
            warn("peers: cannot read bench-peers.py's JSON: \(error)")
            return nil
        }
    }

    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
