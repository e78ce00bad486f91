import SwitchyardONNX
import SwitchyardVision

/// `ctc-decode`: a text recognizer's per-step probabilities (`input`, default "logits",
/// `[1, T, C]`) → the line's text and confidence (`output`, default "text"), greedy CTC as
/// rapidocr's CTCLabelDecode. The dictionary comes from `model:` (an ONNX file whose metadata
/// key `character` holds it, as PP-OCRv4's recognizer does) or `dictionary:` (a text file, one
/// entry per line); `use_space_char` (default true) appends " ". Paths are relative to the
/// working directory. Lines below `min_confidence` (default 0.5, rapidocr's text_score) are
/// dropped; `drop` (default: the crop and tensors) lists values left out of the result.
struct CTCDecodeProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let output: String
    let minConfidence: Float
    let drop: [String]
    let decoder: CTCGreedyDecoder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "model", "dictionary", "use_space_char", "min_confidence", "drop"])
        stage = options.stage
        input = try options.inputName("logits")
        output = try options.outputName("text")
        minConfidence = try options.float("min_confidence", default: 0.5, in: 0...1)
        drop = try options.strings("drop", default: ["crop", "tensor"]) + [input]
        let useSpace = try options.bool("use_space_char", default: true)
        switch (options.contains("model"), options.contains("dictionary")) {
        case (true, false):
            let path = try options.string("model")
            let metadata: [String: String]
            do throws(ONNXError) {
                metadata = try ModelLoader.load(path: path).metadata
            } catch {
                throw options.error("model", "cannot read \(path): \(error)")
            }
            do throws(VisionError) {
                decoder = try CTCGreedyDecoder(modelMetadata: metadata, useSpaceCharacter: useSpace)
            } catch {
                throw options.error("model", "\(path): \(error.description)")
            }
        case (false, true):
            let path = try options.string("dictionary")
            do throws(VisionError) {
                decoder = try CTCGreedyDecoder(dictionaryFile: path, useSpaceCharacter: useSpace)
            } catch {
                throw options.error("dictionary", error.description)
            }
        default:
            throw options.error("model", "give exactly one of model: (the recognizer's ONNX file, whose metadata holds the dictionary) or dictionary: (a text file)")
        }
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let logits = try item.tensor(input)
        let lines: [(text: String, confidence: Float)]
        do throws(VisionError) {
            lines = try decoder.decode(logits)
        } catch {
            throw PipelineError(stage: stage, item: item, error)
        }
        guard lines.count == 1, let line = lines.first else {
            throw PipelineError(stage: stage, item: item, "expected the probabilities of one line ([1, T, C]), got \(logits.shape)")
        }
        guard line.confidence >= minConfidence else { return [] }
        var next = item
        for name in drop { next[name] = nil }
        next[output] = .text(line.text, confidence: line.confidence)
        return [next]
    }
}
