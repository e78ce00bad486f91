import CDNNL
import SwitchyardTensor

/// The process's oneDNN CPU engine. One is enough: engines only identify the device.
final class DNNLEngine: @unchecked Sendable {
    // @unchecked: the handle never changes after creation, and oneDNN engines may be used
    // from any number of threads at once.
    let handle: dnnl_engine_t

    private init() throws(DNNLError) {
        var engine: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create(cpu)")
        handle = engine!
    }

    deinit { dnnl_engine_destroy(handle) }

    private static let created: Result<DNNLEngine, DNNLError> = Result { () throws(DNNLError) in try DNNLEngine() }

    /// The shared CPU engine, created on first use.
    static func shared() throws(DNNLError) -> DNNLEngine { try created.get() }
}

/// An in-order oneDNN execution stream. Streams are not meant to be shared between threads:
/// each `DNNLRunContext` has its own, used by one run at a time.
final class DNNLStream {
    let handle: dnnl_stream_t

    init(engine: DNNLEngine) throws(DNNLError) {
        var stream: dnnl_stream_t?
        try dnnlCheck(dnnl_stream_create(&stream, engine.handle, dnnl_stream_default_flags.rawValue),
                      "dnnl_stream_create")
        handle = stream!
    }

    func wait() throws(DNNLError) {
        try dnnlCheck(dnnl_stream_wait(handle), "dnnl_stream_wait")
    }

    deinit { dnnl_stream_destroy(handle) }
}

/// A oneDNN memory object over a buffer that `storage` keeps alive (no copy).
final class DNNLMemory {
    let handle: dnnl_memory_t
    private let storage: TensorStorage

    init(desc: DNNLMemoryDesc, storage: TensorStorage, engine: DNNLEngine) throws(DNNLError) {
        precondition(storage.byteCount >= desc.byteSize, "buffer smaller than its memory descriptor")
        var memory: dnnl_memory_t?
        try withUnsafePointer(to: desc.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_memory_create(&memory, raw, engine.handle, storage.bytes), "dnnl_memory_create")
        }
        handle = memory!
        self.storage = storage
    }

    deinit { dnnl_memory_destroy(handle) }
}
