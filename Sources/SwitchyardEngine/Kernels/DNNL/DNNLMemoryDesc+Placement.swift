import CDNNL

extension DNNLMemoryDesc {
    /// Where a dense value of `shape`, in this descriptor's layout, can live inside this memory
    /// at element `offsets` with no copy: the byte offset at which the dense descriptor addresses
    /// exactly the elements of that part (same strides wherever the part has more than one
    /// element, same padding), or nil when the part is not such a contiguous piece. A channel
    /// slice of a batch-1 `nChw8c` or row-major tensor is one (the batch stride, which differs, is
    /// never used); a slice of a larger batch is not.
    ///
    /// Primitives check their layouts against dense tags (strides included), so a producer can
    /// write into a concatenation's slice, and a consumer read a split's part, only through such
    /// a dense descriptor at an offset pointer, never through the sub-memory descriptor itself.
    func placement(of shape: [Int], at offsets: [Int]) -> (dense: DNNLMemoryDesc, byteOffset: Int)? {
        guard shape.count == dims.count, offsets.count == dims.count, raw.format_kind == dnnl_blocked,
              let dense = sameLayout(dims: shape), let part = submemory(dims: shape, offsets: offsets) else { return nil }
        let rank = shape.count
        let partPadded = Self.values(of: part.raw.padded_dims, rank), densePadded = Self.values(of: dense.raw.padded_dims, rank)
        let partStrides = Self.values(of: part.raw.format_desc.blocking.strides, rank)
        let denseStrides = Self.values(of: dense.raw.format_desc.blocking.strides, rank)
        // Equal padding keeps a producer's zero-filled block tail inside its own part.
        guard partPadded == densePadded, dense.raw.offset0 == 0,
              (0..<rank).allSatisfy({ partPadded[$0] <= 1 || partStrides[$0] == denseStrides[$0] }) else { return nil }
        return (dense, Int(part.raw.offset0) * Int(dnnl_data_type_size(dataType)))
    }

    private static func values(of tuple: dnnl_dims_t, _ count: Int) -> [Int] {
        withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: Int64.self).prefix(count)).map(Int.init) }
    }
}
