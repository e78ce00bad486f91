/// A pipeline as written in its YAML spec (see docs/pipelines.md): a name, the model repository
/// its model stages use, and the stages with the edges between them.
public struct PipelineSpec: Sendable, Equatable, Codable {
    public var name: String
    /// The Triton model repository for the model stages, relative to the spec file (nil when the
    /// pipeline has no model stage).
    public var repository: String?
    public var stages: [StageSpec]

    public init(name: String, repository: String? = nil, stages: [StageSpec]) {
        self.name = name
        self.repository = repository
        self.stages = stages
    }

    /// The stage called `name`.
    public func stage(_ name: String) -> StageSpec? { stages.first { $0.name == name } }

    /// The names of the models the model stages use, once each, in stage order.
    public var modelNames: [String] {
        var seen: Set<String> = []
        return stages.compactMap(\.model).filter { seen.insert($0).inserted }
    }
}

/// What a stage is.
public enum StageType: String, Sendable, Codable, CaseIterable {
    /// Produces items: images from a folder, frames of a video, or items posted through the API.
    case source
    /// CPU work: a `PipelineProcessor` from the registry.
    case processor
    /// A model of the repository, through its dynamic batcher.
    case model
    /// Waits for the item of one frame (and region) from each of its inputs and merges them into
    /// one item: where parallel branches of a frame meet again.
    case join
    /// Consumes items and writes them as events.
    case sink
}

/// What a source does when the queue it feeds is full.
public enum OverflowPolicy: String, Sendable, Codable, CaseIterable {
    /// Wait for room: lossless, the source slows to the pipeline's pace.
    case block
    /// Drop the oldest queued item to make room: a live source never falls behind; drops are counted.
    case dropOldest = "drop-oldest"
}

/// Where a source's items come from.
public enum SourceKind: String, Sendable, Codable, CaseIterable {
    /// Image files of a folder (or matching a glob), in name order; each item carries the file's
    /// bytes as "bytes" and its path as "path".
    case images
    /// Frames of a video file or stream, decoded by an `ffmpeg` subprocess; each item carries
    /// the frame as "image".
    case video
    /// Items posted programmatically (`Pipeline.post`).
    case api
}

/// What a sink writes.
public enum SinkKind: String, Sendable, Codable, CaseIterable {
    /// SQLite through GRDB: table `events`, plus `progress` for `--resume`.
    case events
    /// JSON Lines, one event per line.
    case jsonl
    /// Events kept in memory for the caller (tests).
    case collector
    /// The items go back to the request that posted their frame (`Pipeline.infer`): a served
    /// pipeline's answer.
    case response
}

/// One stage of a spec. Which fields apply depends on `type`; the loader rejects the rest.
public struct StageSpec: Sendable, Equatable, Codable {
    public var name: String
    public var type: StageType
    /// The stages whose items this stage consumes (fan-in when several; several stages listing
    /// the same input is a fan-out; a join matches one item of each). Sources have none.
    public var inputs: [String]?
    /// Capacity of this stage's input queue (default 8).
    public var queue: Int?
    /// Worker threads (processors) or requests in flight (models); default 1.
    public var workers: Int?

    // Sources
    public var kind: String?
    /// Folder, glob, video file or stream URL (sources); output file (sinks).
    public var path: String?
    public var overflow: OverflowPolicy?
    /// Video sources: frames per second to sample (ffmpeg `fps` filter); nil = every frame.
    public var fps: Double?
    /// Video sources: frame size to scale to; nil = the video's own size (probed with ffprobe).
    public var width: Int?
    public var height: Int?
    /// Video sources: read a file at 1× speed (ffmpeg `-re`), as a live camera would deliver it.
    public var realtime: Bool?

    // Processors
    public var processor: String?
    public var options: [String: OptionValue]?

    // Models
    public var model: String?
    public var version: Int64?
    /// Item value name → model input tensor name.
    public var inputMap: [String: String]?
    /// Model output tensor name → item value name.
    public var outputMap: [String: String]?

    // Served pipelines
    /// `api` sources: the request tensors and the values they become; `response` sinks: the
    /// response tensors and the values they are made of.
    public var tensors: [TensorSpec]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, type, inputs, queue, workers, kind, path, overflow, fps, width, height, realtime
        case processor, options, model, version
        case inputMap = "input_map", outputMap = "output_map"
        case tensors
    }

    public init(name: String, type: StageType, inputs: [String]? = nil, queue: Int? = nil, workers: Int? = nil,
                kind: String? = nil, path: String? = nil, overflow: OverflowPolicy? = nil, fps: Double? = nil,
                width: Int? = nil, height: Int? = nil, realtime: Bool? = nil, processor: String? = nil,
                options: [String: OptionValue]? = nil, model: String? = nil, version: Int64? = nil,
                inputMap: [String: String]? = nil, outputMap: [String: String]? = nil, tensors: [TensorSpec]? = nil) {
        self.name = name
        self.type = type
        self.inputs = inputs
        self.queue = queue
        self.workers = workers
        self.kind = kind
        self.path = path
        self.overflow = overflow
        self.fps = fps
        self.width = width
        self.height = height
        self.realtime = realtime
        self.processor = processor
        self.options = options
        self.model = model
        self.version = version
        self.inputMap = inputMap
        self.outputMap = outputMap
        self.tensors = tensors
    }

    /// The input queue's capacity.
    public var queueCapacity: Int { queue ?? 8 }
    /// The worker count.
    public var workerCount: Int { workers ?? 1 }
    /// The source's overflow policy.
    public var overflowPolicy: OverflowPolicy { overflow ?? .block }
    /// The source kind (images unless `kind:` says otherwise); nil for other stage types.
    public var sourceKind: SourceKind? { type == .source ? SourceKind(rawValue: kind ?? "images") : nil }
    /// The sink kind; nil for other stage types.
    public var sinkKind: SinkKind? { type == .sink ? SinkKind(rawValue: kind ?? "") : nil }
}
