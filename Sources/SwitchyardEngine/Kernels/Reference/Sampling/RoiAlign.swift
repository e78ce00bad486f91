import SwitchyardTensor

/// ONNX `RoiAlign` (opsets 10, 16, 22): pools each region of interest of X `[N, C, H, W]` into
/// `[output_height, output_width]` bins, each the average (or maximum) of
/// `sampling_ratio²` bilinearly interpolated samples (adaptive when 0). Follows the reference
/// (and ONNX Runtime): samples beyond one pixel outside the image are 0, and `max` takes the
/// largest weighted corner value of each sample.
enum RoiAlign {
    /// One bilinear sample: four flat positions in the H×W plane and their weights.
    private struct Sample {
        var positions = [0, 0, 0, 0]
        var weights = [0.0, 0.0, 0.0, 0.0]
    }

    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "RoiAlign"
        let x = try context.input(0), rois = try context.input(1), batchIndices = try context.input(2)
        let values = try FloatingValues.read(x, op: op, input: "X")
        let boxes = try FloatingValues.read(rois, op: op, input: "rois")
        guard x.rank == 4, rois.rank == 2, rois.shape[1] == 4, batchIndices.shape == [rois.shape[0]],
              !batchIndices.dataType.isFloatingPoint else {
            throw .invalidArgument("\(op): need X [N, C, H, W], rois [R, 4] and integer batch_indices [R], got \(x.shape), \(rois.shape), \(batchIndices.shape)")
        }
        let indices = batchIndices.ints()
        if let bad = indices.first(where: { $0 < 0 || $0 >= x.shape[0] }) {
            throw .invalidArgument("\(op): batch index \(bad) is out of range for \(x.shape[0]) images")
        }
        let transform = try context.string("coordinate_transformation_mode",
                                           default: context.opset < 16 ? "output_half_pixel" : "half_pixel")
        guard transform == "half_pixel" || transform == "output_half_pixel" else {
            throw .invalidArgument("\(op): coordinate_transformation_mode '\(transform)' is not half_pixel or output_half_pixel")
        }
        let mode = try context.string("mode", default: "avg")
        guard mode == "avg" || mode == "max" else { throw .invalidArgument("\(op): mode '\(mode)' is not avg or max") }
        let pooledHeight = try context.int("output_height", default: 1), pooledWidth = try context.int("output_width", default: 1)
        let samplingRatio = try context.int("sampling_ratio", default: 0)
        let spatialScale = Double(try context.float("spatial_scale", default: 1))
        guard pooledHeight > 0, pooledWidth > 0, samplingRatio >= 0 else {
            throw .invalidArgument("\(op): output_height/output_width must be positive and sampling_ratio ≥ 0")
        }
        let halfPixel = transform == "half_pixel"
        let (channels, height, width) = (x.shape[1], x.shape[2], x.shape[3])
        let roiCount = rois.shape[0]
        guard roiCount == 0 || (height > 0 && width > 0) else {
            throw .invalidArgument("\(op): X \(x.shape) has an empty image plane to sample from")
        }
        var output = [Double](repeating: 0, count: roiCount * channels * pooledHeight * pooledWidth)
        for roi in 0..<roiCount {
            let shift = halfPixel ? 0.5 : 0
            let startW = boxes[roi * 4] * spatialScale - shift, startH = boxes[roi * 4 + 1] * spatialScale - shift
            var roiWidth = boxes[roi * 4 + 2] * spatialScale - shift - startW
            var roiHeight = boxes[roi * 4 + 3] * spatialScale - shift - startH
            if !halfPixel { roiWidth = max(roiWidth, 1); roiHeight = max(roiHeight, 1) }
            let binH = roiHeight / Double(pooledHeight), binW = roiWidth / Double(pooledWidth)
            guard binH.isFinite, binW.isFinite, startH.isFinite, startW.isFinite, abs(binH) < 1e6, abs(binW) < 1e6 else {
                throw .invalidArgument("\(op): region \(roi) has non-finite or absurdly large coordinates")
            }
            let gridH = samplingRatio > 0 ? samplingRatio : Int(binH.rounded(.up))
            let gridW = samplingRatio > 0 ? samplingRatio : Int(binW.rounded(.up))
            let count = Double(max(gridH * gridW, 1))
            for ph in 0..<pooledHeight {
                for pw in 0..<pooledWidth {
                    var samples: [Sample] = []
                    for iy in 0..<max(gridH, 0) {
                        let y = startH + Double(ph) * binH + (Double(iy) + 0.5) * binH / Double(gridH)
                        for ix in 0..<max(gridW, 0) {
                            let x = startW + Double(pw) * binW + (Double(ix) + 0.5) * binW / Double(gridW)
                            samples.append(sample(y: y, x: x, height: height, width: width))
                        }
                    }
                    for c in 0..<channels {
                        let plane = (indices[roi] * channels + c) * height * width
                        var result = 0.0
                        for (index, sample) in samples.enumerated() {
                            let corners = (0..<4).map { sample.weights[$0] * values[plane + sample.positions[$0]] }
                            if mode == "avg" {
                                result += corners.reduce(0, +)
                            } else {
                                let best = corners.max()!
                                result = index == 0 ? best : max(result, best)
                            }
                        }
                        if mode == "avg" { result /= count }
                        output[((roi * channels + c) * pooledHeight + ph) * pooledWidth + pw] = result
                    }
                }
            }
        }
        return [Tensor(dataType: x.dataType, shape: [roiCount, channels, pooledHeight, pooledWidth], doubles: output)]
    }

    private static func sample(y: Double, x: Double, height: Int, width: Int) -> Sample {
        if y < -1 || y > Double(height) || x < -1 || x > Double(width) { return Sample() }
        var (y, x) = (max(y, 0), max(x, 0))
        var yLow = Int(y), xLow = Int(x)
        let yHigh: Int, xHigh: Int
        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Double(yLow) } else { yHigh = yLow + 1 }
        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Double(xLow) } else { xHigh = xLow + 1 }
        let ly = y - Double(yLow), lx = x - Double(xLow), hy = 1 - ly, hx = 1 - lx
        return Sample(positions: [yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh],
                      weights: [hy * hx, hy * lx, ly * hx, ly * lx])
    }
}
