import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL pooling kernels")
struct DNNLPoolingTests {
    static let windows: [([Int], [String: Attribute])] = [
        ([1, 3, 8, 8], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
        ([2, 4, 9, 7], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
        ([1, 3, 9, 9], ["kernel_shape": .ints([3, 2]), "strides": .ints([2, 2]), "pads": .ints([0, 1, 2, 0])]),
        ([1, 3, 9, 8], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")]),
        ([1, 3, 9, 8], ["kernel_shape": .ints([2, 3]), "strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")]),
        ([1, 3, 9, 8], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "auto_pad": .string("VALID")]),
        ([1, 2, 10, 10], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .int(1)]),
        ([1, 2, 11], ["kernel_shape": .ints([3]), "strides": .ints([2]), "pads": .ints([1, 0])]),
        ([1, 2, 5, 6, 7], ["kernel_shape": .ints([2, 2, 2]), "strides": .ints([2, 2, 2])]),
        ([1, 2, 9, 9], ["kernel_shape": .ints([2, 2]), "dilations": .ints([2, 2])]),
    ]

    @Test("MaxPool matches the reference kernel", arguments: 0..<windows.count)
    func maxPool(index: Int) throws {
        var generator = SeededGenerator(seed: 51)
        let (shape, attributes) = Self.windows[index]
        try DNNLHarness.check(DNNLHarness.node("MaxPool", inputs: 1, attributes: attributes), opset: 12,
                              inputs: [generator.tensor(shape)])
    }

    @Test("AveragePool matches the reference kernel, counting padding or not",
          arguments: 0..<windows.count, [0, 1])
    func averagePool(index: Int, countIncludePad: Int) throws {
        var generator = SeededGenerator(seed: 52)
        var (shape, attributes) = Self.windows[index]
        attributes["count_include_pad"] = .int(countIncludePad)
        let node = DNNLHarness.node("AveragePool", inputs: 1, attributes: attributes)
        let inputs: [Tensor?] = [generator.tensor(shape)]
        if countIncludePad == 1 && attributes["ceil_mode"] != nil {
            // Counting padding that ceil_mode adds is left to the reference kernel.
            let (actual, kernel) = try DNNLHarness.runDNNL(node, opset: 19, inputs: inputs)
            #expect(kernel.implementationNames.isEmpty)
            #expect(DNNLHarness.maxError(actual, try DNNLHarness.runReference(node, opset: 19, inputs: inputs)) == 0)
        } else {
            try DNNLHarness.check(node, opset: 19, inputs: inputs)
        }
    }

    @Test("MaxPool with an Indices output is left to the reference kernel")
    func indices() {
        let node = Node(opType: "MaxPool", inputs: ["x"], outputs: ["y", "i"], attributes: ["kernel_shape": .ints([2, 2])])
        #expect(DNNLKernels.kernel(for: node, opset: 12) == nil)
    }

    /// ONNX Runtime's QDQ YOLOv8 pools bytes (its SPPF's MaxPools sit between a QuantizeLinear
    /// and a DequantizeLinear); oneDNN has 8-bit pooling kernels for channels-last data only.
    @Test("MaxPool on plain bytes runs oneDNN's 8-bit kernel on them reordered channels-last",
          arguments: [DataType.uint8, .int8])
    func bytes(type: DataType) throws {
        var generator = SeededGenerator(seed: 54)
        let shape = [2, 24, 10, 10]
        let floats = generator.tensor(shape, in: -128...127).scalars(as: Float.self).map { $0.rounded() }
        let x = type == .uint8 ? Tensor(shape: shape, scalars: floats.map { UInt8($0 + 128) })
            : Tensor(shape: shape, scalars: floats.map { Int8($0) })
        let node = DNNLHarness.node("MaxPool", inputs: 1,
                                    attributes: ["kernel_shape": .ints([5, 5]), "pads": .ints([2, 2, 2, 2])])
        let (actual, kernel) = try DNNLHarness.runDNNL(node, opset: 12, inputs: [x])
        #expect(kernel.implementationNames.contains { $0.hasPrefix("jit_int") }, "\(kernel.implementationNames)")
        let expected = try DNNLHarness.runReference(node, opset: 12, inputs: [x])
        #expect(actual.dataType == type)
        #expect(actual.shape == expected.shape)
        if type == .uint8 {
            #expect(actual.scalars(as: UInt8.self) == expected.scalars(as: UInt8.self))
        } else {
            #expect(actual.scalars(as: Int8.self) == expected.scalars(as: Int8.self))
        }
    }

    @Test("GlobalAveragePool and GlobalMaxPool match the reference kernel", arguments: ["GlobalAveragePool", "GlobalMaxPool"])
    func global(opType: String) throws {
        var generator = SeededGenerator(seed: 53)
        for shape in [[1, 3, 7, 7], [2, 16, 5, 4], [1, 4, 9], [1, 2, 3, 4, 5]] {
            try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1), opset: 1, inputs: [generator.tensor(shape)])
        }
    }
}
