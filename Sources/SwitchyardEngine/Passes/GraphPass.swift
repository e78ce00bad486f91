import SwitchyardGraph
import SwitchyardTensor

/// One graph rewrite. A pass works on a single scope (the main graph or one subgraph); the
/// `Optimizer` visits subgraphs and repeats passes until none changes anything.
public protocol GraphPass: Sendable {
    /// A short name for reports (`constant-folding`).
    var name: String { get }
    /// Rewrites `graph` and describes each change made (empty when nothing changed).
    func run(on graph: inout Graph, scope: PassScope) -> [String]
}

/// What a pass knows about the scope it rewrites.
public struct PassScope: Sendable {
    /// Opset per domain, from the model.
    public var opsets: [String: Int]
    /// Facts about names visible from enclosing graphs (types and shapes only: values from an
    /// outer scope are never treated as constants inside a subgraph).
    public var outerFacts: [String: ValueFact]
    /// Largest tensor constant folding may create, in bytes.
    public var foldingByteLimit: Int
    /// Where the scope sits, for reports (`main`, `main/Loop_3.body`).
    public var path: String

    public init(opsets: [String: Int], outerFacts: [String: ValueFact] = [:],
                foldingByteLimit: Int = 64 << 20, path: String = "main") {
        self.opsets = opsets
        self.outerFacts = outerFacts
        self.foldingByteLimit = foldingByteLimit
        self.path = path
    }

    /// Opset of `node`'s domain.
    func opset(of node: Node) -> Int {
        opsets[node.domain] ?? opsets[""] ?? 1
    }

    /// Shape inference over `graph` in this scope.
    func facts(of graph: Graph) -> [String: ValueFact] {
        ShapeInference.infer(graph, opsets: opsets, outer: outerFacts)
    }

    /// True when the reference registry can run `opType` (fused nodes need their base operator).
    func hasKernel(_ opType: String, domain: String = "") -> Bool {
        ReferenceKernels.kernel(opType: opType, domain: domain) != nil
    }
}

/// One change a pass made, for `inspect` and logs.
public struct PassChange: Sendable, CustomStringConvertible {
    public var pass: String
    /// The graph it happened in (`main` or a subgraph path).
    public var scope: String
    public var detail: String

    public var description: String { "[\(pass)] \(scope): \(detail)" }
}

/// Everything an optimizer run changed.
public struct OptimizationReport: Sendable {
    public var changes: [PassChange] = []
    /// Rounds until no pass changed anything.
    public var rounds = 0
    public var nodesBefore = 0
    public var nodesAfter = 0

    /// Number of changes per pass name.
    public var countsByPass: [String: Int] {
        changes.reduce(into: [:]) { $0[$1.pass, default: 0] += 1 }
    }

    /// A one-line-per-pass summary.
    public var summary: String {
        var lines = ["\(nodesBefore) nodes -> \(nodesAfter) nodes in \(rounds) round\(rounds == 1 ? "" : "s")"]
        for (pass, count) in countsByPass.sorted(by: { $0.key < $1.key }) { lines.append("  \(pass): \(count)") }
        return lines.joined(separator: "\n")
    }
}
