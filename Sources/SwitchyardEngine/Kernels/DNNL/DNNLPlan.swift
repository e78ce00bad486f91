import CDNNL
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
}

/// The oneDNN primitives, layouts and prepacked constants that compute a list of nodes for one
/// set of input shapes. Values live in slots: each slot has a memory descriptor (plain or a
/// oneDNN-chosen blocked layout). Inputs, constants and outputs have buffers of their own; every
/// other slot, and each primitive's scratchpad, lives at a planned offset in one arena whose
/// regions are shared by values that are never live at once (`ArenaPlacement`).
///
/// Immutable and `Sendable`: several threads may run one plan at once; each run has its own
/// arena, memory objects and stream.
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

    /// Runs the plan on `inputs` (shapes as planned) with its OpenMP team size. `arena` holds at
    /// least `arenaBytes` bytes and belongs to this run alone.
    /// With `profile`, each primitive's time is added to its node's `StepProfile` detail.
    func run(inputs: [Tensor], arena: TensorStorage, engine: DNNLEngine, profile: StepProfile? = nil) throws(DNNLError) -> [Tensor] {
        precondition(arena.byteCount >= arenaBytes, "a oneDNN plan ran with a smaller arena than planned")
        omp_set_num_threads(Int32(threads))
        var buffers = [TensorStorage?](repeating: nil, count: descs.count)
        for (slot, storage) in constants { buffers[slot] = storage }
        for (slot, tensor) in zip(inputSlots, inputs) { buffers[slot] = tensor.storage }
        for (slot, offset) in arenaOffsets.enumerated() {
            guard let offset else { continue }
            buffers[slot] = TensorStorage(borrowing: arena.bytes + offset, byteCount: descs[slot].byteSize, owner: arena)
        }
        let stream = try DNNLStream(engine: engine)
        func buffer(_ slot: Int) -> TensorStorage {
            if let existing = buffers[slot] { return existing }
            let storage: TensorStorage
            if let placement = placements[slot] {
                let parent = buffer(placement.parent)
                storage = TensorStorage(borrowing: parent.bytes + placement.byteOffset, byteCount: descs[slot].byteSize,
                                        owner: parent)
            } else {
                // Only outputs get here (their buffers leave the plan), first written directly, through
                // a view (slices a concat copies into) or through a part placed in them.
                storage = TensorStorage(uninitializedByteCount: descs[slot].byteSize)
            }
            buffers[slot] = storage
            return storage
        }

        func record(_ index: Int, since started: ContinuousClock.Instant?) {
            guard let profile, let started else { return }
            let member = stepMembers[index]
            profile.recordDetail(node: member.node.isEmpty ? "(region boundary)" : member.node, opType: member.opType,
                                 seconds: StepProfile.seconds(since: started))
        }

        for (index, step) in steps.enumerated() {
            switch step {
            case .view(let from, let to):
                buffers[to] = buffer(from)
            case .primitive(let primitive, let arguments, let scratchpad):
                var memories: [(Int32, DNNLMemory)] = []
                memories.reserveCapacity(arguments.count + 1)
                for (argument, slot) in arguments {
                    memories.append((argument, try DNNLMemory(desc: descs[slot], storage: buffer(slot), engine: engine)))
                }
                if let scratchpad {
                    let storage = TensorStorage(borrowing: arena.bytes + scratchpadOffsets[index],
                                                byteCount: scratchpad.byteSize, owner: arena)
                    memories.append((DNNL_ARG_SCRATCHPAD, try DNNLMemory(desc: scratchpad, storage: storage, engine: engine)))
                }
                let started = profile == nil ? nil : ContinuousClock.now
                try primitive.execute(on: stream, arguments: memories)
                try stream.wait()
                record(index, since: started)
            case .swishInPlace(let slot):
                let started = profile == nil ? nil : ContinuousClock.now
                let storage = buffer(slot)
                switchyard_silu_inplace_team(storage.bytes.assumingMemoryBound(to: Float.self), descs[slot].byteSize / 4,
                                             Int32(threads))
                record(index, since: started)
            }
        }
        return zip(outputSlots, outputShapes).map { slot, shape in
            Tensor(dataType: DNNLMemoryDesc.tensorType(of: descs[slot].dataType), shape: shape, storage: buffer(slot))
        }
    }
}
