import CDNNL
import Synchronization

/// Primitive attributes: post-ops, output scales, and always the user scratchpad mode, so that
/// one primitive can run on several threads at once (each execution brings its own scratchpad).
final class DNNLAttributes {
    let handle: dnnl_primitive_attr_t
    private let postOps: dnnl_post_ops_t
    private var hasPostOps = false

    init() throws(DNNLError) {
        var attr: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create")
        handle = attr!
        var ops: dnnl_post_ops_t?
        let status = dnnl_post_ops_create(&ops)
        guard status == dnnl_success else {
            dnnl_primitive_attr_destroy(handle)
            throw DNNLError(call: "dnnl_post_ops_create", status: status.rawValue)
        }
        postOps = ops!
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(handle, dnnl_scratchpad_mode_user),
                      "dnnl_primitive_attr_set_scratchpad_mode(user)")
    }

    deinit {
        dnnl_post_ops_destroy(postOps)
        dnnl_primitive_attr_destroy(handle)
    }

    /// Appends an elementwise post-op `alg(alpha, beta)` applied to the result.
    func appendEltwise(_ alg: dnnl_alg_kind_t, alpha: Float = 0, beta: Float = 0) throws(DNNLError) {
        try dnnlCheck(dnnl_post_ops_append_eltwise(postOps, 1, alg, alpha, beta), "dnnl_post_ops_append_eltwise")
        try commitPostOps()
    }

    /// Appends `dst = scale * dst_before + result`: the destination buffer must hold the addend.
    func appendSum(scale: Float = 1) throws(DNNLError) {
        try dnnlCheck(dnnl_post_ops_append_sum(postOps, scale), "dnnl_post_ops_append_sum")
        try commitPostOps()
    }

    /// Appends a binary post-op with a second operand of layout `desc` (broadcast where its
    /// dimensions are 1); its memory is passed as `DNNLPostOpArgument.binarySource(index)`.
    func appendBinary(_ alg: dnnl_alg_kind_t, source desc: DNNLMemoryDesc) throws(DNNLError) {
        try withUnsafePointer(to: desc.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_post_ops_append_binary(postOps, alg, raw), "dnnl_post_ops_append_binary")
        }
        try commitPostOps()
    }

    /// Number of post-ops so far; the index of the next one.
    var postOpCount: Int { Int(dnnl_post_ops_len(postOps)) }

    private func commitPostOps() throws(DNNLError) {
        try dnnlCheck(dnnl_primitive_attr_set_post_ops(handle, postOps), "dnnl_primitive_attr_set_post_ops")
        hasPostOps = true
    }
}

/// The execute-argument index of the second operand of binary post-op number `index`.
func dnnlBinaryPostOpSource(_ index: Int) -> Int32 {
    Int32(switchyard_dnnl_arg_post_op(Int32(index))) | DNNL_ARG_SRC_1
}

/// A primitive descriptor: an operation bound to an implementation and concrete layouts.
///
/// Descriptors are created one at a time in the process. oneDNN 2.6 finds a reorder's
/// implementations with `std::map::operator[]` on a shared map (`cpu_reorder.cpp`), which inserts
/// the data-type pairs it has not seen: two threads making their first reorders (or concats,
/// built of reorders) at once corrupt the map, and a later lookup loops forever. Two pieces of a
/// split batch planning their first run together hung a benchmark that way. Plans are cached, so
/// creation is rare and the lock costs nothing per run.
final class DNNLPrimitiveDescriptor: @unchecked Sendable {
    // @unchecked: immutable after creation; only const queries are made on it.
    let handle: dnnl_primitive_desc_t

    private static let creation = Mutex(())

    /// Creates the descriptor for the operation descriptor `opDesc` (a `dnnl_*_desc_t`).
    init<OpDesc>(_ opDesc: OpDesc, attributes: DNNLAttributes, engine: DNNLEngine, name: String) throws(DNNLError) {
        var pd: dnnl_primitive_desc_t?
        var copy = opDesc
        let status = Self.creation.withLock { _ in
            withUnsafePointer(to: &copy) { pointer in
                dnnl_primitive_desc_create(&pd, UnsafeRawPointer(pointer), attributes.handle, engine.handle, nil)
            }
        }
        try dnnlCheck(status, "dnnl_primitive_desc_create(\(name))")
        handle = pd!
    }

    /// A reorder from `source` to `destination` layout (and type; `attributes` may add zero points).
    init(reorderFrom source: DNNLMemoryDesc, to destination: DNNLMemoryDesc, engine: DNNLEngine,
         attributes given: DNNLAttributes? = nil) throws(DNNLError) {
        let attributes: DNNLAttributes
        if let given { attributes = given } else { attributes = try DNNLAttributes() }
        var pd: dnnl_primitive_desc_t?
        let status = Self.creation.withLock { _ in
            withUnsafePointer(to: source.raw) { src in
                withUnsafePointer(to: destination.raw) { dst in
                    dnnl_reorder_primitive_desc_create(&pd, src, engine.handle, dst, engine.handle, attributes.handle)
                }
            }
        }
        try dnnlCheck(status, "dnnl_reorder_primitive_desc_create(\(source.dims))")
        handle = pd!
    }

    /// A concatenation of `sources` along `axis` into `destination`.
    init(concat sources: [DNNLMemoryDesc], axis: Int, destination: DNNLMemoryDesc, engine: DNNLEngine) throws(DNNLError) {
        let attributes = try DNNLAttributes()
        var pd: dnnl_primitive_desc_t?
        let raws = sources.map(\.raw)
        let status = Self.creation.withLock { _ in
            raws.withUnsafeBufferPointer { sourcePointer in
                withUnsafePointer(to: destination.raw) { dst in
                    dnnl_concat_primitive_desc_create(&pd, dst, Int32(raws.count), Int32(axis), sourcePointer.baseAddress,
                                                      attributes.handle, engine.handle)
                }
            }
        }
        try dnnlCheck(status, "dnnl_concat_primitive_desc_create(axis \(axis), \(sources.map(\.dims)))")
        handle = pd!
    }

    deinit { dnnl_primitive_desc_destroy(handle) }

    /// The layout the implementation chose for `query` (`dnnl_query_src_md`, …) number `index`.
    func desc(_ query: dnnl_query_t, index: Int = 0) -> DNNLMemoryDesc? {
        guard let md = dnnl_primitive_desc_query_md(handle, query, Int32(index)) else { return nil }
        let found = DNNLMemoryDesc(raw: md.pointee)
        return found.raw.ndims == 0 ? nil : found
    }

    /// oneDNN's name of the chosen implementation, e.g. `jit:avx2` or `brgemm:avx2`.
    var implementationName: String {
        var name: UnsafePointer<CChar>?
        let status = withUnsafeMutablePointer(to: &name) { pointer in
            dnnl_primitive_desc_query(handle, dnnl_query_impl_info_str, 0, UnsafeMutableRawPointer(pointer))
        }
        guard status == dnnl_success, let name else { return "unknown" }
        return String(cString: name)
    }

    /// Whether oneDNN chose its scalar reference code, which the engine avoids where it can.
    var isReference: Bool { implementationName.hasPrefix("ref") }

    /// The first descriptor `make` builds, over `destinationTypes` in order, on a kernel other
    /// than oneDNN's reference code (`primitive` reads its primitive descriptor); nil when none.
    /// How a layer stores BF16 where its readers allow, and its computed type otherwise.
    static func firstFast<Descriptor>(
        storing destinationTypes: [dnnl_data_type_t], primitive: (Descriptor) -> DNNLPrimitiveDescriptor,
        _ make: (dnnl_data_type_t) throws -> Descriptor
    ) -> Descriptor? {
        var tried: [dnnl_data_type_t] = []
        for type in destinationTypes where !tried.contains(type) {
            tried.append(type)
            if let made = try? make(type), !primitive(made).isReference { return made }
        }
        return nil
    }

    /// Scratchpad bytes one execution needs (user scratchpad mode).
    var scratchpadSize: Int {
        desc(dnnl_query_scratchpad_md).map(\.byteSize) ?? 0
    }
}

/// An executable primitive. oneDNN primitives are immutable once created and may execute on
/// several threads at once as long as each execution brings its own memory and scratchpad.
final class DNNLPrimitive: @unchecked Sendable {
    // @unchecked: see above; the handle is never mutated after creation.
    let handle: dnnl_primitive_t
    let descriptor: DNNLPrimitiveDescriptor

    init(_ descriptor: DNNLPrimitiveDescriptor) throws(DNNLError) {
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, descriptor.handle), "dnnl_primitive_create")
        handle = primitive!
        self.descriptor = descriptor
    }

    deinit { dnnl_primitive_destroy(handle) }

    /// Runs the primitive on `stream` with `arguments` (`DNNL_ARG_*` index → memory).
    func execute(on stream: DNNLStream, arguments: [(Int32, DNNLMemory)]) throws(DNNLError) {
        try execute(on: stream, arguments: arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) })
    }

    /// Runs the primitive on `stream` with oneDNN's own argument list.
    func execute(on stream: DNNLStream, arguments: [dnnl_exec_arg_t]) throws(DNNLError) {
        try dnnlCheck(dnnl_primitive_execute(handle, stream.handle, Int32(arguments.count), arguments),
                      "dnnl_primitive_execute(\(descriptor.implementationName))")
    }
}
