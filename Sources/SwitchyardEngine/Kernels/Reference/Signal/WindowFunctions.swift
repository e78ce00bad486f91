import Foundation
import SwitchyardTensor

/// HannWindow, HammingWindow and BlackmanWindow (opset 17): a window of `size` (input 0)
/// points. `periodic` (default 1) computes over a period of `size`, otherwise `size − 1`
/// (symmetric). `output_datatype` (default float) sets the element type.
enum WindowFunctionKernel {
    static func hann(_ context: OpContext) throws -> [Tensor] {
        try run(context) { n, period in pow(sin(Double.pi * n / period), 2) }
    }

    static func hamming(_ context: OpContext) throws -> [Tensor] {
        let alpha = 25.0 / 46.0
        return try run(context) { n, period in alpha - (1 - alpha) * cos(2 * Double.pi * n / period) }
    }

    static func blackman(_ context: OpContext) throws -> [Tensor] {
        try run(context) { n, period in
            0.42 - 0.5 * cos(2 * Double.pi * n / period) + 0.08 * cos(4 * Double.pi * n / period)
        }
    }

    private static func run(_ context: OpContext, _ window: (Double, Double) -> Double) throws -> [Tensor] {
        let op = context.node.opType
        let sizeInput = try context.input(0)
        guard sizeInput.count == 1, sizeInput.dataType.isInteger else {
            throw KernelError.invalidArgument("\(op): size must be an integer scalar, got \(sizeInput.dataType) \(sizeInput.shape)")
        }
        let size = sizeInput.ints()[0]
        guard size >= 0 else { throw KernelError.invalidArgument("\(op): size \(size) must not be negative") }
        let outputType = try SignalOutputType.read(context, default: .float32)
        let period = Double(try context.int("periodic", default: 1) != 0 ? size : size - 1)
        let values = (0..<size).map { window(Double($0), period) }
        return [Tensor(dataType: outputType, shape: [size], doubles: values)]
    }
}

/// The `output_datatype` attribute of the window and mel operators.
enum SignalOutputType {
    static func read(_ context: OpContext, default value: DataType) throws(KernelError) -> DataType {
        let type = try QuantizedType.dataType(attribute: "output_datatype", context) ?? value
        guard type != .string else {
            throw .invalidArgument("\(context.node.opType): output_datatype must be numeric, got string")
        }
        return type
    }
}
