import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ModelWriterTests {
    private func sampleModel() -> Model {
        var generator = SeededGenerator(seed: 42)
        let weights = Tensor(shape: [3, 2], scalars: generator.floats(6))
        let branch = Graph(name: "then", nodes: [Node(opType: "Identity", inputs: ["w"], outputs: ["t"])],
                           outputs: [ValueInfo(name: "t", dataType: .float32, shape: [.fixed(3), .fixed(2)])])
        let graph = Graph(
            name: "main",
            nodes: [
                Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "scale", "zero"], outputs: ["qx"],
                     attributes: ["axis": .int(1), "saturate": .int(1)]),
                Node(name: "if", opType: "If", inputs: ["flag"], outputs: ["y"],
                     attributes: ["then_branch": .graph(branch), "else_branch": .graph(branch),
                                  "floats": .floats([0.5, -1]), "ints": .ints([1, -2]), "names": .strings(["a", "b"]),
                                  "mode": .string("linear"), "alpha": .float(0.75), "value": .tensor(weights),
                                  "many": .tensors([weights]), "branches": .graphs([branch])]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("n"), .unknown]),
                     ValueInfo(name: "flag", dataType: .bool, shape: []),
                     ValueInfo(name: "items", dataType: .int64, shape: [.unknown], kind: .sequence(of: .tensor))],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil), ValueInfo(name: "qx", dataType: .uint8)],
            initializers: ["w": weights, "scale": Tensor(scalar: Float(0.02)), "zero": Tensor(scalar: UInt8(128)),
                           "labels": Tensor(shape: [2], strings: ["cat", "dög"]),
                           "half": Tensor(shape: [2], scalars: [Float16(1.5), Float16(-2)])],
            valueInfo: ["t": ValueInfo(name: "t", dataType: .float32)])
        return Model(irVersion: 9, opsetImports: ["": 19, "com.microsoft": 1], producerName: "switchyard",
                     producerVersion: "0.1", domain: "test", modelVersion: 2, docString: "quantized",
                     metadata: ["names": "{0: 'a'}", "stride": "32"], graph: graph)
    }

    @Test func roundTripsThroughTheLoader() throws {
        let original = sampleModel()
        let loaded = try ModelLoader.load(data: try ModelWriter.serialize(original), baseDirectory: nil)
        #expect(loaded.irVersion == 9 && loaded.opsetImports == original.opsetImports)
        #expect(loaded.producerName == "switchyard" && loaded.producerVersion == "0.1" && loaded.domain == "test")
        #expect(loaded.modelVersion == 2 && loaded.docString == "quantized" && loaded.metadata == original.metadata)
        #expect(loaded.graph.name == "main")
        #expect(loaded.graph.nodes.map(\.name) == ["q", "if"])
        #expect(loaded.graph.nodes[0].inputs == ["x", "scale", "zero"])
        #expect(loaded.graph.inputs.map(\.name) == ["x", "flag", "items"])
        #expect(loaded.graph.inputs[0].shape == [.symbolic("n"), .unknown])
        #expect(loaded.graph.inputs[1].shape == [])
        #expect(loaded.graph.inputs[2].kind == .sequence(of: .tensor) && loaded.graph.inputs[2].dataType == .int64)
        #expect(loaded.graph.outputs[0].shape == nil && loaded.graph.outputs[1].dataType == .uint8)
        #expect(loaded.graph.valueInfo["t"]?.dataType == .float32)
        for (name, tensor) in original.graph.initializers {
            let copy = try #require(loaded.graph.initializers[name])
            #expect(copy.dataType == tensor.dataType && copy.shape == tensor.shape, "\(name)")
            if tensor.dataType == .string {
                #expect(copy.strings == tensor.strings)
            } else {
                #expect(copy.withUnsafeBytes { Array($0) } == tensor.withUnsafeBytes { Array($0) }, "\(name)")
            }
        }
        let attributes = loaded.graph.nodes[1].attributes
        #expect(Set(attributes.keys) == Set(original.graph.nodes[1].attributes.keys))
        if case .graph(let then)? = attributes["then_branch"] {
            #expect(then.nodes.map(\.opType) == ["Identity"] && then.outputs[0].shape == [.fixed(3), .fixed(2)])
        } else { Issue.record("then_branch") }
        if case .strings(let names)? = attributes["names"], case .float(let alpha)? = attributes["alpha"],
           case .tensors(let many)? = attributes["many"], case .graphs(let branches)? = attributes["branches"],
           case .ints(let ints)? = attributes["ints"], case .string(let mode)? = attributes["mode"] {
            #expect(names == ["a", "b"] && alpha == 0.75 && ints == [1, -2] && mode == "linear")
            #expect(many.first?.scalars(as: Float.self) == original.graph.initializers["w"]?.scalars(as: Float.self))
            #expect(branches.map(\.name) == ["then"])
        } else { Issue.record("attributes: \(attributes)") }
    }

    @Test func serializationIsDeterministic() throws {
        let model = sampleModel()
        #expect(try ModelWriter.serialize(model) == (try ModelWriter.serialize(model)))
    }

    @Test func storesInitializersAsRawData() throws {
        let proto = try Onnx_ModelProto(serializedBytes: try ModelWriter.serialize(sampleModel()))
        let weights = try #require(proto.graph.initializer.first { $0.name == "w" })
        #expect(weights.rawData.count == 24 && weights.floatData.isEmpty)
    }
}
