extension Image {
    /// The image turned half a turn (what PP-OCR's direction classifier asks for on label "180").
    public func rotated180() -> Image {
        let c = channels, count = pixels.count
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: width, height: height, channels: c) { dst in
                var i = 0
                while i < count {
                    let j = count - c - i
                    for k in 0..<c { dst[j + k] = src[i + k] }
                    i += c
                }
            }
        }
    }

    /// The image turned a quarter turn counter-clockwise (NumPy `np.rot90`): width and height swap,
    /// and the old right column becomes the new top row.
    public func rotated90CounterClockwise() -> Image {
        let c = channels, w = width, h = height
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: h, height: w, channels: c) { dst in
                // New pixel (row r, column q) is old pixel (row q, column w - 1 - r).
                for r in 0..<w {
                    for q in 0..<h {
                        let s = (q * w + (w - 1 - r)) * c, d = (r * h + q) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
    }
}
