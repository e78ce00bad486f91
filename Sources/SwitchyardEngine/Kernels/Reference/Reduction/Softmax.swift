import SwitchyardTensor

/// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis`
/// (default 1) and normalized over the flattened trailing block; from opset 13 on it is
/// normalized along `axis` alone (default -1).
enum Softmax: String, CaseIterable {
    case Softmax, LogSoftmax, Hardmax

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for operation in allCases {
            table[operation.rawValue] = { context in
                let x = try context.input(0)
                let coerced = context.opset < 13
                let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: coerced ? 1 : -1),
                                                        rank: x.rank, op: operation.rawValue)
                var (outer, length, inner) = x.rank == 0 ? (1, 1, 1) : ReductionSupport.split(x.shape, at: axis)
                if coerced {
                    length *= inner
                    inner = 1
                }
                return [try operation.apply(x, outer: outer, length: length, inner: inner)]
            }
        }
        return table
    }

    /// Normalizes each of the `outer * inner` lines of `length` elements (stride `inner`).
    func apply(_ x: Tensor, outer: Int, length: Int, inner: Int) throws(KernelError) -> Tensor {
        if x.count == 0 { return x }
        switch x.dataType {
        case .float32: return run(x, Float.self, outer: outer, length: length, inner: inner)
        case .float64: return run(x, Double.self, outer: outer, length: length, inner: inner)
        case .float16 where self == .Softmax, .bfloat16 where self == .Softmax:
            return halfPrecisionSoftmax(x, outer: outer, length: length, inner: inner)
        case .float16, .bfloat16:
            return try apply(x.converted(to: .float32), outer: outer, length: length, inner: inner)
                .converted(to: x.dataType)
        default: throw ElementwiseDispatch.unsupported(rawValue, x.dataType, expected: "a floating-point type")
        }
    }

    private func run<F: FloatElement>(_ x: Tensor, _ type: F.Type, outer: Int, length: Int, inner: Int) -> Tensor {
        var output = Tensor(uninitialized: F.dataType, shape: x.shape)
        x.withUnsafeBufferPointer(of: F.self) { input in
            output.withUnsafeMutableBufferPointer(of: F.self) { result in
                if inner == 1 {
                    for o in 0..<outer {
                        normalizeLine(input.baseAddress! + o * length, result.baseAddress! + o * length, length: length)
                    }
                    return
                }
                // Per-line maxima and sums for one outer block; the inner loops run over
                // contiguous memory even when the axis is not the last one.
                var maxima = [F](repeating: 0, count: inner)
                var sums = [F](repeating: 0, count: inner)
                for o in 0..<outer {
                    let source = input.baseAddress! + o * length * inner
                    let target = result.baseAddress! + o * length * inner
                    for i in 0..<inner { maxima[i] = source[i] }
                    for k in 1..<max(length, 1) {
                        let row = source + k * inner
                        for i in 0..<inner where row[i] > maxima[i] || row[i].isNaN { maxima[i] = row[i] }
                    }
                    switch self {
                    case .Hardmax:
                        hardmax(source, target, maxima: maxima, length: length, inner: inner)
                    case .Softmax, .LogSoftmax:
                        for i in 0..<inner { sums[i] = 0 }
                        for k in 0..<length {
                            let row = source + k * inner, out = target + k * inner
                            for i in 0..<inner {
                                let e = F.exp(row[i] - maxima[i])
                                out[i] = e
                                sums[i] += e
                            }
                        }
                        for k in 0..<length {
                            let row = source + k * inner, out = target + k * inner
                            if self == .Softmax {
                                for i in 0..<inner { out[i] /= sums[i] }
                            } else {
                                for i in 0..<inner { out[i] = row[i] - maxima[i] - F.log(sums[i]) }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// One contiguous line (the common case: the axis is the last one).
    @inline(__always)
    private func normalizeLine<F: FloatElement>(_ source: UnsafePointer<F>, _ target: UnsafeMutablePointer<F>, length: Int) {
        var maximum = source[0]
        for k in 1..<max(length, 1) where source[k] > maximum || source[k].isNaN { maximum = source[k] }
        switch self {
        case .Hardmax:
            hardmax(source, target, maxima: [maximum], length: length, inner: 1)
        case .Softmax:
            var sum: F = 0
            for k in 0..<length {
                let e = F.exp(source[k] - maximum)
                target[k] = e
                sum += e
            }
            for k in 0..<length { target[k] /= sum }
        case .LogSoftmax:
            var sum: F = 0
            for k in 0..<length { sum += F.exp(source[k] - maximum) }
            // Subtract the maximum first: folding it into log(sum) would lose precision for large inputs.
            let logSum = F.log(sum)
            for k in 0..<length { target[k] = (source[k] - maximum) - logSum }
        }
    }

    /// 1 at the first maximum of each line, 0 elsewhere.
    private func hardmax<F: FloatElement>(
        _ source: UnsafePointer<F>, _ target: UnsafeMutablePointer<F>, maxima: [F], length: Int, inner: Int
    ) {
        for i in 0..<inner {
            var found = false
            for k in 0..<length {
                let isFirstMax = !found && (source[k * inner + i] == maxima[i]
                    || (maxima[i].isNaN && source[k * inner + i].isNaN))
                target[k * inner + i] = isFirstMax ? 1 : 0
                if isFirstMax { found = true }
            }
        }
    }
}
