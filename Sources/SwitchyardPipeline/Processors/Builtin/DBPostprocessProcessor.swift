import SwitchyardVision

/// `db-postprocess`: the PP-OCR detector's probability map (`input`, default "probability",
/// `[1, 1, H, W]`) → text regions in the original image's pixels (also when `decode-image`
/// decoded it at a reduced scale; rapidocr's DBPostProcess with
/// its defaults: `threshold` 0.3, `box_threshold` 0.5, `unclip_ratio` 1.6, `max_candidates`
/// 1000, `dilate` true; then its filter_tag_det_res and reading order).
///
/// With `fan_out: true` (default) it emits one item per region with "quad" and its upright crop
/// (`crop`, default "crop"), dropping the page image and the detector tensors; a page without
/// text emits nothing. With `fan_out: false` it adds the regions as "regions" to the one item.
/// `rec_batch` (default 6, rapidocr's rec_batch_num; 0 = off) adds "rec_width" to each line: the
/// width rapidocr pads it to among the lines of its page (see `ocr-rec-preprocess`).
struct DBPostprocessProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let image: String
    let crop: String
    let fanOut: Bool
    let recognitionBatch: Int
    let drop: [String]
    let postprocessor: DBPostprocessor

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "image", "crop", "fan_out", "drop", "threshold", "box_threshold",
                                            "unclip_ratio", "max_candidates", "min_size", "dilate", "rec_batch"])
        stage = options.stage
        input = try options.inputName("probability")
        image = try options.string("image", default: "image")
        crop = try options.string("crop", default: "crop")
        fanOut = try options.bool("fan_out", default: true)
        recognitionBatch = try options.int("rec_batch", default: 6)
        guard recognitionBatch >= 0 else { throw options.error("rec_batch", "must be 0 (off) or a batch size, got \(recognitionBatch)") }
        drop = try options.strings("drop", default: ["tensor"]) + [input, image]
        postprocessor = DBPostprocessor(
            threshold: try options.float("threshold", default: 0.3, in: 0...1),
            boxThreshold: try options.float("box_threshold", default: 0.5, in: 0...1),
            unclipRatio: try options.float("unclip_ratio", default: 1.6, in: 0...100),
            maxCandidates: try options.positiveInt("max_candidates", default: 1000),
            minSize: try options.float("min_size", default: 3, in: 0...10_000),
            dilate: try options.bool("dilate", default: true))
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let probability = try item.tensor(input)
        let page = try item.image(image)
        let scale = try item.decodeScale(of: image)
        var found: [TextRegion]
        do throws(VisionError) {
            let batches = try postprocessor.regions(probability: probability, originalWidth: page.width, originalHeight: page.height)
            guard batches.count == 1 else {
                throw .invalidArgument("expected the probability map of one image ([1, 1, H, W]), got \(probability.shape)")
            }
            found = batches[0]
        } catch {
            throw PipelineError(stage: stage, item: item, error)
        }
        if let scale { found = found.map { TextRegion(quad: scale.toOriginal($0.quad), score: $0.score) } }
        guard fanOut else {
            var next = item
            next["regions"] = .textRegions(found)
            return [next]
        }
        return RegionFanOut.textRegions(found, of: item, image: page, scale: scale, crop: crop, dropping: drop, recognitionBatch: recognitionBatch)
    }
}
