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

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
}
