import SwitchyardVision

/// `ocr-cls-postprocess`: reads the direction classifier's probabilities (`input`, default
/// "probabilities", `[1, 2]`) and turns the crop (`image`, default "crop") half a turn when the
/// best label is "180" with a probability above `threshold` (0.9), as rapidocr's TextClassifier
/// does. Records the decision as "cls_label" and "cls_score"; drops `input` and "tensor".
struct OCRClsPostprocessProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let image: String
    let threshold: Float
    let labels: [String]

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "image", "threshold", "labels"])
        stage = options.stage
        input = try options.inputName("probabilities")
        image = try options.string("image", default: "crop")
        threshold = try options.float("threshold", default: 0.9, in: 0...1)
        labels = try options.strings("labels", default: ["0", "180"])
        guard labels.contains("180") else { throw options.error("labels", "must name the rotated class \"180\"") }
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let probabilities = try item.tensor(input)
        guard probabilities.count == labels.count, probabilities.dataType == .float32 else {
            throw PipelineError(stage: stage, item: item, "expected \(labels.count) float32 class probabilities ([1, \(labels.count)]), got \(probabilities.dataType) \(probabilities.shape)")
        }
        guard let best = TopK.select(probabilities.floats(), k: 1).first else {
            throw PipelineError(stage: stage, item: item, "the classifier returned no probabilities")
        }
        var next = item
        next[input] = nil
        next["tensor"] = nil
        next["cls_label"] = .string(labels[best.index])
        next["cls_score"] = .number(Double(best.score))
        if labels[best.index] == "180" && best.score > threshold {
            next[image] = .image(try item.image(image).rotated180())
        }
        return [next]
    }
}
