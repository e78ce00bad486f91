import SwitchyardEngine
import SwitchyardTensor

/// Runs one batch on an instance's session and answers each of its requests: assembles the
/// inputs, runs the engine, splits the outputs per request, records statistics.
///
/// When a merged batch fails, its requests run again one by one, so a request the engine
/// rejects (a bad index, say) fails alone and the others it was merged with still succeed.
struct BatchRunner: Sendable {
    let modelName: String
    let modelVersion: Int64
    /// The model's input names in declared order.
    let inputNames: [String]
    /// Outputs the config reshapes before clients see them.
    let outputReshapes: [String: ConfigReshape]
    let recorder: ModelStatisticsRecorder
    let delivery: ResponseDelivery
    /// Told the input shapes of every batch that ran.
    let shapes: NewShapeNotice

    /// Answers a request that never reached the engine (timeout, shutdown, cancellation).
    func fail(_ request: PendingRequest, _ error: ServingError) {
        recorder.recordRequest(succeeded: false, nanoseconds: MonotonicClock.now() &- request.enqueuedAt)
        delivery.deliver(request, .failure(error))
    }

    /// Runs `batch`; a shadowed model offers its answered requests to `shadow` afterwards.
    func run(_ batch: [PendingRequest], on session: Session, shadow: ShadowEvaluator? = nil) {
        guard !batch.isEmpty else { return }
        let start = MonotonicClock.now()
        for request in batch { recorder.recordQueued(nanoseconds: start &- request.enqueuedAt) }
        execute(batch, on: session, start: start, shadow: shadow)
    }

    private func execute(_ batch: [PendingRequest], on session: Session, start: UInt64, shadow: ShadowEvaluator?) {
        let inputs = BatchAssembly.mergeInputs(of: batch, names: inputNames)
        let assembled = MonotonicClock.now()
        let outputs: [String: Tensor]
        let oneThreadRuns = session.runWidthCounts.oneThread
        do {
            outputs = try session.run(inputs)
        } catch {
            if batch.count > 1 {
                for request in batch { execute([request], on: session, start: MonotonicClock.now(), shadow: shadow) }
            } else {
                fail(batch[0], Self.servingError(error, modelName: modelName, version: modelVersion))
            }
            return
        }
        let inferred = MonotonicClock.now()
        shapes.ran(inputNames.map { inputs[$0]?.shape ?? [] })
        let responses: [InferenceResponse]
        do {
            responses = try split(outputs, for: batch)
        } catch {
            for request in batch { fail(request, error) }
            return
        }
        let finished = MonotonicClock.now()
        recorder.recordExecution(items: batch.reduce(0) { $0 + $1.batchSize },
                                 inputNanoseconds: assembled - start, inferNanoseconds: inferred - assembled,
                                 outputNanoseconds: finished - inferred,
                                 succeededRequestNanoseconds: batch.map { finished &- $0.enqueuedAt },
                                 oneThread: session.runWidthCounts.oneThread > oneThreadRuns)
        for (request, response) in zip(batch, responses) {
            delivery.deliver(request, .success(response))
        }
        shadow?.offer(batch, responses: responses)
    }

    /// Each request's response: its rows of every output it asked for, in its order.
    private func split(_ outputs: [String: Tensor], for batch: [PendingRequest]) throws(ServingError) -> [InferenceResponse] {
        var pieces: [String: [Tensor]] = [:]
        let rows = batch.map(\.batchSize)
        for name in Set(batch.flatMap(\.outputs)) {
            guard let output = outputs[name] else {
                throw .internal("model '\(modelName)' produced no output '\(name)'")
            }
            let split = try BatchAssembly.split(output, rows: rows, outputName: name, modelName: modelName)
            pieces[name] = try outputReshapes[name].map { reshape throws(ServingError) in
                try split.map { piece throws(ServingError) in try Self.reshaped(piece, by: reshape, output: name, modelName: modelName) }
            } ?? split
        }
        return batch.enumerated().map { position, request in
            InferenceResponse(id: request.id, modelName: modelName, modelVersion: modelVersion,
                              outputs: request.outputs.map { NamedTensor(name: $0, tensor: pieces[$0]![position]) })
        }
    }

    /// The config's reshapes of the model's outputs, by output name.
    static func outputReshapes(of config: Inference_ModelConfig) -> [String: ConfigReshape] {
        config.output.reduce(into: [:]) { reshapes, output in
            reshapes[output.name] = ConfigReshape(dims: output.dims, reshape: output.hasReshape ? output.reshape : nil,
                                                  batching: config.maxBatchSize > 0)
        }
    }

    /// One request's piece of an output in the client's shape.
    private static func reshaped(_ piece: Tensor, by reshape: ConfigReshape, output: String,
                                 modelName: String) throws(ServingError) -> Tensor {
        guard let shape = reshape.toClient(piece.shape) else {
            throw .internal("model '\(modelName)' output '\(output)' has shape \(piece.shape), which cannot be reshaped to the config's dims \(reshape.clientDims)")
        }
        return piece.reshaped(shape)
    }

    static func servingError(_ error: any Error, modelName: String, version: Int64) -> ServingError {
        if case EngineError.inputMismatch(let message)? = error as? EngineError {
            return .invalidArgument("model '\(modelName)': \(message)")
        }
        return .internal("model '\(modelName)' version \(version) failed to run: \(error)")
    }
}
