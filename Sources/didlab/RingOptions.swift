import ArgumentParser
import Estimators
import Foundation

/// The options of `didlab estimate --method rings | rings-2s` (Butts 2021 spillover rings).
///
/// Exactly one of `--coords X,Y` (a plane: Euclidean distance in the columns' units) or
/// `--latlon LAT,LON` (degrees: haversine great-circle distance in km) gives each unit's location;
/// the columns must be constant within units. `--rings d1,d2,…` are the band edges: ring 1 is
/// `[0, d1]`, ring j `(d_{j−1}, d_j]`, measured from the nearest other unit adopted by that period.
struct RingOptions: ParsableArguments {
    @Option(help: "Rings: plane coordinates of each unit, X,Y columns (Euclidean distance in their units).",
            transform: columnList)
    var coords: [String] = []

    @Option(help: "Rings: latitude,longitude columns in degrees (great-circle distance in km).", transform: columnList)
    var latlon: [String] = []

    @Option(help: "Rings: band edges d1,d2,... (increasing); ring j holds untreated observations at distance (d[j-1], d[j]] of the nearest adopted unit.",
            transform: RingOptions.edges)
    var rings: [Double] = []

    @Option(help: "A ring with no untreated observation: error or drop (drop its term, with a note).")
    var emptyRings: SpilloverRings.EmptyRingPolicy = .error

    /// Whether any ring option was given.
    var isGiven: Bool { !coords.isEmpty || !latlon.isEmpty || !rings.isEmpty || emptyRings != .error }

    /// Checks the options for the chosen method; `conley` (Conley standard errors) needs the
    /// coordinates but no rings.
    func validate(ringsMethod: Bool, conley: Bool = false) throws {
        if conley && !ringsMethod {
            if !rings.isEmpty || emptyRings != .error {
                throw ValidationError("--rings and --empty-rings apply only to --method rings or rings-2s")
            }
            if coords.isEmpty == latlon.isEmpty {
                throw ValidationError("--inference conley needs exactly one of --coords X,Y (plane) or --latlon LAT,LON (degrees)")
            }
            let names = coords.isEmpty ? latlon : coords
            guard names.count == 2 else {
                throw ValidationError("\(coords.isEmpty ? "--latlon" : "--coords") needs two column names, got \(names.count)")
            }
            return
        }
        guard ringsMethod else {
            if isGiven {
                throw ValidationError("--coords, --latlon, --rings and --empty-rings apply only to --method rings or rings-2s "
                                      + "(--coords/--latlon also to --inference conley)")
            }
            return
        }
        if coords.isEmpty == latlon.isEmpty {
            throw ValidationError("--method rings needs exactly one of --coords X,Y (plane) or --latlon LAT,LON (degrees)")
        }
        let names = coords.isEmpty ? latlon : coords
        guard names.count == 2 else {
            throw ValidationError("\(coords.isEmpty ? "--latlon" : "--coords") needs two column names, got \(names.count)")
        }
        guard !rings.isEmpty else { throw ValidationError("--method rings needs --rings d1,d2,... (e.g. --rings 50,100,150)") }
    }

    /// Loads the panel with the coordinate columns, and the units' locations from them.
    func loadPanel(_ panel: PanelOptions) throws -> (Panel, UnitCoordinates) {
        let planar = !coords.isEmpty
        let names = planar ? coords : latlon
        let (data, columns) = try panel.loadPanel(numericColumns: names, flag: planar ? "--coords" : "--latlon",
                                                   parameter: .coordinates)
        let coordinates = try UnitCoordinates(panel: data, first: columns[0], second: columns[1], names: names,
                                              metric: planar ? .planar : .greatCircle)
        return (data, coordinates)
    }

    /// Parses "50,100,150".
    static func edges(_ text: String) throws -> [Double] {
        try columnList(text).map { item in
            guard let value = Double(item) else {
                throw ValidationError("--rings: '\(item)' is not a number; expected edges such as 50,100,150")
            }
            return value
        }
    }
}
