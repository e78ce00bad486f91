import SwitchyardTensor

/// The validated inputs and attributes shared by `RNN`, `GRU` and `LSTM`, and the loop over
/// directions and time steps that they share. Each operator supplies only its cell: how one
/// time step turns the projected input and the previous state into the next state.
///
/// Everything is computed in `Double` and converted to X's type at the end. Sequences are held
/// in layout 0 (`[seq_length, batch, …]`); layout 1 inputs are transposed on the way in and
/// outputs on the way out.
struct RecurrentLayer {
    let op: String
    let dataType: DataType
    let sequenceLength: Int
    let batchSize: Int
    let inputSize: Int
    let hiddenSize: Int
    let directionCount: Int
    /// Gates per direction: 1 (RNN), 3 (GRU), 4 (LSTM).
    let gateCount: Int
    /// Per direction: true when it runs from the end of each sequence to its start.
    let reversed: [Bool]
    let layout: Int
    /// X as `[seq_length, batch, input]`.
    let x: [Double]
    /// Wᵀ per direction, `[input, gates * hidden]`: transposed once so that every product below
    /// is a plain row-major GEMM.
    let wTransposed: [[Double]]
    /// Rᵀ per direction, `[hidden, gates * hidden]`.
    let rTransposed: [[Double]]
    /// B as `[directions, 2 * gates * hidden]` (input biases, then recurrence biases); zeros when
    /// omitted.
    let b: [Double]
    /// Valid steps of each batch entry.
    let lengths: [Int]
    /// initial_h as `[directions, batch, hidden]`; zeros when omitted.
    let initialH: [Double]
    /// Bound applied to every gate activation's input.
    let clip: Double?
    /// Activation functions per direction, in the operator's order (f, g, h).
    let activations: [[RecurrentActivation]]

    init(_ context: OpContext, gateCount: Int, defaultActivations: [String]) throws(KernelError) {
        op = context.node.opType
        self.gateCount = gateCount
        let xTensor = try context.input(0)
        let wTensor = try context.input(1)
        let rTensor = try context.input(2)
        for (tensor, name) in [(xTensor, "X"), (wTensor, "W"), (rTensor, "R")] {
            try NormalizationMath.requireFloatingPoint(tensor, op, name)
            guard tensor.rank == 3 else { throw .invalidArgument("\(op): \(name) must have rank 3, got shape \(tensor.shape)") }
        }
        dataType = xTensor.dataType
        layout = try context.int("layout", default: 0)
        guard layout == 0 || layout == 1 else { throw .invalidArgument("\(op): layout must be 0 or 1, got \(layout)") }
        sequenceLength = layout == 0 ? xTensor.shape[0] : xTensor.shape[1]
        batchSize = layout == 0 ? xTensor.shape[1] : xTensor.shape[0]
        inputSize = xTensor.shape[2]

        let direction = try context.string("direction", default: "forward")
        switch direction {
        case "forward": reversed = [false]
        case "reverse": reversed = [true]
        case "bidirectional": reversed = [false, true]
        default: throw .invalidArgument("\(op): direction must be forward, reverse or bidirectional, got '\(direction)'")
        }
        directionCount = reversed.count
        hiddenSize = rTensor.shape[2]
        if let declared = try context.int("hidden_size"), declared != hiddenSize {
            throw .invalidArgument("\(op): hidden_size \(declared) does not match R's last dimension \(hiddenSize)")
        }
        let gateRows = gateCount * hiddenSize
        guard wTensor.shape == [directionCount, gateRows, inputSize] else {
            throw .invalidArgument("\(op): W has shape \(wTensor.shape); expected [num_directions, \(gateCount) * hidden_size, input_size] = \([directionCount, gateRows, inputSize])")
        }
        guard rTensor.shape == [directionCount, gateRows, hiddenSize] else {
            throw .invalidArgument("\(op): R has shape \(rTensor.shape); expected [num_directions, \(gateCount) * hidden_size, hidden_size] = \([directionCount, gateRows, hiddenSize])")
        }
        let xValues = xTensor.doubles()
        x = layout == 0 ? xValues : Self.swapLeadingAxes(xValues, xTensor.shape[0], xTensor.shape[1], inputSize)
        wTransposed = Self.transposedPerDirection(wTensor.doubles(), directions: directionCount, rows: gateRows, columns: inputSize)
        rTransposed = Self.transposedPerDirection(rTensor.doubles(), directions: directionCount, rows: gateRows, columns: hiddenSize)

        if let bias = context.optionalInput(3) {
            try NormalizationMath.requireFloatingPoint(bias, op, "B")
            guard bias.shape == [directionCount, 2 * gateRows] else {
                throw .invalidArgument("\(op): B has shape \(bias.shape); expected [num_directions, \(2 * gateCount) * hidden_size] = \([directionCount, 2 * gateRows])")
            }
            b = bias.doubles()
        } else {
            b = [Double](repeating: 0, count: directionCount * 2 * gateRows)
        }

        if let sequenceLens = context.optionalInput(4) {
            guard sequenceLens.dataType.isInteger, sequenceLens.shape == [batchSize] else {
                throw .invalidArgument("\(op): sequence_lens must be an int32 tensor of shape [\(batchSize)], got \(sequenceLens.dataType) \(sequenceLens.shape)")
            }
            let values = sequenceLens.ints(), limit = sequenceLength
            if let bad = values.first(where: { $0 < 0 || $0 > limit }) {
                throw .invalidArgument("\(op): sequence_lens value \(bad) is outside [0, \(limit)]")
            }
            lengths = values
        } else {
            lengths = [Int](repeating: sequenceLength, count: batchSize)
        }
        clip = try context.float("clip").map(Double.init)
        if let clip, !(clip > 0) {
            throw .invalidArgument("\(op): clip must be positive, got \(clip)")
        }
        activations = try RecurrentActivation.parse(context, defaults: defaultActivations, directions: reversed.count)
        initialH = try Self.readState(context, input: 5, name: "initial_h", layout: layout,
                                      shape: [directionCount, batchSize, hiddenSize])
    }

    /// An optional `[directions, batch, hidden]` state input (`[batch, directions, hidden]` in
    /// layout 1) in layout-0 order; zeros when omitted.
    func state(_ context: OpContext, input index: Int, name: String) throws(KernelError) -> [Double] {
        try Self.readState(context, input: index, name: name, layout: layout,
                           shape: [directionCount, batchSize, hiddenSize])
    }

    private static func readState(
        _ context: OpContext, input index: Int, name: String, layout: Int, shape: [Int]
    ) throws(KernelError) -> [Double] {
        let op = context.node.opType
        let (directionCount, batchSize, hiddenSize) = (shape[0], shape[1], shape[2])
        guard let tensor = context.optionalInput(index) else {
            return [Double](repeating: 0, count: directionCount * batchSize * hiddenSize)
        }
        try NormalizationMath.requireFloatingPoint(tensor, op, name)
        let expected = layout == 0 ? [directionCount, batchSize, hiddenSize] : [batchSize, directionCount, hiddenSize]
        guard tensor.shape == expected else {
            throw .invalidArgument("\(op): \(name) has shape \(tensor.shape); expected \(expected) for layout \(layout)")
        }
        let values = tensor.doubles()
        return layout == 0 ? values : Self.swapLeadingAxes(values, batchSize, directionCount, hiddenSize)
    }

    /// `value` clipped to `[-clip, clip]` when a clip is set.
    @inline(__always)
    func clipped(_ value: Double) -> Double {
        guard let clip else { return value }
        return min(max(value, -clip), clip)
    }

    /// One time step of a cell for every batch entry: given the step's projected inputs
    /// (`[batch, gates * hidden]`, `X_t W^T + Wb`), the hidden state and the cell state (both
    /// `[batch, hidden]`; the cell state is empty for cells without one), returns the next
    /// hidden and cell states.
    typealias Cell = (_ direction: Int, _ projected: [Double], _ hidden: [Double], _ cell: [Double]) -> (hidden: [Double], cell: [Double])

    /// Runs `cell` over every direction and valid time step. Returns Y `[seq, directions, batch,
    /// hidden]` (zero past each sequence's end) and the final hidden and cell states
    /// `[directions, batch, hidden]`, which are zero for empty sequences, as ONNX Runtime does.
    func run(initialCell: [Double]?, cell: Cell) -> (y: [Double], hidden: [Double], cell: [Double]) {
        let stateSize = batchSize * hiddenSize
        let gateRows = gateCount * hiddenSize
        var y = [Double](repeating: 0, count: sequenceLength * directionCount * stateSize)
        var finalHidden = [Double](repeating: 0, count: directionCount * stateSize)
        var finalCell = [Double](repeating: 0, count: initialCell == nil ? 0 : directionCount * stateSize)
        for direction in 0..<directionCount {
            let projected = Self.product(
                x, rows: sequenceLength * batchSize, depth: inputSize, transposedWeights: wTransposed[direction],
                columns: 0..<gateRows, bias: b, biasOffset: direction * 2 * gateRows)
            var hidden = Array(initialH[(direction * stateSize)..<((direction + 1) * stateSize)])
            var cellState = initialCell.map { Array($0[(direction * stateSize)..<((direction + 1) * stateSize)]) } ?? []
            var stepInput = [Double](repeating: 0, count: batchSize * gateRows)
            for step in 0..<sequenceLength {
                // The time each batch entry is at in this step, nil once its sequence is done.
                let times: [Int?] = (0..<batchSize).map { entry in
                    guard step < lengths[entry] else { return nil }
                    return reversed[direction] ? lengths[entry] - 1 - step : step
                }
                if times.allSatisfy({ $0 == nil }) { break }
                for (entry, time) in times.enumerated() {
                    guard let time else { continue }
                    let source = (time * batchSize + entry) * gateRows
                    stepInput.replaceSubrange((entry * gateRows)..<((entry + 1) * gateRows),
                                              with: projected[source..<(source + gateRows)])
                }
                let next = cell(direction, stepInput, hidden, cellState)
                for (entry, time) in times.enumerated() {
                    guard let time else { continue }
                    let range = (entry * hiddenSize)..<((entry + 1) * hiddenSize)
                    hidden.replaceSubrange(range, with: next.hidden[range])
                    if !cellState.isEmpty { cellState.replaceSubrange(range, with: next.cell[range]) }
                    let destination = ((time * directionCount + direction) * batchSize + entry) * hiddenSize
                    y.replaceSubrange(destination..<(destination + hiddenSize), with: next.hidden[range])
                }
            }
            for entry in 0..<batchSize where lengths[entry] > 0 {
                let source = entry * hiddenSize
                let destination = (direction * batchSize + entry) * hiddenSize
                finalHidden.replaceSubrange(destination..<(destination + hiddenSize), with: hidden[source..<(source + hiddenSize)])
                if !cellState.isEmpty {
                    finalCell.replaceSubrange(destination..<(destination + hiddenSize), with: cellState[source..<(source + hiddenSize)])
                }
            }
        }
        return (y, finalHidden, finalCell)
    }

    /// The operator's outputs `Y, Y_h[, Y_c]` in X's type and the node's layout, as many as the
    /// node declares.
    func outputs(_ result: (y: [Double], hidden: [Double], cell: [Double]), context: OpContext) -> [Tensor] {
        let stateShape = layout == 0 ? [directionCount, batchSize, hiddenSize] : [batchSize, directionCount, hiddenSize]
        func state(_ values: [Double]) -> Tensor {
            let ordered = layout == 0 ? values : Self.swapLeadingAxes(values, directionCount, batchSize, hiddenSize)
            return Tensor(dataType: dataType, shape: stateShape, doubles: ordered)
        }
        let y: Tensor
        if layout == 0 {
            y = Tensor(dataType: dataType, shape: [sequenceLength, directionCount, batchSize, hiddenSize], doubles: result.y)
        } else {
            // [seq, directions, batch, hidden] -> [batch, seq, directions, hidden]
            var values = [Double](repeating: 0, count: result.y.count)
            for time in 0..<sequenceLength {
                for direction in 0..<directionCount {
                    for entry in 0..<batchSize {
                        let source = ((time * directionCount + direction) * batchSize + entry) * hiddenSize
                        let destination = ((entry * sequenceLength + time) * directionCount + direction) * hiddenSize
                        values.replaceSubrange(destination..<(destination + hiddenSize), with: result.y[source..<(source + hiddenSize)])
                    }
                }
            }
            y = Tensor(dataType: dataType, shape: [batchSize, sequenceLength, directionCount, hiddenSize], doubles: values)
        }
        var outputs = [y, state(result.hidden)]
        if !result.cell.isEmpty { outputs.append(state(result.cell)) }
        return Array(outputs.prefix(max(1, context.node.outputs.count)))
    }

    /// `state · R[gates]ᵀ + Rb[gates]` for direction `direction`: the recurrent part of the
    /// pre-activations of the gates in `gates` (indices in the operator's gate order), for
    /// `state` of `[batch, hidden]`. Returns `[batch, gates.count * hidden]`.
    func recurrentProduct(_ state: [Double], direction: Int, gates: Range<Int>) -> [Double] {
        let gateRows = gateCount * hiddenSize
        return Self.product(
            state, rows: batchSize, depth: hiddenSize, transposedWeights: rTransposed[direction],
            columns: (gates.lowerBound * hiddenSize)..<(gates.upperBound * hiddenSize),
            bias: b, biasOffset: direction * 2 * gateRows + gateRows)
    }

    /// `a · Wt[:, columns] + bias[biasOffset + columns]` for `a` of `rows × depth` and `Wt` of
    /// `depth × gates·hidden`, through the shared reference GEMM.
    private static func product(
        _ a: [Double], rows: Int, depth: Int, transposedWeights: [Double], columns: Range<Int>,
        bias: [Double], biasOffset: Int
    ) -> [Double] {
        let width = columns.count
        let biasRow = bias[(biasOffset + columns.lowerBound)..<(biasOffset + columns.upperBound)]
        var result = [Double]()
        result.reserveCapacity(rows * width)
        for _ in 0..<rows { result.append(contentsOf: biasRow) }
        guard rows > 0, width > 0, depth > 0 else { return result }
        let leading = transposedWeights.count / depth
        a.withUnsafeBufferPointer { a in
            transposedWeights.withUnsafeBufferPointer { weights in
                result.withUnsafeMutableBufferPointer { result in
                    Double.referenceGEMM(GEMMProblem(
                        m: rows, n: width, k: depth, a: a.baseAddress!, lda: depth, transposeA: false,
                        b: weights.baseAddress! + columns.lowerBound, ldb: leading, transposeB: false,
                        c: result.baseAddress!, ldc: width, alpha: 1, beta: 1))
                }
            }
        }
        return result
    }

    /// `[directions, rows, columns]` to `[directions][columns × rows]`.
    private static func transposedPerDirection(_ values: [Double], directions: Int, rows: Int, columns: Int) -> [[Double]] {
        (0..<directions).map { direction in
            let base = direction * rows * columns
            var transposed = [Double](repeating: 0, count: rows * columns)
            for row in 0..<rows {
                for column in 0..<columns { transposed[column * rows + row] = values[base + row * columns + column] }
            }
            return transposed
        }
    }

    /// Swaps the first two axes of a `[first, second, inner]` array.
    static func swapLeadingAxes(_ values: [Double], _ first: Int, _ second: Int, _ inner: Int) -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<first {
            for j in 0..<second {
                let source = (i * second + j) * inner, destination = (j * first + i) * inner
                result.replaceSubrange(destination..<(destination + inner), with: values[source..<(source + inner)])
            }
        }
        return result
    }
}
