import CDNNL
import Logging
import Synchronization
import SwitchyardGraph
import SwitchyardTensor

/// Runs a list of oneDNN-capable nodes as one unit: values between them stay in the layouts
/// oneDNN chose (blocked formats such as `nChw8c`), and only the region's boundary tensors are
/// converted from and to plain row-major. A single node is the one-member case, which is how
/// every per-node DNNL kernel runs.
///
/// Per concrete input shape it compiles a `DNNLPlan` (primitives plus constants prepacked into
/// the weight layouts the primitives chose, shared between plans and sessions: `PackedWeights`) and
/// keeps the last few in a cache shared by every thread that runs the kernel. Inputs oneDNN cannot compute exactly (a non-float32 tensor, a
/// broadcast oneDNN lacks) run through the reference kernels of the member nodes instead.
public final class DNNLRegionKernel: Sendable {
    struct Member: Sendable {
        /// The node as lowered (for a fused member, the first node with the last one's outputs).
        let node: Node
        let opset: Int
        let operation: any DNNLOperation
        /// The original nodes this member computes, which the reference fallback runs.
        let originals: [(node: Node, opset: Int)]

        init(node: Node, opset: Int, operation: any DNNLOperation, originals: [(node: Node, opset: Int)]? = nil) {
            self.node = node
            self.opset = opset
            self.operation = operation
            self.originals = originals ?? [(node, opset)]
        }
    }

    let members: [Member]
    /// Names of the region's inputs and outputs, aligned with the `OpContext` inputs and the
    /// returned tensors. `""` marks an omitted optional input.
    let inputNames: [String]
    let outputNames: [String]
    /// Region inputs whose values are known when the kernel is made (initializers).
    let constants: [String: Tensor]
    /// OpenMP team size for every primitive this kernel runs.
    let threads: Int
    /// Region input indices whose contents key the plan cache.
    private let parameterIndices: [Int]
    /// Region input indices whose shapes key the plan cache: all but the constants, whose
    /// shapes never change (a region of a whole classifier reads over a hundred weights).
    private let variableIndices: [Int]
    /// Region input indices bound to a plan's input slots, in slot order: the first occurrence
    /// of each named input that is not read only as a parameter.
    private let boundIndices: [Int]
    /// Region inputs read only as parameters (Split's sizes, Resize's scales): known at plan
    /// time, of any type, never bound to a oneDNN buffer.
    private let parameterOnlyNames: Set<String>
    /// Member outputs that every reader rounds to BF16 (`DNNLOperation.bf16RoundedInput`) and
    /// that leave no region: their producers may store them in BF16.
    let bf16RoundedValues: Set<String>
    private let cache = Mutex(DNNLPlanCache())
    private let contexts = DNNLRunContextPool()
    /// Weights packed by any plan of the model's kernels, reused by the others.
    let packedConstants: DNNLPackedConstants
    private static let logger = Logger(label: "switchyard.dnnl")

    init(members: [Member], inputNames: [String], outputNames: [String], constants: [String: Tensor], threads: Int,
         packedWeights: PackedWeights) {
        self.members = members
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.threads = threads
        let used = Set(members.flatMap(\.originals).flatMap(\.node.inputs))
        self.constants = constants.filter { used.contains($0.key) }
        packedConstants = DNNLPackedConstants(store: packedWeights, initializers: self.constants.values)
        var parameterNames = Set<String>()
        for member in members {
            for index in member.operation.parameterInputs where index < member.node.inputs.count {
                parameterNames.insert(member.node.inputs[index])
            }
        }
        parameterIndices = inputNames.indices.filter {
            parameterNames.contains(inputNames[$0]) && constants[inputNames[$0]] == nil
        }
        var dataNames = Set<String>()
        for member in members {
            for (index, name) in member.node.inputs.enumerated() where !member.operation.parameterInputs.contains(index) {
                dataNames.insert(name)
            }
        }
        let parameterOnly = parameterNames.subtracting(dataNames)
        parameterOnlyNames = parameterOnly
        variableIndices = inputNames.indices.filter { constants[inputNames[$0]] == nil }
        var seen = Set<String>()
        boundIndices = inputNames.indices.filter { index in
            let name = inputNames[index]
            return !name.isEmpty && !parameterOnly.contains(name) && seen.insert(name).inserted
        }
        bf16RoundedValues = DNNLBF16Support.storesRoundedValues
            ? Self.bf16RoundedValues(members: members, outputNames: outputNames) : []
    }

    /// The member outputs whose every reader rounds them to BF16: a BF16 convolution's source,
    /// or an operation that only copies values (`copiesValues`) whose outputs are all such
    /// values. Region outputs stay float32.
    private static func bf16RoundedValues(members: [Member], outputNames: [String]) -> Set<String> {
        var readers: [String: [(member: Int, input: Int)]] = [:]
        for (index, member) in members.enumerated() {
            for (input, name) in member.node.inputs.enumerated() where !name.isEmpty {
                readers[name, default: []].append((index, input))
            }
        }
        let regionOutputs = Set(outputNames)
        var known: [String: Bool] = [:]
        func rounded(_ name: String) -> Bool {
            if let answer = known[name] { return answer }
            known[name] = false
            let answer = !regionOutputs.contains(name) && !(readers[name]?.isEmpty ?? true) && readers[name]!.allSatisfy { reader in
                let member = members[reader.member]
                if member.operation.bf16RoundedInput == reader.input { return true }
                return member.operation.copiesValues && !member.operation.parameterInputs.contains(reader.input)
                    && member.node.outputs.allSatisfy { $0.isEmpty || rounded($0) }
            }
            known[name] = answer
            return answer
        }
        return Set(members.flatMap(\.node.outputs).filter { !$0.isEmpty && rounded($0) })
    }

    /// The kernel as the graph program calls it.
    public var function: KernelFunction { { context in try self.run(context.inputs, profile: context.profile) } }

    /// oneDNN implementation names of the most recently used plan, one per primitive (reorders
    /// included); empty before the first run or when that run fell back to reference kernels.
    public var implementationNames: [String] { cache.withLock { $0.latestImplementations } }
    /// Why the most recent call ran the reference kernels instead (nil when oneDNN ran).
    public var fallbackReason: String? { cache.withLock { $0.latestFallbackReason } }

    /// Bytes of the arena the most recently used plan runs in: every value between its
    /// primitives and their scratchpads (0 before the first run or after a fallback).
    public var arenaBytes: Int { cache.withLock { $0.latestArenaBytes } }

    /// Run contexts (stream, memory objects) kept for the next runs.
    var idleRunContexts: Int { contexts.idleCount }

    /// Number of plans cached (one per input shape seen, up to `DNNLPlanCache.capacity`).
    public var cachedPlanCount: Int { cache.withLock { $0.count } }

    /// Runs the region on `inputs` (aligned with `inputNames`). With `profile`, each member's
    /// primitives (and the reorders made for it) are timed under the member's node name.
    public func run(_ inputs: [Tensor?], profile: StepProfile? = nil) throws -> [Tensor] {
        // Before anything reaches oneDNN, compiling (weight prepacking) included: a team larger
        // than the budget leaves OpenMP workers spinning on cores other work needs.
        omp_set_num_threads(Int32(max(threads, 1)))
        let key = planKey(inputs)
        let plan: DNNLCachedPlan
        if let cached = cache.withLock({ $0.lookup(key) }) {
            plan = cached
        } else {
            plan = compile(inputs)
            cache.withLock { $0.insert(plan, for: key) }
        }
        switch plan {
        case .dnnl(let compiled):
            let bound = compiled.inputSlots.isEmpty ? [] : boundInputs(inputs)
            do {
                let engine = try DNNLEngine.shared()
                let context = try contexts.take(engine: engine)
                defer { contexts.recycle(context) }
                return try compiled.run(inputs: bound, context: context, engine: engine, profile: profile)
            } catch {
                throw error.kernelError
            }
        case .reference:
            return try runReference(inputs)
        case .split(let split):
            return try split.run(inputs, inputNames: inputNames, outputNames: outputNames, profile: profile)
        }
    }

    private func planKey(_ inputs: [Tensor?]) -> DNNLPlanKey {
        let shapes = variableIndices.map { index in
            let tensor = index < inputs.count ? inputs[index] : nil
            return tensor.map { $0.shape + [$0.dataType == .float32 ? 0 : -1 - Int($0.dataType.rawValue)] } ?? [-2]
        }
        let parameters = parameterIndices.map { index -> [Float] in
            guard index < inputs.count, let tensor = inputs[index], tensor.count <= 16 else { return [] }
            switch tensor.dataType {
            case .float32: return tensor.scalars(as: Float.self)
            case .int64: return tensor.scalars(as: Int64.self).map(Float.init)
            default: return []
            }
        }
        return DNNLPlanKey(shapes: shapes, parameters: parameters)
    }

    /// The tensors bound to the plan's input slots (`boundIndices`; an omitted input has none).
    private func boundInputs(_ inputs: [Tensor?]) -> [Tensor] {
        boundIndices.compactMap { $0 < inputs.count ? inputs[$0] : nil }
    }

    /// Below this much work (`DNNLPlanBuilder.work`, about 0.3 ms on one core) a plan runs on
    /// one thread: each primitive is an OpenMP parallel region whose end waits for the whole
    /// team, and on a shared machine a team member that is not running when the region starts
    /// costs a scheduler time slice (measured: the direction classifier, 2 threads, load 13 on 2
    /// cores: 36 ms per run against 2 ms on one thread).
    static let parallelWorkThreshold = 20_000_000

    private func compile(_ inputs: [Tensor?]) -> DNNLCachedPlan {
        do {
            var plan = try buildPlan(inputs, threads: max(threads, 1))
            if plan.threads > 1 && plan.work < Self.parallelWorkThreshold {
                omp_set_num_threads(1)
                plan = try buildPlan(inputs, threads: 1)
            }
            Self.logger.debug("oneDNN plan for \(describeMembers()): \(plan.implementationNames.joined(separator: ", "))")
            return .dnnl(plan)
        } catch {
            let reason = "\(error)"
            if let failure = error as? DNNLMemberFailure, members.count > 1 {
                let member = members[failure.member]
                DNNLFallbackLog.record(region: member.node.displayName, opTypes: member.originals.map(\.node.opType),
                                       inputs: "of region '\(members[0].node.displayName)'", reason: reason)
                return .split(DNNLSplitPlan(members: members, failing: failure.member, regionOutputs: outputNames,
                                            constants: constants, threads: threads,
                                            packedWeights: packedConstants.store, reason: reason))
            }
            let shapes = zip(inputNames, inputs).compactMap { name, tensor in
                constants[name] == nil ? tensor.map { "\($0.dataType)\($0.shape)" } : nil
            }.joined(separator: ", ")
            DNNLFallbackLog.record(region: describeMembers(), opTypes: members.flatMap { $0.originals.map(\.node.opType) },
                                   inputs: shapes, reason: reason)
            return .reference(reason: reason)
        }
    }

    private func buildPlan(_ inputs: [Tensor?], threads: Int) throws -> DNNLPlan {
        var builder = DNNLPlanBuilder(engine: try DNNLEngine.shared(), threads: threads)
        builder.packedConstants = packedConstants
        var values: [String: DNNLOperand] = [:]
        var inputSlots: [Int] = []
        let parameterNames = Set(parameterIndices.map { inputNames[$0] })
        for (index, name) in inputNames.enumerated() where !name.isEmpty && values[name] == nil {
            guard index < inputs.count, let tensor = inputs[index] else { continue }
            if parameterOnlyNames.contains(name) {
                values[name] = DNNLOperand(slot: -1, shape: tensor.shape, value: constants[name] ?? tensor)
                continue
            }
            // Only the quantized operators take 8-bit or int32 data; the others compute float32.
            let integerAllowed = tensor.dataType != .float32
                && members.filter { $0.node.inputs.contains(name) }.allSatisfy(\.operation.takesIntegerData)
            guard tensor.dataType == .float32 || integerAllowed, let type = DNNLMemoryDesc.dnnlType(of: tensor.dataType) else {
                throw KernelError.unsupported("input '\(name)' is \(tensor.dataType), oneDNN path is float32 only")
            }
            guard tensor.count > 0 else { throw KernelError.unsupported("input '\(name)' is empty") }
            let slot = builder.slot(try .plain(tensor.shape.isEmpty ? [1] : tensor.shape, type: type))
            inputSlots.append(slot)
            let value = constants[name] ?? (parameterNames.contains(name) ? tensor : nil)
            values[name] = DNNLOperand(slot: slot, shape: tensor.shape, value: value)
        }
        for (index, member) in members.enumerated() {
            builder.member = (member.node.displayName, member.originals.map(\.node.opType).joined(separator: "+"))
            let produced = member.node.outputs.filter { !$0.isEmpty }
            builder.mayStoreBF16 = !produced.isEmpty && produced.allSatisfy(bf16RoundedValues.contains)
            builder.writesRegionOutput = produced.contains(where: outputNames.contains)
            let operands = member.node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let outputs: [(slot: Int, shape: [Int])]
            do {
                outputs = try member.operation.lower(operands, into: &builder)
            } catch {
                throw DNNLMemberFailure(member: index, error: error)
            }
            for (name, output) in zip(member.node.outputs, outputs) where !name.isEmpty {
                values[name] = DNNLOperand(slot: output.slot, shape: output.shape, value: nil)
            }
        }
        let outputs = try outputNames.map { name throws(KernelError) -> (slot: Int, shape: [Int]) in
            guard let value = values[name] else {
                throw .invalidArgument("region output '\(name)' is not produced by its nodes")
            }
            return (value.slot, value.shape)
        }
        return try builder.finish(inputSlots: inputSlots, outputs: outputs)
    }

    /// Computes the member nodes one by one with the reference kernels.
    private func runReference(_ inputs: [Tensor?]) throws -> [Tensor] {
        var values: [String: Tensor] = [:]
        for (index, name) in inputNames.enumerated() where !name.isEmpty && index < inputs.count {
            if let tensor = inputs[index] { values[name] = tensor }
        }
        try Self.runReference(members.flatMap(\.originals), values: &values)
        return try outputNames.map { name in
            guard let tensor = values[name] else {
                throw KernelError.invalidArgument("region output '\(name)' was not produced")
            }
            return tensor
        }
    }

    /// Computes `nodes` in order with the reference kernels, reading and adding to `values`.
    static func runReference(_ nodes: [(node: Node, opset: Int)], values: inout [String: Tensor]) throws {
        for (node, opset) in nodes {
            guard let kernel = ReferenceKernels.kernel(opType: node.opType, domain: node.domain) else {
                throw KernelError.unsupported("\(node.opType): oneDNN cannot run these inputs and there is no reference kernel")
            }
            let context = OpContext(node: node, opset: opset, inputs: node.inputs.map { $0.isEmpty ? nil : values[$0] })
            let outputs = try kernel(context)
            for (name, tensor) in zip(node.outputs, outputs) where !name.isEmpty { values[name] = tensor }
        }
    }

    private func describeMembers() -> String {
        members.count == 1 ? members[0].node.displayName : "region of \(members.count) nodes from '\(members[0].node.displayName)'"
    }
}

extension Error {
    /// This error as the engine reports kernel failures.
    var kernelError: Error {
        if let dnnl = self as? DNNLError { return dnnl.kernelError }
        return self
    }
}
