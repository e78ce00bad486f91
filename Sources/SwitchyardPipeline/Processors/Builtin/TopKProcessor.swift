import SwitchyardVision

/// `top-k`: a classifier's scores (`input`, default "scores", `[1, C]` or `[C]`) → its `k`
/// (default 1) best classes, named by `labels` (else the class index). With k = 1 the item gets
/// "label" (name and score); with k > 1 it fans out into k items, region = rank, one label each.
struct TopKProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let k: Int
    let labels: [String]

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "k", "labels"])
        stage = options.stage
        input = try options.inputName("scores")
        k = try options.positiveInt("k", default: 1)
        labels = try options.strings("labels", default: [])
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let scores = try item.tensor(input)
        guard scores.shape.dropLast().allSatisfy({ $0 == 1 }), scores.count > 0 else {
            throw PipelineError(stage: stage, item: item, "expected the scores of one item ([1, C] or [C]), got \(scores.shape)")
        }
        if !labels.isEmpty && labels.count != scores.count {
            throw PipelineError(stage: stage, item: item, "the model gives \(scores.count) scores but labels: names \(labels.count) classes")
        }
        let best = TopK.select(scores.floats(), k: k)
        let named = best.map { PipelineValue.label(labels.isEmpty ? String($0.index) : labels[$0.index], score: $0.score) }
        var base = item
        base[input] = nil
        if k == 1, let first = named.first {
            base["label"] = first
            return [base]
        }
        return named.enumerated().map { rank, label in base.region(rank, adding: ["label": label]) }
    }
}
