import SwitchyardTensor

/// Taking one position along an axis out of a tensor, and stacking equally shaped tensors
/// along a new axis: the two moves Scan and Loop make on their scan inputs and outputs.
/// Works for every data type (bytes are copied as blocks; strings element by element).
enum AxisSlicing {
    /// The sub-tensor at `index` along `axis` (already normalized), with that axis removed.
    static func slice(_ tensor: Tensor, axis: Int, index: Int) -> Tensor {
        precondition(axis >= 0 && axis < tensor.rank && index >= 0 && index < tensor.shape[axis])
        let outer = tensor.shape[..<axis].reduce(1, *)
        let inner = tensor.shape[(axis + 1)...].reduce(1, *)
        let size = tensor.shape[axis]
        var shape = tensor.shape
        shape.remove(at: axis)
        if axis == 0 && tensor.dataType != .string {
            // The common case is one contiguous block.
            let elementBytes = tensor.dataType.byteSize
            return tensor.withUnsafeBytes { bytes in
                let start = index * inner * elementBytes
                return Tensor(dataType: tensor.dataType, shape: shape,
                              bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + inner * elementBytes)]))
            }
        }
        var result = Tensor(zeros: tensor.dataType, shape: shape)
        copyBlocks(from: tensor, to: &result, count: outer, blockElements: inner) { block in
            (source: (block * size + index) * inner, destination: block * inner)
        }
        return result
    }

    /// Stacks `parts` (same shape and type, at least one) along a new axis at `axis`, which
    /// must already be normalized to `0...rank` of a part.
    static func stack(_ parts: [Tensor], axis: Int) -> Tensor {
        let first = parts[0]
        precondition(axis >= 0 && axis <= first.rank)
        precondition(parts.allSatisfy { $0.shape == first.shape && $0.dataType == first.dataType })
        var shape = first.shape
        shape.insert(parts.count, at: axis)
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[axis...].reduce(1, *)
        var result = Tensor(zeros: first.dataType, shape: shape)
        for (position, part) in parts.enumerated() {
            copyBlocks(from: part, to: &result, count: outer, blockElements: inner) { block in
                (source: block * inner, destination: (block * parts.count + position) * inner)
            }
        }
        return result
    }

    /// Copies `count` blocks of `blockElements` elements; `offsets` gives each block's first
    /// element in the source and destination.
    private static func copyBlocks(
        from source: Tensor, to destination: inout Tensor, count: Int, blockElements: Int,
        offsets: (Int) -> (source: Int, destination: Int)
    ) {
        guard blockElements > 0 else { return }
        if source.dataType == .string {
            let sourceStrings = source.strings
            var strings = destination.strings
            for block in 0..<count {
                let (from, to) = offsets(block)
                strings.replaceSubrange(to..<(to + blockElements), with: sourceStrings[from..<(from + blockElements)])
            }
            destination.strings = strings
            return
        }
        let elementBytes = source.dataType.byteSize
        let blockBytes = blockElements * elementBytes
        source.withUnsafeBytes { sourceBytes in
            destination.withUnsafeMutableBytes { destinationBytes in
                for block in 0..<count {
                    let (from, to) = offsets(block)
                    (destinationBytes.baseAddress! + to * elementBytes)
                        .copyMemory(from: sourceBytes.baseAddress! + from * elementBytes, byteCount: blockBytes)
                }
            }
        }
    }
}
