/// An 8-bit image: row-major, channels interleaved (HWC). One channel is gray, three are RGB.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (gray) or 3 (RGB, in that order).
    public var channels: Int
    /// `height * width * channels` bytes, row after row.
    public var pixels: [UInt8]

    /// An image over `pixels`; throws when the count does not match the size or a dimension is out of range.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws(VisionError) {
        guard width > 0, height > 0 else {
            throw .invalidArgument("image size \(width)×\(height): width and height must be positive")
        }
        guard channels == 1 || channels == 3 else {
            throw .invalidArgument("image with \(channels) channels: expected 1 (gray) or 3 (RGB)")
        }
        guard pixels.count == width * height * channels else {
            throw .invalidArgument(
                "image \(width)×\(height)×\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        }
        self.init(unchecked: width, height: height, channels: channels, pixels: pixels)
    }

    /// For code in this module that has already established the invariants.
    init(unchecked width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Builds an image by letting `fill` write every one of its `width * height * channels` bytes.
    static func filling(
        width: Int, height: Int, channels: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void
    ) -> Image {
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * channels) { buffer, count in
            fill(buffer)
            count = buffer.count
        }
        return Image(unchecked: width, height: height, channels: channels, pixels: pixels)
    }
}
