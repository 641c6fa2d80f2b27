/// One unit's observations of a column of a balanced, unit-major panel with at most 16 periods,
/// held in a single `SIMD16<Double>` (lane `t` is period `t`).
///
/// Annual panels have 10–20 periods, so a row-at-a-time kernel replaces the short inner loops
/// (and their per-unit overhead) of the general code with straight-line vector arithmetic.
/// Loads read 16 consecutive doubles: lanes `≥ T` hold the following units' first values, which
/// the kernels either ignore (lane-wise sums over units) or zero with ``mask`` before a
/// horizontal sum. The last units (those whose 16 lanes would cross the end of the column) are
/// loaded lane by lane, so nothing outside a column is ever read. Stores write exactly the `T`
/// lanes of the unit.
struct UnitRows {
    typealias Row = SIMD16<Double>

    /// The most periods a row holds.
    static let capacity = 16

    /// Number of units.
    let units: Int
    /// Number of periods `T` (`1 ... 16`).
    let periods: Int
    /// 1 in lanes `< T`, 0 beyond.
    let mask: Row
    /// Units below this one are read 16 lanes at a time: all 16 lie inside the column
    /// (`unit · T + 16 ≤ N · T`). The others are read lane by lane.
    let wholeRowUnits: Int

    /// The row layout of a balanced unit-major panel, or nil when it has more than 16 periods.
    init?(units: Int, periods: Int) {
        guard units >= 1, periods >= 1, periods <= Self.capacity else { return nil }
        self.units = units
        self.periods = periods
        var mask = Row()
        for t in 0..<periods { mask[t] = 1 }
        self.mask = mask
        // unit · T + 16 ≤ N · T  ⇔  unit ≤ N − 16 / T
        let n = units * periods
        wholeRowUnits = n >= Self.capacity ? (n - Self.capacity) / periods + 1 : 0
    }

    /// Unit `unit`'s row of the column starting at `column` (lanes `≥ T` unspecified).
    @inline(__always)
    func load(_ column: UnsafePointer<Double>, unit: Int) -> Row {
        let start = unit &* periods
        if unit < wholeRowUnits {
            return UnsafeRawPointer(column + start).loadUnaligned(as: Row.self)
        }
        var row = Row()
        for t in 0..<periods { row[t] = column[start &+ t] }
        return row
    }

    /// Unit `unit`'s row read as 16 consecutive values; only for `unit < wholeRowUnits`.
    @inline(__always)
    func loadWhole(_ column: UnsafePointer<Double>, unit: Int) -> Row {
        UnsafeRawPointer(column + unit &* periods).loadUnaligned(as: Row.self)
    }

    /// Writes all 16 lanes of `row` from unit `unit`'s first slot (`unit < wholeRowUnits`, so
    /// they lie inside the column): lanes `≥ T` land on the following units' first slots. Writing
    /// units in increasing order, each such spill is overwritten by the next unit's own row, so
    /// the column ends up exact with two full-width stores per row instead of ``store(_:to:unit:)``'s
    /// pieces.
    @inline(__always)
    func storeWhole(_ row: Row, to column: UnsafeMutablePointer<Double>, unit: Int) {
        UnsafeMutableRawPointer(column + unit &* periods).storeBytes(of: row, as: Row.self)
    }

    /// Writes lanes `< T` of `row` as unit `unit`'s row of the column starting at `column`, as
    /// exact pieces of 8, 4, 2 and 1 lanes (14 = 8 + 4 + 2): nothing outside the unit's slots is
    /// written, so no store overlaps another and later loads of the rows forward cleanly.
    @inline(__always)
    func store(_ row: Row, to column: UnsafeMutablePointer<Double>, unit: Int) {
        let target = UnsafeMutableRawPointer(column + unit &* periods)
        var remaining = periods, offset = 0
        var eight = row.lowHalf
        if remaining >= 8 {
            target.storeBytes(of: eight, as: SIMD8<Double>.self)
            offset = 64
            remaining &-= 8
            eight = row.highHalf
            if remaining == 8 {
                target.storeBytes(of: eight, toByteOffset: offset, as: SIMD8<Double>.self)
                return
            }
        }
        var four = eight.lowHalf
        if remaining >= 4 {
            target.storeBytes(of: four, toByteOffset: offset, as: SIMD4<Double>.self)
            offset &+= 32
            remaining &-= 4
            four = eight.highHalf
        }
        var two = four.lowHalf
        if remaining >= 2 {
            target.storeBytes(of: two, toByteOffset: offset, as: SIMD2<Double>.self)
            offset &+= 16
            remaining &-= 2
            two = four.highHalf
        }
        if remaining == 1 { target.storeBytes(of: two[0], toByteOffset: offset, as: Double.self) }
    }

    /// `row` with lanes `≥ T` zeroed: `row * mask`, the low eight lanes left alone when `T ≥ 8`
    /// (multiplying them by 1 changes nothing, so the result is the same bit for bit).
    @inline(__always)
    func masked(_ row: Row) -> Row {
        periods >= 8 ? Row(lowHalf: row.lowHalf, highHalf: row.highHalf * mask.highHalf) : row * mask
    }

    /// `Σ_{t<T} row[t]`, in a fixed tree order (halves added lane-wise, then the last pair).
    @inline(__always)
    func sum(_ row: Row) -> Double {
        UnitRows.horizontalSum(masked(row))
    }

    /// The sum of all 16 lanes in a fixed tree order.
    @inline(__always)
    static func horizontalSum(_ row: Row) -> Double {
        treeSum(row.lowHalf + row.highHalf)
    }
}
