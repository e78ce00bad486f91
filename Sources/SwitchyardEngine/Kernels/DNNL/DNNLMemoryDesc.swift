import CDNNL

/// A oneDNN memory descriptor: logical dimensions, an element type (float32 unless an int8
/// kernel asks otherwise) and a layout, which is either plain row-major or a oneDNN-chosen
/// (often blocked, e.g. `nChw8c`) format.
struct DNNLMemoryDesc: @unchecked Sendable {
    // @unchecked: `dnnl_memory_desc_t` is a plain C value (numbers and fixed arrays, no
    // pointers); Swift only fails to infer Sendable for its imported union member.
    var raw: dnnl_memory_desc_t

    init(raw: dnnl_memory_desc_t) { self.raw = raw }

    /// Row-major layout of `shape` (rank 1...12) with `type` elements.
    static func plain(_ shape: [Int], type: dnnl_data_type_t = dnnl_f32) throws(DNNLError) -> DNNLMemoryDesc {
        try strided(shape, strides: ShapeMath.strides(shape), type: type)
    }

    /// Float32 layout of `shape` with explicit element `strides` (e.g. a transposed view).
    static func strided(_ shape: [Int], strides: [Int], type: dnnl_data_type_t = dnnl_f32) throws(DNNLError) -> DNNLMemoryDesc {
        guard (1...Int(DNNL_MAX_NDIMS)).contains(shape.count) else {
            throw DNNLError(call: "dnnl_memory_desc_init_by_strides (rank \(shape.count))",
                            status: dnnl_invalid_arguments.rawValue)
        }
        var raw = dnnl_memory_desc_t()
        let dims = shape.map(Int64.init)
        let steps = strides.map(Int64.init)
        try dnnlCheck(dnnl_memory_desc_init_by_strides(&raw, Int32(shape.count), dims, type, steps),
                      "dnnl_memory_desc_init_by_strides(\(shape))")
        return DNNLMemoryDesc(raw: raw)
    }

    /// A descriptor that lets a primitive choose the layout (`dnnl_format_tag_any`).
    static func any(_ shape: [Int], type: dnnl_data_type_t = dnnl_f32) throws(DNNLError) -> DNNLMemoryDesc {
        var raw = dnnl_memory_desc_t()
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&raw, Int32(shape.count), shape.map(Int64.init), type,
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

    /// The element type.
    var dataType: dnnl_data_type_t { raw.data_type }

    /// True when the buffer holds exactly the tensor's elements: no padded block (a blocked format
    /// over a channel count that is not a multiple of the block) and no gaps (a view of part of a
    /// larger buffer, such as one input of an in-place concat).
    var isDense: Bool {
        byteSize == dims.reduce(1, *) * dnnl_data_type_size(dataType)
    }

    /// The same layout with `type` elements: oneDNN counts strides and block sizes in elements,
    /// so a `nhwc` u8 tensor and its `nhwc` f32 dequantized value share one descriptor but for the type.
    func withDataType(_ type: dnnl_data_type_t) -> DNNLMemoryDesc {
        var copy = raw
        copy.data_type = type
        return DNNLMemoryDesc(raw: copy)
    }

    /// True when this is row-major over its dimensions.
    var isPlain: Bool {
        guard let plain = try? Self.plain(dims, type: dataType) else { return false }
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

extension DNNLMemoryDesc {
    /// The activation layouts oneDNN picks: channel-blocked (`nCw8c`, `nChw8c`, …: float on AVX2
    /// and AVX-512's jit convolutions) and channels-last (`nwc`, `nhwc`, `ndhwc`: int8, and
    /// AVX-512's brgconv on float).
    private static let activationTags: [dnnl_format_tag_t] = [
        dnnl_aBc8b, dnnl_aBcd8b, dnnl_aBcde8b, dnnl_aBc16b, dnnl_aBcd16b, dnnl_aBcde16b, dnnl_acb, dnnl_acdb, dnnl_acdeb,
    ]

    private static func tagged(_ shape: [Int], _ tag: dnnl_format_tag_t, _ type: dnnl_data_type_t) -> DNNLMemoryDesc? {
        var raw = dnnl_memory_desc_t()
        guard dnnl_memory_desc_init_by_tag(&raw, Int32(shape.count), shape.map(Int64.init), type, tag) == dnnl_success
        else { return nil }
        return DNNLMemoryDesc(raw: raw)
    }

    /// A dense descriptor of `shape` in this descriptor's layout and data type, when that layout
    /// is plain row-major or one of oneDNN's activation formats; nil otherwise.
    ///
    /// Parts of a split or a concatenation of `nhwc` values keep `nhwc`, where the convolutions
    /// around them read and write it: one copy into (or out of) each part, where plain parts would
    /// add a reorder of the whole to and from NCHW (PP-OCR det FP32 at batch 8: 617 → 577 ms).
    func sameLayout(dims shape: [Int]) -> DNNLMemoryDesc? {
        if isPlain { return try? .plain(shape, type: dataType) }
        guard shape.count == dims.count else { return nil }
        for tag in Self.activationTags {
            if let mine = Self.tagged(dims, tag, dataType), mine == self { return Self.tagged(shape, tag, dataType) }
        }
        return nil
    }

    /// The channels-last tag by rank (`nwc`, `nhwc`, `ndhwc`).
    private static let channelsLastTags: [Int: dnnl_format_tag_t] = [3: dnnl_acb, 4: dnnl_acdb, 5: dnnl_acdeb]

    /// `shape` (`[N, C, spatial…]`, rank 3 to 5) channels-last, as oneDNN's int8 convolutions lay it out.
    static func channelsLast(_ shape: [Int], type: dnnl_data_type_t) throws(DNNLError) -> DNNLMemoryDesc {
        guard let tag = channelsLastTags[shape.count], let desc = tagged(shape, tag, type) else {
            throw DNNLError(call: "dnnl_memory_desc_init_by_tag(channels-last, \(shape))", status: dnnl_invalid_arguments.rawValue)
        }
        return desc
    }

    /// True for channels-last (`nwc`, `nhwc`, `ndhwc`), false for plain row-major, nil for
    /// any other layout.
    var isChannelsLast: Bool? {
        if isPlain { return false }
        guard let channelsLast = Self.channelsLastTags[dims.count], let mine = Self.tagged(dims, channelsLast, dataType)
        else { return nil }
        return mine == self ? true : nil
    }

    /// The part of this memory of size `shape` starting at `offsets` (a view: same buffer,
    /// same strides); nil when the layout cannot express it (an offset inside a block).
    func submemory(dims shape: [Int], offsets: [Int]) -> DNNLMemoryDesc? {
        var out = dnnl_memory_desc_t()
        let status = withUnsafePointer(to: raw) { parent in
            dnnl_memory_desc_init_submemory(&out, parent, shape.map(Int64.init), offsets.map(Int64.init))
        }
        return status == dnnl_success ? DNNLMemoryDesc(raw: out) : nil
    }
}
