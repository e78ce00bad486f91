import SwitchyardVision

/// `decode-image`: encoded JPEG or PNG bytes (`input`, default "bytes") → an RGB image (`output`,
/// default "image"). The bytes are dropped from the item unless `keep_bytes: true`.
///
/// `min_size: [W, H]` decodes a JPEG at the smallest scale libjpeg-turbo's IDCT offers (1/8, 1/4,
/// 3/8, 1/2, …) that keeps it at least W×H, far cheaper than a full decode for a next stage that
/// shrinks it anyway (a 4K frame for a 320×320 letterbox decodes at 1/4: 960×540). Set it to the
/// next stage's size so nothing it would see is lost. The scale goes beside the image (under
/// `output` + "_scale", e.g. "image_scale") and `yolo-decode`, `db-postprocess` and `crop-regions`
/// use it to report positions in the original image's pixels. PNGs, and JPEGs already smaller,
/// decode at full size. `fit_size: [W, H]` instead keeps only what a W×H letterbox uses: its
/// limiting side at the box's size (a 4K 16:9 frame for a 320×320 letterbox then decodes at 1/8,
/// 480×270, where `min_size` needs 1/4). Without either, every image decodes at full size.
struct DecodeImageProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let output: String
    let keepBytes: Bool
    /// What a scaled decode must keep, or nil to decode at full size.
    let target: DecodeTarget?

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "keep_bytes", "min_size", "fit_size"])
        stage = options.stage
        input = try options.inputName("bytes")
        output = try options.outputName("image")
        keepBytes = try options.bool("keep_bytes", default: false)
        func size(_ key: String) throws(PipelineError) -> (width: Int, height: Int)? {
            guard options.contains(key) else { return nil }
            let size = try options.floats(key)
            guard size.count == 2, size.allSatisfy({ $0 >= 1 && $0 == $0.rounded() && $0 <= 1_000_000 }) else {
                throw options.error(key, "must be [width, height] in whole pixels ≥ 1, e.g. [320, 320] for a 320×320 letterbox; got \(size)")
            }
            return (Int(size[0]), Int(size[1]))
        }
        switch (try size("min_size"), try size("fit_size")) {
        case (let cover?, nil): target = .cover(width: cover.width, height: cover.height)
        case (nil, let fit?): target = .fit(width: fit.width, height: fit.height)
        case (nil, nil): target = nil
        case (_?, _?): throw options.error("fit_size", "takes the place of min_size: give one of them")
        }
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let bytes = try item.bytes(input)
        var next = item
        do throws(VisionError) {
            if let target {
                let (image, scale) = try ImageCodec.decode(bytes, for: target)
                next[output] = .image(image)
                next[PipelineItem.decodeScaleName(of: output)] = .decodeScale(scale)
            } else {
                next[output] = .image(try ImageCodec.decode(bytes))
            }
        } catch {
            let path = (try? item.string("path")).map { " (\($0))" } ?? ""
            throw PipelineError(stage: stage, item: item, "cannot decode the image\(path): \(error.description)")
        }
        if !keepBytes && input != output { next[input] = nil }
        return [next]
    }
}
