/// Typed access to a config's `parameters { key: "…" value { string_value: "…" } }` entries
/// that Switchyard reads. Other keys are kept in `values` untouched.
///
/// - `pinned`: `"true"`/`"false"` (also `"1"`/`"0"`, any case) — keep the model resident.
/// - `cpu_cores`: the cores its instances run on, `"0-1"`, `"0,2-3"` (see `CPUCoreList`).
public struct ModelParameters: Sendable, Equatable {
    public static let pinnedKey = "pinned"
    public static let cpuCoresKey = "cpu_cores"

    /// Every parameter, key → string value.
    public var values: [String: String]
    /// `pinned`; false when absent.
    public var pinned: Bool
    /// `cpu_cores` as sorted unique core ids; nil when absent.
    public var cpuCores: [Int]?

    /// Reads the parameters; bad values throw `invalidArgument` naming `file` and the key.
    public init(_ parameters: [String: Inference_ModelParameter], file: String) throws(ServingError) {
        values = parameters.mapValues(\.stringValue)
        pinned = try Self.bool(values, key: Self.pinnedKey, file: file) ?? false
        if let cores = values[Self.cpuCoresKey] {
            do {
                cpuCores = try CPUCoreList.parse(cores)
            } catch {
                throw .invalidArgument("\(file): parameter '\(Self.cpuCoresKey)': \(error.message)")
            }
        } else {
            cpuCores = nil
        }
    }

    /// The parameters of a config (already validated configs cannot fail here, but a raw one can).
    public init(_ config: Inference_ModelConfig, file: String) throws(ServingError) {
        try self.init(config.parameters, file: file)
    }

    /// A boolean parameter: nil when absent, an error when it is neither true nor false.
    public func bool(_ key: String, file: String) throws(ServingError) -> Bool? {
        try Self.bool(values, key: key, file: file)
    }

    private static func bool(_ values: [String: String], key: String, file: String) throws(ServingError) -> Bool? {
        guard let text = values[key] else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalidArgument("\(file): parameter '\(key)': expected \"true\" or \"false\", got \"\(text)\"")
        }
    }
}
