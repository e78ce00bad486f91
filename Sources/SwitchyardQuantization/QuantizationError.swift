/// Why a model could not be quantized or validated, with a message that names the model, the
/// file or the layer, and what was expected.
public struct QuantizationError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
