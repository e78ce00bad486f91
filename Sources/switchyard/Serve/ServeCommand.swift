import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SwitchyardGRPC
import SwitchyardHTTP
import SwitchyardPipeline
import SwitchyardServing

/// `switchyard serve --model-repository DIR …`: the KServe v2 server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the models of a Triton-style model repository over KServe v2 HTTP and gRPC, with Prometheus metrics.",
        discussion: """
        Stops gracefully on SIGTERM or SIGINT: stops accepting, finishes queued and in-flight requests \
        (at most --shutdown-timeout seconds), exits 0.
        """
    )

    @Option(help: ArgumentHelp("The model repository: DIR/<model>/config.pbtxt and DIR/<model>/<version>/model.onnx; pipelines as DIR/<name>/pipeline.yaml or Triton ensembles (platform \"ensemble\").", valueName: "DIR"))
    var modelRepository: String

    @Option(help: "Address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "Port of the KServe v2 HTTP endpoint.")
    var httpPort = 8000

    @Option(help: "Port of the KServe v2 gRPC endpoint (Triton's inference.GRPCInferenceService, plaintext).")
    var grpcPort = 8001

    @Option(help: ArgumentHelp("Serve gRPC too (Triton's --allow-grpc).", valueName: "true|false"))
    var allowGrpc = true

    @Option(help: "Port of the Prometheus /metrics endpoint.")
    var metricsPort = 8002

    @Option(help: ArgumentHelp("none: load every model at start; poll: also reload when the repository changes; explicit: load what --load-model names and what clients ask for.", valueName: "none|poll|explicit"))
    var modelControlMode: ModelControlMode = .none

    @Option(name: .customLong("load-model"), help: ArgumentHelp("A model to load at start in explicit mode (repeatable).", valueName: "NAME"))
    var loadModels: [String] = []

    @Option(help: "Seconds between repository scans in poll mode.")
    var repositoryPollSecs: Double = 15

    @Option(help: ArgumentHelp("Bytes the loaded models may hold per device, e.g. cpu=6GiB.", valueName: "DEVICE=SIZE"),
            transform: { text in
                do throws(ServingError) { return try MemoryBudget.parse(text) } catch { throw ValidationError(error.message) }
            })
    var memoryBudget: MemoryBudget = .unlimited

    @Option(help: ArgumentHelp("resident: keep every loaded model; on-demand: load at first request, evict least recently used idle models to fit the budget.", valueName: "resident|on-demand"))
    var residency: ResidencyMode = .resident

    @Option(help: "CPU threads for inference in total (default: the number of cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Cores for the HTTP frontend and request handling, kept apart from the cores instances compute on. auto: when --threads leaves cores free, inference runs on the first --threads cores and the frontend on the rest; none: pin nothing; or a list such as 1 or 2-3.", valueName: "auto|none|CORES"),
            transform: { text in
                do throws(ServingError) { return try CoreSplit.Request(parsing: text) } catch { throw ValidationError(error.message) }
            })
    var frontendCores: CoreSplit.Request = .auto

    @Option(help: ArgumentHelp("Log as text lines or as JSON objects, one per line.", valueName: "text|json"))
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp("Least severe log level written.", valueName: "trace|debug|info|notice|warning|error|critical"))
    var logLevel: Logger.Level = .info

    @Option(help: "Largest request accepted, in bytes: an HTTP body after gzip decompression (larger: 413) or a gRPC message (larger: RESOURCE_EXHAUSTED).")
    var maxRequestBytes = 64 << 20

    @Option(help: "Seconds shutdown waits for queued and in-flight requests.")
    var shutdownTimeout: Double = 30

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard repositoryPollSecs > 0 else { throw ValidationError("--repository-poll-secs must be positive") }
        guard maxRequestBytes > 0 else { throw ValidationError("--max-request-bytes must be positive") }
        if !loadModels.isEmpty, modelControlMode != .explicit {
            throw ValidationError("--load-model needs --model-control-mode explicit (in '\(modelControlMode.rawValue)' mode every model loads)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelRepository, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--model-repository \(modelRepository) is not a directory")
        }
    }

    func run() async throws {
        let format = logFormat, level = logLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "switchyard")
        let cores = try CoreSplit.resolve(frontendCores, threads: threads, available: CPUAffinity.currentThreadCores() ?? [])
        // More inference threads than inference cores would oversubscribe them.
        let inferenceThreads = min(threads, cores.inference?.count ?? threads)
        if let frontend = cores.frontend, let inference = cores.inference {
            // Before the HTTP server, the model instances and the metrics endpoint start their
            // threads: they inherit the frontend's cores, and instances then move to theirs.
            try CPUAffinity.pinProcessThreads(to: frontend)
            logger.info("cores split", metadata: ["frontend": "\(CPUAffinity.describe(frontend))",
                                                  "inference": "\(CPUAffinity.describe(inference))",
                                                  "threads": "\(inferenceThreads)"])
        }
        let registry = PrometheusCollectorRegistry()
        PrometheusEndpoint.bootstrapMetricsSystem(registry: registry, histogramBuckets: MetricNames.histogramBuckets)
        // Pipelines and ensembles of the repository are served by the routing service; the model
        // manager leaves their directories alone.
        let repository = modelRepository
        let isPipeline: @Sendable (String) -> Bool = { ServedPipelineLoader.isPipelineDirectory("\(repository)/\($0)") }
        let manager = try ModelManager(options: ModelManagerOptions(
            repositoryPath: modelRepository, controlMode: modelControlMode, startupModels: loadModels.filter { !isPipeline($0) },
            pollIntervalSeconds: repositoryPollSecs, memoryBudget: memoryBudget, residency: residency,
            threads: inferenceThreads, inferenceCores: cores.inference, shutdownTimeoutSeconds: shutdownTimeout,
            isServedElsewhere: { ServedPipelineLoader.isPipelineDirectory($0) }
        ), logger: logger)
        let metrics = PrometheusEndpoint(registry: registry, host: host, port: metricsPort, logger: logger,
                                         beforeScrape: { await manager.recordMemoryGauges() })
        let routing = RoutingInferenceService(models: manager, repositoryPath: modelRepository, logger: logger)
        let pipelines = PipelineServingService(
            service: routing, startup: modelControlMode == .explicit ? loadModels.filter(isPipeline) : nil,
            pollIntervalSeconds: modelControlMode == .poll ? repositoryPollSecs : nil)
        let http = KServeHTTPServer(service: routing, configuration: KServeHTTPConfiguration(
            host: host, port: httpPort, maxBodyBytes: maxRequestBytes
        ), logger: logger)
        var services: [any Service] = [manager, pipelines, metrics, http]
        if allowGrpc {
            services.append(KServeGRPCServer(service: routing, configuration: KServeGRPCConfiguration(
                host: host, port: grpcPort, maxMessageBytes: maxRequestBytes
            ), logger: logger))
        }
        // Services shut down in reverse order: the gRPC and HTTP endpoints first (they stop
        // accepting and let in-flight requests finish, which needs the pipelines and models), then
        // the pipelines (their requests in flight need the models), the models last.
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
    }
}

extension ModelControlMode: ExpressibleByArgument {}
extension ResidencyMode: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
