import Testing
import SwitchyardGraph
import SwitchyardTensor
import CDNNL
@testable import SwitchyardEngine

/// `QuantizedLookup` inside a oneDNN region reads the 8-bit output of an int8 convolution in the
/// layout oneDNN chose for it and gives, byte for byte, what the reference lookup gives on that
/// convolution's output; a chain of convolutions and lookups is one region.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedLookupRegionTests {
    typealias Kit = QuantizationTestKit

    /// 2×16×9×9 outputs: 2,592 bytes, not a multiple of the 64 a vector step reads.
    static let channels = 8, outputs = 16, side = 9

    /// QLinearConv `name` (3×3, pads 1) reading `input` (quantized with `zx`), writing `output`
    /// with the zero point initializer `zy` (its type is the output's).
    static func conv(_ name: String, _ input: String, _ output: String, inputChannels: Int, zx: String, zy: String,
                     into initializers: inout [String: Tensor], _ generator: inout SeededGenerator) -> Node {
        initializers["w_\(name)"] = QuantizedKernelTestKit.weights([outputs, inputChannels, 3, 3], &generator)
        initializers["sw_\(name)"] = Kit.scales([outputs], in: 0.002...0.01, using: &generator)
        initializers["zw_\(name)"] = Tensor(dataType: .int8, shape: [outputs], int64s: Array(repeating: 0, count: outputs))
        initializers["s_\(name)"] = Tensor(scalar: Float(0.05))
        return Node(name: name, opType: "QLinearConv",
                    inputs: [input, "sx", zx, "w_\(name)", "sw_\(name)", "zw_\(name)", "s_\(name)", zy],
                    outputs: [output], attributes: ["pads": .ints([1, 1, 1, 1])])
    }

    static func lookup(_ name: String, _ inputs: [String], _ output: String, table: Tensor) -> Node {
        Node(name: name, opType: QuantizedLookupFusion.opType, domain: ReferenceKernels.switchyardDomain,
             inputs: inputs, outputs: [output], attributes: ["table": .tensor(table)])
    }

    /// A table of fresh random bytes: any misplaced element or misread sign bit shows.
    static func table(_ type: DataType, entries: Int, _ generator: inout SeededGenerator) -> Tensor {
        Kit.integers(type, [entries], in: type == .int8 ? -128...127 : 0...255, using: &generator)
    }

    /// Runs `nodes` as one region on oneDNN (expecting no fallback) and returns its outputs.
    static func runRegion(_ nodes: [Node], outputs: [String], x: Tensor, initializers: [String: Tensor]) throws -> [String: Tensor] {
        var graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", dataType: .float32, shape: x.shape.map { .fixed($0) })],
                          outputs: outputs.map { ValueInfo(name: $0) }, initializers: initializers)
        graph = DNNLRegionPartitioner.partition(graph, opsets: ["": 13, ReferenceKernels.switchyardDomain: 1])
        #expect(graph.nodes.map(\.opType) == [DNNLRegionPartitioner.opType], "\(graph.nodes.map(\.opType))")
        let region = try #require(graph.nodes.first)
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: initializers))
        let results = try kernel.run(region.inputs.map { $0 == "x" ? x : initializers[$0] })
        #expect(kernel.fallbackReason == nil, "\(kernel.fallbackReason ?? "")")
        return Dictionary(uniqueKeysWithValues: zip(region.outputs, results))
    }

    static func referenceLookup(_ node: Node, _ inputs: [Tensor]) throws -> Tensor {
        try QuantizedLookupKernel.run(OpContext(node: node, opset: 1, inputs: inputs))[0]
    }

    /// Elements that differ (the arrays themselves would flood a failure message).
    static func mismatches(_ actual: Tensor, _ expected: Tensor) -> Int {
        zip(actual.int64s(), expected.int64s()).filter { $0 != $1 }.count + abs(actual.count - expected.count)
    }

    @Test(arguments: [(DataType.uint8, DataType.uint8), (.int8, .uint8), (.uint8, .int8), (.int8, .int8)])
    func aLookupReadsTheConvolutionsLayout(convolutionType: DataType, tableType: DataType) throws {
        var generator = SeededGenerator(seed: 961)
        var initializers: [String: Tensor] = [
            "sx": Tensor(scalar: Float(0.02)), "zx": Tensor(dataType: .uint8, shape: [], int64s: [128]),
            "zy": Tensor(dataType: convolutionType, shape: [], int64s: [convolutionType == .int8 ? -10 : 120]),
        ]
        let quantize = Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "sx", "zx"], outputs: ["xq"])
        let conv = Self.conv("conv", "xq", "c", inputChannels: Self.channels, zx: "zx", zy: "zy", into: &initializers, &generator)
        let lookup = Self.lookup("lookup", ["c"], "y", table: Self.table(tableType, entries: 256, &generator))
        let x = generator.tensor([2, Self.channels, Self.side, Self.side], in: -2...2)

        let convolved = try Self.runRegion([quantize, conv], outputs: ["c"], x: x, initializers: initializers)["c"]!
        let actual = try Self.runRegion([quantize, conv, lookup], outputs: ["y"], x: x, initializers: initializers)["y"]!
        let expected = try Self.referenceLookup(lookup, [convolved])
        #expect(actual.dataType == tableType && actual.shape == expected.shape)
        #expect(Self.mismatches(actual, expected) == 0)
        #expect(Set(convolved.int64s()).count > 50, "the convolution's outputs should spread over many values")
    }

    /// A residual-style lookup of two convolutions' outputs (a 65,536-entry table), one of them
    /// int8 and one uint8, between convolutions: the whole chain is one region.
    @Test func aPairLookupBetweenConvolutionsMatchesTheReference() throws {
        var generator = SeededGenerator(seed: 962)
        var initializers: [String: Tensor] = [
            "sx": Tensor(scalar: Float(0.02)), "zx": Tensor(dataType: .uint8, shape: [], int64s: [128]),
            "zu": Tensor(dataType: .uint8, shape: [], int64s: [120]), "zs": Tensor(dataType: .int8, shape: [], int64s: [-10]),
        ]
        let quantize = Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "sx", "zx"], outputs: ["xq"])
        let first = Self.conv("first", "xq", "a", inputChannels: Self.channels, zx: "zx", zy: "zu", into: &initializers, &generator)
        let second = Self.conv("second", "xq", "b", inputChannels: Self.channels, zx: "zx", zy: "zs", into: &initializers, &generator)
        let pair = Self.lookup("pair", ["a", "b"], "sum", table: Self.table(.uint8, entries: 65_536, &generator))
        let after = Self.conv("after", "sum", "y", inputChannels: Self.outputs, zx: "zx", zy: "zu", into: &initializers, &generator)
        let x = generator.tensor([2, Self.channels, Self.side, Self.side], in: -2...2)

        let convolved = try Self.runRegion([quantize, first, second], outputs: ["a", "b"], x: x, initializers: initializers)
        let actual = try Self.runRegion([quantize, first, second, pair, after], outputs: ["sum", "y"], x: x, initializers: initializers)
        let expected = try Self.referenceLookup(pair, [convolved["a"]!, convolved["b"]!])
        #expect(Self.mismatches(actual["sum"]!, expected) == 0)
        #expect(actual["y"]!.shape == [2, Self.outputs, Self.side, Self.side])
    }
}

/// The byte-table loop: the AVX-512 VBMI path (where the CPU has it) gives what the portable
/// loop gives, for lengths around its 64-byte steps and in place.
@Suite struct ByteLookupTests {
    @Test(arguments: [1, 63, 64, 65, 200, 4099])
    func theVectorPathMatchesThePortableLoop(count: Int) {
        var generator = SeededGenerator(seed: 970 + UInt64(count))
        let table = (0..<256).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var portable = [UInt8](repeating: 0, count: count)
        var dispatched = [UInt8](repeating: 0, count: count + 1)  // one byte past the end must stay
        dispatched[count] = 0xA5
        switchyard_lookup8_scalar(input, &portable, count, table)
        dispatched.withUnsafeMutableBufferPointer { switchyard_lookup8(input, $0.baseAddress!, count, table) }
        #expect(Array(dispatched.prefix(count)) == portable)
        #expect(dispatched[count] == 0xA5)
        #expect(portable == input.map { table[Int($0)] })
        var inPlace = input
        inPlace.withUnsafeMutableBufferPointer { switchyard_lookup8($0.baseAddress!, $0.baseAddress!, count, table) }
        #expect(inPlace == portable)
    }
}
