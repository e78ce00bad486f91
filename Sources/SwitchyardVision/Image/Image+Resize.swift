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
        // Per output pixel: the left tap's element offset and both weights. A tap past the right edge
        // gets weight 0 and points at the left one, so the inner loop has no branch.
        var leftOffsets = [Int](repeating: 0, count: newWidth), rightOffsets = leftOffsets
        var leftWeights = [Int32](repeating: 0, count: newWidth), rightWeights = leftWeights
        for x in 0..<newWidth {
            let hasRight = xTaps.index[x] + 1 < width
            leftOffsets[x] = xTaps.index[x] * c
            rightOffsets[x] = hasRight ? (xTaps.index[x] + 1) * c : xTaps.index[x] * c
            leftWeights[x] = Int32(xTaps.weight0[x])
            rightWeights[x] = hasRight ? Int32(xTaps.weight1[x]) : 0
        }
        let taps = HorizontalTaps(left: leftOffsets, right: rightOffsets, leftWeight: leftWeights, rightWeight: rightWeights)
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
                            taps.apply(to: src.baseAddress! + y0 * width * c, channels: c, into: &rowA)
                            rowAIndex = y0
                        }
                    }
                    if rowBIndex != y1 {
                        taps.apply(to: src.baseAddress! + y1 * width * c, channels: c, into: &rowB)
                        rowBIndex = y1
                    }
                    Self.blendRows(rowA, rowB, Int32(yTaps.weight0[y]), Int32(yTaps.weight1[y]),
                                   into: dst.baseAddress! + y * rowLength, count: rowLength)
                }
            }
        }
    }

    /// Vertical pass, as OpenCV's SIMD kernel computes it for every element (OpenCV 5 vectorises the row
    /// tail too): drop 4 bits, take the high half of the 16-bit product with each weight, add with
    /// saturation, then round off 2 bits.
    private static func blendRows(_ a: [Int32], _ b: [Int32], _ beta0: Int32, _ beta1: Int32,
                                  into dst: UnsafeMutablePointer<UInt8>, count: Int) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let pa = a.baseAddress!, pb = b.baseAddress!
                // Each high half is at most 1020 and they sum to at most 1020: no 16-bit saturation occurs.
                for i in 0..<count {
                    let sum = (((pa[i] &>> 4) &* beta0) &>> 16) &+ (((pb[i] &>> 4) &* beta1) &>> 16)
                    dst[i] = UInt8(truncatingIfNeeded: (sum &+ 2) &>> 2)
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

/// The horizontal pass of the bilinear resize: each output element is
/// `source[left + k] * leftWeight + source[right + k] * rightWeight` (weights sum to 2048).
struct HorizontalTaps {
    var left: [Int]
    var right: [Int]
    var leftWeight: [Int32]
    var rightWeight: [Int32]

    func apply(to row: UnsafePointer<UInt8>, channels c: Int, into out: inout [Int32]) {
        left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                leftWeight.withUnsafeBufferPointer { w0 in
                    rightWeight.withUnsafeBufferPointer { w1 in
                        out.withUnsafeMutableBufferPointer { o in
                            var p = o.baseAddress!
                            if c == 3 {  // Unrolled for RGB, the common case.
                                for x in 0..<left.count {
                                    let l = row + left[x], r = row + right[x], a = w0[x], b = w1[x]
                                    p[0] = Int32(l[0]) &* a &+ Int32(r[0]) &* b
                                    p[1] = Int32(l[1]) &* a &+ Int32(r[1]) &* b
                                    p[2] = Int32(l[2]) &* a &+ Int32(r[2]) &* b
                                    p += 3
                                }
                                return
                            }
                            for x in 0..<left.count {
                                let l = row + left[x], r = row + right[x], a = w0[x], b = w1[x]
                                for k in 0..<c { p[k] = Int32(l[k]) &* a &+ Int32(r[k]) &* b }
                                p += c
                            }
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
