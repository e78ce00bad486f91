import Synchronization
import SwitchyardTensor

/// One run of a batch cut into pieces along dim 0, each piece a whole run of a single-threaded
/// program on its own thread, the outputs joined back in order. Only for models that keep the
/// items of a batch apart (`BatchSeparability`): the result equals the unsplit run's.
///
/// On a CPU this beats giving one run several threads for small models and layers: each piece
/// keeps a core busy with no synchronisation, where an OpenMP team of two splits every small
/// primitive and waits for its slower half.
enum BatchSplitRun {
    /// Item counts of the pieces of a batch of `batch` items over at most `threads` threads:
    /// as even as possible, larger pieces first; one piece when there is nothing to split.
    static func pieces(batch: Int, threads: Int) -> [Int] {
        let count = max(1, min(batch, threads))
        return (0..<count).map { batch / count + ($0 < batch % count ? 1 : 0) }
    }

    /// The batch size shared by dim 0 of every input, or nil when the inputs disagree or one has
    /// no dimensions.
    static func batchSize(of inputs: [Tensor?]) -> Int? {
        var size: Int?
        for input in inputs {
            guard let input, input.rank >= 1, size == nil || size == input.shape[0] else { return nil }
            size = input.shape[0]
        }
        return size
    }

    /// Runs `runPiece` (a single-threaded program's run) on each piece of `inputs` (ordered as the
    /// program's inputs) on `workers`, their large buffers drawn from `buffers`, and joins the
    /// outputs; nil when the workers are busy with another run. The pieces share the inputs'
    /// bytes (`splittingRows`).
    static func run(
        inputs: [Tensor?], pieces: [Int], workers: PieceWorkers, buffers: BufferPool,
        runPiece: @escaping @Sendable ([Tensor?]) throws -> [Tensor]
    ) throws -> [Tensor]? {
        let sliced = inputs.map { $0?.splittingRows(pieces) }
        let results = (0..<pieces.count).map { _ in PieceResult() }
        let jobs: [@Sendable () -> Void] = (0..<pieces.count).map { piece in
            let pieceInputs = sliced.map { $0?[piece] }
            let result = results[piece]
            return { @Sendable in
                let outcome = Result { try buffers.withCurrent { try runPiece(pieceInputs) } }
                result.value.withLock { $0 = outcome }
            }
        }
        guard workers.tryRun(jobs) else { return nil }
        let outputs = try results.map { try $0.value.withLock { $0! }.get() }
        return (0..<(outputs.first?.count ?? 0)).map { index in
            Tensor.concatenatingRows(outputs.map { $0[index] })
        }
    }

    private final class PieceResult: Sendable {
        let value = Mutex<Result<[Tensor], any Error>?>(nil)
    }
}
