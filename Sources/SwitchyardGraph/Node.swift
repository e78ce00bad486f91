/// One operator application in a graph.
public struct Node: Sendable {
    public var name: String
    public var opType: String
    /// Operator domain; `""` is the default ONNX domain (`ai.onnx`).
    public var domain: String
    /// Value names consumed; `""` marks an omitted optional input.
    public var inputs: [String]
    /// Value names produced; `""` marks an omitted optional output.
    public var outputs: [String]
    public var attributes: [String: Attribute]
    public var docString: String

    public init(
        name: String = "", opType: String, domain: String = "", inputs: [String], outputs: [String],
        attributes: [String: Attribute] = [:], docString: String = ""
    ) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.docString = docString
    }

    /// A name for messages: the node's name, or its op type and first output when unnamed.
    public var displayName: String {
        name.isEmpty ? "\(opType) -> \(outputs.first ?? "?")" : name
    }
}
