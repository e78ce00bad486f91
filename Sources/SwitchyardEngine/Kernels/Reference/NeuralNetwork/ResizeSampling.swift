import SwitchyardTensor

/// Applies per-axis `ResizeAxisTable`s to a tensor: nearest-neighbour as one gather through
/// per-axis offset tables (any element type), linear and cubic as one weighted pass per resized
/// axis (interpolation is separable), as ONNX's reference implementation computes it.
enum ResizeSampling {
    /// Nearest-neighbour resize of `x` to `outputShape`; axes without a table keep their index.
    static func gather(_ x: Tensor, outputShape: [Int], tables: [Int: ResizeAxisTable], extrapolation: Double) -> Tensor {
        var y = Tensor(uninitialized: x.dataType, shape: outputShape)
        if y.count == 0 { return y }
        let fill = Tensor(dataType: x.dataType, shape: [], doubles: [extrapolation])
        switch x.dataType.byteSize {
        case 1: gather(UInt8.self, x, &y, tables, fill)
        case 2: gather(UInt16.self, x, &y, tables, fill)
        case 4: gather(UInt32.self, x, &y, tables, fill)
        default: gather(UInt64.self, x, &y, tables, fill)
        }
        return y
    }

    /// Copies elements as opaque `Element`-sized bit patterns.
    private static func gather<Element>(
        _: Element.Type, _ x: Tensor, _ y: inout Tensor, _ tables: [Int: ResizeAxisTable], _ fill: Tensor
    ) {
        let rank = x.rank, inputStrides = ShapeMath.strides(x.shape), outputShape = y.shape
        // Per axis and output index: the input offset, or nil where the extrapolation value goes.
        let offsets: [[Int?]] = (0..<rank).map { axis in
            guard let table = tables[axis] else { return (0..<outputShape[axis]).map { $0 * inputStrides[axis] } }
            return (0..<outputShape[axis]).map { table.extrapolated[$0] ? nil : table.indices[$0] * inputStrides[axis] }
        }
        let fillValue = fill.withUnsafeBytes { $0.load(as: Element.self) }
        let size = MemoryLayout<Element>.stride
        let width = outputShape[rank - 1], rows = y.count / width
        // -1 marks an extrapolated position on the last axis.
        let last = offsets[rank - 1].map { $0 ?? -1 }
        x.withUnsafeBytes { source in
            y.withUnsafeMutableBytes { destination in
                var coordinate = [Int](repeating: 0, count: rank - 1)
                var previousBase: Int? = nil
                for row in 0..<rows {
                    var base: Int? = 0
                    for axis in 0..<(rank - 1) {
                        guard let offset = offsets[axis][coordinate[axis]], let current = base else { base = nil; break }
                        base = current + offset
                    }
                    let rowStart = row * width * size
                    if let base, row > 0, base == previousBase {
                        // Enlarging repeats source rows: copy the output row just written.
                        (destination.baseAddress! + rowStart).copyMemory(
                            from: destination.baseAddress! + rowStart - width * size, byteCount: width * size)
                    } else if let base {
                        for j in 0..<width {
                            let offset = last[j]
                            let value = offset >= 0 ? source.load(fromByteOffset: (base + offset) * size, as: Element.self) : fillValue
                            destination.storeBytes(of: value, toByteOffset: rowStart + j * size, as: Element.self)
                        }
                    } else {
                        for j in 0..<width { destination.storeBytes(of: fillValue, toByteOffset: rowStart + j * size, as: Element.self) }
                    }
                    previousBase = base
                    var axis = rank - 2
                    while axis >= 0 {
                        coordinate[axis] += 1
                        if coordinate[axis] < outputShape[axis] { break }
                        coordinate[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }

    /// Linear or cubic resize of `values` (shape `shape`), one axis at a time in axis order.
    static func interpolate<T: ReferenceFloatingScalar>(
        _ values: [T], shape: [Int], outputShape: [Int], tables: [Int: ResizeAxisTable], extrapolation: Double
    ) -> [T] {
        var current = values, currentShape = shape
        for axis in tables.keys.sorted() {
            let table = tables[axis]!
            let outer = currentShape[..<axis].reduce(1, *), inner = currentShape[(axis + 1)...].reduce(1, *)
            var next = [T](repeating: 0, count: outer * outputShape[axis] * inner)
            let weights = table.weights.map { T($0) }
            current.withUnsafeBufferPointer { source in
                next.withUnsafeMutableBufferPointer { destination in
                    weights.withUnsafeBufferPointer { weightBuffer in
                        table.indices.withUnsafeBufferPointer { indexBuffer in
                            pass(AxisPass(
                                outer: outer, inputSize: currentShape[axis], outputSize: outputShape[axis], inner: inner,
                                taps: table.taps, weights: weightBuffer.baseAddress!, indices: indexBuffer.baseAddress!),
                                source: source.baseAddress!, destination: destination.baseAddress!)
                        }
                    }
                }
            }
            if table.extrapolated.contains(true) {
                let fill = T(extrapolation)
                for block in 0..<outer {
                    for position in 0..<outputShape[axis] where table.extrapolated[position] {
                        let start = (block * outputShape[axis] + position) * inner
                        for j in start..<(start + inner) { next[j] = fill }
                    }
                }
            }
            current = next
            currentShape[axis] = outputShape[axis]
        }
        return current
    }

    /// One axis of a separable resize: `[outer, inputSize, inner]` to `[outer, outputSize, inner]`.
    private struct AxisPass<T> {
        var outer: Int
        var inputSize: Int
        var outputSize: Int
        var inner: Int
        var taps: Int
        var weights: UnsafePointer<T>
        var indices: UnsafePointer<Int>
    }

    /// The weighted sums of one axis pass into a zeroed destination. With `inner == 1` (the last
    /// axis) each output is a short dot product; otherwise whole contiguous rows are blended.
    private static func pass<T: ReferenceFloatingScalar>(_ p: AxisPass<T>, source: UnsafePointer<T>, destination: UnsafeMutablePointer<T>) {
        for block in 0..<p.outer {
            let input = source + block * p.inputSize * p.inner
            let output = destination + block * p.outputSize * p.inner
            if p.inner == 1 {
                if p.taps == 2 {
                    for position in 0..<p.outputSize {
                        let w = p.weights + 2 * position, index = p.indices + 2 * position
                        output[position] = w[0] * input[index[0]] + w[1] * input[index[1]]
                    }
                } else {
                    for position in 0..<p.outputSize {
                        var sum: T = 0
                        for tap in 0..<p.taps { sum += p.weights[position * p.taps + tap] * input[p.indices[position * p.taps + tap]] }
                        output[position] = sum
                    }
                }
                continue
            }
            for position in 0..<p.outputSize {
                let row = output + position * p.inner
                for tap in 0..<p.taps {
                    let weight = p.weights[position * p.taps + tap]
                    let sourceRow = input + p.indices[position * p.taps + tap] * p.inner
                    for j in 0..<p.inner { row[j] += weight * sourceRow[j] }
                }
            }
        }
    }
}
