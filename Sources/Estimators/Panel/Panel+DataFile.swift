extension Panel {
    /// Reads a panel from a data file of any format DiDLab reads, told by its extension (see
    /// ``DataFileFormat``): Stata `.dta`, SPSS `.sav`/`.zsav` and SAS `.sas7bdat` through
    /// ``ReadStatTable`` (only the variables `spec` names are loaded), anything else as CSV
    /// (``load(csv:spec:)``). Every format goes through the same checks, drops and notes.
    /// - Throws: ``PanelError`` naming the file and the line or observation of the first problem;
    ///   ``PanelError/dataFile(_:)`` when ReadStat cannot read the file.
    public static func load(file path: String, spec: PanelSpec) throws -> Panel {
        guard DataFileFormat(path: path).isStatisticalFile else { return try load(csv: path, spec: spec) }
        let table: ReadStatTable
        do {
            table = try ReadStatTable(contentsOfFile: path, variables: spec.columnNames)
        } catch {
            throw PanelError.dataFile(error.description)
        }
        return try load(table: table, spec: spec)
    }
}

extension PanelSpec {
    /// Every column the spec names (outcome, unit, time, treatment or cohort, covariates,
    /// clusterings, regression weights).
    public var columnNames: Set<String> {
        var names: Set<String> = [outcome, unit, time]
        switch treatment {
        case .indicator(let name), .cohort(let name): names.insert(name)
        }
        names.formUnion(covariates)
        names.formUnion(clusterColumns)
        if let regressionWeights { names.insert(regressionWeights) }
        return names
    }
}
