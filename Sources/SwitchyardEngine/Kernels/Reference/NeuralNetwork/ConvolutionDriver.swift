/// The grouped N-D convolution loop on raw buffers, shared by Conv and ConvInteger.
///
/// Each group of each image is one GEMM: weights `[M/group, C/group · K]` times the im2col
/// matrix `[C/group · K, outputPositions]`. The im2col matrix is built a slice of output
/// positions at a time so it stays a few MiB however large the image. A 1×1 kernel with unit
/// strides and no padding uses the input directly; groups of one input channel (depthwise)
/// run a direct tap-by-tap loop instead.
enum ConvolutionDriver {
    /// Bytes of im2col scratch per slice.
    static let defaultColumnBudgetBytes = 4 << 20

    struct Shape {
        var batch: Int
        var inputChannels: Int
        var outputChannels: Int
        var group: Int
        var geometry: WindowGeometry
    }

    /// `output[n, m, …] = Σ weights[m, c, taps] · input[n, g·C/group + c, …] (+ bias[m])`.
    static func forward<T: ReferenceGEMMScalar>(
        shape: Shape, input: UnsafePointer<T>, weights: UnsafePointer<T>, bias: UnsafePointer<T>?,
        output: UnsafeMutablePointer<T>, columnBudgetBytes: Int = defaultColumnBudgetBytes
    ) {
        let geometry = shape.geometry
        let groupInputs = shape.inputChannels / shape.group
        let groupOutputs = shape.outputChannels / shape.group
        let inputCount = geometry.inputCount, outputCount = geometry.outputCount
        let kernelCount = geometry.kernelCount
        if groupInputs == 1 && shape.group > 1 {
            depthwise(shape: shape, input: input, weights: weights, bias: bias, output: output)
            return
        }
        let pointwise = geometry.kernel.allSatisfy { $0 == 1 } && geometry.strides.allSatisfy { $0 == 1 }
            && geometry.padsBegin.allSatisfy { $0 == 0 } && geometry.padsEnd.allSatisfy { $0 == 0 }
        let rows = groupInputs * kernelCount
        let slice = pointwise ? outputCount
            : max(1, min(outputCount, columnBudgetBytes / MemoryLayout<T>.stride / max(rows, 1)))
        let columns = UnsafeMutablePointer<T>.allocate(capacity: pointwise ? 1 : rows * slice)
        defer { columns.deallocate() }
        let walker = geometry.walker
        let taps = WindowWalker.taps(geometry.kernel)
        for image in 0..<shape.batch {
            for g in 0..<shape.group {
                let groupInput = input + (image * shape.inputChannels + g * groupInputs) * inputCount
                let groupWeights = weights + g * groupOutputs * rows
                let groupOutput = output + (image * shape.outputChannels + g * groupOutputs) * outputCount
                if pointwise {
                    T.referenceGEMM(GEMMProblem(
                        m: groupOutputs, n: outputCount, k: groupInputs, a: groupWeights, lda: groupInputs,
                        transposeA: false, b: groupInput, ldb: inputCount, transposeB: false,
                        c: groupOutput, ldc: outputCount, alpha: 1, beta: 0))
                } else {
                    for start in stride(from: 0, to: outputCount, by: slice) {
                        let count = min(slice, outputCount - start)
                        im2col(walker: walker, taps: taps, input: groupInput, channels: groupInputs,
                               positions: start..<(start + count), columns: columns)
                        T.referenceGEMM(GEMMProblem(
                            m: groupOutputs, n: count, k: rows, a: groupWeights, lda: rows, transposeA: false,
                            b: columns, ldb: count, transposeB: false,
                            c: groupOutput + start, ldc: outputCount, alpha: 1, beta: 0))
                    }
                }
                if let bias {
                    for m in 0..<groupOutputs {
                        let value = bias[g * groupOutputs + m]
                        let row = groupOutput + m * outputCount
                        for j in 0..<outputCount { row[j] += value }
                    }
                }
            }
        }
    }

    /// Fills `columns` (`channels · taps` rows of `positions.count`) with the input value each
    /// tap of each channel sees at each output position; zero in the padding.
    static func im2col<T: ReferenceGEMMScalar>(
        walker: WindowWalker, taps: [[Int]], input: UnsafePointer<T>, channels: Int,
        positions: Range<Int>, columns: UnsafeMutablePointer<T>
    ) {
        let width = positions.count
        let inputCount = walker.targetCount
        for (tapIndex, tap) in taps.enumerated() {
            walker.forEachRun(tap: tap, positions: positions) { run in
                let offset = run.gridStart - positions.lowerBound
                for channel in 0..<channels {
                    let row = columns + (channel * taps.count + tapIndex) * width + offset
                    let source = input + channel * inputCount + run.targetStart
                    row.update(repeating: .zero, count: run.valid.lowerBound)
                    let valid = row + run.valid.lowerBound
                    if run.targetStep == 1 {
                        valid.update(from: source, count: run.valid.count)
                    } else {
                        for j in 0..<run.valid.count { valid[j] = source[j * run.targetStep] }
                    }
                    (row + run.valid.upperBound).update(repeating: .zero, count: run.count - run.valid.upperBound)
                }
            }
        }
    }

    /// Groups of one input channel: output channel `m` reads input channel `m / (M/group)`.
    /// Accumulates tap by tap over runs of consecutive outputs.
    private static func depthwise<T: ReferenceGEMMScalar>(
        shape: Shape, input: UnsafePointer<T>, weights: UnsafePointer<T>, bias: UnsafePointer<T>?,
        output: UnsafeMutablePointer<T>
    ) {
        let geometry = shape.geometry
        let multiplier = shape.outputChannels / shape.group
        let walker = geometry.walker
        let taps = WindowWalker.taps(geometry.kernel)
        let inputCount = geometry.inputCount, outputCount = geometry.outputCount
        for image in 0..<shape.batch {
            for m in 0..<shape.outputChannels {
                let source = input + (image * shape.inputChannels + m / multiplier) * inputCount
                let destination = output + (image * shape.outputChannels + m) * outputCount
                destination.update(repeating: bias?[m] ?? .zero, count: outputCount)
                let kernel = weights + m * taps.count
                for (tapIndex, tap) in taps.enumerated() {
                    let weight = kernel[tapIndex]
                    walker.forEachRun(tap: tap, positions: 0..<outputCount) { run in
                        let y = destination + run.gridStart + run.valid.lowerBound
                        let x = source + run.targetStart
                        if run.targetStep == 1 {
                            for j in 0..<run.valid.count { y[j] = T.multiplyAdd(y[j], weight, x[j]) }
                        } else {
                            for j in 0..<run.valid.count { y[j] = T.multiplyAdd(y[j], weight, x[j * run.targetStep]) }
                        }
                    }
                }
            }
        }
    }
}
