import CPNG

/// PNG decoding and encoding through libpng's simplified API (`png_image`).
enum PNGCodec {
    static func decode(_ bytes: [UInt8]) throws(VisionError) -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBufferPointer {
            png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count)
        }
        guard begun != 0 else { throw .undecodable("PNG header: \(message(&image))") }
        defer { png_image_free(&image) }
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0, w * h <= JPEGCodec.maxPixels else {
            throw .undecodable("PNG: unsupported size \(w)×\(h)")
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        var white = png_color(red: 255, green: 255, blue: 255)
        var finished: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
            finished = png_image_finish_read(&image, &white, out.baseAddress, Int32(w * 3), nil)
            count = out.count
        }
        guard finished != 0 else { throw .undecodable("PNG data: \(message(&image))") }
        return Image(unchecked: w, height: h, channels: 3, pixels: pixels)
    }

    static func encode(_ source: Image) throws(VisionError) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(source.width)
        image.height = UInt32(source.height)
        image.format = source.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        let stride = Int32(source.width * source.channels)
        // Upper bound from png.h's PNG_IMAGE_PNG_SIZE_MAX: raw rows plus deflate and chunk overhead.
        let raw = (source.width * source.channels + 1) * source.height
        var size = raw + raw / 1000 * 2 + 4096 + source.height * 16
        var output = [UInt8](repeating: 0, count: size)
        let written = source.pixels.withUnsafeBufferPointer { pixels in
            output.withUnsafeMutableBufferPointer {
                png_image_write_to_memory(&image, $0.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
        }
        guard written != 0 else {
            let reason = message(&image)
            png_image_free(&image)
            throw .invalidArgument("PNG encode of \(source.width)×\(source.height)×\(source.channels): \(reason)")
        }
        return Array(output.prefix(size))
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
