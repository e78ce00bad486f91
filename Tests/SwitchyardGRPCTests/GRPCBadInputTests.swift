import Foundation
import GRPCCore
import Testing
@testable import SwitchyardGRPC

/// Malformed infer messages get INVALID_ARGUMENT (or NOT_FOUND) with a message naming the
/// problem, and the server keeps serving.
@Suite struct GRPCBadInputTests {
    typealias Mutation = @Sendable (inout Inference_ModelInferRequest) -> Void

    static let cases: [(String, RPCError.Code, Mutation)] = [
        ("unknown model", .notFound, { $0.modelName = "nothing" }),
        ("version not a number", .invalidArgument, { $0.modelVersion = "latest" }),
        ("unknown datatype", .invalidArgument, { $0.inputs[0].datatype = "FLOAT" }),
        ("wrong datatype", .invalidArgument, { $0.inputs[0].datatype = "INT32" }),
        ("wrong shape", .invalidArgument, { $0.inputs[0].shape = [4, 2] }),
        ("negative dimension", .invalidArgument, { $0.inputs[0].shape = [-2, 4] }),
        ("bytes short of the shape", .invalidArgument, { $0.rawInputContents[0] = $0.rawInputContents[0].prefix(12) }),
        ("raw contents for some inputs only", .invalidArgument, { $0.rawInputContents.append(Data(count: 16)) }),
        ("no data at all", .invalidArgument, { $0.rawInputContents = [] }),
        ("both raw and typed", .invalidArgument, { $0.inputs[0].contents = .with { $0.fp32Contents = [1, 2, 3, 4, 5, 6, 7, 8] } }),
        ("typed count short", .invalidArgument, {
            $0.rawInputContents = []
            $0.inputs[0].contents = .with { $0.fp32Contents = [1, 2, 3] }
        }),
        ("FP16 as typed contents", .invalidArgument, {
            $0.rawInputContents = []
            $0.inputs[0].datatype = "FP16"
            $0.inputs[0].contents = .with { $0.fp32Contents = [1, 2, 3, 4, 5, 6, 7, 8] }
        }),
        ("unknown input", .invalidArgument, { $0.inputs[0].name = "z" }),
        ("unknown output", .invalidArgument, { $0.outputs = [.with { $0.name = "nope" }] }),
        ("batch over max_batch_size", .invalidArgument, {
            $0.inputs[0].shape = [64, 4]
            $0.rawInputContents = [Data(count: 64 * 4 * 4)]
        }),
        ("negative timeout", .invalidArgument, { $0.parameters["timeout"] = .with { $0.int64Param = -1 } }),
        ("shared memory", .invalidArgument, { $0.inputs[0].parameters["shared_memory_region"] = .with { $0.stringParam = "r" } }),
    ]

    @Test func eachBadRequestIsRefusedAndTheServerGoesOn() async throws {
        let kit = GRPCTestKit(seed: 11)
        let (good, x) = GRPCTestKit.request(rows: 2, seed: 12)
        let expected = kit.affine.expected(x)
        try await kit.withClient { client in
            for (label, code, mutate) in Self.cases {
                var message = good
                mutate(&message)
                var answer: (code: RPCError.Code, message: String)?
                do {
                    _ = try await client.modelInfer(message)
                } catch let error as RPCError {
                    answer = (error.code, error.message)
                }
                #expect(answer?.code == code, "\(label): \(String(describing: answer))")
                #expect(answer?.message.isEmpty == false, "\(label)")
                let values = GRPCTestKit.values(try await client.modelInfer(good))
                #expect(zip(values, expected).allSatisfy { abs($0 - $1) <= 1e-4 }, "after \(label)")
            }
        }
    }
}
