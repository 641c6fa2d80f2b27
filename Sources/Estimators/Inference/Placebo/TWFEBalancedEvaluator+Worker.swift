extension TWFEBalancedEvaluator {
    /// One worker of the fast path: its buffers and the per-draw update (see the type's documentation).
    final class Worker: PlaceboWorker {
        let evaluator: TWFEBalancedEvaluator
        // Raw buffers (allocated once): class-held arrays would pay a dynamic exclusivity
        // check on every element access in the hot loop.
        let totals: UnsafeMutableBufferPointer<SIMD8<Double>>
        let clusterDelta: UnsafeMutableBufferPointer<SIMD8<Double>>
        let touched: UnsafeMutableBufferPointer<Bool>, touchedList: UnsafeMutableBufferPointer<Int32>
        let cross: UnsafeMutableBufferPointer<Double>, projection: UnsafeMutableBufferPointer<Double>
        let z: UnsafeMutableBufferPointer<Double>, omegaZ: UnsafeMutableBufferPointer<Double>
        let changeWeights: UnsafeMutableBufferPointer<SIMD8<Double>>

        init(evaluator: TWFEBalancedEvaluator) {
            self.evaluator = evaluator
            let clusters = evaluator.design.clusterCount, k = evaluator.covariateCount
            let chunks = evaluator.laneChunks
            func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
                let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
                b.initialize(repeating: value)
                return b
            }
            totals = buffer(chunks, SIMD8<Double>())
            clusterDelta = buffer(clusters * chunks, SIMD8<Double>())
            touched = buffer(clusters, false)
            touchedList = buffer(clusters, Int32(0))
            cross = buffer(k, 0.0)
            projection = buffer(k, 0.0)
            z = buffer(evaluator.paddedDimension, 0.0)   // lanes ≥ zDimension stay 0
            omegaZ = buffer(evaluator.paddedDimension, 0.0)
            changeWeights = buffer(chunks, SIMD8<Double>())
        }

        deinit {
            totals.deallocate()
            clusterDelta.deallocate()
            touched.deallocate()
            touchedList.deallocate()
            for b in [cross, projection, z, omegaZ] { b.deallocate() }
            changeWeights.deallocate()
        }

        func evaluate(_ scratch: inout AssignmentScratch, plan: AssignmentPlan) -> PlaceboValue {
            if evaluator.singletonClusters && evaluator.laneChunks == 1 { return evaluateSingletons(&scratch) }
            let ev = evaluator
            let k = ev.covariateCount, slots = ev.slotCount, dimension = ev.zDimension
            let chunks = ev.laneChunks, padded = ev.paddedDimension
            let totals = self.totals, clusterDelta = self.clusterDelta
            let touched = self.touched, touchedList = self.touchedList
            let cross = self.cross, projection = self.projection, z = self.z
            var touchedCount = 0
            for j in 0..<chunks { totals[j] = ev.baseTotals[j] }
            let changed = scratch.changedCount
            // Totals and per-cluster deltas: one lane-vector add per chunk per changed unit, in
            // the order of the changed units (the order of the scalar sums it replaces).
            ev.vectorTable.withUnsafeBufferPointer { table in
                ev.unitCluster.withUnsafeBufferPointer { unitCluster in
                    scratch.changedUnits.withUnsafeBufferPointer { units in
                        scratch.changedSlots.withUnsafeBufferPointer { unitSlots in
                            // One chunk (k ≤ 6, the usual case): the totals stay in a register.
                            var total = totals[0]
                            for m in 0..<changed {
                                let unit = Int(units[m])
                                let row = (unit &* slots &+ Int(unitSlots[m])) &* chunks
                                let c = Int(unitCluster[unit])
                                total += table[row]
                                clusterDelta[c &* chunks] += table[row]
                                for j in 1..<max(chunks, 1) {
                                    let value = table[row &+ j]
                                    totals[j] += value
                                    clusterDelta[c &* chunks &+ j] += value
                                }
                                if !touched[c] {
                                    touched[c] = true
                                    touchedList[touchedCount] = Int32(c)
                                    touchedCount &+= 1
                                }
                            }
                            totals[0] = total
                        }
                    }
                }
            }
            let numerator = totals[0][0], treatmentSquares = totals[0][1]
            for a in 0..<k { cross[a] = totals[(a + 2) / 8][(a + 2) % 8] }
            var explained = 0.0
            ev.design.covariateInverse.withUnsafeBufferPointer { inverse in
                for a in 0..<k {
                    var sum = 0.0
                    for b in 0..<k { sum += inverse[a * k + b] * cross[b] }
                    projection[a] = sum
                    explained += sum * cross[a]
                }
            }
            let denominator = treatmentSquares - explained
            let beta = numerator / denominator
            // z = (1, β, π, βπ, β π_a π_b).
            z[0] = 1
            z[1] = beta
            for a in 0..<k {
                z[2 + a] = projection[a]
                z[2 + k + a] = beta * projection[a]
            }
            var pair = 2 + 2 * k
            for a in 0..<k { for b in a..<k { z[pair] = beta * projection[a] * projection[b]; pair += 1 } }
            guard let zBase = z.baseAddress, let wBase = omegaZ.baseAddress else { return .invalid }
            let zRaw = UnsafeRawPointer(zBase), wRaw = UnsafeMutableRawPointer(wBase)
            let stride = MemoryLayout<Double>.stride
            // z'Ωz: w = Ω z accumulated column by column (eight rows at a time), then z·w.
            var sum = 0.0
            ev.fullOmega.withUnsafeBufferPointer { omega in
                guard let omegaBase = omega.baseAddress else { return }
                let omegaRaw = UnsafeRawPointer(omegaBase)
                var offset = 0
                if padded <= 24 {
                    // Up to 24 lanes (k ≤ 4): w in three registers.
                    var w0 = SIMD8<Double>(), w1 = SIMD8<Double>(), w2 = SIMD8<Double>()
                    for b in 0..<dimension {
                        let weight = SIMD8<Double>(repeating: zBase[b])
                        let column = b &* padded &* stride
                        w0 += weight * omegaRaw.loadUnaligned(fromByteOffset: column, as: SIMD8<Double>.self)
                        if padded > 8 { w1 += weight * omegaRaw.loadUnaligned(fromByteOffset: column &+ 64, as: SIMD8<Double>.self) }
                        if padded > 16 { w2 += weight * omegaRaw.loadUnaligned(fromByteOffset: column &+ 128, as: SIMD8<Double>.self) }
                    }
                    wRaw.storeBytes(of: w0, as: SIMD8<Double>.self)
                    if padded > 8 { wRaw.storeBytes(of: w1, toByteOffset: 64, as: SIMD8<Double>.self) }
                    if padded > 16 { wRaw.storeBytes(of: w2, toByteOffset: 128, as: SIMD8<Double>.self) }
                } else {
                    while offset < padded {
                        wRaw.storeBytes(of: SIMD8<Double>(), toByteOffset: offset &* stride, as: SIMD8<Double>.self)
                        offset &+= 8
                    }
                    for b in 0..<dimension {
                        let weight = SIMD8<Double>(repeating: zBase[b])
                        let column = b &* padded
                        offset = 0
                        while offset < padded {
                            let byte = offset &* stride
                            wRaw.storeBytes(of: wRaw.load(fromByteOffset: byte, as: SIMD8<Double>.self)
                                                + weight * omegaRaw.loadUnaligned(fromByteOffset: (column &+ offset) &* stride,
                                                                                  as: SIMD8<Double>.self),
                                            toByteOffset: byte, as: SIMD8<Double>.self)
                            offset &+= 8
                        }
                    }
                }
                var lanes = SIMD8<Double>()
                offset = 0
                while offset < padded {
                    lanes += zRaw.loadUnaligned(fromByteOffset: offset &* stride, as: SIMD8<Double>.self)
                        * wRaw.load(fromByteOffset: offset &* stride, as: SIMD8<Double>.self)
                    offset &+= 8
                }
                sum = treeSum(lanes)
            }
            // Δs_c = Δα_c − β ΔQ_c + 2β π'ΔB_c as one lane product per chunk.
            let changeWeights = self.changeWeights
            for j in 0..<chunks { changeWeights[j] = SIMD8() }
            changeWeights[0][0] = 1
            changeWeights[0][1] = -beta
            for a in 0..<k { changeWeights[(a + 2) / 8][(a + 2) % 8] = 2 * beta * projection[a] }
            ev.paddedCoefficients.withUnsafeBufferPointer { v in
                guard let vBase = v.baseAddress else { return }
                for m in 0..<touchedCount {
                    let c = Int(touchedList[m])
                    // v_c'z eight lanes at a time (rows and z are zero-padded).
                    let row = UnsafeRawPointer(vBase + c &* padded)
                    var lanes = SIMD8<Double>()
                    var offset = 0
                    while offset < padded {
                        lanes += row.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                            * zRaw.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                        offset &+= 8
                    }
                    let base = treeSum(lanes)
                    var changeLanes = SIMD8<Double>()
                    for j in 0..<chunks {
                        changeLanes += clusterDelta[c &* chunks &+ j] * changeWeights[j]
                        clusterDelta[c &* chunks &+ j] = SIMD8()
                    }
                    let change = treeSum(changeLanes)
                    sum += change * (2 * base + change)
                    touched[c] = false
                }
            }
            guard denominator > 1e-10 * treatmentSquares, beta.isFinite else { return .invalid }
            return PlaceboValue(estimate: beta,
                                standardError: (ev.design.correctionFactor * max(sum, 0)).squareRoot() / denominator,
                                degreesOfFreedom: ev.design.degreesOfFreedom)
        }

        /// ``evaluate(_:plan:)`` when every cluster is one unit and the table rows are one lane
        /// vector (k ≤ 6): a changed unit's cluster delta is its own table row, so the totals and
        /// the score changes come from one pass over the changed units, in the same order and
        /// with the same operations as the general loop (bit-identical to it: a cluster delta
        /// there is `0 + row`, here `row`; they differ at most in the sign of a zero lane, which
        /// no sum can see).
        func evaluateSingletons(_ scratch: inout AssignmentScratch) -> PlaceboValue {
            let ev = evaluator
            let k = ev.covariateCount, slots = ev.slotCount, dimension = ev.zDimension
            let padded = ev.paddedDimension
            let cross = self.cross, projection = self.projection, z = self.z
            let changed = scratch.changedCount
            var total = ev.baseTotals[0]
            ev.vectorTable.withUnsafeBufferPointer { table in
                scratch.changedUnits.withUnsafeBufferPointer { units in
                    scratch.changedSlots.withUnsafeBufferPointer { unitSlots in
                        for m in 0..<changed {
                            total += table[Int(units[m]) &* slots &+ Int(unitSlots[m])]
                        }
                    }
                }
            }
            let numerator = total[0], treatmentSquares = total[1]
            for a in 0..<k { cross[a] = total[a + 2] }
            var explained = 0.0
            ev.design.covariateInverse.withUnsafeBufferPointer { inverse in
                for a in 0..<k {
                    var sum = 0.0
                    for b in 0..<k { sum += inverse[a * k + b] * cross[b] }
                    projection[a] = sum
                    explained += sum * cross[a]
                }
            }
            let denominator = treatmentSquares - explained
            let beta = numerator / denominator
            z[0] = 1
            z[1] = beta
            for a in 0..<k {
                z[2 + a] = projection[a]
                z[2 + k + a] = beta * projection[a]
            }
            var pair = 2 + 2 * k
            for a in 0..<k { for b in a..<k { z[pair] = beta * projection[a] * projection[b]; pair += 1 } }
            guard let zBase = z.baseAddress, let wBase = omegaZ.baseAddress else { return .invalid }
            let zRaw = UnsafeRawPointer(zBase), wRaw = UnsafeMutableRawPointer(wBase)
            let stride = MemoryLayout<Double>.stride
            var sum = 0.0
            ev.fullOmega.withUnsafeBufferPointer { omega in
                guard let omegaBase = omega.baseAddress else { return }
                let omegaRaw = UnsafeRawPointer(omegaBase)
                var offset = 0
                while offset < padded {
                    wRaw.storeBytes(of: SIMD8<Double>(), toByteOffset: offset &* stride, as: SIMD8<Double>.self)
                    offset &+= 8
                }
                if padded <= 24 {
                    var w0 = SIMD8<Double>(), w1 = SIMD8<Double>(), w2 = SIMD8<Double>()
                    for b in 0..<dimension {
                        let weight = SIMD8<Double>(repeating: zBase[b])
                        let column = b &* padded &* stride
                        w0 += weight * omegaRaw.loadUnaligned(fromByteOffset: column, as: SIMD8<Double>.self)
                        if padded > 8 { w1 += weight * omegaRaw.loadUnaligned(fromByteOffset: column &+ 64, as: SIMD8<Double>.self) }
                        if padded > 16 { w2 += weight * omegaRaw.loadUnaligned(fromByteOffset: column &+ 128, as: SIMD8<Double>.self) }
                    }
                    wRaw.storeBytes(of: w0, as: SIMD8<Double>.self)
                    if padded > 8 { wRaw.storeBytes(of: w1, toByteOffset: 64, as: SIMD8<Double>.self) }
                    if padded > 16 { wRaw.storeBytes(of: w2, toByteOffset: 128, as: SIMD8<Double>.self) }
                } else {
                    for b in 0..<dimension {
                        let weight = SIMD8<Double>(repeating: zBase[b])
                        let column = b &* padded
                        offset = 0
                        while offset < padded {
                            let byte = offset &* stride
                            wRaw.storeBytes(of: wRaw.load(fromByteOffset: byte, as: SIMD8<Double>.self)
                                                + weight * omegaRaw.loadUnaligned(fromByteOffset: (column &+ offset) &* stride,
                                                                                  as: SIMD8<Double>.self),
                                            toByteOffset: byte, as: SIMD8<Double>.self)
                            offset &+= 8
                        }
                    }
                }
                var lanes = SIMD8<Double>()
                offset = 0
                while offset < padded {
                    lanes += zRaw.loadUnaligned(fromByteOffset: offset &* stride, as: SIMD8<Double>.self)
                        * wRaw.load(fromByteOffset: offset &* stride, as: SIMD8<Double>.self)
                    offset &+= 8
                }
                sum = treeSum(lanes)
            }
            var weights = SIMD8<Double>()
            weights[0] = 1
            weights[1] = -beta
            for a in 0..<k { weights[a + 2] = 2 * beta * projection[a] }
            ev.paddedCoefficients.withUnsafeBufferPointer { v in
                ev.vectorTable.withUnsafeBufferPointer { table in
                    ev.unitCluster.withUnsafeBufferPointer { unitCluster in
                        scratch.changedUnits.withUnsafeBufferPointer { units in
                            scratch.changedSlots.withUnsafeBufferPointer { unitSlots in
                                guard let vBase = v.baseAddress else { return }
                                for m in 0..<changed {
                                    let unit = Int(units[m])
                                    let row = UnsafeRawPointer(vBase + Int(unitCluster[unit]) &* padded)
                                    var lanes = SIMD8<Double>()
                                    var offset = 0
                                    while offset < padded {
                                        lanes += row.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                                            * zRaw.loadUnaligned(fromByteOffset: offset &* 8, as: SIMD8<Double>.self)
                                        offset &+= 8
                                    }
                                    let base = treeSum(lanes)
                                    var changeLanes = SIMD8<Double>()
                                    changeLanes += table[unit &* slots &+ Int(unitSlots[m])] * weights
                                    let change = treeSum(changeLanes)
                                    sum += change * (2 * base + change)
                                }
                            }
                        }
                    }
                }
            }
            guard denominator > 1e-10 * treatmentSquares, beta.isFinite else { return .invalid }
            return PlaceboValue(estimate: beta,
                                standardError: (ev.design.correctionFactor * max(sum, 0)).squareRoot() / denominator,
                                degreesOfFreedom: ev.design.degreesOfFreedom)
        }
    }
}
