import CDNNL

/// A oneDNN memory descriptor: logical dimensions, float32 elements and a layout, which is
/// either plain row-major or a oneDNN-chosen (often blocked, e.g. `nChw8c`) format.
struct DNNLMemoryDesc: @unchecked Sendable {
    // @unchecked: `dnnl_memory_desc_t` is a plain C value (numbers and fixed arrays, no
    // pointers); Swift only fails to infer Sendable for its imported union member.
    var raw: dnnl_memory_desc_t

    init(raw: dnnl_memory_desc_t) { self.raw = raw }

    /// Row-major float32 layout of `shape` (rank 1...12).
    static func plain(_ shape: [Int]) throws(DNNLError) -> DNNLMemoryDesc {
        try strided(shape, strides: ShapeMath.strides(shape))
    }

    /// Float32 layout of `shape` with explicit element `strides` (e.g. a transposed view).
    static func strided(_ shape: [Int], strides: [Int]) throws(DNNLError) -> DNNLMemoryDesc {
        guard (1...Int(DNNL_MAX_NDIMS)).contains(shape.count) else {
            throw DNNLError(call: "dnnl_memory_desc_init_by_strides (rank \(shape.count))",
                            status: dnnl_invalid_arguments.rawValue)
        }
        var raw = dnnl_memory_desc_t()
        let dims = shape.map(Int64.init)
        let steps = strides.map(Int64.init)
        try dnnlCheck(dnnl_memory_desc_init_by_strides(&raw, Int32(shape.count), dims, dnnl_f32, steps),
                      "dnnl_memory_desc_init_by_strides(\(shape))")
        return DNNLMemoryDesc(raw: raw)
    }

    /// A descriptor that lets a primitive choose the layout (`dnnl_format_tag_any`).
    static func any(_ shape: [Int]) throws(DNNLError) -> DNNLMemoryDesc {
        var raw = dnnl_memory_desc_t()
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&raw, Int32(shape.count), shape.map(Int64.init), dnnl_f32,
                                                   dnnl_format_tag_any),
                      "dnnl_memory_desc_init_by_tag(any, \(shape))")
        return DNNLMemoryDesc(raw: raw)
    }

    /// The logical dimensions (independent of layout).
    var dims: [Int] {
        withUnsafeBytes(of: raw.dims) { buffer in
            Array(buffer.bindMemory(to: Int64.self).prefix(Int(raw.ndims))).map(Int.init)
        }
    }

    /// Bytes the layout needs, including any padding of blocked formats.
    var byteSize: Int {
        withUnsafePointer(to: raw) { dnnl_memory_desc_get_size($0) }
    }

    /// True when this is row-major float32 over its dimensions.
    var isPlain: Bool {
        guard let plain = try? Self.plain(dims) else { return false }
        return self == plain
    }

    /// The same plain memory viewed with other dimensions of equal element count.
    func reshaped(_ shape: [Int]) throws(DNNLError) -> DNNLMemoryDesc {
        var out = dnnl_memory_desc_t()
        try withUnsafePointer(to: raw) { (input) throws(DNNLError) in
            try dnnlCheck(dnnl_memory_desc_reshape(&out, input, Int32(shape.count), shape.map(Int64.init)),
                          "dnnl_memory_desc_reshape(\(dims) -> \(shape))")
        }
        return DNNLMemoryDesc(raw: out)
    }
}

extension DNNLMemoryDesc: Equatable {
    static func == (lhs: DNNLMemoryDesc, rhs: DNNLMemoryDesc) -> Bool {
        withUnsafePointer(to: lhs.raw) { left in
            withUnsafePointer(to: rhs.raw) { right in dnnl_memory_desc_equal(left, right) != 0 }
        }
    }
}
