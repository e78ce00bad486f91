/// Maps the `processor:` names of a spec to factories that make the processor from the stage's
/// options. `ProcessorRegistry.builtin` holds the built-in processors; add your own with
/// `register` before building a pipeline.
public struct ProcessorRegistry: Sendable {
    /// Makes a processor from a stage's options; throws (naming the option) when they are invalid.
    public typealias Factory = @Sendable (ProcessorOptions) throws(PipelineError) -> any PipelineProcessor

    private var factories: [String: Factory] = [:]

    /// An empty registry.
    public init() {}

    /// Every built-in processor (decode, resize, letterbox, normalize, crop, YOLO decode, DB
    /// post-processing, CTC decode, top-k…), registered in `Processors/Builtin/`.
    public static var builtin: ProcessorRegistry {
        var registry = ProcessorRegistry()
        registry.registerBuiltinProcessors()
        return registry
    }

    /// Adds (or replaces) the processor called `name`.
    public mutating func register(_ name: String, factory: @escaping Factory) {
        factories[name] = factory
    }

    /// The registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// Makes processor `name` for a stage; an unknown name lists the known ones.
    public func make(_ name: String, options: ProcessorOptions) throws(PipelineError) -> any PipelineProcessor {
        guard let factory = factories[name] else {
            let known = names.isEmpty ? "none are registered" : "known: \(names.joined(separator: ", "))"
            throw PipelineError("stage '\(options.stage)': unknown processor '\(name)' (\(known))")
        }
        return try factory(options)
    }
}
