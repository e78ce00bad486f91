import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardTensor

/// Bad files give an `ONNXError` that says what is wrong; none may crash the process.
@Suite struct BadInputTests {
    private var goodModel: Onnx_ModelProto {
        var generator = SeededGenerator(seed: 3)
        let graph = Proto.graph(nodes: [Proto.node("Gemm", ["x", "w", "b"], ["y"], attributes: [Proto.attribute("transB", int: 1)]),
                                        Proto.node("Relu", ["y"], ["z"])],
                                inputs: [Proto.value("x", .float32, ["n", 8])], outputs: [Proto.value("z", .float32, ["n", 4])],
                                initializers: [Proto.floats("w", [4, 8], generator.floats(32)), Proto.floats("b", [4], generator.floats(4))])
        return Proto.model(graph)
    }

    private func withFile(_ data: Data, _ body: (String) -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-bad-\(UUID()).onnx").path
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        body(path)
    }

    private func fileError(_ path: String) -> String {
        do {
            _ = try ModelLoader.load(path: path)
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func emptyTextAndMissingFiles() throws {
        try withFile(Data()) { #expect(fileError($0).contains("is not an ONNX model: the file is empty")) }
        try withFile(Data("name,age\nada,36\nalan,41\n".utf8)) { #expect(fileError($0).contains("is not an ONNX model")) }
        #expect(fileError("/nonexistent/model.onnx").contains("cannot read /nonexistent/model.onnx: No such file"))
        #expect(fileError(FileManager.default.temporaryDirectory.path).contains("it is a directory"))
    }

    @Test func truncatedModelsAtEveryLength() throws {
        let bytes = Proto.bytes(goodModel)
        var generator = SeededGenerator(seed: 17)
        let cuts = [1, 2, 5, bytes.count / 2, bytes.count - 1] + (0..<40).map { _ in Int.random(in: 1..<bytes.count, using: &generator) }
        for cut in cuts {
            let message = loadError(bytes.prefix(cut))
            #expect(message != "loaded", "cut at \(cut)")
        }
        #expect(loadError(bytes.prefix(bytes.count - 1)).contains("truncated"))
    }

    @Test func randomBytesAndFlippedBytesNeverCrash() throws {
        var generator = SeededGenerator(seed: 99)
        for length in [1, 3, 16, 100, 1000, 5000] {
            for _ in 0..<20 {
                let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
                #expect(loadError(bytes) != "loaded")
            }
        }
        // Mutated valid models may or may not load; they must never crash.
        let good = [UInt8](Proto.bytes(goodModel))
        var outcomes = Set<Bool>()
        for _ in 0..<400 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            outcomes.insert(loadError(Data(bytes)) == "loaded")
        }
        #expect(outcomes.contains(false))
    }

    @Test func protobufsThatAreNotModels() throws {
        // A tensor file (test_data_set_0/input_0.pb) parses as protobuf but is no model.
        let tensor = try Proto.floats("x", [2, 2], [1, 2, 3, 4]).serializedBytes() as Data
        #expect(loadError(tensor).contains("is not an ONNX model: it holds a single tensor"))
        var entry = Onnx_StringStringEntryProto()
        entry.key = "k"
        #expect(loadError(try entry.serializedBytes()).contains("no ir_version, graph or opset_import"))
        var noGraph = goodModel
        noGraph.clearGraph()
        #expect(loadError(Proto.bytes(noGraph)).contains("it has no graph"))
        var noIR = goodModel
        noIR.clearIrVersion()
        #expect(loadError(Proto.bytes(noIR)).contains("no ir_version"))
        var noOpset = goodModel
        noOpset.opsetImport = []
        #expect(loadError(Proto.bytes(noOpset)).contains("has no opset_import"))
    }

    @Test func versionsOutsideTheSupportedRange() {
        var model = goodModel
        model.irVersion = 15
        #expect(loadError(Proto.bytes(model)).contains("IR version 15, newer than the newest this build reads (14"))
        model.irVersion = 2
        #expect(loadError(Proto.bytes(model)).contains("IR version 2"))
        model.irVersion = 8
        model.opsetImport = [Proto.opsetID("", 29)]
        #expect(loadError(Proto.bytes(model)).contains("opset 29 of the default ONNX domain; Switchyard supports opsets 7 to 28"))
        model.opsetImport = [Proto.opsetID("", 6)]
        #expect(loadError(Proto.bytes(model)).contains("opset 6"))
        model.opsetImport = [Proto.opsetID("", 28)]
        #expect(loadError(Proto.bytes(model)) == "loaded")
        model.irVersion = 14
        #expect(loadError(Proto.bytes(model)) == "loaded")
    }

    @Test func brokenGraphs() {
        var noOpType = goodModel
        noOpType.graph.node[1].opType = ""
        #expect(loadError(Proto.bytes(noOpType)).contains("node #1 has no op_type"))
        var badSize = goodModel
        badSize.graph.initializer[1].floatData = [1, 2, 3]
        #expect(loadError(Proto.bytes(badSize)).contains("initializer 'b' has dims [4] (4 elements) but float_data holds 3"))
        var badType = goodModel
        badType.graph.initializer[0].dataType = 77
        #expect(loadError(Proto.bytes(badType)).contains("unknown data type code 77"))
        var badDeclared = goodModel
        badDeclared.graph.input[0].type.tensorType.elemType = 40
        #expect(loadError(Proto.bytes(badDeclared)).contains("input 'x' has unknown data type code 40"))
        var duplicate = goodModel
        duplicate.graph.initializer.append(duplicate.graph.initializer[0])
        #expect(loadError(Proto.bytes(duplicate)).contains("two initializers are named 'w'"))
        var undeclaredDomain = goodModel
        undeclaredDomain.graph.node[1].domain = "com.example"
        #expect(loadError(Proto.bytes(undeclaredDomain)).contains("uses domain 'com.example', which the model's opset_import does not list"))
    }
}
