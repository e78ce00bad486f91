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
                for row in 0..<rows {
                    var base: Int? = 0
                    for axis in 0..<(rank - 1) {
                        guard let offset = offsets[axis][coordinate[axis]], let current = base else { base = nil; break }
                        base = current + offset
                    }
                    let rowStart = row * width * size
                    if let base {
                        for j in 0..<width {
                            let offset = last[j]
                            let value = offset >= 0 ? source.load(fromByteOffset: (base + offset) * size, as: Element.self) : fillValue
                            destination.storeBytes(of: value, toByteOffset: rowStart + j * size, as: Element.self)
                        }
                    } else {
                        for j in 0..<width { destination.storeBytes(of: fillValue, toByteOffset: rowStart + j * size, as: Element.self) }
                    }
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
        let fill = T(extrapolation)
        for axis in tables.keys.sorted() {
            let table = tables[axis]!
            let weights = table.weights.map { T($0) }
            let outer = currentShape[..<axis].reduce(1, *), inner = currentShape[(axis + 1)...].reduce(1, *)
            let inputSize = currentShape[axis], outputSize = outputShape[axis], taps = table.taps
            var next = [T](repeating: 0, count: outer * outputSize * inner)
            current.withUnsafeBufferPointer { sourceBuffer in
                next.withUnsafeMutableBufferPointer { destinationBuffer in
                    guard let sourceBase = sourceBuffer.baseAddress, let destinationBase = destinationBuffer.baseAddress else { return }
                    for block in 0..<outer {
                        let source = sourceBase + block * inputSize * inner
                        for position in 0..<outputSize {
                            let destination = destinationBase + (block * outputSize + position) * inner
                            if table.extrapolated[position] {
                                destination.update(repeating: fill, count: inner)
                                continue
                            }
                            let first = position * taps
                            if inner == 1 {
                                var sum: T = 0
                                for tap in 0..<taps { sum += weights[first + tap] * source[table.indices[first + tap]] }
                                destination[0] = sum
                            } else {
                                for tap in 0..<taps {
                                    let weight = weights[first + tap]
                                    let row = source + table.indices[first + tap] * inner
                                    for j in 0..<inner { destination[j] += weight * row[j] }
                                }
                            }
                        }
                    }
                }
            }
            current = next
            currentShape[axis] = outputSize
        }
        return current
    }
}
