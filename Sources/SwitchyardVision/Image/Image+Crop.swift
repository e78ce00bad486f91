extension Image {
    /// PP-OCR's `get_rotate_crop_image` (rapidocr-onnxruntime): the quad (clockwise from top-left) warped
    /// to an upright `w`×`h` image, `w` = the longer of its top and bottom edges and `h` = the longer of its
    /// left and right edges (truncated to whole pixels, at least 1), sampled like OpenCV's bicubic
    /// `warpPerspective` (rapidocr uses INTER_CUBIC, so this does too) with replicated borders;
    /// then turned 90° counter-clockwise when `h / w >= 1.5` (a vertical line).
    public func cropped(to quad: Quad) -> Image {
        let p = quad.points.count == 4 ? quad.points : Self.padded(quad.points)
        func distance(_ a: Point, _ b: Point) -> Float { ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() }
        let w = max(1, Int(max(distance(p[0], p[1]), distance(p[2], p[3]))))
        let h = max(1, Int(max(distance(p[0], p[3]), distance(p[1], p[2]))))
        let corners = [(0.0, 0.0), (Double(w), 0.0), (Double(w), Double(h)), (0.0, Double(h))]
        // Maps crop pixels to source pixels (the inverse of getPerspectiveTransform(quad → crop)).
        let homography = Homography(from: corners, to: p.map { (Double($0.x), Double($0.y)) })
        let crop = warped(by: homography, width: w, height: h)
        return Double(crop.height) / Double(crop.width) >= 1.5 ? crop.rotated90CounterClockwise() : crop
    }

    /// A degenerate quad (not 4 points) cropped by its bounding box.
    private static func padded(_ points: [Point]) -> [Point] {
        let box = Quad(points: points).boundingBox
        return [Point(x: box.x1, y: box.y1), Point(x: box.x2, y: box.y1), Point(x: box.x2, y: box.y2), Point(x: box.x1, y: box.y2)]
    }

    /// Output pixel (x, y) samples the source at `homography(x, y)` with Keys' bicubic kernel (A = -0.75),
    /// out-of-image taps clamped to the edge, rounded to the nearest level: what OpenCV 5's
    /// `warpPerspective(INTER_CUBIC, BORDER_REPLICATE)` computes (floating-point weights at the exact
    /// sample position; OpenCV 4 quantised positions to 1/32 pixel instead).
    func warped(by homography: Homography, width w: Int, height h: Int) -> Image {
        let c = channels, sw = width, sh = height
        let m = homography.matrix
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: w, height: h, channels: c) { dst in
                var sum = [Float](repeating: 0, count: c), row = sum
                for y in 0..<h {
                    for x in 0..<w {
                        let wx = m[6] * Double(x) + m[7] * Double(y) + m[8]
                        let inverse = wx != 0 ? 1 / wx : 0
                        let sx = (m[0] * Double(x) + m[1] * Double(y) + m[2]) * inverse
                        let sy = (m[3] * Double(x) + m[4] * Double(y) + m[5]) * inverse
                        let fx = sx.rounded(.down), fy = sy.rounded(.down)
                        let ix = Int(clampedToInt32(fx)) - 1, iy = Int(clampedToInt32(fy)) - 1
                        let cx = CubicKernel.weights(Float(sx - fx)), cy = CubicKernel.weights(Float(sy - fy))
                        for k in 0..<c { sum[k] = 0 }
                        for i in 0..<4 {
                            let rowStart = min(max(iy + i, 0), sh - 1) * sw
                            for k in 0..<c { row[k] = 0 }
                            for j in 0..<4 {
                                let s = (rowStart + min(max(ix + j, 0), sw - 1)) * c
                                for k in 0..<c { row[k] += Float(src[s + k]) * cx[j] }
                            }
                            for k in 0..<c { sum[k] += row[k] * cy[i] }
                        }
                        let d = (y * w + x) * c
                        for k in 0..<c { dst[d + k] = UInt8(clamping: Int(sum[k].rounded(.toNearestOrEven))) }
                    }
                }
            }
        }
    }
}

private func clampedToInt32(_ value: Double) -> Double {
    value.isNaN ? 0 : min(max(value, Double(Int32.min)), Double(Int32.max))
}

/// Keys' cubic convolution weights for the four taps around a sample at fraction `x` (A = -0.75, as OpenCV).
enum CubicKernel {
    static func weights(_ x: Float) -> SIMD4<Float> {
        let a: Float = -0.75
        let c0 = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a
        let c1 = ((a + 2) * x - (a + 3)) * x * x + 1
        let c2 = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1
        return SIMD4(c0, c1, c2, 1 - c0 - c1 - c2)
    }
}
