import SwitchyardVision

/// Option parsing and error wording the built-in processors share.
extension ProcessorOptions {
    /// The name of the value a processor reads (`input:`), or `fallback`.
    func inputName(_ fallback: String) throws(PipelineError) -> String { try string("input", default: fallback) }

    /// The name of the value a processor writes (`output:`), or `fallback`.
    func outputName(_ fallback: String) throws(PipelineError) -> String { try string("output", default: fallback) }

    /// `channel_order: rgb|bgr` (default `fallback`): the order a processor hands channels to a model.
    func channelOrder(default fallback: ChannelOrder) throws(PipelineError) -> ChannelOrder {
        ChannelOrder(rawValue: try choice("channel_order", of: ["rgb", "bgr"], default: fallback.rawValue)) ?? fallback
    }

    /// A positive integer option.
    func positiveInt(_ key: String, default fallback: Int? = nil) throws(PipelineError) -> Int {
        let value = if let fallback { try int(key, default: fallback) } else { try int(key) }
        guard value > 0 else { throw error(key, "must be positive, got \(value)") }
        return value
    }

    /// A float option within `range`.
    func float(_ key: String, default fallback: Float, in range: ClosedRange<Float>) throws(PipelineError) -> Float {
        let value = try float(key, default: fallback)
        guard range.contains(value) else {
            throw error(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }
}

/// The channel order a model expects: images are RGB; PP-OCR's models were trained on BGR.
enum ChannelOrder: String, Sendable {
    case rgb, bgr

    func apply(to image: Image) -> Image { self == .bgr ? image.reversingChannels() : image }
}

extension PipelineError {
    /// A vision failure on `item` in `stage`, e.g. "stage 'decode': source 'pages' frame 3: …".
    init(stage: String, item: PipelineItem, _ error: VisionError) {
        self.init("stage '\(stage)': \(item.label): \(error.description)")
    }

    /// A failure on `item` in `stage` with a message of its own.
    init(stage: String, item: PipelineItem, _ message: String) {
        self.init("stage '\(stage)': \(item.label): \(message)")
    }
}
