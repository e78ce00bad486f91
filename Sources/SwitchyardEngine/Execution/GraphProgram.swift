import SwitchyardGraph
import SwitchyardTensor

/// A graph compiled for execution: every value gets a slot index, every node a kernel and the
/// slots it reads and writes, and each intermediate is released right after its last use (so
/// peak memory follows liveness, not graph size). Subgraphs of control-flow nodes are compiled
/// once, with the names they capture from enclosing scopes.
///
/// Immutable and `Sendable`: one program may run on several threads at once; each run keeps its
/// values in a local slot array.
final class GraphProgram: Sendable {
    /// A compiled subgraph and the slots, in the enclosing program, of the names it captures.
    struct Subprogram: Sendable {
        let program: GraphProgram
        let captureSlots: [Int]
    }

    struct Step: Sendable {
        let node: Node
        let opset: Int
        let kernel: KernelFunction
        /// Slot per node input; `nil` for an omitted optional input.
        let inputSlots: [Int?]
        /// Slot per node output; `nil` for an omitted optional output.
        let outputSlots: [Int?]
        /// Compiled subgraphs by attribute name.
        let subprograms: [String: Subprogram]
        /// Slots whose last reader is this step.
        let releases: [Int]
    }

    let graph: Graph
    let slotCount: Int
    let inputSlots: [Int]
    let outputSlots: [Int]
    /// Names read from enclosing scopes, in the order `run` expects them, and their slots.
    let capturedNames: [String]
    let capturedSlots: [Int]
    let constants: [(slot: Int, tensor: Tensor)]
    let steps: [Step]

    /// Compiles `graph`. `outerNames` are the values visible from enclosing graphs (empty for
    /// the main graph). `kernelFor` picks the kernel for each node (nil: unsupported).
    init(
        graph: Graph, opsets: [String: Int], outerNames: Set<String>,
        kernelFor: (Node, Int) -> KernelFunction?
    ) throws(EngineError) {
        self.graph = graph
        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let existing = slots[name] { return existing }
            let new = slots.count
            slots[name] = new
            return new
        }
        inputSlots = graph.inputs.map { slot($0.name) }
        var constants: [(Int, Tensor)] = []
        for (name, tensor) in graph.initializers.sorted(by: { $0.key < $1.key }) {
            constants.append((slot(name), tensor))
        }
        self.constants = constants

        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        var captured: [String] = []
        var unsupported: [UnsupportedOperator] = []
        var steps: [(node: Node, opset: Int, kernel: KernelFunction?, inputs: [Int?], outputs: [Int?],
                     subprograms: [String: Subprogram])] = []

        func use(_ name: String, by node: Node) throws(EngineError) -> Int {
            if !defined.contains(name) {
                guard outerNames.contains(name) else {
                    throw .invalidGraph("node '\(node.displayName)' reads '\(name)', which no earlier node, input or initializer defines")
                }
                defined.insert(name)
                captured.append(name)
            }
            return slot(name)
        }

        for node in graph.nodes {
            let opset = opsets[node.domain] ?? (node.domain == "ai.onnx" ? opsets[""] : nil) ?? opsets[""] ?? 1
            var inputs: [Int?] = []
            for name in node.inputs {
                inputs.append(name.isEmpty ? nil : try use(name, by: node))
            }
            var subprograms: [String: Subprogram] = [:]
            let visible = outerNames.union(defined)
            for (attributeName, attribute) in node.attributes {
                guard case .graph(let body) = attribute else { continue }
                do {
                    let program = try GraphProgram(graph: body, opsets: opsets, outerNames: visible, kernelFor: kernelFor)
                    // A subgraph's captures are reads by this node in this scope.
                    var captureSlots: [Int] = []
                    for name in program.capturedNames { captureSlots.append(try use(name, by: node)) }
                    subprograms[attributeName] = Subprogram(program: program, captureSlots: captureSlots)
                } catch .unsupportedOperators(let ops) {
                    unsupported += ops
                }
            }
            let kernel = kernelFor(node, opset)
            if kernel == nil {
                unsupported.append(UnsupportedOperator(opType: node.opType, domain: node.domain,
                                                       nodeName: node.displayName, opset: opset))
            }
            var outputs: [Int?] = []
            for name in node.outputs {
                if name.isEmpty { outputs.append(nil); continue }
                defined.insert(name)
                outputs.append(slot(name))
            }
            steps.append((node, opset, kernel, inputs, outputs, subprograms))
        }
        if !unsupported.isEmpty { throw .unsupportedOperators(unsupported) }
        try AttributeValidation.check(graph)

        for output in graph.outputs where !defined.contains(output.name) {
            guard outerNames.contains(output.name) else {
                throw .invalidGraph("graph output '\(output.name)' is produced by no node, input or initializer")
            }
            defined.insert(output.name)
            captured.append(output.name)
        }
        outputSlots = graph.outputs.map { slot($0.name) }
        capturedNames = captured
        capturedSlots = captured.map { slots[$0]! }

        // Liveness: release each slot after its last reader, unless it is an output or a constant.
        let kept = Set(outputSlots).union(constants.map(\.0)).union(capturedSlots)
        var lastReader: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for case let input? in step.inputs { lastReader[input] = index }
            for subprogram in step.subprograms.values {
                for slot in subprogram.captureSlots { lastReader[slot] = index }
            }
        }
        var releases = [[Int]](repeating: [], count: steps.count)
        for (slot, index) in lastReader where !kept.contains(slot) { releases[index].append(slot) }
        // Outputs nobody reads are released at once.
        for (index, step) in steps.enumerated() {
            for case let output? in step.outputs where lastReader[output] == nil && !kept.contains(output) {
                releases[index].append(output)
            }
        }
        self.steps = steps.enumerated().map { index, step in
            Step(node: step.node, opset: step.opset, kernel: step.kernel!, inputSlots: step.inputs,
                 outputSlots: step.outputs, subprograms: step.subprograms, releases: releases[index])
        }
        slotCount = slots.count
    }

    /// Runs the program. `inputs` align with `graph.inputs`, `captured` with `capturedNames`.
    /// With `profile`, each step's wall-clock time is added to it.
    func run(inputs: [Tensor?], captured: [Tensor?] = [], profile: StepProfile? = nil) throws -> [Tensor] {
        var values = [Tensor?](repeating: nil, count: slotCount)
        for (slot, tensor) in constants { values[slot] = tensor }
        for (slot, tensor) in zip(inputSlots, inputs) { values[slot] = tensor }
        for (slot, tensor) in zip(capturedSlots, captured) { values[slot] = tensor }

        for step in steps {
            let stepInputs = step.inputSlots.map { $0.flatMap { values[$0] } }
            var runner: (@Sendable (String, [Tensor?]) throws -> [Tensor])?
            if !step.subprograms.isEmpty {
                // Captured values are read now, from this run's slots.
                let subprograms = step.subprograms.mapValues { subprogram in
                    (subprogram.program, subprogram.captureSlots.map { values[$0] })
                }
                runner = { attribute, inputs in
                    guard let (program, captured) = subprograms[attribute] else {
                        throw KernelError.invalidArgument("no subgraph attribute '\(attribute)'")
                    }
                    return try program.run(inputs: inputs, captured: captured)
                }
            }
            let context = OpContext(node: step.node, opset: step.opset, inputs: stepInputs, subgraphRunner: runner,
                                    profile: profile)
            let outputs: [Tensor]
            let detailsBefore = profile?.detailCount ?? 0
            let started = profile == nil ? nil : ContinuousClock.now
            do {
                outputs = try step.kernel(context)
            } catch let error as KernelError {
                throw EngineError.nodeFailed(node: step.node.displayName, opType: step.node.opType, reason: error.description)
            }
            if let profile, let started {
                let seconds = StepProfile.seconds(since: started)
                profile.record(node: step.node.displayName, opType: Self.profileLabel(step.node), seconds: seconds)
                // A kernel that did not break its time down by node counts as one node.
                if profile.detailCount == detailsBefore {
                    profile.recordDetail(node: step.node.displayName, opType: step.node.opType, seconds: seconds)
                }
            }
            for (slot, tensor) in zip(step.outputSlots, outputs) {
                if let slot { values[slot] = tensor }
            }
            for slot in step.releases { values[slot] = nil }
        }
        return try outputSlots.enumerated().map { index, slot in
            guard let tensor = values[slot] else {
                throw EngineError.invalidGraph("graph output '\(graph.outputs[index].name)' was not produced")
            }
            return tensor
        }
    }

    /// A step's op type for profiles: a oneDNN region lists its members' op types.
    private static func profileLabel(_ node: Node) -> String {
        guard node.opType == DNNLRegionPartitioner.opType, case .graph(let body)? = node.attributes["body"] else {
            return node.opType
        }
        return "\(node.opType)[\(body.nodes.map(\.opType).joined(separator: ","))]"
    }
}
