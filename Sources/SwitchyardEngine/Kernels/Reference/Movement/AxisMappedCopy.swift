import SwitchyardTensor

/// The copy engine behind Transpose, Slice, Expand, Tile, Pad, Gather, Split, Compress,
/// DepthToSpace and SpaceToDepth: every one of them is an output whose element at coordinate
/// `(i0, i1, …)` is the source element at offset `axisOffsets[0][i0] + axisOffsets[1][i1] + …`
/// (or the fill value when any term is `missing`).
///
/// The trailing axes whose offsets are contiguous fold into one block copied with a single
/// memcpy; only when the innermost axis is itself scattered does it fall back to a per-element
/// gather of that row.
enum MovementCopy {
    /// The offset table of an output axis that reads source coordinates `coordinates` (nil:
    /// `missing`) along a source axis of element stride `stride`.
    static func offsets(_ coordinates: [Int?], stride: Int) -> [Int] {
        coordinates.map { $0.map { $0 * stride } ?? missing }
    }

    /// Copies from `source` into a new tensor of `shape`; see the type's documentation.
    /// `axisOffsets[a]` has `shape[a]` entries, each an element offset into `source` or `missing`.
    static func mapped(
        _ source: Tensor, shape: [Int], axisOffsets: [[Int]], fill: Tensor? = nil
    ) -> Tensor {
        let rank = shape.count
        assert(axisOffsets.count == rank && zip(axisOffsets, shape).allSatisfy { $0.count == $1 })
        let count = shape.reduce(1, *)
        return build(from: source, shape: shape, fill: fill, writesEveryElement: true) { copier in
            if count == 0 { return }
            // Fold trailing axes whose offsets advance by exactly the block size.
            var blockLength = 1
            var blockBase = 0
            var firstBlockAxis = rank
            while firstBlockAxis > 0 {
                let table = axisOffsets[firstBlockAxis - 1]
                guard table[0] != missing,
                      table.indices.allSatisfy({ table[$0] == table[0] + $0 * blockLength }) else { break }
                blockBase += table[0]
                blockLength *= table.count
                firstBlockAxis -= 1
            }
            if blockLength > 1 || firstBlockAxis == 0 {
                forEachOuterOffset(axisOffsets, shape: shape, outerAxes: firstBlockAxis) { index, offset in
                    if offset == missing {
                        copier.fill(at: index * blockLength, count: blockLength)
                    } else {
                        copier.copy(from: offset + blockBase, to: index * blockLength, count: blockLength)
                    }
                }
                return
            }
            // The innermost axis is scattered: gather each row through its offset table.
            let rowLength = shape[rank - 1]
            axisOffsets[rank - 1].withUnsafeBufferPointer { row in
                forEachOuterOffset(axisOffsets, shape: shape, outerAxes: rank - 1) { index, offset in
                    if offset == missing {
                        copier.fill(at: index * rowLength, count: rowLength)
                    } else {
                        copier.gather(to: index * rowLength, base: offset, offsets: row)
                    }
                }
            }
        }
    }

    /// Calls `body(linearIndex, offset)` for each coordinate of the first `outerAxes` axes in
    /// row-major order, with the summed offset (`missing` when any axis's entry is).
    private static func forEachOuterOffset(
        _ axisOffsets: [[Int]], shape: [Int], outerAxes: Int, _ body: (Int, Int) -> Void
    ) {
        if outerAxes == 0 { body(0, 0); return }
        let outerCount = shape[0..<outerAxes].reduce(1, *)
        // One flat table (and its per-axis starts) keeps the odometer free of array copies.
        let flat = Array(axisOffsets[0..<outerAxes].joined())
        var starts = [Int](repeating: 0, count: outerAxes)
        for axis in 1..<outerAxes { starts[axis] = starts[axis - 1] + shape[axis - 1] }
        flat.withUnsafeBufferPointer { table in
            var coordinate = [Int](repeating: 0, count: outerAxes)
            var missingAxes = 0
            var offset = 0
            for axis in 0..<outerAxes {
                let entry = table[starts[axis]]
                if entry == missing { missingAxes += 1 } else { offset += entry }
            }
            for index in 0..<outerCount {
                body(index, missingAxes > 0 ? missing : offset)
                var axis = outerAxes - 1
                while axis >= 0 {
                    let old = table[starts[axis] + coordinate[axis]]
                    if old == missing { missingAxes -= 1 } else { offset -= old }
                    coordinate[axis] += 1
                    if coordinate[axis] == shape[axis] { coordinate[axis] = 0 }
                    let new = table[starts[axis] + coordinate[axis]]
                    if new == missing { missingAxes += 1 } else { offset += new }
                    if coordinate[axis] != 0 { break }
                    axis -= 1
                }
            }
        }
    }

    /// Offsets that read a source of `shape` unchanged along every axis (the starting point
    /// kernels edit one axis of).
    static func identityOffsets(shape: [Int]) -> [[Int]] {
        let strides = ShapeMath.strides(shape)
        return shape.indices.map { axis in (0..<shape[axis]).map { $0 * strides[axis] } }
    }

    /// The slices of `data` along `axis` at the given positions (in order, repeats allowed).
    static func picking(_ data: Tensor, axis: Int, positions: [Int]) -> Tensor {
        var shape = data.shape
        shape[axis] = positions.count
        var offsets = identityOffsets(shape: data.shape)
        let stride = ShapeMath.strides(data.shape)[axis]
        offsets[axis] = positions.map { $0 * stride }
        return mapped(data, shape: shape, axisOffsets: offsets)
    }

    /// `tensor` with its axes permuted: output axis `a` is input axis `permutation[a]`.
    static func transposed(_ tensor: Tensor, permutation: [Int]) -> Tensor {
        let strides = ShapeMath.strides(tensor.shape)
        let shape = permutation.map { tensor.shape[$0] }
        let offsets = permutation.map { axis in (0..<tensor.shape[axis]).map { $0 * strides[axis] } }
        return mapped(tensor, shape: shape, axisOffsets: offsets)
    }
}
