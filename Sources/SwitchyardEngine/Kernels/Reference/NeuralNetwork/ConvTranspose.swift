import SwitchyardTensor

/// ConvTranspose (opsets 1, 11, 22): the gradient of Conv. Every input position scatters
/// `W`'s kernel into the output, `stride` apart. Computed per group as one GEMM
/// (`Wᵀ · X`, a column per input position) followed by col2im, which adds each column into the
/// output positions its taps reach.
enum ConvTransposeKernel {
    /// Bytes of column scratch per slice of input positions.
    private static let columnBudgetBytes = 4 << 20

    struct Shape {
        var batch: Int
        var inputChannels: Int
        var outputChannels: Int
        var group: Int
        var inputSpatial: [Int]
        var outputSpatial: [Int]
        var kernel: [Int]
        var strides: [Int]
        var dilations: [Int]
        var padsBegin: [Int]
    }

    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let xInput = try context.input(0), wInput = try context.input(1)
        try FloatingCompute.requireSameType(wInput, as: xInput, op: op, input: "W")
        let shape = try resolveShape(context, x: xInput, w: wInput)
        let x = try FloatingCompute.computeTensor(xInput, op: op, input: "X")
        let w = try FloatingCompute.computeTensor(wInput, op: op, input: "W")
        var b: Tensor?
        if let bias = context.optionalInput(2) {
            try FloatingCompute.requireSameType(bias, as: xInput, op: op, input: "B")
            guard bias.rank == 1, bias.count == shape.outputChannels else {
                throw KernelError.invalidArgument("\(op): B must have shape [\(shape.outputChannels)] (one value per output channel), got \(bias.shape)")
            }
            b = try FloatingCompute.computeTensor(bias, op: op, input: "B")
        }
        let result: Tensor = switch x.dataType {
        case .float64: compute(Double.self, shape: shape, x: x, w: w, b: b)
        default: compute(Float.self, shape: shape, x: x, w: w, b: b)
        }
        return [result.converted(to: xInput.dataType)]
    }

    /// Checks the inputs and attributes and works out output size and padding: from
    /// `output_shape` when given (padding split as `auto_pad` says), from `auto_pad` SAME
    /// (`input · stride` outputs), or from explicit `pads` and `output_padding`.
    static func resolveShape(_ context: OpContext, x: Tensor, w: Tensor) throws(KernelError) -> Shape {
        let op = context.node.opType
        guard x.rank >= 3 else { throw .invalidArgument("\(op): X must have shape [N, C, spatial…] (rank ≥ 3), got \(x.shape)") }
        guard w.rank == x.rank else {
            throw .invalidArgument("\(op): W has shape \(w.shape), expected rank \(x.rank) like X \(x.shape)")
        }
        let group = try context.int("group", default: 1)
        let channels = x.shape[1]
        guard group > 0, channels % group == 0 else {
            throw .invalidArgument("\(op): group \(group) must be positive and divide the input channels \(channels)")
        }
        guard w.shape[0] == channels else {
            throw .invalidArgument("\(op): W \(w.shape) must have shape [C, M/group, kernel…] with C = \(channels), the channels of X \(x.shape)")
        }
        let rank = x.rank - 2
        let attributes = try WindowAttributes(context, spatialRank: rank, kernelFromWeights: Array(w.shape[2...]))
        let inputSpatial = Array(x.shape[2...])
        var outputPadding = try context.ints("output_padding") ?? Array(repeating: 0, count: rank)
        if outputPadding.count == 2 * rank { outputPadding = Array(outputPadding[0..<rank]) }
        guard outputPadding.count == rank else {
            throw .invalidArgument("\(op): output_padding \(outputPadding) needs one value per spatial axis (\(rank))")
        }
        guard outputPadding.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("\(op): output_padding \(outputPadding) must not be negative")
        }
        var requested = try context.ints("output_shape")
        if let given = requested, given.count == x.rank { requested = Array(given[2...]) }
        if let given = requested, given.count != rank {
            throw .invalidArgument("\(op): output_shape \(given) needs one value per spatial axis (\(rank))")
        }
        var outputSpatial: [Int] = []
        var padsBegin: [Int] = []
        for axis in 0..<rank {
            let natural = attributes.strides[axis] * (inputSpatial[axis] - 1) + outputPadding[axis] + attributes.dilatedKernel(axis)
            let automatic = attributes.autoPad == .sameUpper || attributes.autoPad == .sameLower
            if requested != nil || automatic {
                let size = requested?[axis] ?? inputSpatial[axis] * attributes.strides[axis]
                let total = natural - size
                // Floor division: a negative total (output larger than natural) keeps begin at 0.
                let half = total >= 0 ? total / 2 : -((-total + 1) / 2)
                padsBegin.append(attributes.autoPad == .sameUpper ? half : total - half)
                outputSpatial.append(size)
            } else {
                let begin = attributes.autoPad == .valid ? 0 : attributes.pads[axis]
                let end = attributes.autoPad == .valid ? 0 : attributes.pads[rank + axis]
                padsBegin.append(begin)
                outputSpatial.append(natural - begin - end)
            }
            guard outputSpatial[axis] > 0 else {
                throw .invalidArgument("\(op): output size \(outputSpatial[axis]) on spatial axis \(axis) is not positive (pads too large?)")
            }
        }
        return Shape(
            batch: x.shape[0], inputChannels: channels, outputChannels: w.shape[1] * group, group: group,
            inputSpatial: inputSpatial, outputSpatial: outputSpatial, kernel: attributes.kernel,
            strides: attributes.strides, dilations: attributes.dilations, padsBegin: padsBegin)
    }

    private static func compute<T: ReferenceFloatingScalar>(_: T.Type, shape: Shape, x: Tensor, w: Tensor, b: Tensor?) -> Tensor {
        var y = Tensor(uninitialized: T.dataType, shape: [shape.batch, shape.outputChannels] + shape.outputSpatial)
        let bias = b?.scalars(as: T.self)
        x.withUnsafeBufferPointer(of: T.self) { xBuffer in
            w.withUnsafeBufferPointer(of: T.self) { wBuffer in
                y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                    guard let xBase = xBuffer.baseAddress, let wBase = wBuffer.baseAddress, let yBase = yBuffer.baseAddress,
                          yBuffer.count > 0 else { return }
                    transpose(shape: shape, input: xBase, weights: wBase, bias: bias, output: yBase)
                }
            }
        }
        return y
    }

    private static func transpose<T: ReferenceFloatingScalar>(
        shape: Shape, input: UnsafePointer<T>, weights: UnsafePointer<T>, bias: [T]?, output: UnsafeMutablePointer<T>
    ) {
        let groupInputs = shape.inputChannels / shape.group
        let groupOutputs = shape.outputChannels / shape.group
        let inputCount = shape.inputSpatial.reduce(1, *), outputCount = shape.outputSpatial.reduce(1, *)
        let taps = WindowWalker.taps(shape.kernel)
        let rows = groupOutputs * taps.count
        let walker = WindowWalker(
            grid: shape.inputSpatial, target: shape.outputSpatial, strides: shape.strides,
            dilations: shape.dilations, padsBegin: shape.padsBegin)
        let slice = max(1, min(inputCount, columnBudgetBytes / MemoryLayout<T>.stride / max(rows, 1)))
        let columns = UnsafeMutablePointer<T>.allocate(capacity: max(rows * slice, 1))
        defer { columns.deallocate() }
        for image in 0..<shape.batch {
            for channel in 0..<shape.outputChannels {
                (output + (image * shape.outputChannels + channel) * outputCount)
                    .update(repeating: bias?[channel] ?? 0, count: outputCount)
            }
            for g in 0..<shape.group {
                let groupInput = input + (image * shape.inputChannels + g * groupInputs) * inputCount
                let groupWeights = weights + g * groupInputs * rows
                let groupOutput = output + (image * shape.outputChannels + g * groupOutputs) * outputCount
                for start in stride(from: 0, to: inputCount, by: slice) {
                    let count = min(slice, inputCount - start)
                    T.referenceGEMM(GEMMProblem(
                        m: rows, n: count, k: groupInputs, a: groupWeights, lda: rows, transposeA: true,
                        b: groupInput + start, ldb: inputCount, transposeB: false,
                        c: columns, ldc: count, alpha: 1, beta: 0))
                    col2im(walker: walker, taps: taps, columns: columns, channels: groupOutputs,
                           positions: start..<(start + count), output: groupOutput)
                }
            }
        }
    }

    /// Adds each column entry (row: output channel × tap, column: input position) into the
    /// output position that tap reaches from that input position.
    private static func col2im<T: ReferenceFloatingScalar>(
        walker: WindowWalker, taps: [[Int]], columns: UnsafePointer<T>, channels: Int,
        positions: Range<Int>, output: UnsafeMutablePointer<T>
    ) {
        let width = positions.count
        let outputCount = walker.targetCount
        for (tapIndex, tap) in taps.enumerated() {
            walker.forEachRun(tap: tap, positions: positions) { run in
                if run.valid.isEmpty { return }
                let offset = run.gridStart - positions.lowerBound + run.valid.lowerBound
                for channel in 0..<channels {
                    let source = columns + (channel * taps.count + tapIndex) * width + offset
                    let destination = output + channel * outputCount + run.targetStart
                    for j in 0..<run.valid.count { destination[j * run.targetStep] += source[j] }
                }
            }
        }
    }
}
