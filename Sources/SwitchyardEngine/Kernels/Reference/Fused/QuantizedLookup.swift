import SwitchyardTensor

/// `ai.switchyard` QuantizedLookup: an elementwise function of one or two 8-bit tensors as a
/// table, made by `QuantizedLookupFusion` from a chain like `DequantizeLinear → Sigmoid →
/// QuantizeLinear → DequantizeLinear → Mul → QuantizeLinear`. The attribute `table` holds the
/// chain's output for every input value: 256 entries for one input, 65 536 for two, indexed by
/// `(a − min) · 256 + (b − min)` where `min` is 0 for uint8 and −128 for int8. Two inputs of
/// different shapes broadcast (NumPy rules), as the chain's elementwise operators do.
enum QuantizedLookupKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        guard case .tensor(let table)? = context.node.attributes["table"] else {
            throw KernelError.invalidArgument("\(op): the 'table' tensor attribute is missing")
        }
        var inputs = try (0..<context.inputs.count).map { try context.input($0) }
        guard (1...2).contains(inputs.count), table.count == 1 << (8 * inputs.count) else {
            throw KernelError.invalidArgument("\(op): \(inputs.count) inputs need a table of \(1 << (8 * inputs.count)) entries, got \(table.count)")
        }
        for (index, input) in inputs.enumerated() {
            guard input.dataType == .uint8 || input.dataType == .int8 else {
                throw KernelError.invalidArgument("\(op): input \(index) must be uint8 or int8, got \(input.dataType)")
            }
        }
        if inputs.count == 2, inputs[0].shape != inputs[1].shape {
            let shape = try ShapeMath.broadcast(inputs.map(\.shape))
            inputs = inputs.map { MovementOps.broadcasted($0, to: shape) }
        }
        guard table.dataType == .uint8 || table.dataType == .int8 else {
            throw KernelError.invalidArgument("\(op): table must be uint8 or int8, got \(table.dataType)")
        }
        // Every 8-bit value maps to a table index by flipping the sign bit of an int8.
        let flips = inputs.map { $0.dataType == .int8 ? UInt8(0x80) : 0 }
        let output = Tensor(uninitialized: table.dataType, shape: inputs[0].shape)
        let entries = table.storage.bytes.assumingMemoryBound(to: UInt8.self)
        let result = output.storage.bytes.assumingMemoryBound(to: UInt8.self)
        let a = inputs[0].storage.bytes.assumingMemoryBound(to: UInt8.self)
        if inputs.count == 1 {
            for i in 0..<inputs[0].count { result[i] = entries[Int(a[i] ^ flips[0])] }
        } else {
            let b = inputs[1].storage.bytes.assumingMemoryBound(to: UInt8.self)
            for i in 0..<inputs[0].count { result[i] = entries[Int(a[i] ^ flips[0]) << 8 | Int(b[i] ^ flips[1])] }
        }
        return [output]
    }
}
