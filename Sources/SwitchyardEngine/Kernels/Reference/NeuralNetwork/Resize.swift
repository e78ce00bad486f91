import SwitchyardTensor

/// Resize (opsets 10, 11, 13, 18, 19) and Upsample (opsets 7, 9).
///
/// Resize-10 and Upsample sample asymmetrically (`x / scale`), nearest rounding down when
/// enlarging and up when shrinking. From opset 11 the attributes choose the coordinate mapping,
/// rounding, cubic coefficient and `roi` cropping; opset 18 adds `axes`, `antialias` and
/// `keep_aspect_ratio_policy`, opset 19 `half_pixel_symmetric`. Output extents are
/// `floor(in · scale)` or `sizes`.
enum ResizeKernel {
    static func resize(_ context: OpContext) throws -> [Tensor] {
        let x = try context.input(0)
        if context.opset < 11 {
            let scales = try context.input(1).doubles()
            return [try run(context, x: x, request: .scales(scales), axes: Array(0..<x.rank), roi: nil, legacy: true)]
        }
        func present(_ index: Int) -> Tensor? {
            guard let tensor = context.optionalInput(index), tensor.count > 0 else { return nil }
            return tensor
        }
        let op = context.node.opType
        let axes = try resizedAxes(context, rank: x.rank)
        let request: SizeRequest
        switch (present(2), present(3)) {
        case (let scales?, nil): request = .scales(scales.doubles())
        case (nil, let sizes?): request = .sizes(sizes.ints())
        case (nil, nil): throw KernelError.invalidArgument("\(op): one of the scales and sizes inputs is required")
        case (.some, .some): throw KernelError.invalidArgument("\(op): give scales or sizes, not both")
        }
        return [try run(context, x: x, request: request, axes: axes, roi: present(1)?.doubles(), legacy: false)]
    }

    static func upsample(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        let scales: [Double]
        if context.opset < 9 {
            guard let attribute = try context.floats("scales") else {
                throw KernelError.invalidArgument("\(op): the scales attribute is required")
            }
            scales = attribute.map(Double.init)
        } else {
            scales = try context.input(1).doubles()
        }
        guard scales.allSatisfy({ $0 >= 1 }) else {
            throw KernelError.invalidArgument("\(op): scales \(scales) must all be at least 1")
        }
        return [try run(context, x: x, request: .scales(scales), axes: Array(0..<x.rank), roi: nil, legacy: true)]
    }

    private enum SizeRequest {
        case scales([Double])
        case sizes([Int])
    }

    private static func resizedAxes(_ context: OpContext, rank: Int) throws(KernelError) -> [Int] {
        guard let given = try context.ints("axes") else { return Array(0..<rank) }
        var axes: [Int] = []
        for axis in given { axes.append(try ShapeMath.normalizedAxis(axis, rank: rank, op: context.node.opType)) }
        guard Set(axes).count == axes.count else {
            throw .invalidArgument("\(context.node.opType): axes \(given) repeats an axis")
        }
        return axes
    }

    /// `floor(value)` as an extent, rejecting values no tensor could have.
    private static func extent(_ value: Double, op: String) throws(KernelError) -> Int {
        guard value.isFinite, value >= 0, value < Double(1 << 40) else {
            throw .invalidArgument("\(op): output extent \(value) is out of range")
        }
        return Int(value.rounded(.down))
    }

    private static func run(
        _ context: OpContext, x: Tensor, request: SizeRequest, axes: [Int], roi: [Double]?, legacy: Bool
    ) throws -> Tensor {
        let op = context.node.opType
        guard x.rank >= 1 else { throw KernelError.invalidArgument("\(op): X must have rank ≥ 1") }
        guard x.dataType != .string, x.dataType != .bool else {
            throw KernelError.unsupported("\(op): type \(x.dataType) is not supported")
        }
        let modeName = try context.string("mode", default: "nearest")
        let interpolation: ResizeInterpolation
        let coordinateMode: ResizeCoordinateMode
        if legacy {
            coordinateMode = .asymmetric
            switch modeName {
            case "nearest": interpolation = .nearest(.legacy)
            case "linear", "bilinear": interpolation = .linear
            default: throw KernelError.invalidArgument("\(op): mode '\(modeName)' is not nearest or linear")
            }
        } else {
            let coordinateName = try context.string("coordinate_transformation_mode", default: "half_pixel")
            guard let mode = ResizeCoordinateMode(rawValue: coordinateName) else {
                throw KernelError.invalidArgument("\(op): unknown coordinate_transformation_mode '\(coordinateName)'")
            }
            coordinateMode = mode
            switch modeName {
            case "nearest":
                let roundingName = try context.string("nearest_mode", default: "round_prefer_floor")
                guard let rounding = ResizeNearestRounding(rawValue: roundingName), rounding != .legacy else {
                    throw KernelError.invalidArgument("\(op): unknown nearest_mode '\(roundingName)'")
                }
                interpolation = .nearest(rounding)
            case "linear": interpolation = .linear
            case "cubic": interpolation = .cubic(a: Double(try context.float("cubic_coeff_a", default: -0.75)))
            default: throw KernelError.invalidArgument("\(op): mode '\(modeName)' is not nearest, linear or cubic")
            }
        }

        // Per-axis scale and output extent.
        var scales = [Double](repeating: 1, count: x.rank)
        var outputShape = x.shape
        switch request {
        case .scales(let given):
            guard given.count == axes.count else {
                throw KernelError.invalidArgument("\(op): scales has \(given.count) values for \(axes.count) axes of X \(x.shape)")
            }
            for (axis, scale) in zip(axes, given) {
                guard scale > 0, scale.isFinite else { throw KernelError.invalidArgument("\(op): scale \(scale) must be positive") }
                scales[axis] = scale
                outputShape[axis] = try extent(scale * Double(x.shape[axis]), op: op)
            }
        case .sizes(let given):
            guard given.count == axes.count else {
                throw KernelError.invalidArgument("\(op): sizes has \(given.count) values for \(axes.count) axes of X \(x.shape)")
            }
            guard given.allSatisfy({ $0 >= 0 }) else { throw KernelError.invalidArgument("\(op): sizes \(given) must not be negative") }
            let policy = context.opset >= 18 ? try context.string("keep_aspect_ratio_policy", default: "stretch") : "stretch"
            for axis in axes where x.shape[axis] == 0 {
                throw KernelError.invalidArgument("\(op): cannot resize the empty axis \(axis) of X \(x.shape) with sizes")
            }
            let ratios = zip(axes, given).map { Double($1) / Double(x.shape[$0]) }
            switch policy {
            case "stretch":
                for (index, axis) in axes.enumerated() {
                    scales[axis] = ratios[index]
                    outputShape[axis] = given[index]
                }
            case "not_larger", "not_smaller":
                let scale = (policy == "not_larger" ? ratios.min() : ratios.max()) ?? 1
                for axis in axes {
                    scales[axis] = scale
                    outputShape[axis] = try extent(scale * Double(x.shape[axis]) + 0.5, op: op)
                }
            default:
                throw KernelError.invalidArgument("\(op): keep_aspect_ratio_policy '\(policy)' is not stretch, not_larger or not_smaller")
            }
        }
        for axis in 0..<x.rank where x.shape[axis] == 0 && outputShape[axis] > 0 {
            throw KernelError.invalidArgument("\(op): cannot resize the empty axis \(axis) of X \(x.shape) to \(outputShape[axis])")
        }

        var roiBounds = [(start: Double, end: Double)](repeating: (0, 1), count: x.rank)
        if coordinateMode == .tfCropAndResize {
            guard let roi, roi.count == 2 * axes.count else {
                throw KernelError.invalidArgument("\(op): tf_crop_and_resize needs roi with \(2 * axes.count) values (starts, then ends)")
            }
            for (index, axis) in axes.enumerated() { roiBounds[axis] = (roi[index], roi[axes.count + index]) }
        }

        var tables: [Int: ResizeAxisTable] = [:]
        let antialias = try context.opset >= 18 && context.int("antialias", default: 0) != 0
        let excludeOutside = try !legacy && context.int("exclude_outside", default: 0) != 0
        for axis in 0..<x.rank {
            let identity = scales[axis] == 1 && outputShape[axis] == x.shape[axis] && roiBounds[axis] == (0, 1)
            if identity || x.shape[axis] == 0 { continue }
            tables[axis] = ResizeAxisTable(.init(
                interpolation: interpolation, coordinateMode: coordinateMode, antialias: antialias,
                excludeOutside: excludeOutside, inputSize: x.shape[axis], outputSize: outputShape[axis],
                scale: scales[axis], roiStart: roiBounds[axis].start, roiEnd: roiBounds[axis].end))
        }
        let extrapolation = legacy ? 0 : Double(try context.float("extrapolation_value", default: 0))
        if case .nearest = interpolation {
            return ResizeSampling.gather(x, outputShape: outputShape, tables: tables, extrapolation: extrapolation)
        }
        switch x.dataType {
        case .float64:
            let values = ResizeSampling.interpolate(
                x.scalars(as: Double.self), shape: x.shape, outputShape: outputShape, tables: tables, extrapolation: extrapolation)
            return Tensor(shape: outputShape, scalars: values)
        case .float32, .float16, .bfloat16:
            let values = ResizeSampling.interpolate(
                x.floats(), shape: x.shape, outputShape: outputShape, tables: tables, extrapolation: extrapolation)
            return Tensor(shape: outputShape, scalars: values).converted(to: x.dataType)
        default:
            // Integers interpolate in double and round half to even, saturating, like NumPy.
            let values = ResizeSampling.interpolate(
                x.doubles(), shape: x.shape, outputShape: outputShape, tables: tables, extrapolation: extrapolation)
            return Tensor(dataType: x.dataType, shape: outputShape, doubles: values.map { $0.rounded(.toNearestOrEven) })
        }
    }
}
