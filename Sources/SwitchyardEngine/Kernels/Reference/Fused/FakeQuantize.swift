import SwitchyardGraph
import SwitchyardTensor

/// The parameters of an `ai.switchyard` FakeQuantize node (made by `FakeQuantizeFusion`): the
/// attributes `scale` (float), `zero_point` (int) and `quantized_type` (ONNX data type code of
/// uint8 or int8). The node computes `QuantizeLinear` then `DequantizeLinear` with them:
/// `y = (saturate(round(x / scale) + zero_point) − zero_point) · scale`, rounding half to even.
struct FakeQuantization: Sendable, Equatable {
    let scale: Float
    let zeroPoint: Int
    let quantizedType: DataType

    init(scale: Float, zeroPoint: Int, quantizedType: DataType) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.quantizedType = quantizedType
    }

    /// Reads the node's attributes; throws naming the attribute that is missing or wrong.
    init(node: Node) throws(KernelError) {
        let op = node.opType
        guard case .float(let scale)? = node.attributes["scale"], scale > 0, scale.isFinite else {
            throw .invalidArgument("\(op) '\(node.displayName)': attribute 'scale' must be a positive finite float")
        }
        guard case .int(let zeroPoint)? = node.attributes["zero_point"] else {
            throw .invalidArgument("\(op) '\(node.displayName)': attribute 'zero_point' (int) is missing")
        }
        guard case .int(let code)? = node.attributes["quantized_type"], let type = DataType(rawValue: Int32(code)),
              type == .uint8 || type == .int8 else {
            throw .invalidArgument("\(op) '\(node.displayName)': attribute 'quantized_type' must be uint8 (2) or int8 (3)")
        }
        let range = type == .uint8 ? 0...255 : -128...127
        guard range.contains(zeroPoint) else {
            throw .invalidArgument("\(op) '\(node.displayName)': zero_point \(zeroPoint) is outside \(type)'s range \(range)")
        }
        self.init(scale: scale, zeroPoint: zeroPoint, quantizedType: type)
    }

    /// Bounds of `round(x / scale)` after saturation: the type's range shifted by the zero point.
    var lowestStep: Float { Float((quantizedType == .uint8 ? 0 : -128) - zeroPoint) }
    var highestStep: Float { Float((quantizedType == .uint8 ? 255 : 127) - zeroPoint) }

    /// One value through QuantizeLinear and DequantizeLinear (NaN saturates to the type's
    /// minimum, as QuantizeLinear's reference kernel does).
    @inline(__always)
    func apply(_ x: Float) -> Float {
        let quotient = (x / scale).rounded(.toNearestOrEven)
        let step = quotient.isNaN ? lowestStep : min(max(quotient, lowestStep), highestStep)
        return step * scale
    }
}

/// The reference kernel of `ai.switchyard` FakeQuantize (float32 in, float32 out).
enum FakeQuantizeKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let parameters = try FakeQuantization(node: context.node)
        let x = try context.input(0)
        guard x.dataType == .float32 else {
            throw KernelError.invalidArgument("\(context.node.opType): x must be float32, got \(x.dataType)")
        }
        var output = Tensor(uninitialized: .float32, shape: x.shape)
        x.withUnsafeBufferPointer(of: Float.self) { source in
            output.withUnsafeMutableBufferPointer(of: Float.self) { result in
                for i in source.indices { result[i] = parameters.apply(source[i]) }
            }
        }
        return [output]
    }
}
