import SwitchyardQuantization
import SwitchyardTensor

/// The inputs the speed gate times both models on: the first `batch` samples of a folder joined
/// along the batch axis (cycling when the folder holds fewer), so a model meant to serve batches
/// of 8 is judged at batch 8 (int8 can lose at batch 1 and win at 8: PP-OCR cls on Zen 4).
struct SpeedGateSamples: Sendable {
    var directory: String
    var preprocess: ImagePreprocessing?
    var batch = 1

    /// The joined inputs for a model with these input names.
    func inputs(names: [String]) throws -> [String: Tensor] {
        let samples = try SampleSet(directory: directory, inputNames: names, preprocess: preprocess)
        let picked = try (0..<batch).map { try samples.sample(at: $0 % samples.count) }
        guard batch > 1 else { return picked[0] }
        var joined: [String: Tensor] = [:]
        for name in names {
            let parts = picked.compactMap { $0[name] }
            guard parts.count == batch, parts.allSatisfy({ $0.rank >= 1 && $0.shape[0] == 1 }) else {
                throw CLIError("--speed-batch \(batch): input '\(name)' of the samples in \(directory) has no batch axis of 1 to join along")
            }
            joined[name] = Tensor.concatenatingRows(parts)
        }
        return joined
    }
}
