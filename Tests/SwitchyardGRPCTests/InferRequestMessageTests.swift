import Foundation
import SwitchyardServing
import SwitchyardTensor
import Testing
@testable import SwitchyardGRPC

/// Decoding infer messages into service requests, without a server.
@Suite struct InferRequestMessageTests {
    @Test func typedContentsOfEveryIntegerWidthBecomeTheirType() throws {
        var message = Inference_ModelInferRequest()
        message.modelName = "m"
        message.modelVersion = "3"
        message.parameters["priority"] = .with { $0.uint64Param = 2 }
        message.parameters["timeout"] = .with { $0.int64Param = 5000 }
        message.inputs = [
            .with { $0.name = "a"; $0.datatype = "INT8"; $0.shape = [3]; $0.contents = .with { $0.intContents = [-128, 0, 127] } },
            .with { $0.name = "b"; $0.datatype = "UINT16"; $0.shape = [2]; $0.contents = .with { $0.uintContents = [0, 65535] } },
            .with { $0.name = "c"; $0.datatype = "BOOL"; $0.shape = [1, 2]; $0.contents = .with { $0.boolContents = [true, false] } },
            .with { $0.name = "d"; $0.datatype = "BYTES"; $0.shape = [2]
                    $0.contents = .with { $0.bytesContents = [Data("hi".utf8), Data([0xff, 0x00])] } },
        ]
        message.outputs = [.with { $0.name = "y" }]
        let request = try message.decoded()
        #expect(request.modelVersion == 3)
        #expect(request.priority == 2)
        #expect(request.timeoutMicroseconds == 5000)
        #expect(request.requestedOutputs == ["y"])
        #expect(request.inputs[0].tensor.scalars(as: Int8.self) == [-128, 0, 127])
        #expect(request.inputs[1].tensor.scalars(as: UInt16.self) == [0, 65535])
        #expect(request.inputs[2].tensor.shape == [1, 2])
        #expect(request.inputs[2].tensor.scalars(as: Bool.self) == [true, false])
        #expect(request.inputs[3].rawBytes == [Array("hi".utf8), [0xff, 0x00]])
    }

    @Test func anOutOfRangeTypedValueNamesItself() {
        var message = Inference_ModelInferRequest()
        message.modelName = "m"
        message.inputs = [.with { $0.name = "a"; $0.datatype = "INT8"; $0.shape = [1]; $0.contents = .with { $0.intContents = [300] } }]
        #expect(throws: ServingError.invalidArgument("input 'a': 300 in contents.int_contents is out of range for INT8")) {
            try message.decoded()
        }
    }

    @Test func rawBytesElementsAreFramedByLength() throws {
        var message = Inference_ModelInferRequest()
        message.modelName = "m"
        message.inputs = [.with { $0.name = "s"; $0.datatype = "BYTES"; $0.shape = [2] }]
        message.rawInputContents = [Data([2, 0, 0, 0, 0x61, 0x62, 1, 0, 0, 0, 0x63])]
        let request = try message.decoded()
        #expect(request.inputs[0].tensor.strings == ["ab", "c"])
    }

    @Test func responsesCarryEveryOutputAsRawBytes() {
        let response = InferenceResponse(id: "i", modelName: "m", modelVersion: 2, outputs: [
            NamedTensor(name: "f", tensor: Tensor(shape: [2], scalars: [Float(1.5), -2])),
            NamedTensor(name: "s", tensor: Tensor(shape: [1], strings: ["xyz"])),
        ])
        let message = Inference_ModelInferResponse(response)
        #expect(message.modelVersion == "2")
        #expect(message.outputs.map(\.datatype) == ["FP32", "BYTES"])
        #expect(message.rawOutputContents[0] == [Float(1.5), -2].withUnsafeBytes { Data($0) })
        #expect(message.rawOutputContents[1] == Data([3, 0, 0, 0, 0x78, 0x79, 0x7a]))
    }
}
