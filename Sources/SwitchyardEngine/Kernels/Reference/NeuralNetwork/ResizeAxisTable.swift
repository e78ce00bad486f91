import Foundation

/// How Resize maps an output coordinate back to the input (`coordinate_transformation_mode`).
enum ResizeCoordinateMode: String {
    case halfPixel = "half_pixel"
    case halfPixelSymmetric = "half_pixel_symmetric"
    case pytorchHalfPixel = "pytorch_half_pixel"
    case alignCorners = "align_corners"
    case asymmetric
    case tfCropAndResize = "tf_crop_and_resize"
    /// Resize-11 only: `(x + 0.5) / scale`, for nearest-neighbour TensorFlow models.
    case tfHalfPixelForNearest = "tf_half_pixel_for_nn"
}

/// How nearest-neighbour Resize rounds a fractional input coordinate (`nearest_mode`), plus the
/// rule of Resize-10 and Upsample: floor when enlarging, ceil when shrinking.
enum ResizeNearestRounding: String {
    case roundPreferFloor = "round_prefer_floor"
    case roundPreferCeil = "round_prefer_ceil"
    case floor
    case ceil
    case legacy
}

/// Resize's interpolation (`mode`).
enum ResizeInterpolation {
    case nearest(ResizeNearestRounding)
    case linear
    case cubic(a: Double)
}

/// The sampling of one resized axis: for every output position, `taps` input indices (already
/// clamped into the input, which is how the edge is replicated) and their weights, and whether
/// the position lies outside the input and takes the extrapolation value (tf_crop_and_resize).
/// Built once per axis, so the per-element work is a gather and a weighted sum.
struct ResizeAxisTable {
    var taps: Int
    var indices: [Int]
    var weights: [Double]
    var extrapolated: [Bool]

    struct Parameters {
        var interpolation: ResizeInterpolation
        var coordinateMode: ResizeCoordinateMode
        var antialias: Bool
        var excludeOutside: Bool
        var inputSize: Int
        var outputSize: Int
        /// Output over input extent; `outputSize` may be its floor.
        var scale: Double
        var roiStart: Double
        var roiEnd: Double
    }

    init(_ p: Parameters) {
        let filter = Filter(p)
        taps = filter.taps
        indices = []
        weights = []
        extrapolated = []
        indices.reserveCapacity(p.outputSize * taps)
        weights.reserveCapacity(p.outputSize * taps)
        for position in 0..<p.outputSize {
            var original = Self.originalCoordinate(position, p)
            let outside = !(original >= 0 && original <= Double(p.inputSize - 1))
            extrapolated.append(p.coordinateMode == .tfCropAndResize && outside)
            // A NaN or absurd coordinate (from a NaN roi, say) must not reach an integer conversion;
            // clamping leaves every in-range coordinate unchanged.
            original = original.isNaN ? 0 : min(max(original, -2 - Double(taps)), Double(p.inputSize + taps + 2))
            if case .nearest(let rounding) = p.interpolation {
                indices.append(Self.clamp(Self.nearest(original, rounding, scale: p.scale), p.inputSize))
                weights.append(1)
                continue
            }
            // The left neighbour is floor(x), except that an exact integer x counts as the right
            // end of the previous interval (ratio 1), as ONNX's reference does.
            var base = original.rounded(.down)
            if base == original { base -= 1 }
            let ratio = original - base
            var coefficients = filter.coefficients(ratio: ratio)
            let first = Int(base) + filter.start
            if p.excludeOutside {
                for tap in 0..<taps where first + tap < 0 || first + tap >= p.inputSize { coefficients[tap] = 0 }
                let sum = coefficients.reduce(0, +)
                if sum != 0 { coefficients = coefficients.map { $0 / sum } }
            }
            for tap in 0..<taps {
                indices.append(Self.clamp(first + tap, p.inputSize))
                weights.append(coefficients[tap])
            }
        }
    }

    private static func clamp(_ index: Int, _ size: Int) -> Int { min(max(index, 0), size - 1) }

    /// The input coordinate output `position` samples.
    static func originalCoordinate(_ position: Int, _ p: Parameters) -> Double {
        let x = Double(position), input = Double(p.inputSize)
        let outputWidth = p.scale * input
        switch p.coordinateMode {
        case .halfPixel:
            return (x + 0.5) / p.scale - 0.5
        case .halfPixelSymmetric:
            let adjustment = Double(p.outputSize) / outputWidth
            return input / 2 * (1 - adjustment) + (x + 0.5) / p.scale - 0.5
        case .pytorchHalfPixel:
            return p.outputSize > 1 ? (x + 0.5) / p.scale - 0.5 : 0
        case .alignCorners:
            return outputWidth == 1 ? 0 : x * (input - 1) / (outputWidth - 1)
        case .asymmetric:
            return x / p.scale
        case .tfHalfPixelForNearest:
            return (x + 0.5) / p.scale
        case .tfCropAndResize:
            let span = (p.roiEnd - p.roiStart) * (input - 1)
            let offset = p.roiStart * (input - 1)
            return outputWidth == 1 ? span / 2 + offset : x * span / (outputWidth - 1) + offset
        }
    }

    private static func nearest(_ x: Double, _ rounding: ResizeNearestRounding, scale: Double) -> Int {
        let floor = x.rounded(.down)
        let fraction = x - floor
        switch rounding {
        case .roundPreferFloor: return Int(fraction <= 0.5 ? floor : floor + 1)
        case .roundPreferCeil: return Int(fraction < 0.5 ? floor : floor + 1)
        case .floor: return Int(floor)
        case .ceil: return Int(x.rounded(.up))
        case .legacy: return Int(scale < 1 ? x.rounded(.up) : floor)
        }
    }

    /// The interpolation kernel: `taps` weights for input indices `base + start …`, where
    /// `ratio ∈ (0, 1]` is the distance from `base` to the sampled coordinate. Antialiasing
    /// stretches linear and cubic kernels by `1 / scale` when shrinking.
    private struct Filter {
        var taps: Int
        var start: Int
        var shape: Shape
        var stretch: Double

        enum Shape {
            case nearest
            case linear
            case cubic(Double)
        }

        init(_ p: Parameters) {
            stretch = p.antialias ? min(p.scale, 1) : 1
            // An empty output (scale 0) samples nothing; keep the kernel finite.
            if !(stretch > 0) { stretch = 1 }
            switch p.interpolation {
            case .nearest:
                shape = .nearest
                start = 0
                taps = 1
            case .linear:
                shape = .linear
                start = Int((-1 / stretch).rounded(.down)) + 1
                taps = 2 - 2 * start
            case .cubic(let a):
                shape = .cubic(a)
                start = Int((-2 / stretch).rounded(.down)) + 1
                taps = 2 - 2 * start
            }
        }

        func coefficients(ratio: Double) -> [Double] {
            var values = (0..<taps).map { tap -> Double in
                let distance = abs(Double(start + tap) - ratio) * stretch
                switch shape {
                case .nearest: return 1
                case .linear: return max(0, 1 - distance)
                case .cubic(let a):
                    let squared = distance * distance, cubed = squared * distance
                    if distance <= 1 { return (a + 2) * cubed - (a + 3) * squared + 1 }
                    if distance < 2 { return a * cubed - 5 * a * squared + 8 * a * distance - 4 * a }
                    return 0
                }
            }
            if stretch != 1 {
                let sum = values.reduce(0, +)
                if sum != 0 { values = values.map { $0 / sum } }
            }
            return values
        }
    }
}
