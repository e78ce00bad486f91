import CDNNL
import Synchronization
import SwitchyardTensor

/// One action of a compiled plan.
enum DNNLStep: Sendable {
    /// Runs a primitive; each argument (`DNNL_ARG_*`) is bound to a slot's buffer.
    case primitive(DNNLPrimitive, arguments: [(Int32, Int)], scratchpad: DNNLMemoryDesc?)
    /// Makes slot `to` a view of slot `from`'s buffer (a reshape, or another description of
    /// the same bytes).
    case view(from: Int, to: Int)
    /// SiLU (`x·sigmoid(x)`) in place on a float32 slot (`switchyard_silu_inplace_team`, split
    /// over the plan's OpenMP team), padding included (SiLU keeps zeros zero).
    case swishInPlace(slot: Int)
    /// Byte table lookup (`switchyard_lookup8`, or `switchyard_lookup8_pairs` for two sources of
    /// one layout) from 8-bit source slots into `destination`, element by element in any unpadded
    /// layout, split over the plan's OpenMP team.
    case lookup(sources: [Int], destination: Int, table: TensorStorage)
    /// One of the engine's own kernels (`DNNLKernelStep`): a compiled QuantizedElementwise body,
    /// a softmax over an axis that is not innermost, a depthwise int8 convolution.
    case kernel(any DNNLKernelStep)
}

/// The oneDNN primitives, layouts and prepacked constants that compute a list of nodes for one
/// set of input shapes. Values live in slots: each slot has a memory descriptor (plain or a
/// oneDNN-chosen blocked layout). Inputs, constants and outputs have buffers of their own; every
/// other slot, and each primitive's scratchpad, lives at a planned offset in one arena whose
/// regions are shared by values that are never live at once (`ArenaPlacement`).
///
/// Immutable and `Sendable`: several threads may run one plan at once; each run has its own
/// `DNNLRunContext` (arena, memory objects and stream).
struct DNNLPlan: Sendable {
    let descs: [DNNLMemoryDesc]
    /// Prepacked constants (weights reordered to the layout their primitive chose), by slot.
    let constants: [Int: TensorStorage]
    /// Slot of each input (plain layout), aligned with the inputs `run` takes.
    let inputSlots: [Int]
    /// Slot of each output (plain layout) and its shape.
    let outputSlots: [Int]
    let outputShapes: [[Int]]
    let steps: [DNNLStep]
    /// Slots that live inside another slot's buffer (a split's part, a concatenation's slice).
    let placements: [Int: DNNLPlacement]
    /// Arena offset of each slot whose buffer is in the arena (nil: input, constant, output or
    /// a view, which shares its source's buffer).
    let arenaOffsets: [Int?]
    /// Arena offset of each step's scratchpad (0 for steps without one).
    let scratchpadOffsets: [Int]
    /// Bytes of the arena one run needs.
    let arenaBytes: Int
    /// oneDNN implementation of each primitive step, in order (e.g. `jit:avx2`).
    let implementationNames: [String]
    /// The node each step computes (name, op types; empty for boundary reorders), by step.
    let stepMembers: [(node: String, opType: String)]
    /// OpenMP team size the primitives were created for; `run` needs the same.
    let threads: Int
    /// Rough single-thread work (see `DNNLPlanBuilder.work`).
    let work: Int

    /// Identifies the plan to the run contexts that keep its memory objects.
    let id = DNNLPlan.nextID.add(1, ordering: .relaxed).newValue

    private static let nextID = Atomic<Int>(0)

    /// Runs the plan on `inputs` (shapes as planned) with its OpenMP team size, in `context`
    /// (used by this run alone, as is the arena it gives).
    /// With `profile`, each primitive's time is added to its node's `StepProfile` detail.
    func run(inputs: [Tensor], context: DNNLRunContext, engine: DNNLEngine, profile: StepProfile? = nil) throws(DNNLError) -> [Tensor] {
        let arena = context.arena(byteCount: arenaBytes)
        omp_set_num_threads(Int32(threads))
        let binding = try context.binding(of: self, engine: engine)
        // Every slot's address: constants', inputs' and the arena's known now; a view's or a
        // placed part's from its source; an output's when first written (its buffer is made then).
        var addresses = binding.constantAddresses
        for (slot, tensor) in zip(inputSlots, inputs) { addresses[slot] = tensor.storage.bytes }
        for (slot, offset) in arenaOffsets.enumerated() {
            if let offset { addresses[slot] = arena + offset }
        }
        var outputBuffers: [Int: TensorStorage] = [:]
        func address(_ slot: Int) -> UnsafeMutableRawPointer {
            if let known = addresses[slot] { return known }
            let bytes: UnsafeMutableRawPointer
            if let placement = placements[slot] {
                bytes = address(placement.parent) + placement.byteOffset
            } else {
                // Only outputs get here (their buffers leave the plan), first written directly, through
                // a view (slices a concat copies into) or through a part placed in them.
                let storage = TensorStorage(uninitializedByteCount: descs[slot].byteSize)
                outputBuffers[slot] = storage
                bytes = storage.bytes
            }
            addresses[slot] = bytes
            return bytes
        }
        var viewSources: [Int: Int] = [:]
        /// A slot's buffer as storage that keeps its owner alive (for the outputs).
        func buffer(_ slot: Int) -> TensorStorage {
            if let storage = outputBuffers[slot] ?? constants[slot] { return storage }
            if let input = inputSlots.firstIndex(of: slot) { return inputs[input].storage }
            if let source = viewSources[slot] { return buffer(source) }
            let bytes = address(slot)
            if let storage = outputBuffers[slot] { return storage }
            // The arena is reused as soon as the run ends: no output lives there
            // (`DNNLPlanBuilder.finish` keeps their buffers out of it).
            guard let placement = placements[slot] else { preconditionFailure("oneDNN plan output slot \(slot) is in the arena") }
            let storage = TensorStorage(borrowing: bytes, byteCount: descs[slot].byteSize, owner: buffer(placement.parent))
            outputBuffers[slot] = storage
            return storage
        }

        func record(_ index: Int, since started: ContinuousClock.Instant?) {
            guard let profile, let started else { return }
            let member = stepMembers[index]
            profile.recordDetail(node: member.node.isEmpty ? StepProfile.boundary : member.node, opType: member.opType,
                                 seconds: StepProfile.seconds(since: started))
        }

        for index in steps.indices {
            switch steps[index] {
            case .view(let from, let to):
                addresses[to] = address(from)
                viewSources[to] = from
            case .primitive(let primitive, _, _):
                let arguments = binding.steps[index]!
                for (argument, slot) in arguments.slots.enumerated() { try arguments.bind(argument, to: address(slot)) }
                if arguments.memories.count > arguments.slots.count {
                    try arguments.bind(arguments.slots.count, to: arena + scratchpadOffsets[index])
                }
                let started = profile == nil ? nil : ContinuousClock.now
                try primitive.execute(on: context.stream, arguments: arguments.arguments)
                try context.stream.wait()
                record(index, since: started)
            case .swishInPlace(let slot):
                let started = profile == nil ? nil : ContinuousClock.now
                switchyard_silu_inplace_team(address(slot).assumingMemoryBound(to: Float.self), descs[slot].byteSize / 4,
                                             Int32(threads))
                record(index, since: started)
            case .lookup(let sources, let destination, let table):
                let started = profile == nil ? nil : ContinuousClock.now
                let bytes = table.bytes.assumingMemoryBound(to: UInt8.self)
                let output = address(destination).assumingMemoryBound(to: UInt8.self)
                let a = address(sources[0]).assumingMemoryBound(to: UInt8.self)
                let b = sources.count == 1 ? nil : UnsafePointer(address(sources[1]).assumingMemoryBound(to: UInt8.self))
                switchyard_lookup8_team(a, b, output, descs[destination].byteSize, bytes, Int32(threads))
                record(index, since: started)
            case .kernel(let step):
                let started = profile == nil ? nil : ContinuousClock.now
                step.run(threads: threads, address: address)
                record(index, since: started)
            }
        }
        return zip(outputSlots, outputShapes).map { slot, shape in
            Tensor(dataType: DNNLMemoryDesc.tensorType(of: descs[slot].dataType), shape: shape, storage: buffer(slot))
        }
    }
}
