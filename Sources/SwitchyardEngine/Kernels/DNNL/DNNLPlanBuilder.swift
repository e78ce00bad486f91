import CDNNL
import SwitchyardTensor

/// A node input as a lowering sees it: its slot, logical shape, and its value when known at
/// plan time (an initializer, or a small parameter such as Clip's bounds).
struct DNNLOperand {
    let slot: Int
    let shape: [Int]
    let value: Tensor?
}

/// Builds a `DNNLPlan`: operations add primitives over slots, and the builder inserts the
/// reorders between the layouts that consecutive primitives chose.
struct DNNLPlanBuilder {
    let engine: DNNLEngine
    private(set) var descs: [DNNLMemoryDesc] = []
    private var constants: [Int: TensorStorage] = [:]
    private var steps: [DNNLStep] = []
    private var implementationNames: [String] = []
    /// The node (name, op types) whose lowering adds the next steps, for per-node profiles;
    /// empty for the region's own boundary reorders.
    var member: (node: String, opType: String) = ("", "")
    private var stepMembers: [(node: String, opType: String)] = []
    /// Whether the member being lowered may store its output in BF16: every reader rounds it
    /// to BF16 anyway (`DNNLOperation.bf16RoundedInput`), and it is no output of the region.
    var mayStoreBF16 = false
    /// Whether the member being lowered produces an output of the region, which leaves it in
    /// plain layout (`finish`): an operation that can write plain directly saves that reorder.
    var writesRegionOutput = false

    /// The type the member being lowered stores a value computed as `type` in: BF16 for a
    /// float result when `mayStoreBF16`, else `type`.
    func storedType(_ type: dnnl_data_type_t) -> dnnl_data_type_t {
        mayStoreBF16 && (type == dnnl_f32 || type == dnnl_bf16) ? dnnl_bf16 : type
    }
    /// Reorders already added: (source slot, target layout) → target slot.
    private var reorders: [(source: Int, desc: DNNLMemoryDesc, target: Int)] = []
    /// Slots that live inside another slot's buffer (`DNNLPlanBuilder+Placement`).
    var placements: [Int: DNNLPlacement] = [:]
    /// Slots some primitive writes as its destination.
    private(set) var written: Set<Int> = []
    /// Slots made by `view` (they describe another slot's bytes).
    private(set) var viewTargets: Set<Int> = []

    /// OpenMP team size the primitives are created with (and the plan runs with).
    let threads: Int
    /// The region's weights packed by its earlier plans (nil: pack every constant anew).
    var packedConstants: DNNLPackedConstants?
    /// Rough single-thread work of the primitives added so far: multiply-adds of primitives
    /// with weights, elements written otherwise.
    private(set) var work = 0

    init(engine: DNNLEngine, threads: Int = 1) {
        self.engine = engine
        self.threads = threads
    }

    func desc(_ slot: Int) -> DNNLMemoryDesc { descs[slot] }

    /// A new slot whose buffer will hold `desc`.
    mutating func slot(_ desc: DNNLMemoryDesc) -> Int {
        descs.append(desc)
        return descs.count - 1
    }

    /// Adds a primitive for `descriptor` with its arguments bound to slots.
    mutating func add(_ descriptor: DNNLPrimitiveDescriptor, arguments: [(Int32, Int)]) throws(DNNLError) {
        // oneDNN's `ref:any` implementations are scalar loops, far slower than the engine's own
        // reference kernels (measured: a broadcast Add of PP-OCR's recognizer, 22 ms in
        // `binary ref:any`): refuse them, so the region runs on the Swift kernels instead.
        if descriptor.isReference {
            throw DNNLError(call: "primitive creation for '\(member.node)' (\(member.opType); only oneDNN's slow '\(descriptor.implementationName)' implementation fits)",
                            status: dnnl_unimplemented.rawValue)
        }
        work += Self.work(of: descriptor)
        let primitive = try DNNLPrimitive(descriptor)
        for (argument, slot) in arguments where argument == DNNL_ARG_DST { written.insert(slot) }
        let scratchpad = descriptor.desc(dnnl_query_scratchpad_md).flatMap { $0.byteSize > 0 ? $0 : nil }
        steps.append(.primitive(primitive, arguments: arguments, scratchpad: scratchpad))
        stepMembers.append(member)
        implementationNames.append(descriptor.implementationName)
    }

    /// The slot holding `slot`'s value in layout `desc`: `slot` itself when the layouts match,
    /// else a reorder (added once per source and layout).
    mutating func reorder(_ slot: Int, to desc: DNNLMemoryDesc) throws(DNNLError) -> Int {
        if descs[slot] == desc { return slot }
        if let done = reorders.first(where: { $0.source == slot && $0.desc == desc }) { return done.target }
        let target = try copy(slot, to: desc)
        reorders.append((slot, desc, target))
        return target
    }

    /// A new slot holding a copy of `slot` in layout `desc` (a buffer a primitive may overwrite).
    mutating func copy(_ slot: Int, to desc: DNNLMemoryDesc) throws(DNNLError) -> Int {
        let target = self.slot(desc)
        let reorder = try DNNLPrimitiveDescriptor(reorderFrom: descs[slot], to: desc, engine: engine)
        try add(reorder, arguments: [(DNNL_ARG_FROM, slot), (DNNL_ARG_TO, target)])
        return target
    }

    /// `slot`'s value in plain row-major layout (same element type).
    mutating func plain(_ slot: Int) throws(DNNLError) -> Int {
        try reorder(slot, to: .plain(descs[slot].dims, type: descs[slot].dataType))
    }

    /// A slot that describes `slot`'s bytes as `desc` (no copy); the caller guarantees both
    /// describe the same memory.
    mutating func view(_ slot: Int, as desc: DNNLMemoryDesc) -> Int {
        let target = self.slot(desc)
        viewTargets.insert(target)
        steps.append(.view(from: slot, to: target))
        stepMembers.append(member)
        return target
    }

    /// `slot` viewed through the plain descriptor when it holds a single channel in a layout of
    /// the same bytes (channels-last, which oneDNN counts as equal to plain then, since it ignores
    /// the strides of unit dims): oneDNN's binary kernel vectorizes a channels-last descriptor
    /// over its channels, one lane here (PP-OCR det's one-channel 640² head in onnxruntime's QDQ
    /// file: 27 ms for an Add with a FakeQuantize and a Sigmoid after it).
    mutating func plainIfSingleChannel(_ slot: Int) throws(DNNLError) -> Int {
        let desc = descs[slot]
        guard desc.dims.count >= 3, desc.dims[1] == 1, desc.isPlain else { return slot }
        let plain = try DNNLMemoryDesc.plain(desc.dims, type: desc.dataType)
        let sameRaw = withUnsafeBytes(of: desc.raw) { mine in withUnsafeBytes(of: plain.raw) { $0.elementsEqual(mine) } }
        return sameRaw ? slot : view(slot, as: plain)
    }

    /// Applies SiLU to float32 `slot` in place (see `DNNLStep.swishInPlace`).
    mutating func swishInPlace(_ slot: Int) {
        steps.append(.swishInPlace(slot: slot))
        stepMembers.append(member)
        written.insert(slot)
        work += descs[slot].byteSize / 4
    }

    /// Maps 8-bit `sources` (one, or two of one layout) through `table` into `destination`
    /// (see `DNNLStep.lookup`).
    mutating func lookup(_ sources: [Int], into destination: Int, table: TensorStorage) {
        steps.append(.lookup(sources: sources, destination: destination, table: table))
        stepMembers.append(member)
        written.insert(destination)
        work += descs[destination].byteSize
    }

    /// Runs one of the engine's own kernels (see `DNNLStep.kernel`); `work` counts as `self.work` does.
    mutating func kernel(_ step: any DNNLKernelStep, work: Int) {
        steps.append(.kernel(step))
        stepMembers.append(member)
        written.insert(step.destination)
        self.work += work
    }

    /// `slot`'s value, made plain, viewed with `shape` (same element count).
    mutating func reshape(_ slot: Int, to shape: [Int]) throws(DNNLError) -> Int {
        let plainSlot = try plain(slot)
        if descs[plainSlot].dims == shape { return plainSlot }
        return view(plainSlot, as: try .plain(shape, type: descs[plainSlot].dataType))
    }

    /// `operand` in layout `desc`. `source` describes the operand's bytes when they are not
    /// plain over `desc`'s dimensions (a transposed or regrouped view). A plan-time value is
    /// reordered now, once (weight prepacking); a runtime one gets a reorder step.
    mutating func packed(_ operand: DNNLOperand, source: DNNLMemoryDesc? = nil, as desc: DNNLMemoryDesc) throws(DNNLError) -> Int {
        let sourceDesc: DNNLMemoryDesc
        if let source { sourceDesc = source } else { sourceDesc = try .plain(desc.dims) }
        guard let value = operand.value else {
            let viewed = source == nil && descs[operand.slot].dims == desc.dims
                ? operand.slot : view(operand.slot, as: sourceDesc)
            return try reorder(viewed, to: desc)
        }
        return try constant(value.storage, source: sourceDesc, as: desc)
    }

    /// A plan constant: `storage` (laid out as `source`) reordered now to `desc`.
    mutating func constant(_ storage: TensorStorage, source: DNNLMemoryDesc, as desc: DNNLMemoryDesc) throws(DNNLError) -> Int {
        let target = slot(desc)
        if source == desc {
            constants[target] = storage
            return target
        }
        if let packedConstants {
            constants[target] = try packedConstants.packed(storage, from: source, to: desc) { () throws(DNNLError) in
                try reordered(storage, from: source, to: desc)
            }
        } else {
            constants[target] = try reordered(storage, from: source, to: desc)
        }
        return target
    }

    /// `storage` (laid out as `source`) reordered now into a new buffer laid out as `desc`.
    private func reordered(_ storage: TensorStorage, from source: DNNLMemoryDesc, to desc: DNNLMemoryDesc) throws(DNNLError) -> TensorStorage {
        let packed = TensorStorage(uninitializedByteCount: desc.byteSize)
        let reorder = try DNNLPrimitive(DNNLPrimitiveDescriptor(reorderFrom: source, to: desc, engine: engine))
        let stream = try DNNLStream(engine: engine)
        var arguments = [
            (DNNL_ARG_FROM, try DNNLMemory(desc: source, storage: storage, engine: engine)),
            (DNNL_ARG_TO, try DNNLMemory(desc: desc, storage: packed, engine: engine)),
        ]
        // Int8 weight reorders compute compensation sums in a scratchpad (user mode: ours to give).
        if let scratchpad = reorder.descriptor.desc(dnnl_query_scratchpad_md), scratchpad.byteSize > 0 {
            let buffer = TensorStorage(uninitializedByteCount: scratchpad.byteSize)
            arguments.append((DNNL_ARG_SCRATCHPAD, try DNNLMemory(desc: scratchpad, storage: buffer, engine: engine)))
        }
        try reorder.execute(on: stream, arguments: arguments)
        try stream.wait()
        return packed
    }

    /// A plain float32 constant of `shape`.
    mutating func constant(_ values: [Float], shape: [Int]) throws(DNNLError) -> Int {
        let tensor = Tensor(shape: [values.count], scalars: values)
        let desc = try DNNLMemoryDesc.plain(shape)
        return try constant(tensor.storage, source: desc, as: desc)
    }

    /// The finished plan: `inputSlots`/`outputSlots` are the region's boundary, and outputs are
    /// reordered to plain layout here.
    mutating func finish(inputSlots: [Int], outputs: [(slot: Int, shape: [Int])]) throws(DNNLError) -> DNNLPlan {
        var outputSlots: [Int] = []
        for output in outputs {
            // The engine's tensors between regions are never BF16.
            let slot = descs[output.slot].dataType == dnnl_bf16
                ? try reorder(output.slot, to: .plain(descs[output.slot].dims)) : output.slot
            outputSlots.append(try reshape(slot, to: output.shape))
        }
        // Each buffer (a slot that is no view) is live from its first to its last use by any
        // step, through its views too.
        var firstUse: [Int: Int] = [:]
        var lastUse: [Int: Int] = [:]
        var viewSource = placements.mapValues(\.parent)
        func use(_ slot: Int, at index: Int) {
            let buffer = root(slot, viewSource)
            if firstUse[buffer] == nil { firstUse[buffer] = index }
            lastUse[buffer] = index
        }
        var requests: [ArenaPlacement.Request] = []
        var requestSlots: [Int?] = []
        for (index, step) in steps.enumerated() {
            switch step {
            case .primitive(_, let arguments, let scratchpad):
                for (_, slot) in arguments { use(slot, at: index) }
                if let scratchpad {
                    requests.append(.init(bytes: MemoryPlanner.aligned(scratchpad.byteSize), first: index, last: index))
                    requestSlots.append(nil)
                }
            case .view(let from, let to):
                viewSource[to] = from
                use(from, at: index)
            case .swishInPlace(let slot):
                use(slot, at: index)
            case .lookup(let sources, let destination, _):
                for source in sources { use(source, at: index) }
                use(destination, at: index)
            case .kernel(let step):
                for source in step.sources { use(source, at: index) }
                use(step.destination, at: index)
            }
        }
        // Inputs, constants and outputs have buffers of their own; every other buffer is in the arena.
        let kept = Set(inputSlots).union(constants.keys).union(outputSlots.map { root($0, viewSource) })
        for (slot, first) in firstUse.sorted(by: { $0.key < $1.key }) where !kept.contains(slot) {
            requests.append(.init(bytes: MemoryPlanner.aligned(max(descs[slot].byteSize, 1)), first: first, last: lastUse[slot]!))
            requestSlots.append(slot)
        }
        let (offsets, arenaBytes) = ArenaPlacement.place(requests)
        var arenaOffsets = [Int?](repeating: nil, count: descs.count)
        var scratchpadOffsets = [Int](repeating: 0, count: steps.count)
        for (index, request) in requests.enumerated() {
            if let slot = requestSlots[index] {
                arenaOffsets[slot] = offsets[index]
            } else {
                scratchpadOffsets[request.first] = offsets[index]
            }
        }
        return DNNLPlan(descs: descs, constants: constants, inputSlots: inputSlots, outputSlots: outputSlots,
                        outputShapes: outputs.map(\.shape), steps: steps, placements: placements, arenaOffsets: arenaOffsets,
                        scratchpadOffsets: scratchpadOffsets, arenaBytes: arenaBytes,
                        implementationNames: implementationNames, stepMembers: stepMembers, threads: threads, work: work)
    }

    private static func work(of descriptor: DNNLPrimitiveDescriptor) -> Int {
        guard let destination = descriptor.desc(dnnl_query_dst_md) else { return 0 }
        let written = destination.dims.reduce(1, *)
        guard let weights = descriptor.desc(dnnl_query_weights_md), destination.dims.count >= 2 else { return written }
        // Per output element, a convolution reads weights / output channels of them (a
        // matrix product: weights / columns).
        let perOutput = weights.dims.count == 2
            ? weights.dims[0] : weights.dims.reduce(1, *) / max(destination.dims[1], 1)
        return written * max(perOutput, 1)
    }

    private func root(_ slot: Int, _ viewSource: [Int: Int]) -> Int {
        var current = slot
        while let source = viewSource[current] { current = source }
        return current
    }
}
