import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Builds QOperator nodes with seeded random data and runs them on the oneDNN int8 kernels and
/// on the reference kernels.
enum QuantizedKernelTestKit {
    typealias Generator = SeededGenerator
    typealias Kit = QuantizationTestKit

    /// One quantized node with its constant inputs (everything but input 0).
    struct Case {
        var node: Node
        var inputs: [Tensor?]
        var opset = 13
        /// Inputs known only at run time (besides input 0).
        var runtime: Set<Int> = []

        var constants: [String: Tensor] {
            var found: [String: Tensor] = [:]
            for (index, name) in node.inputs.enumerated() where index > 0 && !name.isEmpty && !runtime.contains(index) {
                found[name] = inputs[index]
            }
            return found
        }
    }

    /// Full-range 8-bit data of `type`.
    static func data(_ type: DataType, _ shape: [Int], _ generator: inout Generator) -> Tensor {
        Kit.integers(type, shape, in: type == .uint8 ? 0...255 : -128...127, using: &generator)
    }

    /// Int8 weights in ±63, the range oneDNN computes exactly without VNNI
    /// (`DNNLQuantizedOperands.largestExactWeightWithoutVNNI`).
    static func weights(_ shape: [Int], _ generator: inout Generator) -> Tensor {
        Kit.integers(.int8, shape, in: -63...63, using: &generator)
    }

    static func scalar(_ type: DataType, _ value: Int64) -> Tensor { Tensor(dataType: type, shape: [], int64s: [value]) }

    /// A DequantizeLinear node named after its output.
    static func dq(_ input: String, _ output: String, _ scale: String, _ zero: String) -> Node {
        Node(name: "dq_\(output)", opType: "DequantizeLinear", inputs: [input, scale, zero], outputs: [output])
    }

    /// A QuantizeLinear node named after its output.
    static func q(_ input: String, _ output: String, _ scale: String, _ zero: String) -> Node {
        Node(name: "q_\(output)", opType: "QuantizeLinear", inputs: [input, scale, zero], outputs: [output])
    }

    /// QLinearConv on x `[2, c, 9, 9]` with `m` filters (per-channel int8 weights, int32 bias),
    /// `group` groups, pads 1 and `stride`; output type `yType`.
    static func qlinearConv(x xType: DataType, y yType: DataType, channels c: Int, filters m: Int, group: Int, stride: Int,
                            _ generator: inout Generator) -> Case {
        let names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "b"]
        let inputs: [Tensor?] = [
            data(xType, [2, c, 9, 9], &generator), Tensor(scalar: Float(0.02)),
            scalar(xType, xType == .uint8 ? 118 : -9),
            weights([m, c / group, 3, 3], &generator), Kit.scales([m], in: 0.002...0.01, using: &generator),
            Tensor(dataType: .int8, shape: [m], int64s: Array(repeating: 0, count: m)),
            Tensor(scalar: Float(0.3)), scalar(yType, yType == .uint8 ? 131 : 5),
            Kit.integers(.int32, [m], in: -3000...3000, using: &generator),
        ]
        let node = Node(name: "qconv", opType: "QLinearConv", inputs: names, outputs: ["y"], attributes: [
            "kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "strides": .ints([stride, stride]),
            "group": .int(group),
        ])
        return Case(node: node, inputs: inputs)
    }

    /// QLinearMatMul of a `[2, 5, k]` by a constant int8 `[k, n]` with per-column scales.
    static func qlinearMatMul(a aType: DataType, k: Int, n: Int, _ generator: inout Generator) -> Case {
        let names = ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"]
        let inputs: [Tensor?] = [
            data(aType, [2, 5, k], &generator), Tensor(scalar: Float(0.05)), scalar(aType, aType == .uint8 ? 140 : 12),
            weights([k, n], &generator), Kit.scales([n], in: 0.002...0.01, using: &generator),
            Tensor(dataType: .int8, shape: [n], int64s: Array(repeating: 0, count: n)),
            Tensor(scalar: Float(0.4)), scalar(aType, aType == .uint8 ? 128 : 0),
        ]
        return Case(node: Node(name: "qmatmul", opType: "QLinearMatMul", inputs: names, outputs: ["y"]), inputs: inputs)
    }

    /// The oneDNN kernel's output, the reference kernel's, and the oneDNN implementations that ran.
    static func run(_ testCase: Case) throws -> (dnnl: Tensor, reference: Tensor, implementations: [String], fallback: String?) {
        let kernel = try #require(DNNLKernels.makeKernel(for: testCase.node, opset: testCase.opset,
                                                         constants: testCase.constants))
        let dnnl = try kernel.run(testCase.inputs)[0]
        let reference = try #require(ReferenceKernels.kernel(opType: testCase.node.opType, domain: ""))
        let expected = try reference(OpContext(node: testCase.node, opset: testCase.opset, inputs: testCase.inputs))[0]
        return (dnnl, expected, kernel.implementationNames, kernel.fallbackReason)
    }

    /// Largest absolute difference between two integer tensors of equal shape.
    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Int64 {
        zip(a.int64s(), b.int64s()).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
