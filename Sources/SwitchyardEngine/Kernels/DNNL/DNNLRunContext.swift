import CDNNL
import Synchronization
import SwitchyardTensor

/// What a run of a region's plans needs besides the plan: a stream, the oneDNN memory objects
/// of each primitive's arguments, and an arena. They are kept from one run to the next, so a
/// run of a small model does not spend its time creating and destroying memory objects (each
/// a heap allocation in oneDNN, plus a Swift object) and streams: measured on the direction
/// classifier at batch 1, malloc/free and `dnnl_memory_create` took over a tenth of a run.
///
/// A run rebinds every argument to this run's buffer with `dnnl_memory_set_data_handle`, as
/// creating the object did: it zero-fills a blocked layout's padding, which a slot that shares
/// arena bytes with another may have lost since the last run.
final class DNNLRunContext: @unchecked Sendable {
    // @unchecked: a context is used by one run at a time; `DNNLRunContextPool` hands it from
    // run to run under its lock and never to two runs at once.
    let stream: DNNLStream
    /// The arena of runs on a thread without a `ScratchArena` (outside a session's run).
    private let ownArena = ScratchArena()
    /// Per plan (`DNNLPlan.id`): per step, the memory objects of its arguments and the
    /// argument list oneDNN executes with (empty for steps that are not primitives).
    private var bindings: [Int: [DNNLStepBinding]] = [:]

    /// Plans whose bindings a context keeps (the plan cache holds at most
    /// `DNNLPlanCache.capacity`; bindings of evicted plans go when this is exceeded).
    static let keptPlans = 16

    init(engine: DNNLEngine) throws(DNNLError) {
        stream = try DNNLStream(engine: engine)
    }

    /// `byteCount` bytes for this run's values: in the calling thread's `ScratchArena`, which
    /// every region the thread runs shares, or else in the context's own.
    func arena(byteCount: Int) -> UnsafeMutableRawPointer {
        (ScratchArena.current ?? ownArena).bytes(atLeast: byteCount)
    }

    /// Bytes of the context's own arena.
    var ownArenaBytes: Int { ownArena.byteCount }

    /// The bindings of `plan`'s steps, created on its first run in this context.
    func bindings(of plan: DNNLPlan, engine: DNNLEngine) throws(DNNLError) -> [DNNLStepBinding] {
        if let existing = bindings[plan.id] { return existing }
        var made: [DNNLStepBinding] = []
        made.reserveCapacity(plan.steps.count)
        for step in plan.steps {
            guard case .primitive(_, let arguments, let scratchpad) = step else {
                made.append(DNNLStepBinding(memories: [], slots: [], arguments: []))
                continue
            }
            var memories: [DNNLBoundMemory] = []
            for (_, slot) in arguments { memories.append(try DNNLBoundMemory(desc: plan.descs[slot], engine: engine)) }
            if let scratchpad { memories.append(try DNNLBoundMemory(desc: scratchpad, engine: engine)) }
            let names = arguments.map(\.0) + (scratchpad == nil ? [] : [DNNL_ARG_SCRATCHPAD])
            made.append(DNNLStepBinding(memories: memories, slots: arguments.map(\.1),
                                        arguments: zip(names, memories).map { dnnl_exec_arg_t(arg: $0, memory: $1.handle) }))
        }
        if bindings.count >= Self.keptPlans { bindings.removeAll() }
        bindings[plan.id] = made
        return made
    }
}

/// One primitive step's arguments in a run context.
struct DNNLStepBinding {
    /// One per argument slot, then the scratchpad's when the step has one.
    let memories: [DNNLBoundMemory]
    /// The slot of each argument (the scratchpad has none).
    let slots: [Int]
    /// What `dnnl_primitive_execute` takes; the memory handles never change.
    let arguments: [dnnl_exec_arg_t]
}

/// A oneDNN memory object whose buffer is set before each use; it does not keep the buffer alive.
final class DNNLBoundMemory {
    let handle: dnnl_memory_t

    init(desc: DNNLMemoryDesc, engine: DNNLEngine) throws(DNNLError) {
        var memory: dnnl_memory_t?
        try withUnsafePointer(to: desc.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_memory_create(&memory, raw, engine.handle, nil), "dnnl_memory_create")
        }
        handle = memory!
    }

    /// Points the memory at `bytes` (zero-filling the layout's padding, if it has any).
    func bind(_ bytes: UnsafeMutableRawPointer) throws(DNNLError) {
        try dnnlCheck(dnnl_memory_set_data_handle(handle, bytes), "dnnl_memory_set_data_handle")
    }

    deinit { dnnl_memory_destroy(handle) }
}

/// Keeps the idle run contexts between runs of a region's plans, so a run reuses their memory
/// objects and streams. Runs that overlap (instances of one model on their own threads) each
/// take a context; the pool holds as many as ran at once, up to `maxIdle`, dropping beyond that
/// the one with the smallest own arena.
final class DNNLRunContextPool: Sendable {
    private let idle = Mutex<[DNNLRunContext]>([])

    /// Idle contexts kept at most.
    static let maxIdle = 4

    /// A context for one run; give it back with `recycle`.
    func take(engine: DNNLEngine) throws(DNNLError) -> DNNLRunContext {
        if let kept = idle.withLock({ $0.popLast() }) { return kept }
        return try DNNLRunContext(engine: engine)
    }

    /// Contexts waiting for a run.
    var idleCount: Int { idle.withLock { $0.count } }

    /// Keeps `context` for a later run.
    func recycle(_ context: DNNLRunContext) {
        idle.withLock { idle in
            idle.append(context)
            if idle.count > Self.maxIdle, let smallest = idle.indices.min(by: { idle[$0].ownArenaBytes < idle[$1].ownArenaBytes }) {
                idle.remove(at: smallest)
            }
        }
    }
}
