import SwitchyardGraph
import SwitchyardTensor

extension ShapeRules {
    static let movement: [String: ShapeRule] = [
        "Reshape": reshapeShape,
        "Flatten": flattenShape,
        "Transpose": transposeShape,
        "Concat": concatShape,
        "Split": splitShape,
        "Slice": sliceShape,
        "Gather": gatherShape,
        "Squeeze": squeezeShape,
        "Unsqueeze": unsqueezeShape,
        "Expand": expandShape,
        "Tile": tileShape,
        "Pad": padShape,
        "DepthToSpace": { depthSpaceShape($0, toSpace: true) },
        "SpaceToDepth": { depthSpaceShape($0, toSpace: false) },
        "GatherElements": { [ValueFact(dataType: $0.dataType(0), shape: $0.shape(1))] },
        "ScatterElements": { [ValueFact(dataType: $0.dataType(0), shape: $0.shape(0))] },
        "ScatterND": { [ValueFact(dataType: $0.dataType(0), shape: $0.shape(0))] },
    ]

    /// The target shape of a `Reshape`, resolving `0` (copy) and `-1` (infer), symbolically when
    /// the element counts' symbolic factors cancel.
    static func reshapeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        let targetFact = context.opset < 5 ? context.ints("shape").map { ValueFact(tensor: Tensor(shape: [$0.count], scalars: $0.map(Int64.init))) } : context.input(1)
        guard let target = targetFact?.elements ?? targetFact?.knownInts?.map(Dimension.fixed) else {
            if let count = targetFact?.shape?.first?.fixedValue {
                return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: count))]
            }
            return [ValueFact(dataType: dataType)]
        }
        let input = context.shape(0)
        let allowZero = context.int("allowzero", default: 0) != 0
        var shape: [Dimension] = []
        var inferredAxis: Int?
        for (axis, element) in target.enumerated() {
            switch element {
            case .fixed(0) where !allowZero:
                shape.append(input.flatMap { axis < $0.count ? $0[axis] : nil } ?? .unknown)
            case .fixed(-1):
                inferredAxis = axis
                shape.append(.unknown)
            default: shape.append(element)
            }
        }
        if let inferredAxis, let input, let total = DimensionMath.factor(input) {
            var known = shape
            known.remove(at: inferredAxis)
            if let part = DimensionMath.factor(known), part.fixed > 0, total.fixed % part.fixed == 0 {
                var remaining = total.symbols
                var cancels = true
                for symbol in part.symbols {
                    if let index = remaining.firstIndex(of: symbol) { remaining.remove(at: index) } else { cancels = false }
                }
                if cancels && remaining.count <= 1 {
                    let fixed = total.fixed / part.fixed
                    shape[inferredAxis] = remaining.isEmpty ? .fixed(fixed) : (fixed == 1 ? .symbolic(remaining[0]) : .unknown)
                }
            }
        }
        return [ValueFact(dataType: dataType, shape: shape)]
    }

    static func flattenShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), let axis = context.axis(context.int("axis", default: 1), rank: x.count + 1) else {
            return [ValueFact(dataType: dataType, shape: [.unknown, .unknown])]
        }
        let outer = x[..<axis].reduce(Dimension.fixed(1), DimensionMath.multiply)
        let inner = x[axis...].reduce(Dimension.fixed(1), DimensionMath.multiply)
        return [ValueFact(dataType: dataType, shape: [outer, inner])]
    }

    static func transposeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        let perm = context.ints("perm") ?? Array((0..<x.count).reversed())
        guard perm.count == x.count, perm.allSatisfy({ $0 >= 0 && $0 < x.count }) else {
            return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: x.count))]
        }
        return [ValueFact(dataType: dataType, shape: perm.map { x[$0] })]
    }

    static func concatShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.inputs.lazy.compactMap { $0?.dataType }.first
        let shapes = context.inputs.map { $0?.shape }
        guard let rank = shapes.lazy.compactMap({ $0?.count }).first,
              let axis = context.axis(context.int("axis", default: 0), rank: rank) else {
            return [ValueFact(dataType: dataType)]
        }
        var shape = [Dimension](repeating: .unknown, count: rank)
        var total: Dimension = .fixed(0)
        for candidate in shapes {
            guard let candidate, candidate.count == rank else { total = .unknown; continue }
            for index in 0..<rank where index != axis && shape[index] == .unknown { shape[index] = candidate[index] }
            if let size = candidate[axis].fixedValue { total = DimensionMath.add(total, size) } else { total = .unknown }
        }
        shape[axis] = total
        var fact = ValueFact(dataType: dataType, shape: shape)
        if rank == 1 {
            var elements: [Dimension] = []
            for input in context.inputs {
                guard let input, let values = input.elements else { elements = []; fact.elements = nil; break }
                elements += values
            }
            if !elements.isEmpty || context.inputs.isEmpty { fact.elements = elements }
        }
        return [fact]
    }

    static func splitShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        let outputCount = context.node.outputs.count
        let unknown = Array(repeating: ValueFact(dataType: dataType), count: outputCount)
        guard let x = context.shape(0), let axis = context.axis(context.int("axis", default: 0), rank: x.count) else { return unknown }
        var sizes: [Int]?
        if context.opset >= 13 { sizes = context.isPresent(1) ? context.ints(ofInput: 1) : nil } else { sizes = context.ints("split") }
        if sizes == nil, let total = x[axis].fixedValue, outputCount > 0 {
            let chunk = (total + outputCount - 1) / outputCount
            sizes = (0..<outputCount).map { Swift.max(0, Swift.min(chunk, total - $0 * chunk)) }
        }
        return (0..<outputCount).map { index in
            var shape = x
            shape[axis] = sizes.flatMap { index < $0.count ? .fixed($0[index]) : nil } ?? .unknown
            return ValueFact(dataType: dataType, shape: shape)
        }
    }

    /// `(start, end, step)` for each sliced axis, from attributes (before opset 10) or inputs.
    static func sliceParameters(_ context: InferenceContext, rank: Int) -> [(axis: Int, start: Int, end: Int, step: Int)]? {
        let starts, ends: [Int]?
        var axes: [Int]?
        var steps: [Int]?
        if context.opset < 10 {
            starts = context.ints("starts"); ends = context.ints("ends"); axes = context.ints("axes")
        } else {
            starts = context.ints(ofInput: 1); ends = context.ints(ofInput: 2)
            axes = context.isPresent(3) ? context.ints(ofInput: 3) : []
            steps = context.isPresent(4) ? context.ints(ofInput: 4) : []
            if context.isPresent(3) && axes == nil { return nil }
            if context.isPresent(4) && steps == nil { return nil }
        }
        guard let starts, let ends, starts.count == ends.count else { return nil }
        if axes?.isEmpty ?? true { axes = Array(0..<starts.count) }
        if steps?.isEmpty ?? true { steps = Array(repeating: 1, count: starts.count) }
        guard let axes, let steps, axes.count == starts.count, steps.count == starts.count else { return nil }
        var result: [(Int, Int, Int, Int)] = []
        for index in starts.indices {
            guard let axis = context.axis(axes[index], rank: rank), steps[index] != 0 else { return nil }
            result.append((axis, starts[index], ends[index], steps[index]))
        }
        return result
    }

    /// The indices a slice selects along an axis of `size` (NumPy semantics with clamping).
    static func sliceRange(size: Int, start: Int, end: Int, step: Int) -> StrideTo<Int> {
        func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(value, low), high) }
        var first = start < 0 ? start + size : start
        var last = end < 0 ? end + size : end
        if step > 0 {
            first = clamp(first, 0, size); last = clamp(last, 0, size)
        } else {
            first = clamp(first, -1, size - 1); last = clamp(last, -1, size - 1)
        }
        return stride(from: first, to: last, by: step)
    }

    static func sliceShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        guard let parameters = sliceParameters(context, rank: x.count) else {
            return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: x.count))]
        }
        var shape = x
        for (axis, start, end, step) in parameters {
            if let size = x[axis].fixedValue {
                shape[axis] = .fixed(sliceRange(size: size, start: start, end: end, step: step).underestimatedCount)
            } else if start == 0 && step == 1 && end >= Int(Int32.max) {
                shape[axis] = x[axis]
            } else {
                shape[axis] = .unknown
            }
        }
        var fact = ValueFact(dataType: dataType, shape: shape)
        if x.count == 1, let elements = context.input(0)?.elements, parameters.count == 1 {
            let (_, start, end, step) = parameters[0]
            fact.elements = sliceRange(size: elements.count, start: start, end: end, step: step).map { elements[$0] }
        }
        return [fact]
    }

    static func gatherShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let data = context.shape(0), let indices = context.shape(1),
              let axis = context.axis(context.int("axis", default: 0), rank: data.count) else {
            return [ValueFact(dataType: dataType)]
        }
        var fact = ValueFact(dataType: dataType, shape: Array(data[..<axis]) + indices + Array(data[(axis + 1)...]))
        if data.count == 1, let elements = context.input(0)?.elements, let positions = context.ints(ofInput: 1) {
            var picked: [Dimension] = []
            for position in positions {
                let resolved = position < 0 ? position + elements.count : position
                guard resolved >= 0 && resolved < elements.count else { return [fact] }
                picked.append(elements[resolved])
            }
            fact.elements = picked
        }
        return [fact]
    }

    static func squeezeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        guard let axesOption = context.axes(attributeBefore: 13, inputIndex: 1) else { return [ValueFact(dataType: dataType)] }
        var fact: ValueFact
        if let axes = axesOption {
            let resolved = Set(axes.compactMap { context.axis($0, rank: x.count) })
            guard resolved.count == axes.count else { return [ValueFact(dataType: dataType)] }
            fact = ValueFact(dataType: dataType, shape: x.enumerated().filter { !resolved.contains($0.offset) }.map(\.element))
        } else {
            // Without axes every size-1 dimension goes: unknowable when a size is not fixed.
            guard x.allSatisfy({ $0.fixedValue != nil }) else { return [ValueFact(dataType: dataType)] }
            fact = ValueFact(dataType: dataType, shape: x.filter { $0 != .fixed(1) })
        }
        fact.elements = context.input(0)?.elements
        return [fact]
    }

    static func unsqueezeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), let axesOption = context.axes(attributeBefore: 13, inputIndex: 1),
              let axes = axesOption else { return [ValueFact(dataType: dataType)] }
        let rank = x.count + axes.count
        let resolved = Set(axes.compactMap { context.axis($0, rank: rank) })
        guard resolved.count == axes.count else { return [ValueFact(dataType: dataType)] }
        var remaining = x.makeIterator()
        let shape: [Dimension] = (0..<rank).map { resolved.contains($0) ? .fixed(1) : (remaining.next() ?? .unknown) }
        var fact = ValueFact(dataType: dataType, shape: shape)
        fact.elements = context.input(0)?.elements
        return [fact]
    }

    static func expandShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        let target = context.input(1)?.elements ?? context.ints(ofInput: 1)?.map(Dimension.fixed)
        guard let x = context.shape(0), let target else {
            if let count = context.shape(1)?.first?.fixedValue, let x = context.shape(0) {
                return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: Swift.max(count, x.count)))]
            }
            return [ValueFact(dataType: dataType)]
        }
        return [ValueFact(dataType: dataType, shape: DimensionMath.broadcast([x, target]))]
    }

    static func tileShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        guard let repeats = context.ints(ofInput: 1), repeats.count == x.count else {
            return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: x.count))]
        }
        return [ValueFact(dataType: dataType, shape: zip(x, repeats).map { DimensionMath.multiply($0, .fixed($1)) })]
    }

    static func padShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        let pads = context.opset < 11 ? context.ints("pads") : context.ints(ofInput: 1)
        var axes = Array(0..<x.count)
        if context.opset >= 18 && context.isPresent(3) {
            guard let given = context.ints(ofInput: 3) else { return [ValueFact(dataType: dataType, shape: x.map { _ in .unknown })] }
            axes = given.compactMap { context.axis($0, rank: x.count) }
        }
        guard let pads, pads.count == 2 * axes.count else {
            return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: x.count))]
        }
        var shape = x
        for (index, axis) in axes.enumerated() {
            shape[axis] = DimensionMath.add(x[axis], pads[index] + pads[index + axes.count])
        }
        return [ValueFact(dataType: dataType, shape: shape)]
    }

    static func depthSpaceShape(_ context: InferenceContext, toSpace: Bool) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), x.count == 4, let block = context.int("blocksize"), block > 0 else {
            return [ValueFact(dataType: dataType)]
        }
        let square = block * block
        func scale(_ dimension: Dimension, up: Bool) -> Dimension {
            guard let size = dimension.fixedValue else { return .unknown }
            return .fixed(up ? size * block : size / block)
        }
        let channels: Dimension = x[1].fixedValue.map { .fixed(toSpace ? $0 / square : $0 * square) } ?? .unknown
        return [ValueFact(dataType: dataType, shape: [x[0], channels, scale(x[2], up: toSpace), scale(x[3], up: toSpace)])]
    }
}
