/// Why a pipeline could not be built or an item could not pass a stage, with a message that
/// names the spec file, the stage and the field.
public struct PipelineError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
