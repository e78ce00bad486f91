/// Typed access to a config's `parameters { key: "…" value { string_value: "…" } }` entries
/// that Switchyard reads. Other keys are kept in `values` untouched.
///
/// - `pinned`: `"true"`/`"false"` (also `"1"`/`"0"`, any case) — keep the model resident.
/// - `cpu_cores`: the cores its instances run on, `"0-1"`, `"0,2-3"` (see `CPUCoreList`).
/// - `precision`: the variant that serves, `"int8"` → `model.int8.onnx` (see `PrecisionVariant`).
/// - `shadow_reference`, `shadow_sample_rate`, `shadow_metric`, `shadow_tolerance`: shadow
///   evaluation (see `ShadowSettings`).
public struct ModelParameters: Sendable, Equatable {
    public static let pinnedKey = "pinned"
    public static let cpuCoresKey = "cpu_cores"
    public static let precisionKey = "precision"

    /// Every parameter, key → string value.
    public var values: [String: String]
    /// `pinned`; false when absent.
    public var pinned: Bool
    /// `cpu_cores` as sorted unique core ids; nil when absent.
    public var cpuCores: [Int]?
    /// `precision`: the variant that serves; "fp32" (the full-precision file) when absent.
    public var precision: String
    /// Shadow evaluation; nil when `shadow_reference` is absent.
    public var shadow: ShadowSettings?

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
        let precision = values[Self.precisionKey] ?? PrecisionVariant.fullPrecision
        guard PrecisionVariant.isValidName(precision) else {
            throw .invalidArgument("\(file): parameter '\(Self.precisionKey)': \"\(precision)\" is not a precision name (letters, digits, '-' or '_': \"int8\" serves model.int8.onnx)")
        }
        self.precision = precision
        shadow = try ShadowSettings(values: values, servedPrecision: precision, file: file)
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
