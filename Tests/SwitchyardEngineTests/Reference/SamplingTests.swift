import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct SamplingTests {
    typealias F = NormRNNFixtures

    /// Bilinear sampling of an `h × w` plane at pixel coordinates (y, x), zeros outside.
    static func bilinear(_ plane: [Double], h: Int, w: Int, y: Double, x: Double) -> Double {
        let (y0, x0) = (Int(floor(y)), Int(floor(x)))
        var sum = 0.0
        for (dy, wy) in [(0, 1 - (y - floor(y))), (1, y - floor(y))] {
            for (dx, wx) in [(0, 1 - (x - floor(x))), (1, x - floor(x))] {
                let (yy, xx) = (y0 + dy, x0 + dx)
                if yy >= 0 && yy < h && xx >= 0 && xx < w { sum += wy * wx * plane[yy * w + xx] }
            }
        }
        return sum
    }

    @Test(arguments: [false, true])
    func gridSampleBilinearZeros(alignCorners: Bool) throws {
        var rng = F.SeededGenerator(seed: alignCorners ? 70 : 71)
        let (n, c, h, w, oh, ow) = (2, 2, 4, 5, 3, 2)
        let x = F.values(n * c * h * w, using: &rng)
        let grid = F.values(n * oh * ow * 2, in: -1.2...1.2, using: &rng)
        var expected: [Double] = []
        for b in 0..<n { for ch in 0..<c { for p in 0..<(oh * ow) {
            let (gx, gy) = (grid[(b * oh * ow + p) * 2], grid[(b * oh * ow + p) * 2 + 1])
            let px = alignCorners ? (gx + 1) / 2 * Double(w - 1) : ((gx + 1) * Double(w) - 1) / 2
            let py = alignCorners ? (gy + 1) / 2 * Double(h - 1) : ((gy + 1) * Double(h) - 1) / 2
            let plane = Array(x[((b * c + ch) * h * w)..<((b * c + ch + 1) * h * w)])
            expected.append(Self.bilinear(plane, h: h, w: w, y: py, x: px))
        } } }
        let y = try F.run("GridSample", opset: 20, inputs: [F.tensor([n, c, h, w], x), F.tensor([n, oh, ow, 2], grid)],
                          attributes: ["align_corners": .int(alignCorners ? 1 : 0)])
        F.expectClose(y[0], expected, shape: [n, c, oh, ow], tolerance: 1e-5)
        F.expectInvalid("mode") {
            try F.run("GridSample", opset: 20, inputs: [F.tensor([n, c, h, w], x), F.tensor([n, oh, ow, 2], grid)],
                      attributes: ["mode": .string("area")])
        }
    }

    @Test func gridSampleNearestBorder() throws {
        var rng = F.SeededGenerator(seed: 72)
        let (h, w) = (3, 4)
        let x = F.values(h * w, using: &rng)
        let grid = F.values(8, in: -1.6...1.6, using: &rng)
        let expected = (0..<4).map { p -> Double in
            let px = ((grid[2 * p] + 1) * Double(w) - 1) / 2, py = ((grid[2 * p + 1] + 1) * Double(h) - 1) / 2
            let (ix, iy) = (min(max(Int(px.rounded(.toNearestOrEven)), 0), w - 1), min(max(Int(py.rounded(.toNearestOrEven)), 0), h - 1))
            return x[iy * w + ix]
        }
        let y = try F.run("GridSample", opset: 16, inputs: [F.tensor([1, 1, h, w], x, .float64), F.tensor([1, 2, 2, 2], grid, .float64)],
                          attributes: ["mode": .string("nearest"), "padding_mode": .string("border")])
        F.expectClose(y[0], expected, shape: [1, 1, 2, 2], tolerance: 0)
    }

    @Test func affineGrid2D() throws {
        var rng = F.SeededGenerator(seed: 73)
        let theta = F.values(12, using: &rng)
        let (h, w) = (3, 4)
        var expected: [Double] = []
        for b in 0..<2 { for i in 0..<h { for j in 0..<w {
            let (gx, gy) = (-1 + (2 * Double(j) + 1) / Double(w), -1 + (2 * Double(i) + 1) / Double(h))
            for row in 0..<2 {
                let t = Array(theta[(b * 6 + row * 3)..<(b * 6 + row * 3 + 3)])
                expected.append(t[0] * gx + t[1] * gy + t[2])
            }
        } } }
        let y = try F.run("AffineGrid", opset: 20, inputs: [F.tensor([2, 2, 3], theta), Tensor(shape: [4], scalars: [Int64(2), 1, 3, 4])])
        F.expectClose(y[0], expected, shape: [2, h, w, 2])
        F.expectInvalid("theta must be") {
            try F.run("AffineGrid", opset: 20, inputs: [F.tensor([2, 2, 3], theta), Tensor(shape: [5], scalars: [Int64(2), 1, 3, 4, 2])])
        }
    }

    @Test func col2ImScattersBlocks() throws {
        var rng = F.SeededGenerator(seed: 74)
        let (c, kh, kw, h, w, stride, pad) = (2, 2, 3, 5, 5, 2, 1)
        let oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1
        let x = F.values(c * kh * kw * oh * ow, using: &rng)
        var expected = [Double](repeating: 0, count: c * h * w)
        for ch in 0..<c { for ky in 0..<kh { for kx in 0..<kw { for by in 0..<oh { for bx in 0..<ow {
            let (yy, xx) = (by * stride - pad + ky, bx * stride - pad + kx)
            guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
            expected[(ch * h + yy) * w + xx] += x[((ch * kh + ky) * kw + kx) * oh * ow + by * ow + bx]
        } } } } }
        let y = try F.run("Col2Im", opset: 18, inputs: [
            F.tensor([1, c * kh * kw, oh * ow], x), Tensor(shape: [2], scalars: [Int64(h), Int64(w)]),
            Tensor(shape: [2], scalars: [Int64(kh), Int64(kw)]),
        ], attributes: ["strides": .ints([stride, stride]), "pads": .ints([pad, pad, pad, pad])])
        F.expectClose(y[0], expected, shape: [1, c, h, w])
        F.expectInvalid("blocks") {
            try F.run("Col2Im", opset: 18, inputs: [
                F.tensor([1, c * kh * kw, oh * ow], x), Tensor(shape: [2], scalars: [Int64(h + 3), Int64(w)]),
                Tensor(shape: [2], scalars: [Int64(kh), Int64(kw)]),
            ], attributes: ["strides": .ints([stride, stride]), "pads": .ints([pad, pad, pad, pad])])
        }
    }

    /// Bilinear interpolation reproduces a linear image exactly, so each average-pooled bin of
    /// a region inside the image equals the image at the bin's centre.
    @Test func roiAlignAveragesLinearImage() throws {
        let (h, w) = (6, 7)
        let image = (0..<(h * w)).map { 0.5 * Double($0 / w) - 0.3 * Double($0 % w) + 2 }
        let roi: [Double] = [2.5, 2, 10, 9]   // x1, y1, x2, y2 at spatial_scale 0.5 → [1.25, 1, 5, 4.5] − 0.5
        let y = try F.run("RoiAlign", opset: 16, inputs: [
            F.tensor([1, 1, h, w], image), F.tensor([1, 4], roi), Tensor(shape: [1], scalars: [Int64(0)]),
        ], attributes: ["output_height": .int(2), "output_width": .int(3), "sampling_ratio": .int(2), "spatial_scale": .float(0.5)])
        let (startX, startY, endX, endY) = (1.25 - 0.5, 1.0 - 0.5, 5.0 - 0.5, 4.5 - 0.5)
        var expected: [Double] = []
        for ph in 0..<2 { for pw in 0..<3 {
            let cy = startY + (Double(ph) + 0.5) * (endY - startY) / 2, cx = startX + (Double(pw) + 0.5) * (endX - startX) / 3
            expected.append(0.5 * cy - 0.3 * cx + 2)
        } }
        F.expectClose(y[0], expected, shape: [1, 1, 2, 3])
        F.expectInvalid("batch index") {
            try F.run("RoiAlign", opset: 16, inputs: [
                F.tensor([1, 1, h, w], image), F.tensor([1, 4], roi), Tensor(shape: [1], scalars: [Int64(1)]),
            ])
        }
    }

    /// With zero offsets DeformConv is a convolution whose taps are scaled by the mask.
    @Test func deformConvZeroOffsetsIsMaskedConvolution() throws {
        var rng = F.SeededGenerator(seed: 75)
        let (c, oc, h, w, k, pad) = (2, 3, 4, 4, 2, 1)
        let (oh, ow) = (h + 2 * pad - k + 1, w + 2 * pad - k + 1)
        let x = F.values(c * h * w, using: &rng), weights = F.values(oc * c * k * k, using: &rng)
        let mask = F.values(k * k * oh * ow, in: 0.1...1, using: &rng), bias = F.values(oc, using: &rng)
        var expected = [Double](repeating: 0, count: oc * oh * ow)
        for o in 0..<oc { for i in 0..<oh { for j in 0..<ow {
            var sum = bias[o]
            for ch in 0..<c { for ky in 0..<k { for kx in 0..<k {
                let (yy, xx) = (i - pad + ky, j - pad + kx)
                guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                sum += weights[((o * c + ch) * k + ky) * k + kx] * x[(ch * h + yy) * w + xx] * mask[(ky * k + kx) * oh * ow + i * ow + j]
            } } }
            expected[(o * oh + i) * ow + j] = sum
        } } }
        let y = try F.run("DeformConv", opset: 19, inputs: [
            F.tensor([1, c, h, w], x), F.tensor([oc, c, k, k], weights),
            F.tensor([1, 2 * k * k, oh, ow], [Double](repeating: 0, count: 2 * k * k * oh * ow)),
            F.tensor([oc], bias), F.tensor([1, k * k, oh, ow], mask),
        ], attributes: ["pads": .ints([pad, pad, pad, pad])])
        F.expectClose(y[0], expected, shape: [1, oc, oh, ow])
        F.expectInvalid("offset") {
            try F.run("DeformConv", opset: 19, inputs: [
                F.tensor([1, c, h, w], x), F.tensor([oc, c, k, k], weights),
                F.tensor([1, k * k, oh, ow], [Double](repeating: 0, count: k * k * oh * ow)),
            ], attributes: ["pads": .ints([pad, pad, pad, pad])])
        }
    }

    /// A half-pixel shift of every tap samples the midpoint of neighbouring pixels.
    @Test func deformConvFractionalOffset() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let offsets = [Double](repeating: 0.5, count: 2 * 1 * 2 * 2)   // dy = dx = 0.5 for a 1×1 kernel
        let y = try F.run("DeformConv", opset: 19, inputs: [
            F.tensor([1, 1, 3, 3], x), F.tensor([1, 1, 1, 1], [2]), F.tensor([1, 2, 2, 2], offsets),
        ], attributes: ["strides": .ints([2, 2])])
        // Taps at (0.5, 0.5), (0.5, 2.5), (2.5, 0.5), (2.5, 2.5); the last three half leave the image.
        let expected = [2 * 3.0, 2 * (0.25 * 6 + 0.25 * 3), 2 * (0.25 * 7 + 0.25 * 8), 2 * 0.25 * 9]
        F.expectClose(y[0], expected, shape: [1, 1, 2, 2])
    }
}
