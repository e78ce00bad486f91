extension Image {
    /// The image with its channel order reversed (RGB ↔ BGR); a gray image is returned as is.
    /// PP-OCR's models were trained on OpenCV's BGR images, so the OCR pipeline feeds them BGR.
    public func reversingChannels() -> Image {
        guard channels == 3 else { return self }
        let count = pixels.count
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: width, height: height, channels: 3) { dst in
                var i = 0
                while i < count {
                    dst[i] = src[i + 2]
                    dst[i + 1] = src[i + 1]
                    dst[i + 2] = src[i]
                    i += 3
                }
            }
        }
    }
}
