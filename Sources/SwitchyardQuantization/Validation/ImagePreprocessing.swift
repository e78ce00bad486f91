import SwitchyardTensor
import SwitchyardVision

/// How image files become a model's input tensor, for calibration or validation folders of
/// images (`--preprocess`): resize or letterbox, channel order, `(pixel * scale - mean) / std`
/// per channel, layout. The keys are the pipeline processors' option names (`resize`,
/// `letterbox`, `normalize`), written as one comma-separated list:
///
///     resize=192x48,mean=0.5,std=0.5,channel_order=bgr
///     letterbox=320x320,scale=0.00392157
///     resize=224x224,mean=0.485:0.456:0.406,std=0.229:0.224:0.225,layout=nhwc
public struct ImagePreprocessing: Sendable, Equatable {
    public enum Sizing: Sendable, Equatable {
        /// Bilinear resize to exactly this size.
        case resize(width: Int, height: Int)
        /// Aspect-preserving resize padded with gray (YOLO's letterbox).
        case letterbox(width: Int, height: Int)
    }

    public var sizing: Sizing?
    public var scale: Float = 1.0 / 255
    public var mean: [Float] = [0]
    public var std: [Float] = [1]
    public var layout: TensorLayout = .nchw
    /// Feed BGR instead of the decoded RGB (models trained on OpenCV images, like PP-OCR's).
    public var bgr = false

    /// Image files a folder of samples may hold.
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Parses the `--preprocess` text; errors name the key and what it accepts.
    public init(parsing text: String) throws(QuantizationError) {
        func fail(_ message: String) -> QuantizationError {
            QuantizationError("--preprocess '\(text)': \(message) (keys: resize=WxH or letterbox=WxH, scale, mean, std as one value or three separated by ':', layout=nchw|nhwc, channel_order=rgb|bgr)")
        }
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw fail("'\(item)' is not key=value") }
            let (key, value) = (parts[0], parts[1])
            func size() throws(QuantizationError) -> (Int, Int) {
                let sides = value.lowercased().split(separator: "x").compactMap { Int($0) }
                guard sides.count == 2, sides.allSatisfy({ $0 > 0 }) else { throw fail("\(key) wants WIDTHxHEIGHT, got '\(value)'") }
                return (sides[0], sides[1])
            }
            func floats() throws(QuantizationError) -> [Float] {
                let values = value.split(separator: ":").compactMap { Float($0) }
                guard values.count == value.split(separator: ":").count, values.count == 1 || values.count == 3 else {
                    throw fail("\(key) wants one number or three separated by ':', got '\(value)'")
                }
                return values
            }
            switch key {
            case "resize": let (w, h) = try size(); sizing = .resize(width: w, height: h)
            case "letterbox": let (w, h) = try size(); sizing = .letterbox(width: w, height: h)
            case "scale":
                guard let parsed = Float(value) else { throw fail("scale wants a number, got '\(value)'") }
                scale = parsed
            case "mean": mean = try floats()
            case "std":
                std = try floats()
                if std.contains(0) { throw fail("std must not contain 0") }
            case "layout":
                guard let parsed = ["nchw": TensorLayout.nchw, "nhwc": .nhwc][value] else { throw fail("layout is nchw or nhwc, got '\(value)'") }
                layout = parsed
            case "channel_order":
                guard value == "rgb" || value == "bgr" else { throw fail("channel_order is rgb or bgr, got '\(value)'") }
                bgr = value == "bgr"
            default:
                throw fail("unknown key '\(key)'")
            }
        }
    }

    /// The input tensor (`[1, C, H, W]` or `[1, H, W, C]`, float32) of the image file at `path`.
    public func tensor(contentsOf path: String) throws(QuantizationError) -> Tensor {
        var image: Image
        do { image = try ImageCodec.decode(contentsOf: path) } catch {
            throw QuantizationError("\(error.description)")
        }
        switch sizing {
        case .resize(let width, let height)?: image = image.resized(width: width, height: height)
        case .letterbox(let width, let height)?: image = image.letterboxed(width: width, height: height).image
        case nil: break
        }
        if bgr { image = image.reversingChannels() }
        return image.tensor(layout: layout, scale: scale, mean: mean, std: std)
    }
}
