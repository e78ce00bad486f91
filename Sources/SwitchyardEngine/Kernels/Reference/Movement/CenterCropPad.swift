import SwitchyardTensor

extension MovementOps {
    /// CenterCropPad: crops or zero-pads each listed axis (all by default) to the requested
    /// size, keeping the input centred (an odd difference puts the extra element at the end).
    static func centerCropPad(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let sizes = try context.input(1).ints()
        let axes = try normalizedAxes(try context.ints("axes") ?? Array(0..<data.rank), rank: data.rank, op: "CenterCropPad")
        guard sizes.count == axes.count, sizes.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("CenterCropPad: shape \(sizes) must give one non-negative size per axis in \(axes)")
        }
        let strides = ShapeMath.strides(data.shape)
        var shape = data.shape
        var offsets = MovementCopy.identityOffsets(shape: data.shape)
        for (axis, size) in zip(axes, sizes) {
            let dimension = data.shape[axis]
            // Output coordinate o reads input coordinate o + shift (cropping) or o - shift (padding).
            let shift = size <= dimension ? (dimension - size) / 2 : -((size - dimension) / 2)
            shape[axis] = size
            offsets[axis] = MovementCopy.offsets(
                (0..<size).map { $0 + shift >= 0 && $0 + shift < dimension ? $0 + shift : nil }, stride: strides[axis])
        }
        return [MovementCopy.mapped(data, shape: shape, axisOffsets: offsets)]
    }
}
