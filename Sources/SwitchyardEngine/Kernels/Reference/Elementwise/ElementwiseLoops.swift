import SwitchyardTensor

/// The loops behind every elementwise kernel: maps over one tensor, and maps over two or three
/// tensors with NumPy broadcasting.
///
/// Broadcast operands are walked row by row (see `RowPlan`), so the common cases — equal
/// shapes, a scalar operand, a per-channel operand such as `[N,C,H,W] * [N,C,1,1]` — become
/// plain pointer loops over long rows with no per-element index arithmetic.
enum ElementwiseLoops {
    /// A broadcast iteration collapsed to rows: adjacent axes along which every operand is
    /// either contiguous or broadcast in the same way are merged, and the innermost merged axis
    /// becomes a row in which each operand advances by 0 (broadcast) or 1 element.
    struct RowPlan {
        /// Elements per row.
        let rowLength: Int
        /// Number of rows (0 for an empty output).
        let rowCount: Int
        /// Per operand: 1 when it advances along the row, 0 when it is broadcast.
        let innerStrides: [Int]
        private let outerShape: [Int]
        /// Element strides of the outer axes, `[axis * operandCount + operand]`.
        private let outerStrides: [Int]
        private let operandCount: Int

        /// `operandShapes` must broadcast to `outputShape` (see `broadcastShape`).
        init(outputShape: [Int], operandShapes: [[Int]]) {
            let rank = outputShape.count
            operandCount = operandShapes.count
            let stridesPerOperand = operandShapes.map { shape -> [Int] in
                let padded = [Int](repeating: 1, count: rank - shape.count) + shape
                let strides = ShapeMath.strides(padded)
                return (0..<rank).map { padded[$0] == 1 ? 0 : strides[$0] }
            }
            // Merged axes, innermost first. Axes of output size 1 do not move anything.
            var merged: [(size: Int, strides: [Int])] = []
            for axis in stride(from: rank - 1, through: 0, by: -1) where outputShape[axis] != 1 {
                let size = outputShape[axis]
                let strides = stridesPerOperand.map { $0[axis] }
                if let inner = merged.last,
                   strides.indices.allSatisfy({ strides[$0] == inner.strides[$0] * inner.size }) {
                    merged[merged.count - 1] = (inner.size * size, inner.strides)
                } else {
                    merged.append((size, strides))
                }
            }
            if outputShape.contains(0) {
                rowLength = 0
                rowCount = 0
                innerStrides = [Int](repeating: 0, count: operandCount)
                outerShape = []
                outerStrides = []
            } else if let inner = merged.first {
                rowLength = inner.size
                innerStrides = inner.strides
                let outer = merged.dropFirst().reversed()
                outerShape = outer.map(\.size)
                outerStrides = outer.flatMap(\.strides)
                rowCount = outerShape.reduce(1, *)
            } else {
                rowLength = 1
                rowCount = 1
                innerStrides = [Int](repeating: 0, count: operandCount)
                outerShape = []
                outerStrides = []
            }
        }

        /// Calls `body` once per row with the output offset of the row's first element and
        /// each operand's offset of its first element.
        func forEachRow(_ body: (_ outputOffset: Int, _ operandOffsets: UnsafeBufferPointer<Int>) throws -> Void) rethrows {
            guard rowCount > 0 else { return }
            var offsets = [Int](repeating: 0, count: operandCount)
            var counter = [Int](repeating: 0, count: outerShape.count)
            try offsets.withUnsafeMutableBufferPointer { offsets in
                for row in 0..<rowCount {
                    try body(row * rowLength, UnsafeBufferPointer(offsets))
                    var axis = outerShape.count - 1
                    while axis >= 0 {
                        counter[axis] += 1
                        let base = axis * operandCount
                        for operand in 0..<operandCount { offsets[operand] += outerStrides[base + operand] }
                        if counter[axis] < outerShape[axis] { break }
                        for operand in 0..<operandCount {
                            offsets[operand] -= outerStrides[base + operand] * outerShape[axis]
                        }
                        counter[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }

    /// The broadcast of `shapes`, with the operator named in the error.
    static func broadcastShape(_ shapes: [[Int]], op: String) throws(KernelError) -> [Int] {
        do {
            return try ShapeMath.broadcast(shapes)
        } catch {
            if case .invalidArgument(let message) = error { throw .invalidArgument("\(op): \(message)") }
            throw error
        }
    }

    // MARK: Pointer loops

    /// `output[i] = f(x[i])` for `count` elements; `output` is uninitialized memory.
    @inline(__always)
    static func mapElements<A, O>(
        _ x: UnsafePointer<A>, _ output: UnsafeMutablePointer<O>, count: Int, _ f: (A) -> O
    ) {
        for index in 0..<count { (output + index).initialize(to: f(x[index])) }
    }

    /// Broadcast `output = f(a, b)` over `plan`; `output` is uninitialized memory.
    @inline(__always)
    static func combineRows<A, B, O>(
        _ a: UnsafePointer<A>, _ b: UnsafePointer<B>, _ output: UnsafeMutablePointer<O>,
        plan: RowPlan, _ f: (A, B) -> O
    ) {
        let length = plan.rowLength
        let aStride = plan.innerStrides[0], bStride = plan.innerStrides[1]
        plan.forEachRow { outputOffset, offsets in
            let x = a + offsets[0], y = b + offsets[1], z = output + outputOffset
            if aStride == 1 && bStride == 1 {
                for index in 0..<length { (z + index).initialize(to: f(x[index], y[index])) }
            } else if aStride == 1 {
                let right = y.pointee
                for index in 0..<length { (z + index).initialize(to: f(x[index], right)) }
            } else if bStride == 1 {
                let left = x.pointee
                for index in 0..<length { (z + index).initialize(to: f(left, y[index])) }
            } else {
                let value = f(x.pointee, y.pointee)
                for index in 0..<length { (z + index).initialize(to: value) }
            }
        }
    }

    /// Broadcast `output = f(a, b, c)` over `plan`; `output` is uninitialized memory.
    @inline(__always)
    static func combineRows<A, B, C, O>(
        _ a: UnsafePointer<A>, _ b: UnsafePointer<B>, _ c: UnsafePointer<C>,
        _ output: UnsafeMutablePointer<O>, plan: RowPlan, _ f: (A, B, C) -> O
    ) {
        let length = plan.rowLength
        let strides = (plan.innerStrides[0], plan.innerStrides[1], plan.innerStrides[2])
        plan.forEachRow { outputOffset, offsets in
            let x = a + offsets[0], y = b + offsets[1], w = c + offsets[2], z = output + outputOffset
            for index in 0..<length {
                (z + index).initialize(to: f(x[index * strides.0], y[index * strides.1], w[index * strides.2]))
            }
        }
    }

    // MARK: Tensor loops

    /// A tensor of `x`'s shape with `f` applied to every element.
    @inline(__always)
    static func map<A: TensorScalar, O: TensorScalar>(
        _ x: Tensor, _ inputType: A.Type, to outputType: O.Type, _ f: (A) -> O
    ) -> Tensor {
        var output = Tensor(uninitialized: O.dataType, shape: x.shape)
        x.withUnsafeBufferPointer(of: A.self) { input in
            output.withUnsafeMutableBufferPointer(of: O.self) { result in
                mapElements(input.baseAddress!, result.baseAddress!, count: input.count, f)
            }
        }
        return output
    }

    /// `f(a, b)` with NumPy broadcasting.
    @inline(__always)
    static func combine<A: TensorScalar, B: TensorScalar, O: TensorScalar>(
        _ a: Tensor, _ b: Tensor, _ aType: A.Type, _ bType: B.Type, to outputType: O.Type, op: String,
        _ f: (A, B) -> O
    ) throws(KernelError) -> Tensor {
        let shape = try broadcastShape([a.shape, b.shape], op: op)
        let plan = RowPlan(outputShape: shape, operandShapes: [a.shape, b.shape])
        var output = Tensor(uninitialized: O.dataType, shape: shape)
        a.withUnsafeBufferPointer(of: A.self) { x in
            b.withUnsafeBufferPointer(of: B.self) { y in
                output.withUnsafeMutableBufferPointer(of: O.self) { z in
                    combineRows(x.baseAddress!, y.baseAddress!, z.baseAddress!, plan: plan, f)
                }
            }
        }
        return output
    }

    /// `f(a, b, c)` with NumPy broadcasting.
    static func combine<A: TensorScalar, B: TensorScalar, C: TensorScalar, O: TensorScalar>(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, _ types: (A.Type, B.Type, C.Type), to outputType: O.Type,
        op: String, _ f: (A, B, C) -> O
    ) throws(KernelError) -> Tensor {
        let shape = try broadcastShape([a.shape, b.shape, c.shape], op: op)
        let plan = RowPlan(outputShape: shape, operandShapes: [a.shape, b.shape, c.shape])
        var output = Tensor(uninitialized: O.dataType, shape: shape)
        a.withUnsafeBufferPointer(of: A.self) { x in
            b.withUnsafeBufferPointer(of: B.self) { y in
                c.withUnsafeBufferPointer(of: C.self) { w in
                    output.withUnsafeMutableBufferPointer(of: O.self) { z in
                        combineRows(x.baseAddress!, y.baseAddress!, w.baseAddress!, z.baseAddress!, plan: plan, f)
                    }
                }
            }
        }
        return output
    }

    /// `f(a, b)` with NumPy broadcasting over Swift arrays (string tensors).
    static func combine<A, B, O>(
        _ a: [A], shape aShape: [Int], _ b: [B], shape bShape: [Int], op: String, _ f: (A, B) -> O
    ) throws(KernelError) -> (shape: [Int], values: [O]) {
        let shape = try broadcastShape([aShape, bShape], op: op)
        let plan = RowPlan(outputShape: shape, operandShapes: [aShape, bShape])
        let count = shape.reduce(1, *)
        let values = a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                [O](unsafeUninitializedCapacity: count) { z, initialized in
                    if count > 0 { combineRows(x.baseAddress!, y.baseAddress!, z.baseAddress!, plan: plan, f) }
                    initialized = count
                }
            }
        }
        return (shape, values)
    }
}
