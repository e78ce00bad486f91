import SwitchyardTensor

/// ONNX `BitCast` (opset 26): reinterprets each element's bits as type `to`, which must have
/// the same width. The output shares the input's storage.
enum BitCast {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "BitCast"
        let input = try context.input(0)
        guard let code = try context.int("to") else { throw .invalidArgument("\(op): attribute 'to' is required") }
        guard let target = DataType(rawValue: Int32(clamping: code)) else {
            throw .unsupported("\(op): target type code \(code) is not supported")
        }
        guard target != .string, input.dataType != .string else {
            throw .invalidArgument("\(op): string tensors cannot be bit-cast (from \(input.dataType) to \(target))")
        }
        guard target.byteSize == input.dataType.byteSize else {
            throw .invalidArgument("\(op): \(input.dataType) (\(input.dataType.byteSize * 8) bits) and \(target) (\(target.byteSize * 8) bits) differ in width")
        }
        if target == .bool {
            // Swift's Bool may only hold 0 or 1, so other bytes become `true` (1).
            let bytes = input.withUnsafeBytes { Array($0) }
            return [Tensor(shape: input.shape, scalars: bytes.map { $0 != 0 })]
        }
        return [Tensor(dataType: target, shape: input.shape, storage: input.storage)]
    }
}
