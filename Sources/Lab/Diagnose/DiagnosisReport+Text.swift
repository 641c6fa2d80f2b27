import Foundation

extension DiagnosisReport {
    /// The terminal table: the design, the calibration, per source a row per method (size, power
    /// raw/size-adjusted at each effect, MDE), then the verdict and the notes.
    public func table() -> String {
        lines(markdown: false).joined(separator: "\n") + "\n"
    }

    /// The Markdown report (`--format markdown`, and `report.md` under `--out`).
    public func markdown() -> String {
        lines(markdown: true).joined(separator: "\n") + "\n"
    }

    private func lines(markdown: Bool) -> [String] {
        let f = Self.format
        var out: [String] = []
        let cohorts = data.cohorts.map { "\($0.cohort): \($0.units)" }.joined(separator: ", ")
        out.append(markdown ? "# Design diagnosis" : "Design diagnosis")
        out.append("")
        out.append("Panel: \(data.nUnits) units × \(data.nPeriods) periods (\(data.nObs) rows); cohorts \(cohorts); "
                   + "clusters: \(data.cluster) (\(data.clusters))"
                   + (data.level.map { "; level: \($0) (\(data.levelGroups ?? 0) groups)" } ?? "")
                   + "; outcome SD \(f(data.outcomeSd)).")
        if let c = calibration {
            func text(_ name: String, _ p: Parameter) -> String {
                "\(name) \(f(p.estimate)) [\(f(p.low)), \(f(p.high))]" + (p.used != p.estimate ? " (used: \(f(p.used)))" : "")
            }
            out.append("")
            out.append("Calibrated errors (\(c.sample), \(c.units) × \(c.periods); 95% jackknife intervals over "
                       + "\(c.jackknifeBlocks) blocks): " + ([text("rho", c.rho)]
                    + (data.level == nil ? [] : [text("level share", c.levelShare)])
                    + [text("sigma", c.sigma), text("unit variance SD", c.unitVarianceSd)]).joined(separator: ", ") + ".")
            for check in c.checks {
                out.append("  check: \(check.statistic): data \(f(check.data)), model \(f(check.model))")
            }
        }
        out.append("")
        out.append("Effects (outcome units): " + effects.dropFirst().map(f).joined(separator: ", ")
                   + "; α = \(f(alpha)); seed \(seed.value).")
        for source in sources {
            out.append("")
            out.append((markdown ? "## " : "") + "Source: \(source.source), \(source.replications) replications")
            out.append((markdown ? "" : "  ") + "Sample: \(source.sample).")
            out.append("")
            let (header, rows) = sourceTable(source)
            out += markdown ? Self.markdownTable(header, rows) : Self.alignedTable(header, rows)
            if !markdown { out.append("  power columns: raw/size-adjusted rejection rates") }
        }
        out.append("")
        out.append(markdown ? "## Verdict" : "Verdict")
        for line in verdict {
            out.append("- \(line.source): \(line.finding)")
        }
        if !notes.isEmpty {
            out.append("")
            out.append(markdown ? "## Notes" : "Notes")
            for note in notes { out.append("- " + note) }
        }
        return out
    }

    /// One source's table, as the text reports print it: per method its size ± MCSE, design
    /// size, whether it holds its size, raw/size-adjusted power at each effect, MDE with its Monte
    /// Carlo interval, MDE in within SDs, bias at 0 and at the largest effect, coverage at 0.
    public func sourceTable(_ source: SourceResult) -> (header: [String], rows: [[String]]) {
        let f = Self.format
        // Rates and their MCSE with three decimals, so the columns stay narrow.
        func r(_ value: Double) -> String { value.isFinite ? String(format: "%.3f", value) : "–" }
        let header = ["method", "size ± MCSE", "design", "holds"] + effects.dropFirst().map { "power@\(f($0))" }
            + ["MDE [MC interval]", "MDE/SD", "bias@0", "bias@\(f(effects.last ?? 0))", "cover@0"]
        var rows: [[String]] = []
        for method in source.methods {
            let verdict = verdict.first { $0.source == source.source && $0.method == method.name }
            var row = [method.name, "\(r(method.size.rejection)) ± \(r(method.size.mcse))", r(method.size.designSize),
                       verdict.map { $0.holdsSize ? "yes" : "NO" } ?? "–"]
            row += method.power.map { "\(r($0.rejection))/\(r($0.sizeAdjusted))" }
            if let mde = method.mde {
                row.append("\(f(mde.effect)) [\(mde.low.map(f) ?? "–"), \(mde.high.map(f) ?? "> grid")]")
                row.append(f(mde.effectInSD))
            } else {
                row += [method.kind == "pretest" ? "(pre-test)" : method.size.rejection.isFinite && method.size.rejection < 1
                        ? "> grid" : "–", "–"]
            }
            row.append(method.bias.first.map { "\(f($0.bias))" } ?? "–")
            row.append(method.bias.count > 1 ? method.bias.last.map { "\(f($0.bias))" } ?? "–" : "–")
            row.append(method.coverage.first.map { r($0.coverage) } ?? "–")
            rows.append(row)
        }
        return (header, rows)
    }

    static func alignedTable(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { c in ([header] + rows).map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, widths[c] - cell.count)) + cell
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    static func markdownTable(_ header: [String], _ rows: [[String]]) -> [String] {
        ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
            + rows.map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
    }
}
