import Foundation
import GRPCCore
import Synchronization
import Testing
@testable import SwitchyardGRPC

/// `ModelStreamInfer`: requests in flight together on one stream each get their own answer,
/// matched by id; a failing one answers with `error_message` and the others still succeed.
@Suite struct GRPCStreamTests {
    @Test func everyRequestOnAStreamGetsItsOwnAnswer() async throws {
        let kit = GRPCTestKit(seed: 21)
        let requests = (0..<8).map { index in GRPCTestKit.request(rows: 1 + index % 3, seed: UInt64(100 + index), id: "s\(index)") }
        var broken = requests[5].message
        broken.inputs[0].shape = [9, 9]
        let messages = requests.map(\.message).enumerated().map { $0.offset == 5 ? broken : $0.element }

        let answers = try await kit.withClient { client in
            try await client.modelStreamInfer(requestProducer: { writer in
                try await writer.write(contentsOf: messages)
            }, onResponse: { response in
                var answers: [Inference_ModelStreamInferResponse] = []
                for try await message in response.messages {
                    answers.append(message)
                    if answers.count == messages.count { break }
                }
                return answers
            })
        }
        #expect(answers.count == 8)
        let byID = Dictionary(uniqueKeysWithValues: answers.map { ($0.inferResponse.id, $0) })
        for (index, request) in requests.enumerated() {
            let answer = try #require(byID["s\(index)"])
            if index == 5 {
                #expect(!answer.errorMessage.isEmpty)
                continue
            }
            #expect(answer.errorMessage.isEmpty)
            let values = GRPCTestKit.values(answer.inferResponse)
            let expected = kit.affine.expected(request.x)
            #expect(values.count == expected.count)
            #expect(zip(values, expected).allSatisfy { abs($0 - $1) <= 1e-4 })
        }
    }
}
