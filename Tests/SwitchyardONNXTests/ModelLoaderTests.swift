import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ModelLoaderTests {
    /// Conv (weights in float_data, bias in raw_data) followed by Relu.
    private func convRelu(weights: [Float], bias: [Float]) -> Onnx_ModelProto {
        let conv = Proto.node("Conv", ["x", "w", "b"], ["y"], name: "conv1", attributes: [
            Proto.attribute("kernel_shape", ints: [3, 3]), Proto.attribute("pads", ints: [1, 1, 1, 1]),
            Proto.attribute("group", int: 1),
        ])
        let relu = Proto.node("Relu", ["y"], ["z"], name: "relu1")
        let biasBytes = bias.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
        var graph = Proto.graph("conv_relu", nodes: [conv, relu],
                                inputs: [Proto.value("x", .float32, ["batch", 2, nil, 5])],
                                outputs: [Proto.value("z", .float32, ["batch", 4, nil, 5])],
                                initializers: [Proto.floats("w", [4, 2, 3, 3], weights),
                                               Proto.raw("b", .float32, [4], biasBytes)])
        graph.valueInfo = [Proto.value("y", .float32, ["batch", 4, nil, 5])]
        var model = Proto.model(graph, ir: 9, opset: 19)
        var entry = Onnx_StringStringEntryProto()
        entry.key = "names"
        entry.value = "{0: 'cat', 1: 'dog'}"
        model.metadataProps = [entry]
        model.producerVersion = "1.2"
        model.modelVersion = 3
        return model
    }

    @Test func loadsConvReluWithInitializers() throws {
        var generator = SeededGenerator(seed: 11)
        let weights = generator.floats(72)
        let bias = generator.floats(4)
        let model = try ModelLoader.load(data: Proto.bytes(convRelu(weights: weights, bias: bias)), baseDirectory: nil)

        #expect(model.irVersion == 9)
        #expect(model.opsetImports == ["": 19])
        #expect(model.producerName == "switchyard-tests" && model.producerVersion == "1.2" && model.modelVersion == 3)
        #expect(model.metadata == ["names": "{0: 'cat', 1: 'dog'}"])
        let graph = model.graph
        #expect(graph.name == "conv_relu")
        #expect(graph.nodes.map(\.opType) == ["Conv", "Relu"])
        #expect(graph.nodes[0].inputs == ["x", "w", "b"] && graph.nodes[0].outputs == ["y"])
        guard case .ints(let kernel)? = graph.nodes[0].attributes["kernel_shape"],
              case .int(let group)? = graph.nodes[0].attributes["group"] else {
            Issue.record("Conv attributes missing: \(graph.nodes[0].attributes)")
            return
        }
        #expect(kernel == [3, 3] && group == 1)
        #expect(graph.initializers["w"]?.shape == [4, 2, 3, 3])
        #expect(graph.initializers["w"]?.scalars(as: Float.self) == weights)
        #expect(graph.initializers["b"]?.scalars(as: Float.self) == bias)
        #expect(graph.inputs.map(\.name) == ["x"])
        #expect(graph.inputs[0].dataType == .float32)
        #expect(graph.inputs[0].shape == [.symbolic("batch"), .fixed(2), .unknown, .fixed(5)])
        #expect(graph.outputs[0].shape == [.symbolic("batch"), .fixed(4), .unknown, .fixed(5)])
        #expect(graph.valueInfo["y"]?.kind == .tensor)
    }

    @Test func dropsInitializersListedAsInputs() throws {
        // IR 3 files list every initializer among the graph inputs too.
        let graph = Proto.graph(nodes: [Proto.node("Add", ["x", "c"], ["y"])],
                                inputs: [Proto.value("x", .float32, [2]), Proto.value("c", .float32, [2])],
                                outputs: [Proto.value("y", .float32, [2])],
                                initializers: [Proto.floats("c", [2], [1, 2])])
        let model = try ModelLoader.load(data: Proto.bytes(Proto.model(graph, ir: 3, opset: 8)), baseDirectory: nil)
        #expect(model.graph.inputs.map(\.name) == ["x"])
        #expect(model.graph.initializers["c"]?.scalars(as: Float.self) == [1, 2])
    }

    @Test func loadsIfWithSubgraphsRecursively() throws {
        let thenBranch = Proto.graph("then", nodes: [Proto.node("Add", ["x", "one"], ["t"])],
                                     outputs: [Proto.value("t", .float32, [2])],
                                     initializers: [Proto.floats("one", [], [1])])
        let innerIf = Proto.node("If", ["flag"], ["e"], attributes: [
            Proto.attribute("then_branch", graph: Proto.graph("inner_then", nodes: [Proto.node("Neg", ["x"], ["n"])],
                                                             outputs: [Proto.value("n", .float32, [2])])),
            Proto.attribute("else_branch", graph: Proto.graph("inner_else", nodes: [Proto.node("Abs", ["x"], ["a"])],
                                                             outputs: [Proto.value("a", .float32, [2])])),
        ])
        let elseBranch = Proto.graph("else", nodes: [innerIf], outputs: [Proto.value("e", .float32, [2])])
        let node = Proto.node("If", ["flag"], ["y"], attributes: [
            Proto.attribute("then_branch", graph: thenBranch), Proto.attribute("else_branch", graph: elseBranch),
        ])
        let graph = Proto.graph(nodes: [node], inputs: [Proto.value("flag", .bool, []), Proto.value("x", .float32, [2])],
                                outputs: [Proto.value("y", .float32, [2])])
        let model = try ModelLoader.load(data: Proto.bytes(Proto.model(graph)), baseDirectory: nil)
        guard case .graph(let then)? = model.graph.nodes[0].attributes["then_branch"],
              case .graph(let otherwise)? = model.graph.nodes[0].attributes["else_branch"] else {
            Issue.record("If branches missing")
            return
        }
        #expect(then.name == "then" && then.nodes.map(\.opType) == ["Add"])
        #expect(then.initializers["one"]?.shape == [])
        #expect(then.initializers["one"]?.scalars(as: Float.self) == [1])
        #expect(then.outputs.map(\.name) == ["t"])
        #expect(otherwise.nodes.map(\.opType) == ["If"])
        #expect(model.graph.allNodes().map(\.opType).sorted() == ["Abs", "Add", "If", "If", "Neg"])
    }

    @Test func decodesEveryAttributeType() throws {
        func attribute(_ name: String, _ build: (inout Onnx_AttributeProto) -> Void) -> Onnx_AttributeProto {
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            build(&attribute)
            return attribute
        }
        var sparse = Onnx_SparseTensorProto()
        sparse.dims = [2, 3]
        sparse.values = Proto.floats("", [2], [5, 7])
        var indices = Onnx_TensorProto()
        indices.dataType = DataType.int64.rawValue
        indices.dims = [2, 2]
        indices.int64Data = [0, 1, 1, 2]
        sparse.indices = indices
        let attributes = [
            attribute("f") { $0.type = .float; $0.f = 0.25 },
            attribute("i") { $0.type = .int; $0.i = -3 },
            attribute("s") { $0.type = .string; $0.s = Data("héllo".utf8) },
            attribute("t") { $0.type = .tensor; $0.t = Proto.floats("", [2], [1, 2]) },
            attribute("st") { $0.type = .sparseTensor; $0.sparseTensor = sparse },
            attribute("g") { $0.type = .graph; $0.g = Proto.graph("sub", nodes: [Proto.node("Identity", ["x"], ["y"])]) },
            attribute("fs") { $0.type = .floats; $0.floats = [1.5, -2] },
            attribute("is") { $0.type = .ints; $0.ints = [4, 5, -6] },
            attribute("ss") { $0.type = .strings; $0.strings = [Data("a".utf8), Data("bc".utf8)] },
            attribute("ts") { $0.type = .tensors; $0.tensors = [Proto.floats("", [1], [9])] },
            attribute("gs") { $0.type = .graphs; $0.graphs = [Proto.graph("a", nodes: []), Proto.graph("b", nodes: [])] },
            // Written without `type`, as files from before IR 3 do.
            attribute("untyped") { $0.i = 42 },
        ]
        let graph = Proto.graph(nodes: [Proto.node("Custom", [], ["y"], domain: "test.domain", attributes: attributes)])
        let model = try ModelLoader.load(data: Proto.bytes(Proto.model(graph, extraOpsets: ["test.domain": 1])), baseDirectory: nil)
        let loaded = model.graph.nodes[0].attributes
        #expect(model.graph.nodes[0].domain == "test.domain")
        #expect(loaded.count == attributes.count)
        var checked = 0
        for (name, value) in loaded {
            switch (name, value) {
            case ("f", .float(let v)): #expect(v == 0.25)
            case ("i", .int(let v)): #expect(v == -3)
            case ("s", .string(let v)): #expect(v == "héllo")
            case ("t", .tensor(let v)): #expect(v.scalars(as: Float.self) == [1, 2])
            case ("st", .tensor(let v)):
                #expect(v.shape == [2, 3])
                #expect(v.scalars(as: Float.self) == [0, 5, 0, 0, 0, 7])
            case ("g", .graph(let v)): #expect(v.nodes.map(\.opType) == ["Identity"])
            case ("fs", .floats(let v)): #expect(v == [1.5, -2])
            case ("is", .ints(let v)): #expect(v == [4, 5, -6])
            case ("ss", .strings(let v)): #expect(v == ["a", "bc"])
            case ("ts", .tensors(let v)): #expect(v.map { $0.scalars(as: Float.self) } == [[9]])
            case ("gs", .graphs(let v)): #expect(v.map(\.name) == ["a", "b"])
            case ("untyped", .int(let v)): #expect(v == 42)
            default: Issue.record("attribute \(name) decoded as \(value.typeName)")
            }
            checked += 1
        }
        #expect(checked == attributes.count)
    }

    @Test func densifiesSparseInitializersWithLinearIndices() throws {
        var sparse = Onnx_SparseTensorProto()
        sparse.dims = [2, 2]
        sparse.values = Proto.raw("s", .int32, [2], [3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        var indices = Onnx_TensorProto()
        indices.dataType = DataType.int64.rawValue
        indices.dims = [2]
        indices.int64Data = [1, 3]
        sparse.indices = indices
        var graph = Proto.graph(nodes: [Proto.node("Identity", ["s"], ["y"])])
        graph.sparseInitializer = [sparse]
        let model = try ModelLoader.load(data: Proto.bytes(Proto.model(graph)), baseDirectory: nil)
        #expect(model.graph.initializers["s"]?.scalars(as: Int32.self) == [0, 3, 0, -1])

        sparse.indices.int64Data = [1, 4]
        graph.sparseInitializer = [sparse]
        #expect(loadError(Proto.bytes(Proto.model(graph))).contains("linear index 4 is outside dims [2, 2]"))

        // A few values in a huge declared shape are refused, not allocated.
        sparse.dims = [1 << 20, 1 << 20]
        sparse.indices.int64Data = [0, 1]
        graph.sparseInitializer = [sparse]
        #expect(loadError(Proto.bytes(Proto.model(graph))).contains("bytes once dense"))
    }

    @Test func declaresSequenceMapAndOptionalKinds() throws {
        var sequence = Onnx_ValueInfoProto()
        sequence.name = "seq"
        sequence.type.sequenceType.elemType = Proto.value("", .int64, [nil]).type
        var map = Onnx_ValueInfoProto()
        map.name = "map"
        map.type.mapType.keyType = DataType.string.rawValue
        map.type.mapType.valueType = Proto.value("", .float32, []).type
        var optional = Onnx_ValueInfoProto()
        optional.name = "opt"
        optional.type.optionalType.elemType = sequence.type
        let graph = Proto.graph(nodes: [Proto.node("Identity", ["seq"], ["out"])], inputs: [sequence, map, optional])
        let model = try ModelLoader.load(data: Proto.bytes(Proto.model(graph)), baseDirectory: nil)
        #expect(model.graph.inputs.map(\.kind) == [.sequence(of: .tensor), .map(key: .string, value: .tensor),
                                                  .optional(of: .sequence(of: .tensor))])
        #expect(model.graph.inputs[0].dataType == .int64)
        #expect(model.graph.inputs[0].shape == [.unknown])
    }

    @Test func loadsFromAFileAndAcceptsTheAiOnnxDomainName() throws {
        var model = Proto.model(Proto.graph(nodes: [Proto.node("Relu", ["x"], ["y"], domain: "ai.onnx")]))
        model.opsetImport = [Proto.opsetID("ai.onnx", 13)]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Proto.bytes(model).write(to: URL(fileURLWithPath: path))
        let loaded = try ModelLoader.load(path: path)
        #expect(loaded.opsetImports == ["": 13])
        #expect(loaded.defaultOpset == 13)
        #expect(loaded.graph.nodes[0].domain == "")
    }
}
