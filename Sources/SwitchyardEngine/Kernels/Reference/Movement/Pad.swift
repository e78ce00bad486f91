import SwitchyardTensor

extension MovementOps {
    /// Pad: `constant`, `reflect`, `edge` or `wrap` padding. Pads come from attribute
    /// `paddings` (opset 1) or `pads` (2–10), then from inputs with an optional constant value
    /// and (opset 18) the axes they apply to. Negative pads crop.
    static func pad(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let mode = try context.string("mode", default: "constant")
        guard ["constant", "reflect", "edge", "wrap"].contains(mode) else {
            throw .invalidArgument("Pad: mode '\(mode)' is not one of constant, reflect, edge, wrap")
        }
        var pads: [Int]
        var fill: Tensor?
        var axes = Array(0..<data.rank)
        if context.opset >= 11 {
            pads = try context.input(1).ints()
            if let value = context.optionalInput(2), value.count > 0 {
                guard value.dataType == data.dataType else {
                    throw .invalidArgument("Pad: constant_value is \(value.dataType) but data is \(data.dataType)")
                }
                fill = value.reshaped([1])
            }
            if let axesInput = context.optionalInput(3) {
                axes = try normalizedAxes(axesInput.ints(), rank: data.rank, op: "Pad")
            }
        } else {
            guard let attribute = try context.ints(context.opset == 1 ? "paddings" : "pads") else {
                throw .invalidArgument("Pad: attribute 'pads' is missing")
            }
            pads = attribute
            let value = try context.float("value", default: 0)
            if value != 0 { fill = Tensor(dataType: data.dataType, shape: [], doubles: [Double(value)]) }
        }
        guard pads.count == 2 * axes.count else {
            throw .invalidArgument("Pad: \(pads.count) pads for \(axes.count) axes; expected \(2 * axes.count)")
        }
        var before = [Int](repeating: 0, count: data.rank)
        var after = [Int](repeating: 0, count: data.rank)
        for (index, axis) in axes.enumerated() {
            before[axis] = pads[index]
            after[axis] = pads[axes.count + index]
        }
        let strides = ShapeMath.strides(data.shape)
        var shape: [Int] = []
        var offsets: [[Int]] = []
        for axis in 0..<data.rank {
            let dimension = data.shape[axis]
            let (partial, overflowBefore) = dimension.addingReportingOverflow(before[axis])
            let (size, overflowAfter) = partial.addingReportingOverflow(after[axis])
            guard !overflowBefore, !overflowAfter, size <= Int(Int32.max) else {
                throw .invalidArgument("Pad: pads \(before[axis]), \(after[axis]) on axis \(axis) give an unreasonable size")
            }
            guard size >= 0 else {
                throw .invalidArgument("Pad: pads \(before[axis]), \(after[axis]) remove more than the \(dimension) elements of axis \(axis)")
            }
            let padded = before[axis] > 0 || after[axis] > 0
            guard mode == "constant" || dimension > 0 || !padded else {
                throw .invalidArgument("Pad: \(mode) mode cannot pad axis \(axis), which is empty")
            }
            var coordinates: [Int?] = []
            coordinates.reserveCapacity(size)
            for position in 0..<size {
                coordinates.append(sourceCoordinate(position - before[axis], dimension: dimension, mode: mode))
            }
            shape.append(size)
            offsets.append(MovementCopy.offsets(coordinates, stride: strides[axis]))
        }
        return [MovementCopy.mapped(data, shape: shape, axisOffsets: offsets, fill: fill)]
    }

    /// The input coordinate that padding `mode` reads for coordinate `index` (possibly outside
    /// `0..<dimension`), or nil for the constant value.
    private static func sourceCoordinate(_ index: Int, dimension: Int, mode: String) -> Int? {
        if index >= 0 && index < dimension { return index }
        switch mode {
        case "constant":
            return nil
        case "edge":
            return index < 0 ? 0 : dimension - 1
        case "wrap":
            return ((index % dimension) + dimension) % dimension
        default: // reflect
            guard dimension > 1 else { return 0 }
            let period = 2 * (dimension - 1)
            let folded = ((index % period) + period) % period
            return folded < dimension ? folded : period - folded
        }
    }
}
