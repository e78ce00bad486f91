import Foundation
import SwitchyardTensor

/// The element-wise quantized operators of the `com.microsoft` domain that
/// `onnxruntime.quantization` emits in QOperator models. Each dequantizes its uint8/int8
/// inputs, applies the float operation and quantizes the result (rounding half to even,
/// saturating) with the output's scale and zero point. The output type is the first input's.
/// Arithmetic is float32, as onnxruntime's (which matters when a value lands on a rounding tie).
enum MicrosoftQLinearElementwise {
    /// QLinearAdd and QLinearMul: inputs `A, A_scale, A_zero_point, B, B_scale, B_zero_point,
    /// C_scale, C_zero_point`, with NumPy broadcasting of A and B.
    static func binary(_ context: OpContext, _ operation: @escaping (Float, Float) -> Float) throws -> [Tensor] {
        let op = context.node.opType
        let aData = try context.input(0), bData = try context.input(3)
        try QuantizedOperand.requireEightBit(aData, op: op, name: "A")
        guard bData.dataType == aData.dataType else {
            throw KernelError.invalidArgument("\(op): B has type \(bData.dataType), expected \(aData.dataType) like A")
        }
        let a = try QuantizedOperand(context, data: 0, name: "A")
        let b = try QuantizedOperand(context, data: 3, name: "B")
        let c = try QuantizedOperand(context, data: aData, scale: 6, zeroPoint: 7, name: "C")
        let shape = try ShapeMath.broadcast([aData.shape, bData.shape])
        let aValues = a.realFloats(), bValues = b.realFloats()
        let aIndices = ShapeMath.broadcastIndices(from: aData.shape, to: shape)
        let bIndices = ShapeMath.broadcastIndices(from: bData.shape, to: shape)
        let result = zip(aIndices, bIndices).map { operation(aValues[$0], bValues[$1]) }
        return [try quantize(result, shape: shape, into: c)]
    }

    /// QLinearSigmoid and QLinearLeakyRelu: inputs `X, X_scale, X_zero_point, Y_scale,
    /// Y_zero_point`.
    static func unary(_ context: OpContext, _ function: (Float) -> Float) throws -> [Tensor] {
        let xData = try context.input(0)
        try QuantizedOperand.requireEightBit(xData, op: context.node.opType, name: "X")
        let x = try QuantizedOperand(context, data: 0, name: "X")
        let y = try QuantizedOperand(context, data: xData, scale: 3, zeroPoint: 4, name: "Y")
        return [try quantize(x.realFloats().map(function), shape: xData.shape, into: y)]
    }

    static func leakyRelu(_ context: OpContext) throws -> [Tensor] {
        let alpha = try context.float("alpha", default: 0.01)
        return try unary(context) { $0 >= 0 ? $0 : alpha * $0 }
    }

    static func sigmoid(_ context: OpContext) throws -> [Tensor] {
        try unary(context) { 1 / (1 + exp(-$0)) }
    }

    /// `values` quantized with `target`'s (per-tensor) scale and zero point, in its type.
    static func quantize(_ values: [Float], shape: [Int], into target: QuantizedOperand) throws(KernelError) -> Tensor {
        guard let range = QuantizedType.range(of: target.data.dataType) else {
            throw .unsupported("quantized output type \(target.data.dataType) is not supported")
        }
        let scale = Float(target.scales[0]), zeroPoint = Float(target.zeroPoints[0])
        return Tensor(dataType: target.data.dataType, shape: shape, doubles: values.map {
            QuantizedType.saturate(Double(($0 / scale).rounded(.toNearestOrEven) + zeroPoint), to: range)
        })
    }
}
