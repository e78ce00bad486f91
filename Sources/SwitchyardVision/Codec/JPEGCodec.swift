import CTurboJPEG

/// JPEG decoding through libjpeg-turbo's TurboJPEG API (accurate integer IDCT and smooth chroma
/// upsampling, the library defaults, which Pillow and OpenCV also use).
enum JPEGCodec {
    static func decode(_ bytes: [UInt8]) throws(VisionError) -> Image {
        guard let handle = tjInitDecompress() else {
            throw .undecodable("JPEG: cannot create a libjpeg-turbo decompressor")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let size = UInt(bytes.count)
        let headerStatus = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, size, &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0 else { throw .undecodable("JPEG header: \(message(handle))") }
        guard width > 0, height > 0, Int(width) * Int(height) <= maxPixels else {
            throw .undecodable("JPEG: unsupported size \(width)×\(height)")
        }
        let w = Int(width), h = Int(height)
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
            status = bytes.withUnsafeBufferPointer {
                tjDecompress2(handle, $0.baseAddress, size, out.baseAddress, width, 0, height,
                              Int32(TJPF_RGB.rawValue), 0)
            }
            count = out.count
        }
        // Truncated files decode with a warning (the rest grey): reject them like any corrupt input.
        guard status == 0 else { throw .undecodable("JPEG data: \(message(handle))") }
        return Image(unchecked: w, height: h, channels: 3, pixels: pixels)
    }

    /// Images above this many pixels are refused rather than allocated (a hostile header can claim 64K×64K).
    static let maxPixels = 1 << 28

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: text)
    }
}
