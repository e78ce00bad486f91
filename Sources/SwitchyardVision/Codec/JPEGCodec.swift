import CTurboJPEG

/// JPEG decoding through libjpeg-turbo's TurboJPEG API (accurate integer IDCT and smooth chroma
/// upsampling, the library defaults, which Pillow and OpenCV also use).
enum JPEGCodec {
    static func decode(_ bytes: [UInt8]) throws(VisionError) -> Image {
        try decode(bytes) { width, height in .unscaled(width: width, height: height) }.image
    }

    /// Decodes at the smallest of libjpeg-turbo's scales (1/8, 1/4, 3/8, 1/2, …) that still serves
    /// `target`: the scaling happens in the IDCT, so a 1/8 decode skips most of the work of a full one.
    static func decode(_ bytes: [UInt8], for target: DecodeTarget) throws(VisionError) -> (image: Image, scale: DecodeScale) {
        try decode(bytes) { width, height in
            let minimum = target.minimumSize(ofImage: width, height)
            return DecodeScale.smallest(decoding: width, height, atLeast: minimum.width, minimum.height, among: scalingFactors)
        }
    }

    /// The scales libjpeg-turbo can decode at (`tjGetScalingFactors`), larger than 1 included.
    static let scalingFactors: [(numerator: Int, denominator: Int)] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return [] }
        return (0..<Int(count)).map { (Int(factors[$0].num), Int(factors[$0].denom)) }
    }()

    /// Encodes an RGB or gray image at `quality` (1…100) with 4:2:0 chroma subsampling for RGB, as
    /// Pillow and most cameras write JPEGs.
    static func encode(_ source: Image, quality: Int) throws(VisionError) -> [UInt8] {
        guard (1...100).contains(quality) else { throw .invalidArgument("JPEG quality \(quality): expected 1…100") }
        guard let handle = tjInitCompress() else {
            throw .invalidArgument("JPEG: cannot create a libjpeg-turbo compressor")
        }
        defer { tjDestroy(handle) }
        let gray = source.channels == 1
        let format = Int32(gray ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue)
        let subsampling = Int32(gray ? TJSAMP_GRAY.rawValue : TJSAMP_420.rawValue)
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = source.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(source.width), 0, Int32(source.height), format,
                        &buffer, &size, subsampling, Int32(quality), 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else {
            throw .invalidArgument("JPEG encode of \(source.width)×\(source.height)×\(source.channels): \(message(handle))")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    /// Images above this many pixels are refused rather than allocated (a hostile header can claim 64K×64K).
    static let maxPixels = 1 << 28

    /// Reads the header, asks `chooseScale` for a scale given the full size, and decodes at it.
    private static func decode(_ bytes: [UInt8], chooseScale: (Int, Int) -> DecodeScale) throws(VisionError) -> (image: Image, scale: DecodeScale) {
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
        let scale = chooseScale(Int(width), Int(height))
        let w = scale.decodedWidth, h = scale.decodedHeight
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
            // TurboJPEG picks the scale whose output fits in the width and height it is given.
            status = bytes.withUnsafeBufferPointer {
                tjDecompress2(handle, $0.baseAddress, size, out.baseAddress, Int32(w), 0, Int32(h),
                              Int32(TJPF_RGB.rawValue), 0)
            }
            count = out.count
        }
        // Truncated files decode with a warning (the rest grey): reject them like any corrupt input.
        guard status == 0 else { throw .undecodable("JPEG data: \(message(handle))") }
        return (Image(unchecked: w, height: h, channels: 3, pixels: pixels), scale)
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: text)
    }
}
