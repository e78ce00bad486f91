import SwitchyardVision

/// `yolo-decode`: a YOLOv8 head output (`input`, default "output0", `[1, 4 + classes, anchors]`)
/// → detections after class-aware NMS (`output`, default "detections"; `score_threshold` 0.25,
/// `iou_threshold` 0.45, `max_detections` 300). When the item has a "letterbox" transform the
/// boxes are mapped back to the image it was made from (`image`, default "image") and clipped to
/// it; when that image was decoded at a reduced scale (`decode-image` `min_size`), on to the
/// encoded original's pixels.
struct YOLODecodeProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let output: String
    let image: String
    let decoder: YOLOv8Decoder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "image", "score_threshold", "iou_threshold", "max_detections"])
        stage = options.stage
        input = try options.inputName("output0")
        output = try options.outputName("detections")
        image = try options.string("image", default: "image")
        decoder = YOLOv8Decoder(scoreThreshold: try options.float("score_threshold", default: 0.25, in: 0...1),
                                iouThreshold: try options.float("iou_threshold", default: 0.45, in: 0...1),
                                maxDetections: try options.positiveInt("max_detections", default: 300))
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let head = try item.tensor(input)
        var detections: [Detection]
        do throws(VisionError) {
            let batches = try decoder.decode(head)
            guard batches.count == 1 else { throw .invalidArgument("expected the output of one image, got \(head.shape)") }
            detections = batches[0]
        } catch {
            throw PipelineError(stage: stage, item: item, error)
        }
        if item["letterbox"] != nil {
            let transform = try item.letterbox("letterbox")
            let source = try item.image(image)
            detections = detections.map { detection in
                var mapped = detection
                mapped.box = transform.toOriginal(detection.box, clippedToWidth: source.width, height: source.height)
                return mapped
            }
        }
        if let scale = try item.decodeScale(of: image) {
            detections = detections.map { detection in
                var mapped = detection
                mapped.box = scale.toOriginal(detection.box)
                return mapped
            }
        }
        var next = item
        next[output] = .detections(detections)
        return [next]
    }
}
