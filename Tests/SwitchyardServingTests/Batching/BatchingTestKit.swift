import Foundation
import Logging
import Synchronization
import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardServing

/// Every batching suite runs inside this one, one test at a time: the tests assert timings and
/// orderings, and parallel tests would starve each other's threads on a small machine.
@Suite(.serialized) enum BatchingSuites {}

/// Models, configs and inputs for the batcher tests.
enum BatchingTestKit {
    static let logger = Logger(label: "switchyard.tests.batching")

    static var modelsDirectory: String {
        var url = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardServingTests/Batching/BatchingTestKit.swift
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/models"
    }

    /// The PP-OCR direction classifier (input x [?, 3, 48, 192]), if the setup script fetched it.
    static var classifierPath: String? {
        ["cls.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"].map { modelsDirectory + "/" + $0 }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// y = relu(x · w + b), z = x · v: x [N, 4] → y [N, 3], z [N, 2]. Each output row depends
    /// only on its input row, so rows mixed up between requests show at once.
    static func rowModel(seed: UInt64 = 7) throws -> LoadedModel {
        var generator = SplitMix64(seed: seed)
        let graph = Graph(
            nodes: [
                Node(name: "mm", opType: "MatMul", inputs: ["x", "w"], outputs: ["m"]),
                Node(name: "add", opType: "Add", inputs: ["m", "b"], outputs: ["a"]),
                Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["y"]),
                Node(name: "mm2", opType: "MatMul", inputs: ["x", "v"], outputs: ["z"]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(4)])],
            outputs: [ValueInfo(name: "y"), ValueInfo(name: "z")],
            initializers: ["w": tensor([4, 3], &generator), "b": tensor([3], &generator), "v": tensor([4, 2], &generator)])
        return try LoadedModel(model: Model(opsetImports: ["": 17], graph: graph))
    }

    /// Width of the slow model's rows.
    static let slowWidth = 1024

    /// A model whose cost follows its input: x [N, L, 1024] through `layers` MatMul+Relu with
    /// one shared 1024×1024 weight, so a request of length L costs L times one of length 1.
    /// Requests of different lengths never share a batch.
    static func slowModel(layers: Int = 16) throws -> LoadedModel {
        let count = slowWidth * slowWidth
        // A fixed pattern in ±1/64: quick to make in debug builds, and activations stay finite.
        let pattern: [Float] = (0..<count).map { (index: Int) -> Float in
            let step = Float((index &* 7919) % 2003) / 2003
            return step / 32 - 1 / 64
        }
        let weights = Tensor(shape: [slowWidth, slowWidth], scalars: pattern)
        var nodes: [Node] = []
        var previous = "x"
        for layer in 0..<layers {
            nodes.append(Node(name: "mm\(layer)", opType: "MatMul", inputs: [previous, "w"], outputs: ["m\(layer)"]))
            nodes.append(Node(name: "relu\(layer)", opType: "Relu", inputs: ["m\(layer)"], outputs: ["r\(layer)"]))
            previous = "r\(layer)"
        }
        nodes.append(Node(name: "out", opType: "Identity", inputs: [previous], outputs: ["y"]))
        let input = ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .symbolic("L"), .fixed(slowWidth)])
        let graph = Graph(nodes: nodes, inputs: [input], outputs: [ValueInfo(name: "y")], initializers: ["w": weights])
        return try LoadedModel(model: Model(opsetImports: ["": 17], graph: graph))
    }

    /// One item of length `length` for the slow model.
    static func slowInput(length: Int, _ generator: inout SplitMix64) -> Tensor {
        tensor([1, length, slowWidth], &generator)
    }

    /// A config for `model` as the repository would complete it: inputs and outputs from the
    /// model (without the batch dim when `maxBatchSize` > 0).
    static func config(for model: LoadedModel, name: String, maxBatchSize: Int,
                       batching: Inference_ModelDynamicBatching? = Inference_ModelDynamicBatching(),
                       instances: Int = 1, parameters: [String: String] = [:]) -> Inference_ModelConfig {
        var config = Inference_ModelConfig()
        config.name = name
        config.platform = "onnxruntime_onnx"
        config.maxBatchSize = Int32(maxBatchSize)
        config.input = model.inputs.map { info in
            var input = Inference_ModelInput()
            input.name = info.name
            input.dataType = .typeFp32
            let dims = (info.shape ?? []).map { Int64($0.fixedValue ?? -1) }
            input.dims = maxBatchSize > 0 ? Array(dims.dropFirst()) : dims
            return input
        }
        config.output = model.outputs.map { info in
            var output = Inference_ModelOutput()
            output.name = info.name
            output.dataType = .typeFp32
            return output
        }
        if let batching { config.dynamicBatching = batching }
        var group = Inference_ModelInstanceGroup()
        group.kind = .cpu
        group.count = Int32(instances)
        config.instanceGroup = [group]
        for (key, value) in parameters {
            var parameter = Inference_ModelParameter()
            parameter.stringValue = value
            config.parameters[key] = parameter
        }
        return config
    }

    static func batching(delayMicroseconds: UInt64 = 0, preferred: [Int32] = [], preserveOrdering: Bool = false,
                         priorityLevels: UInt64 = 0, defaultPriority: UInt64 = 0,
                         queuePolicy: Inference_ModelQueuePolicy? = nil) -> Inference_ModelDynamicBatching {
        var batching = Inference_ModelDynamicBatching()
        batching.maxQueueDelayMicroseconds = delayMicroseconds
        batching.preferredBatchSize = preferred
        batching.preserveOrdering = preserveOrdering
        batching.priorityLevels = priorityLevels
        batching.defaultPriorityLevel = defaultPriority
        if let queuePolicy { batching.defaultQueuePolicy = queuePolicy }
        return batching
    }

    /// Loads through `ServedModel.load`, so parallel tests never block the cooperative pool.
    static func serve(_ model: LoadedModel, _ config: Inference_ModelConfig, threads: Int = 1,
                      cores: [Int]? = nil) async throws(ServingError) -> ServedModel {
        try await ServedModel.load(name: config.name, version: 1, config: config, model: model, threadBudget: threads,
                                   cores: cores, logger: logger)
    }

    /// Uniform values in ±[0.1, 1]: never zero, so a dropped term always shows.
    static func floats(_ count: Int, _ generator: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in
            let magnitude = Float.random(in: 0.1...1, using: &generator)
            return Bool.random(using: &generator) ? magnitude : -magnitude
        }
    }

    static func tensor(_ shape: [Int], _ generator: inout SplitMix64) -> Tensor {
        Tensor(shape: shape, scalars: floats(shape.reduce(1, *), &generator))
    }

    static func request(_ model: String, _ x: Tensor, id: String = "", outputs: [String] = [],
                        priority: UInt64? = nil, timeout: UInt64? = nil) -> InferenceRequest {
        InferenceRequest(id: id, modelName: model, inputs: [NamedTensor(name: "x", tensor: x)],
                         requestedOutputs: outputs, priority: priority, timeoutMicroseconds: timeout)
    }

    static func maxRelativeError(_ got: Tensor, _ want: Tensor) -> Float {
        let (a, b) = (got.floats(), want.floats())
        guard a.count == b.count else { return .infinity }
        let scale = max(1e-3, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// Length of the slow model's blocking request: long enough to keep the instance busy well
    /// past the time a test needs to queue its other requests.
    static let blockerLength = 6_000

    /// Starts a long request on the slow model and returns once an instance has taken it (the
    /// queue is empty again and one request is pending).
    static func occupy(_ served: ServedModel, model: String) async throws -> Task<Result<InferenceResponse, ServingError>, Never> {
        // A constant input: random generation of this many values is slow in debug builds.
        let rows = Tensor(shape: [1, blockerLength, slowWidth], scalars: [Float](repeating: 0.5, count: blockerLength * slowWidth))
        let blocker = request(model, rows, id: "blocker")
        let task = Task { () -> Result<InferenceResponse, ServingError> in
            do throws(ServingError) { return .success(try await served.infer(blocker)) } catch { return .failure(error) }
        }
        let running = await waitUntil { served.pendingRequests == 1 && served.queuedRequests == 0 }
        try #require(running, "the blocking request never started")
        return task
    }

    /// Sends `requests` concurrently and returns each result by index.
    static func inferConcurrently(_ served: ServedModel, _ requests: [InferenceRequest]) async -> [Result<InferenceResponse, ServingError>] {
        await withTaskGroup(of: (Int, Result<InferenceResponse, ServingError>).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask {
                    do throws(ServingError) { return (index, .success(try await served.infer(request))) } catch { return (index, .failure(error)) }
                }
            }
            var results = [Result<InferenceResponse, ServingError>?](repeating: nil, count: requests.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// Waits (polling) until `condition` holds, at most `seconds`.
    static func waitUntil(seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
        return true
    }
}

/// Monotonic seconds for test timings.
func secondsNow() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
