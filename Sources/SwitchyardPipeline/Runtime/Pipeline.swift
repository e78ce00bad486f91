import Foundation
import SwitchyardServing
import Synchronization

/// A running pipeline: bounded queues between its stages, dedicated threads for every source,
/// processor worker, model worker, join and sink, and a frame ledger that lets sinks write each
/// source's events in frame order.
///
/// Life cycle: `init` builds everything (processors from the registry, sinks from the spec) and
/// fails with the spec's line on a bad stage; `start()` starts the threads; the sources run
/// until their input ends (or `stop()`), then the pipeline drains: every queued item is
/// processed and written, every thread exits, and `wait()` returns the summary.
///
/// Ordering guarantee: every sink receives the events of one source in frame order (within a
/// frame, by region index), whatever the number of workers; a frame's events are written once
/// all of the frame's items have left the pipeline.
public final class Pipeline: Sendable {
    public let spec: PipelineSpec
    private let sourceStages: [SourceStage]
    private let processorStages: [ProcessorStage]
    private let joinStages: [JoinStage]
    private let sinkStages: [SinkStage]
    private let responseStages: [ResponseStage]
    private let responses: PendingResponses
    private let queues: [(stage: String, queue: BoundedQueue<PipelineItem>)]
    private let metrics: [StageMetrics]
    private let postedSources: [String: PostedSource]
    private let collectors: [String: CollectorSink]
    private let stopFlag = StopFlag()
    private let tracker: RunTracker

    /// Builds the pipeline of a loaded spec. `sinks` supplies (or replaces) the sink of a sink
    /// stage by name; `events` and `jsonl` sinks otherwise open their `path:`, `collector`
    /// sinks are created and read back with `collector(_:)`.
    public init(_ loaded: SpecLoader.Loaded, registry: ProcessorRegistry = .builtin, service: (any InferenceService)? = nil,
                sinks suppliedSinks: [String: any EventSink] = [:], options: PipelineOptions = PipelineOptions()) throws(PipelineError) {
        let spec = loaded.spec
        self.spec = spec
        let responses = PendingResponses()
        self.responses = responses
        let ledger = FrameLedger { source, frame in responses.complete(source: source, frame: frame) }
        let tracker = RunTracker()
        self.tracker = tracker
        let reportError: @Sendable (PipelineError) -> Void = { error in tracker.report(error) }

        var metricsByStage: [String: StageMetrics] = [:]
        for stage in spec.stages { metricsByStage[stage.name] = StageMetrics(pipeline: spec.name, stage: stage.name, factory: options.metricsFactory) }
        metrics = spec.stages.map { metricsByStage[$0.name]! }
        var queueByStage: [String: BoundedQueue<PipelineItem>] = [:]
        for stage in spec.stages where stage.type != .source {
            queueByStage[stage.name] = BoundedQueue(capacity: stage.queueCapacity, producers: stage.inputs?.count ?? 0)
        }
        queues = spec.stages.compactMap { stage in queueByStage[stage.name].map { (stage.name, $0) } }
        func router(_ stage: StageSpec) -> ItemRouter {
            let consumers = spec.stages.filter { $0.inputs?.contains(stage.name) ?? false }
            return ItemRouter(stage: stage.name, outputs: consumers.map { queueByStage[$0.name]! }, ledger: ledger,
                              metrics: metricsByStage[stage.name]!)
        }

        // Sinks first: resuming needs the frames they committed.
        var sinkStages: [SinkStage] = []
        var responseStages: [ResponseStage] = []
        var collectors: [String: CollectorSink] = [:]
        var committed: [String: Int]?
        for stage in spec.stages where stage.type == .sink {
            if stage.sinkKind == .response {
                responseStages.append(ResponseStage(name: stage.name, input: queueByStage[stage.name]!, ledger: ledger,
                                                    responses: responses, metrics: metricsByStage[stage.name]!))
                continue
            }
            let sink: any EventSink
            if let supplied = suppliedSinks[stage.name] {
                sink = supplied
            } else {
                sink = try Self.makeSink(stage, spec: spec, base: loaded.baseDirectory, resume: options.resume)
            }
            if let collector = sink as? CollectorSink { collectors[stage.name] = collector }
            if options.resume, let database = sink as? SQLiteEventSink {
                let frames = try database.committedFrames()
                committed = committed.map { $0.merging(frames) { min($0, $1) } } ?? frames
            }
            sinkStages.append(SinkStage(name: stage.name, sink: sink, input: queueByStage[stage.name]!, ledger: ledger,
                                        metrics: metricsByStage[stage.name]!, reportError: reportError))
        }
        if options.resume && committed == nil {
            // A JSON Lines file records no committed frames: resuming from it would replay (and
            // duplicate) every event, so refuse instead of silently starting again.
            throw PipelineError("pipeline '\(spec.name)': --resume needs an `events` (SQLite) sink, which records the frames it committed; this pipeline has none")
        }
        self.sinkStages = sinkStages
        self.responseStages = responseStages
        self.collectors = collectors
        let skip = (committed ?? [:]).merging(options.skipThrough) { max($0, $1) }

        var sourceStages: [SourceStage] = []
        var posted: [String: PostedSource] = [:]
        let fileSources = spec.stages.filter { $0.type == .source && $0.sourceKind != .api }
        if options.sourcePath != nil, fileSources.count != 1 {
            throw PipelineError("a source path was given, but the pipeline '\(spec.name)' has \(fileSources.count) image or video sources (it needs exactly one)")
        }
        for stage in spec.stages where stage.type == .source {
            let path = options.sourcePath ?? stage.path.map { Self.resolve($0, base: loaded.baseDirectory) }
            let source: any FrameSource
            switch stage.sourceKind! {
            case .images:
                source = ImageFilesSource(stage: stage.name, pattern: path!)
            case .video:
                source = VideoSource(stage: stage.name, path: path!, fps: stage.fps,
                                     size: stage.width.map { ($0, stage.height!) }, realtime: stage.realtime ?? false)
            case .api:
                let postedSource = PostedSource(stage: stage.name)
                posted[stage.name] = postedSource
                source = postedSource
            }
            sourceStages.append(SourceStage(name: stage.name, source: source, policy: stage.overflowPolicy,
                                            skipThrough: skip[stage.name], router: router(stage),
                                            metrics: metricsByStage[stage.name]!, stopping: stopFlag, reportError: reportError))
        }
        self.sourceStages = sourceStages
        postedSources = posted

        var processorStages: [ProcessorStage] = []
        var joinStages: [JoinStage] = []
        for stage in spec.stages {
            switch stage.type {
            case .processor:
                let options = loaded.processorOptions[stage.name]
                    ?? ProcessorOptions(stage: stage.name, values: stage.options ?? [:], baseDirectory: loaded.baseDirectory)
                let processor = try registry.make(stage.processor!, options: options)
                processorStages.append(ProcessorStage(name: stage.name, workers: stage.workerCount, processor: processor,
                                                      input: queueByStage[stage.name]!, router: router(stage),
                                                      metrics: metricsByStage[stage.name]!))
            case .model:
                guard let service else {
                    throw PipelineError("stage '\(stage.name)': a model stage needs an inference service (start a ModelManager on the repository)")
                }
                let processor = ModelProcessor(model: stage.model!, version: stage.version, inputMap: stage.inputMap ?? [:],
                                               outputMap: stage.outputMap ?? [:], service: service)
                processorStages.append(ProcessorStage(name: stage.name, workers: stage.workerCount, processor: processor,
                                                      input: queueByStage[stage.name]!, router: router(stage),
                                                      metrics: metricsByStage[stage.name]!))
            case .join:
                joinStages.append(JoinStage(name: stage.name, inputs: stage.inputs!, input: queueByStage[stage.name]!,
                                            router: router(stage), metrics: metricsByStage[stage.name]!))
            case .source, .sink:
                break
            }
        }
        self.processorStages = processorStages
        self.joinStages = joinStages
    }

    /// Starts every stage's threads. Call once.
    public func start() {
        let threads = sourceStages.count + sinkStages.count + responseStages.count + joinStages.count
            + processorStages.reduce(0) { $0 + $1.workers }
        precondition(tracker.start(threads: threads), "Pipeline.start() called twice")
        let tracker = self.tracker
        for stage in sinkStages { stage.start { tracker.threadsExited(1) } }
        for stage in responseStages { stage.start { tracker.threadsExited(1) } }
        for stage in processorStages { stage.start { tracker.threadsExited(stage.workers) } }
        for stage in joinStages { stage.start { tracker.threadsExited(1) } }
        for stage in sourceStages { stage.start { tracker.threadsExited(1) } }
    }

    /// Stops the sources (a video's ffmpeg is terminated, posted sources refuse more items);
    /// what is already in the pipeline still drains to the sinks.
    public func stop() {
        stopFlag.set()
        for source in postedSources.values { source.cancel() }
    }

    /// Posts one item's values to the `api` source `source`, waiting while the pipeline is full.
    /// Call from a thread that may block (not from Swift's cooperative pool).
    public func post(_ values: [String: PipelineValue], to source: String) throws(PipelineError) {
        guard let posted = postedSources[source] else {
            throw PipelineError("pipeline '\(spec.name)': no api source named '\(source)' (api sources: \(postedSources.keys.sorted().joined(separator: ", ")))")
        }
        guard posted.post(values) else { throw PipelineError("pipeline '\(spec.name)': stopped, source '\(source)' takes no more items") }
    }

    /// Ends the `api` source `source`: once its items drain, its part of the pipeline finishes.
    public func finishPosting(to source: String) {
        postedSources[source]?.finish()
    }

    /// Runs one request through the pipeline: `values` become a new frame of the `api` source
    /// `source`, and once every item of that frame has left the pipeline, the items its
    /// `response` sink received are returned in region order (none when the frame was filtered
    /// out; items that failed carry their `error`). Concurrent requests each get exactly the
    /// items of their own frame.
    ///
    /// Never blocks a thread: the request waits in front of the source (unbounded; callers such
    /// as the HTTP server bound their own concurrency) and the pipeline's queues apply
    /// backpressure from there. Throws when the pipeline has no such source, has stopped, or
    /// ended before the frame finished.
    public func infer(_ values: [String: PipelineValue], source: String) async throws(PipelineError) -> [PipelineItem] {
        guard let posted = postedSources[source] else {
            throw PipelineError("pipeline '\(spec.name)': no api source named '\(source)' (api sources: \(postedSources.keys.sorted().joined(separator: ", ")))")
        }
        let name = spec.name, responses = self.responses
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[PipelineItem], PipelineError>, Never>) in
            let slot = ResponseSlot(continuation)
            let request = PostedSource.Posted(
                values: values,
                numbered: { frame in responses.register(source: source, frame: frame, slot) },
                abandoned: { slot.resume(.failure(PipelineError("pipeline '\(name)' stopped before it took the request"))) })
            if !posted.submit(request) {
                slot.resume(.failure(PipelineError("pipeline '\(name)' is stopped: source '\(source)' takes no more requests")))
            }
        }
        return try result.get()
    }

    /// Waits (without blocking a thread) until every stage has finished, and returns the summary.
    /// Requests (`infer`) whose frames did not finish fail.
    public func wait() async -> PipelineSummary {
        await tracker.waitForEnd()
        responses.failAll(PipelineError("pipeline '\(spec.name)' ended before the request's frame finished"))
        return progress()
    }

    /// Starts the pipeline and waits until it has finished.
    public func run() async -> PipelineSummary {
        start()
        return await wait()
    }

    /// The events a `collector` sink stage has received.
    public func collector(_ stage: String) -> CollectorSink? { collectors[stage] }

    /// Counts so far (or final, after `wait`).
    public func progress() -> PipelineSummary {
        let stages = metrics.map(\.snapshot)
        let elapsed = tracker.elapsedSeconds, runErrors = tracker.errors
        let sourceNames = Set(sourceStages.map(\.name))
        let firstSink = sinkStages.first?.name
        return PipelineSummary(
            framesIn: stages.filter { sourceNames.contains($0.stage) }.reduce(0) { $0 + $1.items },
            eventsOut: stages.first { $0.stage == firstSink }?.events ?? 0,
            errors: stages.reduce(0) { $0 + $1.errors },
            dropped: stages.reduce(0) { $0 + $1.dropped },
            elapsedSeconds: elapsed,
            stages: stages,
            queueDepths: queues.map { ($0.stage, $0.queue.depth, $0.queue.capacity) },
            runErrors: runErrors)
    }

    private static func makeSink(_ stage: StageSpec, spec: PipelineSpec, base: String, resume: Bool) throws(PipelineError) -> any EventSink {
        switch stage.sinkKind! {
        case .collector, .response:
            return CollectorSink()
        case .events, .jsonl:
            guard let path = stage.path else {
                throw PipelineError("stage '\(stage.name)': a \(stage.kind!) sink needs 'path:' (or give the file on the command line)")
            }
            let resolved = resolve(path, base: base)
            return stage.sinkKind == .events
                ? try SQLiteEventSink(path: resolved, pipeline: spec.name, resume: resume)
                : try JSONLinesSink(path: resolved, append: resume)
        }
    }

    /// `path` relative to the spec's folder (absolute paths and URLs unchanged).
    static func resolve(_ path: String, base: String) -> String {
        if path.hasPrefix("/") || path.contains("://") { return path }
        return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
