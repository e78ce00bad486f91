import Foundation

/// Reads PNG and JPEG files into RGB ``Image``s and writes PNG.
public enum ImageCodec {
    /// Decodes PNG (libpng) or JPEG (libjpeg-turbo), recognised by their signatures, into 3-channel RGB.
    /// Gray, gray+alpha, palette and 16-bit PNGs are converted; alpha is composited onto white
    /// (transparent paper reads as paper). Corrupt, truncated, empty or unknown bytes throw
    /// ``VisionError/undecodable(_:)``.
    public static func decode(_ bytes: [UInt8]) throws(VisionError) -> Image {
        if bytes.starts(with: pngSignature) { return try PNGCodec.decode(bytes) }
        if bytes.starts(with: jpegSignature) { return try JPEGCodec.decode(bytes) }
        if bytes.isEmpty { throw .undecodable("empty input: expected PNG or JPEG bytes") }
        let head = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw .undecodable("not a PNG or JPEG file (starts with \(head))")
    }

    /// Decodes like ``decode(_:)``, but a JPEG at the smallest scale libjpeg-turbo's IDCT offers
    /// (1/8, 1/4, 3/8, 1/2, …) that still serves `target` (ceil-rounded sizes): `.cover` keeps both
    /// sides at least the size, `.fit` only a letterbox's limiting side. Much cheaper than a full
    /// decode and a resize. PNGs, and JPEGs already smaller than that, decode at full size. The
    /// returned scale maps positions in the image back to the original.
    public static func decode(_ bytes: [UInt8], for target: DecodeTarget) throws(VisionError) -> (image: Image, scale: DecodeScale) {
        if bytes.starts(with: jpegSignature) { return try JPEGCodec.decode(bytes, for: target) }
        let image = try decode(bytes)
        return (image, .unscaled(width: image.width, height: image.height))
    }

    /// The scales (`numerator`/`denominator`) libjpeg-turbo can decode JPEGs at, 1/8 to 2.
    public static var jpegScalingFactors: [(numerator: Int, denominator: Int)] { JPEGCodec.scalingFactors }

    /// Decodes the file at `path`; errors name the path.
    public static func decode(contentsOf path: String) throws(VisionError) -> Image {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .undecodable("\(path): cannot read the file (missing or not readable)")
        }
        do {
            return try decode([UInt8](data))
        } catch {
            throw .undecodable("\(path): \(error.description)")
        }
    }

    /// Encodes `image` (gray or RGB) as an 8-bit PNG.
    public static func encodePNG(_ image: Image) throws(VisionError) -> [UInt8] {
        try PNGCodec.encode(image)
    }

    /// Encodes `image` (gray or RGB) as a baseline JPEG at `quality` (1…100; RGB with 4:2:0 chroma).
    public static func encodeJPEG(_ image: Image, quality: Int = 90) throws(VisionError) -> [UInt8] {
        try JPEGCodec.encode(image, quality: quality)
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
}
