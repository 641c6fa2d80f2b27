/// When clustered inference cannot be trusted, in words: one rule for every estimator.
///
/// Cluster-robust variances are consistent as the number of clusters grows; with few clusters,
/// or few clusters holding treated observations, CR1 tests over-reject, and with a single treated
/// cluster no cluster-robust variance is valid (Cameron, Gelbach & Miller 2008; Conley & Taber
/// 2011; MacKinnon & Webb 2017). The rule: a note when the clustering has fewer than
/// ``fewClusters`` clusters or fewer than ``fewTreatedClusters`` treated clusters, and a stronger
/// note when exactly one cluster is treated. Treated clusters are those holding at least one
/// treated observation.
public enum ClusterAdequacy {
    /// Below this many clusters, clustered inference is flagged (the usual rule of thumb).
    public static let fewClusters = 10
    /// Below this many treated clusters, clustered inference is flagged.
    public static let fewTreatedClusters = 10

    /// Counts of a clustering: all clusters and those holding a treated observation.
    public struct Counts: Sendable, Equatable {
        /// Number of clusters.
        public let clusters: Int
        /// Number of clusters with at least one treated observation.
        public let treatedClusters: Int
    }

    /// The counts for clustering `name` of `panel`; nil when the panel has no such clustering.
    public static func counts(panel: Panel, clustering name: String) -> Counts? {
        guard let clustering = panel.clusterings[name] else { return nil }
        var treated = [Bool](repeating: false, count: clustering.count)
        for row in 0..<panel.observationCount where panel.isTreated(row: row) {
            treated[Int(clustering.index[row])] = true
        }
        return Counts(clusters: clustering.count, treatedClusters: treated.count(where: { $0 }))
    }

    /// What to tell a user whose inference clusters by `name`: nothing when the counts are
    /// comfortable. `bootstrap` is true when the inference is already the wild cluster bootstrap,
    /// which is flagged only when one cluster is treated.
    public static func notes(panel: Panel, clustering name: String, bootstrap: Bool = false) -> [String] {
        guard let counts = counts(panel: panel, clustering: name) else { return [] }
        let g = counts.clusters, treated = counts.treatedClusters
        if treated == 1 {
            return ["inference rests on 1 treated cluster of \(g) (clusters: \(name)): no cluster-robust variance, "
                    + "nor the wild cluster bootstrap, is reliable with a single treated cluster (Conley & Taber 2011; "
                    + "MacKinnon & Webb 2017); use a randomization (placebo) test"]
        }
        guard !bootstrap, g < fewClusters || treated < fewTreatedClusters else { return [] }
        return ["inference rests on \(g) clusters, \(treated) of them treated (clusters: \(name)): with fewer than "
                + "about \(fewClusters) clusters or treated clusters, CR1 tests tend to over-reject (Cameron, Gelbach "
                + "& Miller 2008; MacKinnon & Webb 2017); check with the wild cluster bootstrap or a placebo test"]
    }
}
