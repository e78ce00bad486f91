extension ProcessorRegistry {
    /// Registers every built-in processor: one `register("name") { options in … }` line per
    /// processor of this folder.
    mutating func registerBuiltinProcessors() {
        register("decode-image") { options throws(PipelineError) in try DecodeImageProcessor(options: options) }
        register("resize") { options throws(PipelineError) in try ResizeProcessor(options: options) }
        register("letterbox") { options throws(PipelineError) in try LetterboxProcessor(options: options) }
        register("normalize") { options throws(PipelineError) in try NormalizeProcessor(options: options) }
        register("ocr-det-preprocess") { options throws(PipelineError) in try OCRDetPreprocessProcessor(options: options) }
        register("db-postprocess") { options throws(PipelineError) in try DBPostprocessProcessor(options: options) }
        register("crop-regions") { options throws(PipelineError) in try CropRegionsProcessor(options: options) }
        register("ocr-cls-preprocess") { options throws(PipelineError) in try OCRClsPreprocessProcessor(options: options) }
        register("ocr-cls-postprocess") { options throws(PipelineError) in try OCRClsPostprocessProcessor(options: options) }
        register("ocr-rec-preprocess") { options throws(PipelineError) in try OCRRecPreprocessProcessor(options: options) }
        register("ctc-decode") { options throws(PipelineError) in try CTCDecodeProcessor(options: options) }
        register("yolo-decode") { options throws(PipelineError) in try YOLODecodeProcessor(options: options) }
        register("top-k") { options throws(PipelineError) in try TopKProcessor(options: options) }
    }
}
