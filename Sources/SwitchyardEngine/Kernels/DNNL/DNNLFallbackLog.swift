import Logging
import Synchronization

/// Logs a region that oneDNN cannot run. The reference kernels compute the same values, but a
/// convolution or matrix product on them can be tens of times slower, and nothing else tells the
/// user why a model runs slowly: such a fallback is a warning, once per distinct reason (a
/// dynamically quantized model repeats one reason for every layer). Small shape arithmetic on
/// the reference kernels costs nothing worth a warning and is logged at debug level.
enum DNNLFallbackLog {
    private static let logger = Logger(label: "switchyard.dnnl")
    private static let warnedReasons = Mutex(Set<String>())
    /// Operators whose reference kernels are far slower than oneDNN's.
    static let heavyOperators: Set<String> = [
        "Conv", "ConvTranspose", "MatMul", "Gemm", "ConvInteger", "MatMulInteger", "QLinearConv", "QLinearMatMul",
    ]

    static func record(region: String, opTypes: [String], inputs: String, reason: String) {
        let message: Logger.Message = "oneDNN cannot run \(region) on inputs \(inputs): \(reason); its nodes run on the reference kernels (slower)"
        let heavy = opTypes.contains { heavyOperators.contains($0) }
        if heavy, warnedReasons.withLock({ $0.insert(reason).inserted }) {
            logger.warning(message)
        } else {
            logger.debug(message)
        }
    }
}
