/// Which cores run inference and which run the server's frontend (HTTP event loops, async request
/// handling, logging): `switchyard serve --frontend-cores`.
///
/// On a small box a request's CPU work outside the model (parsing, copying, answering) lands on
/// whatever core is free, often the one an instance is computing on, which then loses its time
/// slice and its cache. Pinning the frontend to cores of its own and the instances to the others
/// keeps each instance's core for inference.
public struct CoreSplit: Sendable, Equatable {
    /// Cores the instances run on unless their model's `cpu_cores` parameter names others; nil =
    /// not pinned.
    public var inference: [Int]?
    /// Cores the frontend's threads are pinned to; nil = not pinned.
    public var frontend: [Int]?

    public init(inference: [Int]? = nil, frontend: [Int]? = nil) {
        self.inference = inference
        self.frontend = frontend
    }

    /// What `--frontend-cores` asks for.
    public enum Request: Sendable, Equatable {
        /// Keep the frontend apart when `--threads` leaves cores free, else pin nothing.
        case auto
        /// Pin nothing.
        case none
        /// The frontend on these cores, inference on the others.
        case cores([Int])

        /// `auto`, `none`, or a core list such as `1` or `2-3`.
        public init(parsing text: String) throws(ServingError) {
            switch text {
            case "auto": self = .auto
            case "none": self = .none
            default:
                do {
                    self = .cores(try CPUCoreList.parse(text))
                } catch {
                    throw .invalidArgument("--frontend-cores: \(error.message), or write auto or none")
                }
            }
        }
    }

    /// The split for `request` when inference may use `threads` threads and the process may run
    /// on `available` cores. `auto` gives inference the first `threads` cores and the frontend the
    /// rest, when `threads` leaves any; a core list must leave inference at least one core.
    public static func resolve(_ request: Request, threads: Int, available: [Int]) throws(ServingError) -> CoreSplit {
        switch request {
        case .none:
            return CoreSplit()
        case .auto:
            guard threads < available.count else { return CoreSplit() }
            return CoreSplit(inference: Array(available.prefix(threads)), frontend: Array(available.dropFirst(threads)))
        case .cores(let frontend):
            let outside = frontend.filter { !available.contains($0) }
            guard outside.isEmpty else {
                throw .invalidArgument("--frontend-cores \(CPUAffinity.describe(frontend)) names cores this process may not use (\(CPUAffinity.describe(outside))); it may use \(CPUAffinity.describe(available))")
            }
            let inference = available.filter { !frontend.contains($0) }
            guard !inference.isEmpty else {
                throw .invalidArgument("--frontend-cores \(CPUAffinity.describe(frontend)) leaves no core for inference (this process may use \(CPUAffinity.describe(available)))")
            }
            return CoreSplit(inference: inference, frontend: frontend)
        }
    }
}
