/// How many instances a model version runs and what each may use, from its `instance_group`
/// entries, its `cpu_cores` parameter (else the server's inference cores) and the threads the
/// server gives the model.
///
/// The budget is split without oversubscribing: each instance gets max(1, budget / count)
/// threads, and never more threads than the cores it is pinned to.
struct InstancePlan: Sendable, Equatable {
    struct Instance: Sendable, Equatable {
        var index: Int
        /// Threads the instance's session computes with (its OpenMP team size).
        var threads: Int
        /// Cores the instance's thread is pinned to; nil = not pinned.
        var cores: [Int]?
    }

    /// More instances than this is a config mistake, not a deployment.
    static let maxInstances = 256

    var instances: [Instance]

    init(modelName: String, config: Inference_ModelConfig, threadBudget: Int, defaultCores: [Int]? = nil) throws(ServingError) {
        var count = 0
        for (position, group) in config.instanceGroup.enumerated() {
            switch group.kind {
            case .gpu:
                throw .invalidArgument("model '\(modelName)': instance_group \(position) asks for KIND_GPU, and there is no GPU backend on this machine; use KIND_CPU")
            case .auto, .cpu, .model:
                break
            case .UNRECOGNIZED(let value):
                throw .invalidArgument("model '\(modelName)': instance_group \(position) has unknown kind \(value); use KIND_CPU")
            }
            guard group.count >= 0 else {
                throw .invalidArgument("model '\(modelName)': instance_group \(position) has count \(group.count); it must be at least 1")
            }
            count += max(1, Int(group.count))
        }
        count = max(1, count)
        guard count <= Self.maxInstances else {
            throw .invalidArgument("model '\(modelName)': instance_group asks for \(count) instances; at most \(Self.maxInstances) are allowed")
        }
        var cores = defaultCores
        if let text = config.parameters["cpu_cores"]?.stringValue {
            do {
                cores = try CPUCoreList.parse(text)
            } catch {
                throw .invalidArgument("model '\(modelName)', parameter cpu_cores: \(error.message)")
            }
        }
        var threads = max(1, threadBudget / count)
        if let cores { threads = min(threads, max(1, cores.count)) }
        instances = (0..<count).map { Instance(index: $0, threads: threads, cores: cores) }
    }
}
