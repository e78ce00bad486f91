import SwitchyardTensor
import SwitchyardVision

/// One named value an item carries between stages. Images and tensors are copy-on-write, so
/// passing an item on (or fanning it out) shares their buffers instead of copying them.
public enum PipelineValue: Sendable {
    /// Encoded file contents (a JPEG or PNG before decoding).
    case bytes([UInt8])
    /// A decoded image (8-bit, HWC).
    case image(Image)
    /// A tensor, e.g. a model input made by a processor or a model output.
    case tensor(Tensor)
    /// Object detections (boxes with class and score).
    case detections([Detection])
    /// Text regions found by a text detector (quads with scores).
    case textRegions([TextRegion])
    /// Recognised text and its confidence.
    case text(String, confidence: Float)
    /// A class label and its score.
    case label(String, score: Float)
    /// An axis-aligned box.
    case box(Box)
    /// A four-corner region.
    case quad(Quad)
    /// How a letterboxed image maps back to the original (to scale boxes back).
    case letterbox(LetterboxTransform)
    /// How an image decoded at a reduced scale maps back to the encoded original (`decode-image`
    /// with `min_size`), so positions found in it are reported in the original's pixels.
    case decodeScale(DecodeScale)
    /// A number (a size, an index, a measurement).
    case number(Double)
    /// A free-form string (a file name, an identifier).
    case string(String)
    /// Why a stage failed on this item; an item carrying an error passes every later stage
    /// untouched and becomes an error event in the sinks.
    case error(String)

    /// The case's name, for messages ("expected an image, got a tensor").
    public var kindName: String {
        switch self {
        case .bytes: "bytes"
        case .image: "an image"
        case .tensor: "a tensor"
        case .detections: "detections"
        case .textRegions: "text regions"
        case .text: "text"
        case .label: "a label"
        case .box: "a box"
        case .quad: "a quad"
        case .letterbox: "a letterbox transform"
        case .decodeScale: "a decode scale"
        case .number: "a number"
        case .string: "a string"
        case .error: "an error"
        }
    }
}
