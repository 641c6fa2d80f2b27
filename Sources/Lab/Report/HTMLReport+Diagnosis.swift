import Foundation

extension HTMLReport {
    /// The page of a `didlab diagnose` directory: the question and the design as the data give
    /// it, the inputs, the verdict first, the figures, one table per source (the rows of
    /// ``DiagnosisReport/sourceTable(_:)``), the calibrated errors and their checks, the notes and
    /// the provenance.
    /// - Parameters:
    ///   - report: the diagnosis, as written to `diagnosis.json`.
    ///   - power: the target power of the MDEs.
    ///   - inputs: the diagnosis's inputs as recorded in its manifest (`data: …`, `y: …`), in order.
    ///   - figures: the power-curve figure (``DiagnosisPlot``), or others.
    public init(diagnosis report: DiagnosisReport, power: Double, inputs: [(String, String)], figures: [Figure], provenance: Provenance) {
        let f = DiagnosisReport.format
        let d = report.data
        var sections: [Section] = []
        let cohorts = d.cohorts.map { "\($0.cohort): \($0.units)" }.joined(separator: ", ")
        var design: [(String, String)] = [("panel", "\(Format.thousands(d.nUnits)) units × \(d.nPeriods) periods "
                                             + "(\(Format.thousands(d.nObs)) rows)"),
                                            ("cohorts (units)", cohorts),
                                            ("clusters", "\(d.cluster) (\(d.clusters))")]
        if let level = d.level { design.append(("level", "\(level) (\(d.levelGroups ?? 0) groups)")) }
        design += [("outcome SD", f(d.outcomeSd)), ("within SD", f(d.withinSd) + " (net of unit and period effects, untreated rows)"),
                   ("effects", report.effects.dropFirst().map(f).joined(separator: ", ") + " (outcome units, \(report.profile))"),
                   ("α", Format.significant(report.alpha, digits: 4)), ("seed", String(report.seed.value))]
        var aims: [Block] = [
            .paragraph("Is this design trustworthy on this panel? A Monte Carlo of the panel's own design (its units, "
                       + "periods, cohorts and clusters): for each method, its size without an effect, its power and "
                       + "minimum detectable effect (MDE), its bias and its coverage, and which method to use."),
            .definitions(design),
        ]
        let shownInputs = inputs.filter { !$0.1.isEmpty }
        if !shownInputs.isEmpty {
            aims.append(.preformatted(title: "Inputs, as recorded in manifest.json",
                                      text: shownInputs.map { "\($0.0): \($0.1)" }.joined(separator: "\n"), folded: true))
        }
        sections.append(Section("Aims and design", aims))
        // The verdict across sources first (the bottom line); each source's own lines folded under it.
        var verdictBlocks: [Block] = []
        func findings(_ group: String) -> Block {
            .findings(report.verdict.filter { $0.source == group }.map { line in
                let style: FindingStyle = line.recommended ? .best : line.holdsSize ? .good : .bad
                let mark = line.recommended ? "recommended" : line.holdsSize ? "holds size" : "does not hold"
                return (mark: mark, style: style, text: line.finding)
            })
        }
        if report.verdict.contains(where: { $0.source == "all" }) {
            verdictBlocks.append(.heading("Across sources"))
            verdictBlocks.append(findings("all"))
            for source in report.sources {
                verdictBlocks.append(.folded(title: "On \(source.source) alone", blocks: [findings(source.source)]))
            }
        } else {
            for source in report.sources {
                verdictBlocks.append(.heading("Source: \(source.source)"))
                verdictBlocks.append(findings(source.source))
            }
        }
        sections.append(Section("Verdict", verdictBlocks))
        if !figures.isEmpty { sections.append(Section("Figures", figures.map { .figure($0) })) }
        for source in report.sources {
            let (header, rows) = report.sourceTable(source)
            sections.append(Section("Source: \(source.source)", [
                .paragraph("Sample: \(source.sample). \(source.replications) replications per effect."),
                .table(Table(caption: "\(source.source): size, power, MDE, bias and coverage by method", headers: header,
                             rows: rows, note: "size ± MCSE: rejection rate without an effect; design: the test's exact size "
                                + "under exchangeability; holds: size ≤ design + 2 MCSE; power@δ: raw/size-adjusted rejection "
                                + "rates at effect δ; MDE: the effect reaching power \(f(power)) with its Monte "
                                + "Carlo interval; MDE/SD: in within SDs.")),
            ]))
        }
        if let c = report.calibration {
            func row(_ name: String, _ p: DiagnosisReport.Parameter) -> [String] {
                [name, f(p.estimate), f(p.stdError), "[\(f(p.low)), \(f(p.high))]", f(p.used)]
            }
            var rows = [row("rho (AR(1))", c.rho)]
            if d.level != nil { rows.append(row("level share", c.levelShare)) }
            rows += [row("sigma", c.sigma), row("unit variance SD", c.unitVarianceSd)]
            var blocks: [Block] = [
                .paragraph("Errors calibrated on \(c.sample) (\(c.units) units × \(c.periods) periods): \(c.method)."),
                .table(Table(caption: "Calibrated error parameters (95% jackknife intervals over \(c.jackknifeBlocks) blocks)",
                             headers: ["parameter", "estimate", "jackknife SE", "95% interval", "used"], rows: rows)),
            ]
            if !c.checks.isEmpty {
                blocks.append(.table(Table(caption: "Checks: the data beside the model's expectation",
                                           headers: ["statistic", "data", "model"],
                                           rows: c.checks.map { [$0.statistic, f($0.data), f($0.model)] })))
            }
            if !c.notes.isEmpty { blocks.append(.list(c.notes)) }
            sections.append(Section("Calibrated model", blocks))
        }
        sections.append(Section("Notes", [.list(report.notes)]))
        self.init(title: "Design diagnosis",
                  subtitle: "\(Format.thousands(d.nUnits)) units × \(d.nPeriods) periods · \(report.sources.count) "
                    + (report.sources.count == 1 ? "source" : "sources") + " · "
                    + "\(report.sources.first?.replications ?? 0) replications per effect · seed \(report.seed.value) · "
                    + "α = \(Format.significant(report.alpha, digits: 4))",
                  sections: sections, provenance: provenance)
    }
}
