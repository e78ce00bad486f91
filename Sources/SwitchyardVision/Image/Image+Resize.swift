extension Image {
    /// Bilinear resize with half-pixel centres, reproducing OpenCV's `cv2.resize(INTER_LINEAR)` on 8-bit
    /// images bit for bit: 11-bit fixed-point weights, and an exact 2× reduction averages 2×2 blocks
    /// (OpenCV switches to INTER_AREA there). Sizes must be positive; the same size returns a copy.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth)×\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        if newWidth * 2 == width && newHeight * 2 == height { return halved() }
        let c = channels
        let xTaps = LinearTaps(source: width, destination: newWidth, clampsWeights: true)
        let yTaps = LinearTaps(source: height, destination: newHeight, clampsWeights: false)
        let rowLength = newWidth * c
        // Source offsets (in elements) and weights for every output element of a row.
        var offsets = [Int](repeating: 0, count: rowLength)
        var weights = [Int32](repeating: 0, count: rowLength * 2)
        for x in 0..<newWidth {
            for k in 0..<c {
                offsets[x * c + k] = xTaps.index[x] * c + k
                weights[(x * c + k) * 2] = Int32(xTaps.weight0[x])
                weights[(x * c + k) * 2 + 1] = xTaps.index[x] + 1 < width ? Int32(xTaps.weight1[x]) : 0
            }
        }
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: newWidth, height: newHeight, channels: c) { dst in
                var rowA = [Int32](repeating: 0, count: rowLength), rowB = rowA
                var rowAIndex = -1, rowBIndex = -1
                for y in 0..<newHeight {
                    let y0 = max(min(yTaps.index[y], height - 1), 0)
                    let y1 = max(min(yTaps.index[y] + 1, height - 1), 0)
                    // Reuse horizontally interpolated rows between output rows (as OpenCV's ring buffer does).
                    if rowAIndex != y0 {
                        if rowBIndex == y0 { swap(&rowA, &rowB); swap(&rowAIndex, &rowBIndex) } else {
                            Self.interpolateRow(src, row: y0, width: width * c, offsets, weights, channels: c, into: &rowA)
                            rowAIndex = y0
                        }
                    }
                    if rowBIndex != y1 {
                        Self.interpolateRow(src, row: y1, width: width * c, offsets, weights, channels: c, into: &rowB)
                        rowBIndex = y1
                    }
                    Self.blendRows(rowA, rowB, Int32(yTaps.weight0[y]), Int32(yTaps.weight1[y]),
                                   into: UnsafeMutableBufferPointer(rebasing: dst[(y * rowLength)..<((y + 1) * rowLength)]))
                }
            }
        }
    }

    /// Horizontal pass: each output element = s[o] * w0 + s[o + c] * w1 (w0 + w1 ≈ 2048).
    private static func interpolateRow(
        _ src: UnsafeBufferPointer<UInt8>, row: Int, width rowElements: Int, _ offsets: [Int], _ weights: [Int32],
        channels c: Int, into out: inout [Int32]
    ) {
        let base = src.baseAddress! + row * rowElements
        offsets.withUnsafeBufferPointer { offs in
            weights.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<o.count {
                        let s = offs[i]
                        let w1 = w[2 * i + 1]
                        let right = w1 == 0 ? 0 : Int32(base[s + c]) * w1
                        o[i] = Int32(base[s]) * w[2 * i] + right
                    }
                }
            }
        }
    }

    /// Vertical pass, as OpenCV's SIMD kernel computes it for every element (OpenCV 5 vectorises the row
    /// tail too): drop 4 bits, take the high half of the 16-bit product with each weight, add with
    /// saturation, then round off 2 bits.
    private static func blendRows(_ a: [Int32], _ b: [Int32], _ beta0: Int32, _ beta1: Int32, into dst: UnsafeMutableBufferPointer<UInt8>) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<dst.count {
                    let hi0 = ((a[i] >> 4) * beta0) >> 16, hi1 = ((b[i] >> 4) * beta1) >> 16
                    let sum = min(max(hi0 + hi1, -32768), 32767)
                    dst[i] = UInt8(clamping: (sum + 2) >> 2)
                }
            }
        }
    }

    /// Exact 2× reduction: each output pixel is the rounded mean of a 2×2 block.
    private func halved() -> Image {
        let c = channels, w = width / 2, h = height / 2, stride = width * c
        return pixels.withUnsafeBufferPointer { src in
            Image.filling(width: w, height: h, channels: c) { dst in
                for y in 0..<h {
                    let top = src.baseAddress! + 2 * y * stride, bottom = top + stride
                    for x in 0..<w {
                        for k in 0..<c {
                            let s = 2 * x * c + k
                            let sum = Int(top[s]) + Int(top[s + c]) + Int(bottom[s]) + Int(bottom[s + c])
                            dst[(y * w + x) * c + k] = UInt8((sum + 2) >> 2)
                        }
                    }
                }
            }
        }
    }
}

/// OpenCV's bilinear taps along one axis: for each output coordinate, the first source index and the two
/// 11-bit weights, computed with the same float/double steps as `cv::resize`.
struct LinearTaps {
    var index: [Int]
    var weight0: [Int16]
    var weight1: [Int16]

    /// `clampsWeights`: along x OpenCV moves taps that fall outside onto the edge with weight 1; along y it
    /// keeps the weights and clamps the row indices instead.
    init(source: Int, destination: Int, clampsWeights: Bool) {
        let scale = 1.0 / (Double(destination) / Double(source))
        index = []; weight0 = []; weight1 = []
        index.reserveCapacity(destination)
        for d in 0..<destination {
            var f = Float((Double(d) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            if clampsWeights {
                if s < 0 { f = 0; s = 0 }
                if s >= source - 1 { f = 0; s = source - 1 }
            }
            index.append(s)
            weight0.append(Int16(((1 - f) * 2048).rounded(.toNearestOrEven)))
            weight1.append(Int16((f * 2048).rounded(.toNearestOrEven)))
        }
    }
}
