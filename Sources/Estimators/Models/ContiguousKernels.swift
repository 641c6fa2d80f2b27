/// Small kernels over contiguous doubles (a prefix unit's rows), four lanes at a time with a
/// fixed reduction order, so results do not depend on the build or the thread.
enum ContiguousKernels {
    /// `Σ x[0 ..< n]`: lane sums over blocks of four, `(l₀ + l₁) + (l₂ + l₃)`, then the tail in order.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
        let raw = UnsafeRawPointer(x)
        var lanes = SIMD4<Double>()
        var k = 0
        while k &+ 4 <= n {
            lanes += raw.loadUnaligned(fromByteOffset: k &* 8, as: SIMD4<Double>.self)
            k &+= 4
        }
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while k < n { total += x[k]; k &+= 1 }
        return total
    }

    /// `Σ x[k] y[k]` over `0 ..< n`, in the order of ``sum(_:_:)``.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var lanes = SIMD4<Double>()
        var k = 0
        while k &+ 4 <= n {
            lanes += rx.loadUnaligned(fromByteOffset: k &* 8, as: SIMD4<Double>.self)
                * ry.loadUnaligned(fromByteOffset: k &* 8, as: SIMD4<Double>.self)
            k &+= 4
        }
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while k < n { total += x[k] * y[k]; k &+= 1 }
        return total
    }

    /// `target[k] += x[k] − c` over `0 ..< n`.
    @inline(__always)
    static func addCentred(_ x: UnsafePointer<Double>, _ c: Double, into target: UnsafeMutablePointer<Double>, _ n: Int) {
        let rx = UnsafeRawPointer(x), rt = UnsafeMutableRawPointer(target)
        let shift = SIMD4<Double>(repeating: c)
        var k = 0
        while k &+ 4 <= n {
            let offset = k &* 8
            rt.storeBytes(of: rt.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                            + (rx.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) - shift),
                          toByteOffset: offset, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < n { target[k] += x[k] - c; k &+= 1 }
    }

    /// `out[k] = (x[k] − c) − (y[k] − d)` over `0 ..< n`.
    @inline(__always)
    static func centredDifference(_ x: UnsafePointer<Double>, _ c: Double, _ y: UnsafePointer<Double>, _ d: Double,
                                  into out: UnsafeMutablePointer<Double>, _ n: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y), ro = UnsafeMutableRawPointer(out)
        let cs = SIMD4<Double>(repeating: c), ds = SIMD4<Double>(repeating: d)
        var k = 0
        while k &+ 4 <= n {
            let offset = k &* 8
            ro.storeBytes(of: (rx.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) - cs)
                            - (ry.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) - ds),
                          toByteOffset: offset, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < n { out[k] = (x[k] - c) - (y[k] - d); k &+= 1 }
    }
}
