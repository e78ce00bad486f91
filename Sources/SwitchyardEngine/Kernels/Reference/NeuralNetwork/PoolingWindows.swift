import SwitchyardTensor

/// What every windowed pooling operator (MaxPool, AveragePool, LpPool) reads first: the input's
/// batch and channels and the window geometry from `kernel_shape`, `strides`, `pads`,
/// `auto_pad`, `dilations` and `ceil_mode`.
struct PoolingWindows {
    let batch: Int
    let channels: Int
    let geometry: WindowGeometry

    init(_ context: OpContext, input: Tensor) throws(KernelError) {
        let op = context.node.opType
        guard input.rank >= 3 else {
            throw .invalidArgument("\(op): X must have shape [N, C, spatial…] (rank ≥ 3), got \(input.shape)")
        }
        let attributes = try WindowAttributes(context, spatialRank: input.rank - 2, kernelFromWeights: nil)
        let ceilMode = try context.int("ceil_mode", default: 0) != 0
        batch = input.shape[0]
        channels = input.shape[1]
        geometry = try WindowGeometry.pooling(attributes, inputSpatial: Array(input.shape[2...]), ceilMode: ceilMode, op: op)
    }

    var planes: Int { batch * channels }
    var outputShape: [Int] { [batch, channels] + geometry.outputSpatial }

    /// For every output position, how many taps of its window the average divides by: those
    /// inside the input, or with `includePadding` also those in the explicit (or automatic)
    /// padding, but never those past it that only `ceil_mode` adds. Windows are boxes, so the
    /// count is a product of per-axis counts.
    func divisors(includePadding: Bool) -> [Int] {
        let rank = geometry.spatialRank
        var perAxis: [[Int]] = []
        for axis in 0..<rank {
            let limit = geometry.inputSpatial[axis] + (includePadding ? geometry.padsEnd[axis] : 0)
            let lower = includePadding ? -geometry.padsBegin[axis] : 0
            perAxis.append((0..<geometry.outputSpatial[axis]).map { output in
                let start = output * geometry.strides[axis] - geometry.padsBegin[axis]
                return (0..<geometry.kernel[axis]).filter { tap in
                    let coordinate = start + tap * geometry.dilations[axis]
                    return coordinate >= lower && coordinate < limit
                }.count
            })
        }
        var result = [Int](repeating: 1, count: geometry.outputCount)
        var coordinate = [Int](repeating: 0, count: rank)
        for index in 0..<result.count {
            var product = 1
            for axis in 0..<rank { product *= perAxis[axis][coordinate[axis]] }
            result[index] = product
            var axis = rank - 1
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < geometry.outputSpatial[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// `output[g] = combine(output[g], input[t])` for every output position `g` and every
    /// input position `t` inside its window, one plane, tap by tap.
    @inline(__always)
    func accumulate<T>(
        input: UnsafePointer<T>, output: UnsafeMutablePointer<T>, combine: (T, T) -> T
    ) {
        let walker = geometry.walker
        for tap in WindowWalker.taps(geometry.kernel) {
            walker.forEachRun(tap: tap, positions: 0..<geometry.outputCount) { run in
                let destination = output + run.gridStart + run.valid.lowerBound
                let source = input + run.targetStart
                if run.targetStep == 1 {
                    for j in 0..<run.valid.count { destination[j] = combine(destination[j], source[j]) }
                } else {
                    for j in 0..<run.valid.count { destination[j] = combine(destination[j], source[j * run.targetStep]) }
                }
            }
        }
    }
}
