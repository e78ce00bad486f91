import Foundation
import SwitchyardTensor

/// ONNX `GridSample` (opsets 16, 20, 22): samples X `[N, C, D1…Dr]` at the normalized
/// coordinates of `grid` `[N, H1…Hr, r]` (last entry of the grid's final axis indexes the
/// first spatial axis), giving `[N, C, H1…Hr]`.
///
/// Modes `nearest`, `linear` (`bilinear` before opset 20) and `cubic` (`bicubic`, Keys α = −0.75)
/// interpolate separably; `padding_mode` `zeros`, `border` or `reflection` decides the values
/// outside X. Coordinates are denormalized in float32 as the reference does.
enum GridSample {
    enum Mode { case nearest, linear, cubic }
    enum Padding: String { case zeros, border, reflection }

    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "GridSample"
        let x = try context.input(0), grid = try context.input(1)
        let values = try FloatingValues.read(x, op: op, input: "X")
        let gridValues = try FloatingValues.read(grid, op: op, input: "grid")
        let spatialRank = x.rank - 2
        guard spatialRank >= 1, grid.rank == x.rank, grid.shape[0] == x.shape[0], grid.shape[grid.rank - 1] == spatialRank else {
            throw .invalidArgument("\(op): X \(x.shape) and grid \(grid.shape) must be [N, C, D1…Dr] and [N, H1…Hr, r]")
        }
        let modeName = try context.string("mode", default: context.opset < 20 ? "bilinear" : "linear")
        let mode: Mode
        switch modeName {
        case "nearest": mode = .nearest
        case "linear", "bilinear": mode = .linear
        case "cubic", "bicubic": mode = .cubic
        default: throw .invalidArgument("\(op): mode '\(modeName)' is not nearest, linear or cubic")
        }
        let paddingName = try context.string("padding_mode", default: "zeros")
        guard let padding = Padding(rawValue: paddingName) else {
            throw .invalidArgument("\(op): padding_mode '\(paddingName)' is not zeros, border or reflection")
        }
        let alignCorners = try context.int("align_corners", default: 0) != 0

        let (batch, channels) = (x.shape[0], x.shape[1])
        let dims = Array(x.shape[2...])
        let outputSpatial = Array(grid.shape[1..<(grid.rank - 1)])
        let points = outputSpatial.reduce(1, *)
        let planeSize = dims.reduce(1, *)
        let planeStrides = ShapeMath.strides(dims)
        let sampler = AxisSampler(mode: mode, padding: padding, alignCorners: alignCorners)
        var output = [Double](repeating: 0, count: batch * channels * points)
        for n in 0..<batch {
            for point in 0..<points {
                let gridBase = (n * points + point) * spatialRank
                // Per spatial axis, the source indices and weights of the taps.
                let taps = (0..<spatialRank).map { axis in
                    sampler.taps(normalized: gridValues[gridBase + spatialRank - 1 - axis], length: dims[axis])
                }
                for c in 0..<channels {
                    let plane = (n * channels + c) * planeSize
                    output[(n * channels + c) * points + point] = interpolate(
                        taps, axis: 0, offset: plane, strides: planeStrides, values: values)
                }
            }
        }
        return [Tensor(dataType: x.dataType, shape: [batch, channels] + outputSpatial, doubles: output)]
    }

    /// The tensor-product interpolation over axes `axis…` of the taps, starting at `offset`.
    static func interpolate(
        _ taps: [[AxisSampler.Tap]], axis: Int, offset: Int, strides: [Int], values: [Double]
    ) -> Double {
        var sum = 0.0
        for tap in taps[axis] {
            guard let index = tap.index else { continue }   // outside X with zero padding
            let position = offset + index * strides[axis]
            let value = axis == taps.count - 1
                ? values[position] : interpolate(taps, axis: axis + 1, offset: position, strides: strides, values: values)
            sum += tap.weight * value
        }
        return sum
    }
}
