import SwitchyardGraph
import SwitchyardTensor

/// Shape rules of the quantization operators: the QOperator products reuse the float rules on
/// their data and weight inputs; the output type is the output zero point's (else the data's).
extension ShapeRules {
    static let quantization: [String: ShapeRule] = [
        "QuantizeLinear": { context in
            [ValueFact(dataType: context.dataType(2) ?? outputDataType(context) ?? .uint8, shape: context.shape(0))]
        },
        "DequantizeLinear": { context in
            [ValueFact(dataType: context.dataType(1) ?? .float32, shape: context.shape(0))]
        },
        "QLinearConv": { retyped(convolutionShape(selecting([0, 3], of: $0)), as: $0.dataType(7) ?? $0.dataType(0)) },
        "QLinearMatMul": { retyped(matMulShape(selecting([0, 3], of: $0)), as: $0.dataType(7) ?? $0.dataType(0)) },
        "ConvInteger": { retyped(convolutionShape($0), as: .int32) },
        "MatMulInteger": { retyped(matMulShape($0), as: .int32) },
    ]

    /// `context` with only the inputs at `indices`, in that order (a QOperator node's data and
    /// weights where the float rule expects them).
    private static func selecting(_ indices: [Int], of context: InferenceContext) -> InferenceContext {
        InferenceContext(node: context.node, opset: context.opset, inputs: indices.map { context.input($0) })
    }

    private static func retyped(_ facts: [ValueFact], as type: DataType?) -> [ValueFact] {
        facts.map { fact in
            var fact = fact
            fact.dataType = type
            return fact
        }
    }

    private static func outputDataType(_ context: InferenceContext) -> DataType? {
        context.int("output_dtype").flatMap { $0 == 0 ? nil : DataType(rawValue: Int32($0)) }
    }
}
