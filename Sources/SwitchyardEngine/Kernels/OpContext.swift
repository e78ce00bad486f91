import SwitchyardGraph
import SwitchyardTensor

/// Everything a kernel sees of one node execution: the node (attributes, names), the opset it
/// was declared under, its input tensors and, for control-flow operators, a way to run its
/// subgraphs.
public struct OpContext: Sendable {
    public let node: Node
    /// Opset version of the node's domain, from the model's `opset_import`.
    public let opset: Int
    /// Inputs aligned with `node.inputs`; `nil` where an optional input is omitted.
    public let inputs: [Tensor?]
    private let subgraphRunner: (@Sendable (String, [Tensor?]) throws -> [Tensor])?
    /// The session's profile, when it has one: a kernel made of several steps (a oneDNN region)
    /// adds each node's share with `StepProfile.recordDetail`.
    public let profile: StepProfile?

    public init(
        node: Node, opset: Int, inputs: [Tensor?],
        subgraphRunner: (@Sendable (String, [Tensor?]) throws -> [Tensor])? = nil,
        profile: StepProfile? = nil
    ) {
        self.node = node
        self.opset = opset
        self.inputs = inputs
        self.subgraphRunner = subgraphRunner
        self.profile = profile
    }

    /// Input `index`, which must be present.
    public func input(_ index: Int) throws(KernelError) -> Tensor {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw .invalidArgument("\(node.opType) needs input \(index), which is missing")
        }
        return tensor
    }

    /// Input `index`, or `nil` when omitted or beyond the inputs given.
    public func optionalInput(_ index: Int) -> Tensor? {
        index < inputs.count ? inputs[index] : nil
    }

    /// Runs the subgraph held by this node's attribute `attributeName` (`then_branch`, `body`)
    /// with `inputs` bound to its declared inputs; it may read every value visible to this node.
    /// Returns the subgraph's outputs in order.
    public func runSubgraph(_ attributeName: String, inputs: [Tensor?]) throws -> [Tensor] {
        guard let subgraphRunner else {
            throw KernelError.unsupported("\(node.opType): no subgraph executor in this context")
        }
        return try subgraphRunner(attributeName, inputs)
    }

    // MARK: Attributes

    public func hasAttribute(_ name: String) -> Bool { node.attributes[name] != nil }

    public func int(_ name: String) throws(KernelError) -> Int? {
        switch node.attributes[name] {
        case nil: return nil
        case .int(let value): return value
        case let other?: throw mismatch(name, "INT", other)
        }
    }

    public func int(_ name: String, default value: Int) throws(KernelError) -> Int {
        try int(name) ?? value
    }

    public func float(_ name: String) throws(KernelError) -> Float? {
        switch node.attributes[name] {
        case nil: return nil
        case .float(let value): return value
        case .int(let value): return Float(value)
        case let other?: throw mismatch(name, "FLOAT", other)
        }
    }

    public func float(_ name: String, default value: Float) throws(KernelError) -> Float {
        try float(name) ?? value
    }

    public func string(_ name: String) throws(KernelError) -> String? {
        switch node.attributes[name] {
        case nil: return nil
        case .string(let value): return value
        case let other?: throw mismatch(name, "STRING", other)
        }
    }

    public func string(_ name: String, default value: String) throws(KernelError) -> String {
        try string(name) ?? value
    }

    public func ints(_ name: String) throws(KernelError) -> [Int]? {
        switch node.attributes[name] {
        case nil: return nil
        case .ints(let value): return value
        case .int(let value): return [value]
        case let other?: throw mismatch(name, "INTS", other)
        }
    }

    public func floats(_ name: String) throws(KernelError) -> [Float]? {
        switch node.attributes[name] {
        case nil: return nil
        case .floats(let value): return value
        case .float(let value): return [value]
        case let other?: throw mismatch(name, "FLOATS", other)
        }
    }

    public func strings(_ name: String) throws(KernelError) -> [String]? {
        switch node.attributes[name] {
        case nil: return nil
        case .strings(let value): return value
        case let other?: throw mismatch(name, "STRINGS", other)
        }
    }

    public func tensor(_ name: String) throws(KernelError) -> Tensor? {
        switch node.attributes[name] {
        case nil: return nil
        case .tensor(let value): return value
        case let other?: throw mismatch(name, "TENSOR", other)
        }
    }

    public func graph(_ name: String) throws(KernelError) -> Graph? {
        switch node.attributes[name] {
        case nil: return nil
        case .graph(let value): return value
        case let other?: throw mismatch(name, "GRAPH", other)
        }
    }

    private func mismatch(_ name: String, _ expected: String, _ got: Attribute) -> KernelError {
        .invalidArgument("\(node.opType) attribute '\(name)' must be \(expected), got \(got.typeName)")
    }
}
