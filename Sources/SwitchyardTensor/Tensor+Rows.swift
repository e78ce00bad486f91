/// Joining and cutting tensors along their first dimension: how a batch is assembled from
/// requests (or from the pieces of a split run) and cut back into them.
extension Tensor {
    /// `tensors` joined along dim 0; all have the same type and the same trailing dims. A lone
    /// tensor is returned as it is, without a copy.
    public static func concatenatingRows(_ tensors: [Tensor]) -> Tensor {
        guard let first = tensors.first, tensors.count > 1 else { return tensors.first ?? Tensor(zeros: .float32, shape: [0]) }
        let rows = tensors.reduce(0) { $0 + $1.shape[0] }
        let shape = [rows] + first.shape.dropFirst()
        if first.dataType == .string {
            return Tensor(shape: shape, strings: tensors.flatMap(\.strings))
        }
        var joined = Tensor(uninitialized: first.dataType, shape: shape)
        joined.withUnsafeMutableBytes { destination in
            var offset = 0
            for tensor in tensors {
                tensor.withUnsafeBytes { source in
                    if source.count > 0 {
                        (destination.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
                    }
                    offset += source.count
                }
            }
        }
        return joined
    }

    /// This tensor cut along dim 0 into consecutive pieces of `rows` rows each, or nil when its
    /// first dimension is not their sum. A single piece is the tensor itself. A piece that starts
    /// on a `TensorStorage.alignment` boundary shares this tensor's bytes (read-only: writing it
    /// copies first); the others, and strings, are copies.
    public func splittingRows(_ rows: [Int]) -> [Tensor]? {
        let total = rows.reduce(0, +)
        guard rank >= 1, shape[0] == total else { return nil }
        guard rows.count > 1 else { return [self] }
        let rowShape = Array(shape.dropFirst())
        let rowElements = rowShape.reduce(1, *)
        var pieces: [Tensor] = []
        pieces.reserveCapacity(rows.count)
        var start = 0
        if dataType == .string {
            let strings = self.strings
            for count in rows {
                pieces.append(Tensor(shape: [count] + rowShape, strings: Array(strings[start * rowElements ..< (start + count) * rowElements])))
                start += count
            }
            return pieces
        }
        let rowBytes = rowElements * dataType.byteSize
        for count in rows {
            let offset = start * rowBytes, byteCount = count * rowBytes
            let pieceShape = [count] + rowShape
            if offset % TensorStorage.alignment == 0 {
                let shared = TensorStorage(borrowing: storage.bytes + offset, byteCount: byteCount, owner: storage,
                                           readOnly: true)
                pieces.append(Tensor(dataType: dataType, shape: pieceShape, storage: shared))
            } else {
                pieces.append(Tensor(dataType: dataType, shape: pieceShape,
                                     bytes: UnsafeRawBufferPointer(start: storage.bytes + offset, count: byteCount)))
            }
            start += count
        }
        return pieces
    }
}
