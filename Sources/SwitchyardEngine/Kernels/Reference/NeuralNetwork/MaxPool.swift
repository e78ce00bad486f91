import SwitchyardTensor

/// MaxPool (opsets 1–22): the maximum over each window (float types, int8, uint8). Padding
/// never wins; NaN inputs are skipped. The optional Indices output holds, per output, the
/// flat index of the chosen input element in `[N, C, spatial…]`, with the spatial part in
/// row-major order (`storage_order` 0) or column-major order (1). Ties keep the first element
/// in window order.
enum MaxPoolKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        let windows = try PoolingWindows(context, input: x)
        let storageOrder = try context.int("storage_order", default: 0)
        guard storageOrder == 0 || storageOrder == 1 else {
            throw KernelError.invalidArgument("\(op): storage_order must be 0 (row major) or 1 (column major), got \(storageOrder)")
        }
        let outputs = context.node.outputs
        let wantsIndices = outputs.count > 1 && !outputs[1].isEmpty
        let order = wantsIndices ? storageOrder : nil
        switch x.dataType {
        case .float32: return pool(x, windows, lowest: -Float.infinity, indexOrder: order)
        case .float64: return pool(x, windows, lowest: -Double.infinity, indexOrder: order)
        case .float16: return pool(x, windows, lowest: -Float16.infinity, indexOrder: order)
        case .bfloat16:
            var results = pool(x.converted(to: .float32), windows, lowest: -Float.infinity, indexOrder: order)
            results[0] = results[0].converted(to: .bfloat16)
            return results
        case .int8: return pool(x, windows, lowest: Int8.min, indexOrder: order)
        case .uint8: return pool(x, windows, lowest: UInt8.min, indexOrder: order)
        default: throw KernelError.unsupported("\(op): type \(x.dataType) is not supported")
        }
    }

    /// Pools `x`; with `indexOrder` (the storage order) also returns the Indices output.
    private static func pool<T: TensorScalar & Comparable>(
        _ x: Tensor, _ windows: PoolingWindows, lowest: T, indexOrder: Int?
    ) -> [Tensor] {
        var y = Tensor(uninitialized: T.dataType, shape: windows.outputShape)
        let geometry = windows.geometry
        let inputCount = geometry.inputCount, outputCount = geometry.outputCount
        var indices = [Int64](repeating: -1, count: indexOrder == nil ? 0 : y.count)
        x.withUnsafeBufferPointer(of: T.self) { xBuffer in
            y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                guard yBuffer.count > 0, let xBase = xBuffer.baseAddress, let yBase = yBuffer.baseAddress else { return }
                yBuffer.initialize(repeating: lowest)
                for plane in 0..<windows.planes {
                    let input = xBase + plane * inputCount, output = yBase + plane * outputCount
                    if indexOrder == nil {
                        windows.accumulate(input: input, output: output) { current, value in value > current ? value : current }
                    } else {
                        indices.withUnsafeMutableBufferPointer { indexBuffer in
                            poolWithIndices(geometry, input: input, output: output, indices: indexBuffer.baseAddress! + plane * outputCount)
                        }
                    }
                }
            }
        }
        guard let indexOrder else { return [y] }
        let strides = indexOrder == 0 ? ShapeMath.strides(geometry.inputSpatial) : columnMajorStrides(geometry.inputSpatial)
        let rowMajor = ShapeMath.strides(geometry.inputSpatial)
        for index in 0..<indices.count where indices[index] >= 0 {
            var offset = Int(indices[index]), converted = 0
            for axis in 0..<rowMajor.count {
                converted += offset / rowMajor[axis] * strides[axis]
                offset %= rowMajor[axis]
            }
            indices[index] = Int64(index / outputCount * inputCount + converted)
        }
        return [y, Tensor(shape: y.shape, scalars: indices)]
    }

    /// Tap-by-tap maximum that also records the winning input's spatial offset (row-major).
    private static func poolWithIndices<T: Comparable>(
        _ geometry: WindowGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
        indices: UnsafeMutablePointer<Int64>
    ) {
        let walker = geometry.walker
        for tap in WindowWalker.taps(geometry.kernel) {
            walker.forEachRun(tap: tap, positions: 0..<geometry.outputCount) { run in
                let first = run.gridStart + run.valid.lowerBound
                for j in 0..<run.valid.count {
                    let source = run.targetStart + j * run.targetStep
                    let value = input[source]
                    // `value == value` rejects NaN, which must not claim an empty window.
                    if value > output[first + j] || (indices[first + j] < 0 && value == value) {
                        output[first + j] = value
                        indices[first + j] = Int64(source)
                    }
                }
            }
        }
    }

    private static func columnMajorStrides(_ shape: [Int]) -> [Int] {
        var strides: [Int] = []
        var running = 1
        for extent in shape {
            strides.append(running)
            running *= extent
        }
        return strides
    }
}
