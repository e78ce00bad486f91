import SwitchyardVision

/// `decode-image`: encoded JPEG or PNG bytes (`input`, default "bytes") → an RGB image (`output`,
/// default "image"). The bytes are dropped from the item unless `keep_bytes: true`.
struct DecodeImageProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let output: String
    let keepBytes: Bool

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "keep_bytes"])
        stage = options.stage
        input = try options.inputName("bytes")
        output = try options.outputName("image")
        keepBytes = try options.bool("keep_bytes", default: false)
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let bytes = try item.bytes(input)
        var next = item
        do throws(VisionError) {
            next[output] = .image(try ImageCodec.decode(bytes))
        } catch {
            let path = (try? item.string("path")).map { " (\($0))" } ?? ""
            throw PipelineError(stage: stage, item: item, "cannot decode the image\(path): \(error.description)")
        }
        if !keepBytes && input != output { next[input] = nil }
        return [next]
    }
}
