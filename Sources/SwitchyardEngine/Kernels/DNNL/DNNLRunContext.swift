import CDNNL
import Synchronization
import SwitchyardTensor

/// What a run of a region's plans needs besides the plan and the thread's `ScratchArena`: a
/// stream, and the oneDNN memory objects of each primitive's arguments (plus an arena of its own
/// for runs outside a session). They are kept from one run to the next, so a run of a small
/// model does not spend its time creating and destroying memory objects (each a heap allocation
/// in oneDNN, plus a Swift object) and streams: measured on the direction classifier at batch 1,
/// malloc/free and `dnnl_memory_create` took over a tenth of a run.
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
    /// Per plan (`DNNLPlan.id`): what its runs bind.
    private var bindings: [Int: DNNLPlanBinding] = [:]

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

    /// What `plan`'s runs in this context bind, made on its first run here.
    func binding(of plan: DNNLPlan, engine: DNNLEngine) throws(DNNLError) -> DNNLPlanBinding {
        if let existing = bindings[plan.id] { return existing }
        let made = try DNNLPlanBinding(plan: plan, engine: engine)
        if bindings.count >= Self.keptPlans { bindings.removeAll() }
        bindings[plan.id] = made
        return made
    }
}

/// What a run context keeps for one plan: the memory objects of its primitives' arguments and
/// the addresses of its prepacked constants, which no run changes. A run of a region that
/// computes a whole small model (the direction classifier: about 100 steps and as many
/// constants) then binds raw addresses, without retaining and releasing a buffer per slot.
final class DNNLPlanBinding {
    /// Per step: its primitive's arguments (nil for steps that are not primitives).
    let steps: [DNNLStepBinding?]
    /// Per slot: the address of a prepacked constant (nil for every other slot).
    let constantAddresses: [UnsafeMutableRawPointer?]

    init(plan: DNNLPlan, engine: DNNLEngine) throws(DNNLError) {
        var steps: [DNNLStepBinding?] = []
        steps.reserveCapacity(plan.steps.count)
        for step in plan.steps {
            guard case .primitive(_, let arguments, let scratchpad) = step else {
                steps.append(nil)
                continue
            }
            var memories: [DNNLBoundMemory] = []
            for (_, slot) in arguments { memories.append(try DNNLBoundMemory(desc: plan.descs[slot], engine: engine)) }
            if let scratchpad { memories.append(try DNNLBoundMemory(desc: scratchpad, engine: engine)) }
            let names = arguments.map(\.0) + (scratchpad == nil ? [] : [DNNL_ARG_SCRATCHPAD])
            steps.append(DNNLStepBinding(memories: memories, slots: arguments.map(\.1),
                                         arguments: zip(names, memories).map { dnnl_exec_arg_t(arg: $0, memory: $1.handle) }))
        }
        self.steps = steps
        var addresses = [UnsafeMutableRawPointer?](repeating: nil, count: plan.descs.count)
        // A binding serves only its own plan's runs (`DNNLPlan.id`), and the plan keeps its constants alive.
        for (slot, storage) in plan.constants { addresses[slot] = storage.bytes }
        constantAddresses = addresses
    }
}

/// One primitive step's arguments in a run context.
final class DNNLStepBinding {
    /// One per argument slot, then the scratchpad's when the step has one.
    let memories: [DNNLBoundMemory]
    /// The slot of each argument (the scratchpad has none).
    let slots: [Int]
    /// What `dnnl_primitive_execute` takes; the memory handles never change.
    let arguments: [dnnl_exec_arg_t]

    init(memories: [DNNLBoundMemory], slots: [Int], arguments: [dnnl_exec_arg_t]) {
        self.memories = memories
        self.slots = slots
        self.arguments = arguments
    }

    /// Points argument `index` at `bytes` (the scratchpad's index is `slots.count`), zero-filling
    /// the layout's padding if it has any.
    func bind(_ index: Int, to bytes: UnsafeMutableRawPointer) throws(DNNLError) {
        try dnnlCheck(dnnl_memory_set_data_handle(arguments[index].memory, bytes), "dnnl_memory_set_data_handle")
    }
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
