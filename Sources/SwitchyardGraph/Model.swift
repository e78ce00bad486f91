/// A loaded model: its graph plus the file-level facts ONNX records about it.
public struct Model: Sendable {
    public var irVersion: Int
    /// Opset version per operator domain (`""` is the default ONNX domain).
    public var opsetImports: [String: Int]
    public var producerName: String
    public var producerVersion: String
    public var domain: String
    public var modelVersion: Int
    public var docString: String
    /// `metadata_props`, e.g. a recognizer's character list or a detector's class names.
    public var metadata: [String: String]
    public var graph: Graph

    public init(
        irVersion: Int = 8, opsetImports: [String: Int] = ["": 17], producerName: String = "",
        producerVersion: String = "", domain: String = "", modelVersion: Int = 0, docString: String = "",
        metadata: [String: String] = [:], graph: Graph
    ) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.domain = domain
        self.modelVersion = modelVersion
        self.docString = docString
        self.metadata = metadata
        self.graph = graph
    }

    /// Opset of the default ONNX domain (`ai.onnx`).
    public var defaultOpset: Int { opsetImports[""] ?? opsetImports["ai.onnx"] ?? 1 }
}
