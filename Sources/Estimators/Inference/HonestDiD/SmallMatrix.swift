/// A small dense row-major matrix for HonestDiD's constraint algebra (a few dozen rows at most).
struct SmallMatrix: Sendable {
    var rows: Int
    var columns: Int
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]? = nil) {
        self.rows = rows
        self.columns = columns
        self.values = values ?? [Double](repeating: 0, count: rows * columns)
    }

    subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }

    /// `self · other`.
    func times(_ other: SmallMatrix) -> SmallMatrix {
        var out = SmallMatrix(rows: rows, columns: other.columns)
        for i in 0..<rows {
            for k in 0..<columns {
                let a = self[i, k]
                guard a != 0 else { continue }
                for j in 0..<other.columns { out.values[i * other.columns + j] += a * other[k, j] }
            }
        }
        return out
    }

    /// `self · v`.
    func times(_ v: [Double]) -> [Double] {
        (0..<rows).map { i in
            var sum = 0.0
            for j in 0..<columns { sum += self[i, j] * v[j] }
            return sum
        }
    }

    var transposed: SmallMatrix {
        var out = SmallMatrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { out[j, i] = self[i, j] } }
        return out
    }

    /// The rows listed, in order.
    func selectingRows(_ list: [Int]) -> SmallMatrix {
        SmallMatrix(rows: list.count, columns: columns, values: list.flatMap { row($0) })
    }

    /// The columns listed, in order.
    func selectingColumns(_ list: [Int]) -> SmallMatrix {
        var out = SmallMatrix(rows: rows, columns: list.count)
        for i in 0..<rows { for (c, j) in list.enumerated() { out[i, c] = self[i, j] } }
        return out
    }

    /// `x` with `self · x = b` by Gaussian elimination with partial pivoting; nil when singular
    /// (a pivot below `1e-13` times the largest entry).
    func solve(_ b: [Double]) -> [Double]? {
        precondition(rows == columns && b.count == rows)
        let n = rows
        var a = values, x = b
        let scale = max(values.map(abs).max() ?? 0, .leastNormalMagnitude)
        for k in 0..<n {
            var pivot = k
            for i in (k + 1)..<max(n, k + 1) where abs(a[i * n + k]) > abs(a[pivot * n + k]) { pivot = i }
            guard abs(a[pivot * n + k]) > 1e-13 * scale else { return nil }
            if pivot != k {
                for j in 0..<n { a.swapAt(k * n + j, pivot * n + j) }
                x.swapAt(k, pivot)
            }
            for i in (k + 1)..<max(n, k + 1) {
                let factor = a[i * n + k] / a[k * n + k]
                guard factor != 0 else { continue }
                for j in k..<n { a[i * n + j] -= factor * a[k * n + j] }
                x[i] -= factor * x[k]
            }
        }
        for k in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[k]
            for j in (k + 1)..<max(n, k + 1) { sum -= a[k * n + j] * x[j] }
            x[k] = sum / a[k * n + k]
        }
        return x
    }

    /// The inverse; nil when singular.
    func inverse() -> SmallMatrix? {
        var out = SmallMatrix(rows: rows, columns: columns)
        for j in 0..<columns {
            var e = [Double](repeating: 0, count: rows)
            e[j] = 1
            guard let column = solve(e) else { return nil }
            for i in 0..<rows { out[i, j] = column[i] }
        }
        return out
    }

    /// Numerical rank by Gaussian elimination with full pivoting (relative tolerance 1e-10).
    var rank: Int {
        var a = values
        var r = 0
        let scale = max(values.map(abs).max() ?? 0, .leastNormalMagnitude)
        var usedColumns = Set<Int>()
        for _ in 0..<min(rows, columns) {
            var best = 0.0, bi = -1, bj = -1
            for i in r..<rows { for j in 0..<columns where !usedColumns.contains(j) && abs(a[i * columns + j]) > best {
                best = abs(a[i * columns + j]); bi = i; bj = j
            } }
            guard bi >= 0, best > 1e-10 * scale else { break }
            for j in 0..<columns { a.swapAt(r * columns + j, bi * columns + j) }
            for i in (r + 1)..<max(rows, r + 1) {
                let factor = a[i * columns + bj] / a[r * columns + bj]
                for j in 0..<columns { a[i * columns + j] -= factor * a[r * columns + j] }
            }
            usedColumns.insert(bj)
            r += 1
        }
        return r
    }

    /// A factor `L` (lower triangular) with `L L' = self` for a symmetric positive semi-definite
    /// matrix: Cholesky that sets a column to zero where the remaining pivot is below `1e-12` of the
    /// largest diagonal entry (rank-deficient covariances of redundant constraint rows).
    func semidefiniteCholesky() -> SmallMatrix {
        let n = rows
        var l = SmallMatrix(rows: n, columns: n)
        let scale = (0..<n).map { self[$0, $0] }.max() ?? 0
        for j in 0..<n {
            var d = self[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 1e-12 * scale else { continue }
            let root = d.squareRoot()
            l[j, j] = root
            for i in (j + 1)..<max(n, j + 1) {
                var s = self[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / root
            }
        }
        return l
    }
}

/// `a · b`.
func innerProduct(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}
