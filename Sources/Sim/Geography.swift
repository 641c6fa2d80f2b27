import Estimators
import Foundation

/// The cities of a scenario: provinces, regions, labels and plane coordinates (km).
///
/// Cities are numbered province by province; city `i` belongs to province `province[i]`.
/// Built once per scenario by ``generate(_:)`` (or by hand, for tests).
public struct Geography: Sendable, Equatable {
    /// China's three economic regions (east = "developed").
    public enum Region: Int, Sendable, CaseIterable, Equatable {
        case east = 0, central = 1, west = 2
        /// Lower-case name used in CSV and truth.
        public var name: String { ["east", "central", "west"][rawValue] }
    }

    /// Provinces the pilot calendar needs (indices into ``provinceNames``).
    public struct PilotProvinces: Sendable, Equatable {
        /// Municipalities adopting in 2013 (Beijing, Tianjin, Shanghai).
        public var municipalities2013: [Int]
        /// The municipality adopting in 2014 (Chongqing).
        public var municipality2014: Int
        /// The 21-city province adopting in 2013 (Guangdong).
        public var province2013: Int
        /// The 12-city province adopting in 2014 (Hubei).
        public var province2014: Int
        /// The 9-city Fujian-like province.
        public var fujian: Int
        public init(municipalities2013: [Int], municipality2014: Int, province2013: Int, province2014: Int, fujian: Int) {
            self.municipalities2013 = municipalities2013; self.municipality2014 = municipality2014
            self.province2013 = province2013; self.province2014 = province2014; self.fujian = fujian
        }
    }

    /// Province of each city.
    public let province: [Int32]
    /// Province names, indexed by province.
    public let provinceNames: [String]
    /// Region of each city.
    public let region: [Region]
    /// Resource-based city labels.
    public let resourceBased: [Bool]
    /// Old-industrial-base labels.
    public let oldIndustrial: [Bool]
    /// Plane coordinates in km.
    public let x: [Double]
    /// Plane coordinates in km.
    public let y: [Double]
    /// The pilot provinces (nil for a flat geography).
    public let pilot: PilotProvinces?

    /// Number of cities.
    public var cityCount: Int { province.count }
    /// Number of provinces.
    public var provinceCount: Int { provinceNames.count }

    /// A geography given city by city (all arrays one entry per city).
    public init(province: [Int32], provinceNames: [String], region: [Region], resourceBased: [Bool],
                oldIndustrial: [Bool], x: [Double], y: [Double], pilot: PilotProvinces? = nil) {
        precondition([region.count, resourceBased.count, oldIndustrial.count, x.count, y.count].allSatisfy { $0 == province.count },
                     "every geography column needs one entry per city")
        self.province = province
        self.provinceNames = provinceNames
        self.region = region
        self.resourceBased = resourceBased
        self.oldIndustrial = oldIndustrial
        self.x = x
        self.y = y
        self.pilot = pilot
    }

    /// Euclidean distance between two cities (km).
    @inlinable
    public func distance(_ a: Int, _ b: Int) -> Double {
        let dx = x[a] - x[b], dy = y[a] - y[b]
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Cities of each province, in city order.
    public var citiesByProvince: [[Int]] {
        var out = [[Int]](repeating: [], count: provinceCount)
        for (city, p) in province.enumerated() { out[Int(p)].append(city) }
        return out
    }

    /// Draws the geography of a scenario from the stream (layoutSeed, 0, geography).
    /// - Throws: ``ScenarioError/infeasibleGeography(_:)`` when the sizes cannot be met.
    public static func generate(_ options: Scenario.GeographyOptions) throws -> Geography {
        let stream = RandomStream(seed: options.layoutSeed, replication: 0, purpose: .geography)
        switch options.kind {
        case .china: return try china(options, stream)
        case .flat: return flat(options, stream)
        }
    }

    /// Region of each of `count` provinces, `fixed` ones given, the rest shuffled to meet the shares.
    static func regions(count: Int, fixed: [Region], shares: [Double], _ stream: borrowing RandomStream) -> [Region] {
        let total = max(shares.reduce(0, +), 1e-12)
        var target = shares.map { Int(($0 / total * Double(count)).rounded()) }
        while target.reduce(0, +) > count { target[target.firstIndex(of: target.max()!)!] -= 1 }
        while target.reduce(0, +) < count { target[target.firstIndex(of: target.min()!)!] += 1 }
        for region in fixed { target[region.rawValue] = max(0, target[region.rawValue] - 1) }
        var pool: [Region] = []
        for region in Region.allCases { pool += Array(repeating: region, count: target[region.rawValue]) }
        while pool.count < count - fixed.count { pool.append(.west) }
        pool = Array(pool.prefix(count - fixed.count))
        pool.withUnsafeMutableBufferPointer { stream.shuffle($0) }
        return fixed + pool
    }

    static func china(_ options: Scenario.GeographyOptions, _ stream: borrowing RandomStream) throws -> Geography {
        let municipalityNames = ["Beijing", "Tianjin", "Shanghai", "Chongqing"]
        guard options.municipalityCount >= 4 else {
            throw ScenarioError.infeasibleGeography("a china geography needs at least 4 municipalities (got \(options.municipalityCount))")
        }
        let pilotSizes = [21, 12, 9]  // Guangdong, Hubei, Fujian
        let ordinary = options.provinceCount - options.municipalityCount - pilotSizes.count
        let remaining = options.cityCount - options.municipalityCount - pilotSizes.reduce(0, +)
        guard ordinary >= 0, remaining >= ordinary * options.minProvinceSize,
              remaining <= ordinary * options.maxProvinceSize, ordinary > 0 || remaining == 0 else {
            throw ScenarioError.infeasibleGeography(
                "\(options.cityCount) cities cannot form \(options.municipalityCount) municipalities, provinces of 21, 12 and 9 "
                + "cities and \(max(ordinary, 0)) provinces of \(options.minProvinceSize)–\(options.maxProvinceSize) cities")
        }
        // Ordinary province sizes: start at the minimum, hand out the rest one city at a time with
        // probability proportional to a lognormal propensity (so sizes spread like China's 5–21).
        var sizes = [Int](repeating: options.minProvinceSize, count: ordinary)
        let propensity = (0..<ordinary).map { _ in Foundation.exp(0.6 * stream.normal()) }
        var left = remaining - ordinary * options.minProvinceSize
        while left > 0 {
            let open = (0..<ordinary).filter { sizes[$0] < options.maxProvinceSize }
            let total = open.reduce(0.0) { $0 + propensity[$1] }
            var u = stream.uniform() * total
            var pick = open.last!
            for p in open { u -= propensity[p]; if u < 0 { pick = p; break } }
            sizes[pick] += 1
            left -= 1
        }
        var names = Array(municipalityNames)
        for k in 4..<options.municipalityCount { names.append(String(format: "M%02d", k + 1)) }
        names += ["Guangdong", "Hubei", "Fujian"]
        for _ in 0..<ordinary { names.append(String(format: "P%02d", names.count + 1)) }
        let allSizes = [Int](repeating: 1, count: options.municipalityCount) + pilotSizes + sizes
        let fixed: [Region] = [.east, .east, .east, .west] + [Region](repeating: .east, count: options.municipalityCount - 4)
            + [.east, .central, .east]
        let provinceRegion = regions(count: allSizes.count, fixed: fixed, shares: options.regionShares, stream)
        // Province centres: west x ∈ [100, 1300), central [1300, 2100), east [2100, 2900); y ∈ [100, 2400).
        let bands: [(Double, Double)] = [(2100, 800), (1300, 800), (100, 1200)]
        var province: [Int32] = [], region: [Region] = [], xs: [Double] = [], ys: [Double] = []
        for (p, size) in allSizes.enumerated() {
            let band = bands[provinceRegion[p].rawValue]
            let cx = band.0 + band.1 * stream.uniform(), cy = 100 + 2300 * stream.uniform()
            let spread = options.scatterKm * (Double(size) / 10).squareRoot()
            for _ in 0..<size {
                province.append(Int32(p))
                region.append(provinceRegion[p])
                xs.append(size == 1 ? cx : cx + spread * stream.normal())
                ys.append(size == 1 ? cy : cy + spread * stream.normal())
            }
        }
        let (resource, old) = labels(region, options, stream)
        let m = options.municipalityCount
        return Geography(province: province, provinceNames: names, region: region, resourceBased: resource,
                         oldIndustrial: old, x: xs, y: ys,
                         pilot: PilotProvinces(municipalities2013: [0, 1, 2], municipality2014: 3, province2013: m,
                                               province2014: m + 1, fujian: m + 2))
    }

    static func flat(_ options: Scenario.GeographyOptions, _ stream: borrowing RandomStream) -> Geography {
        let n = options.cityCount, p = options.provinceCount
        let provinceRegion = regions(count: p, fixed: [], shares: options.regionShares, stream)
        var province: [Int32] = [], region: [Region] = [], xs: [Double] = [], ys: [Double] = []
        let firstCity = flatGroupStarts(cities: n, groups: p, skew: options.clusterSizeSkew)
        var group = 0
        for city in 0..<n {
            while group + 1 < p && city >= firstCity[group + 1] { group += 1 }
            province.append(Int32(group))
            region.append(provinceRegion[group])
            xs.append(1000 * stream.uniform())
            ys.append(1000 * stream.uniform())
        }
        let (resource, old) = labels(region, options, stream)
        return Geography(province: province, provinceNames: (0..<p).map { String(format: "S%02d", $0 + 1) }, region: region,
                         resourceBased: resource, oldIndustrial: old, x: xs, y: ys, pilot: nil)
    }

    /// The first city of each of the `groups` groups of a flat geography: equal sizes (as
    /// `city·P/N`) when `skew` is 0, otherwise MacKinnon & Webb's (2017) sizes
    /// `⌊N·exp(γg/P) / Σ_j exp(γj/P)⌋`, g = 1…P, with the remainder given to the last group (the
    /// largest when γ > 0).
    static func flatGroupStarts(cities n: Int, groups p: Int, skew: Double) -> [Int] {
        guard skew != 0 else { return (0..<p).map { ($0 * n + p - 1) / p } }
        let weights = (1...p).map { Foundation.exp(skew * Double($0) / Double(p)) }
        let total = weights.reduce(0, +)
        var sizes = weights.map { Int((Double(n) * $0 / total).rounded(.down)) }
        sizes[p - 1] += n - sizes.reduce(0, +)
        var starts = [Int](repeating: 0, count: p)
        for g in 1..<max(p, 1) { starts[g] = starts[g - 1] + sizes[g - 1] }
        return starts
    }

    static func labels(_ region: [Region], _ options: Scenario.GeographyOptions, _ stream: borrowing RandomStream)
        -> ([Bool], [Bool]) {
        var resource: [Bool] = [], old: [Bool] = []
        for r in region {
            resource.append(stream.uniform() < options.resourceShares[r.rawValue])
            old.append(stream.uniform() < options.oldIndustrialShares[r.rawValue])
        }
        return (resource, old)
    }
}
