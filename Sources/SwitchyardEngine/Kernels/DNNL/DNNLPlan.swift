import CDNNL
import SwitchyardTensor

/// One action of a compiled plan.
enum DNNLStep: Sendable {
    /// Runs a primitive; each argument (`DNNL_ARG_*`) is bound to a slot's buffer.
    case primitive(DNNLPrimitive, arguments: [(Int32, Int)], scratchpad: DNNLMemoryDesc?)
    /// Makes slot `to` a view of slot `from`'s buffer (a reshape, or another description of
    /// the same bytes).
    case view(from: Int, to: Int)
}

/// The oneDNN primitives, layouts and prepacked constants that compute a list of nodes for one
/// set of input shapes. Values live in slots: each slot has a memory descriptor (plain or a
/// oneDNN-chosen blocked layout) and gets a buffer when first written.
///
/// Immutable and `Sendable`: several threads may run one plan at once; each run keeps its
/// buffers, memory objects, stream and scratchpads to itself.
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
    /// Slots whose buffers can be dropped after each step.
    let releases: [[Int]]
    /// oneDNN implementation of each primitive step, in order (e.g. `jit:avx2`).
    let implementationNames: [String]
    /// OpenMP team size the primitives were created for; `run` needs the same.
    let threads: Int
    /// Rough single-thread work (see `DNNLPlanBuilder.work`).
    let work: Int

    /// Runs the plan on float32 `inputs` (shapes as planned) with its OpenMP team size.
    func run(inputs: [Tensor], engine: DNNLEngine) throws(DNNLError) -> [Tensor] {
        omp_set_num_threads(Int32(threads))
        var buffers = [TensorStorage?](repeating: nil, count: descs.count)
        for (slot, storage) in constants { buffers[slot] = storage }
        for (slot, tensor) in zip(inputSlots, inputs) { buffers[slot] = tensor.storage }
        let stream = try DNNLStream(engine: engine)

        for (index, step) in steps.enumerated() {
            switch step {
            case .view(let from, let to):
                buffers[to] = buffers[from]
            case .primitive(let primitive, let arguments, let scratchpad):
                var memories: [(Int32, DNNLMemory)] = []
                memories.reserveCapacity(arguments.count + 1)
                for (argument, slot) in arguments {
                    let storage: TensorStorage
                    if let existing = buffers[slot] {
                        storage = existing
                    } else {
                        storage = TensorStorage(uninitializedByteCount: descs[slot].byteSize)
                        buffers[slot] = storage
                    }
                    memories.append((argument, try DNNLMemory(desc: descs[slot], storage: storage, engine: engine)))
                }
                if let scratchpad {
                    let storage = TensorStorage(uninitializedByteCount: scratchpad.byteSize)
                    memories.append((DNNL_ARG_SCRATCHPAD, try DNNLMemory(desc: scratchpad, storage: storage, engine: engine)))
                }
                try primitive.execute(on: stream, arguments: memories)
                try stream.wait()
            }
            for slot in releases[index] { buffers[slot] = nil }
        }
        return zip(outputSlots, outputShapes).map { slot, shape in
            Tensor(dataType: DNNLMemoryDesc.tensorType(of: descs[slot].dataType), shape: shape, storage: buffers[slot]!)
        }
    }
}
